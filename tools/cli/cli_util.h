// Shared plumbing of the vhsm and vhsm-admin commands: argument parsing,
// password sources (DESIGN.md section 5), file I/O and hex. Passwords are
// read into a string the caller wipes with WipeString.
#ifndef VHSM_TOOLS_CLI_CLI_UTIL_H_
#define VHSM_TOOLS_CLI_CLI_UTIL_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "vhsm/api/client_options.h"
#include "vhsm/base/file_io.h"
#include "vhsm/base/flags.h"
#include "vhsm/base/status.h"

namespace vhsm::cli {

using Args = ::vhsm::Args;
using ::vhsm::ParseFlags;

// Parse is ParseFlags (vhsm/base/flags.h).
inline Result<Args> Parse(int argc, char** argv, const std::set<std::string>& value_options,
                          const std::set<std::string>& value_flags) {
  return ParseFlags(argc, argv, value_options, value_flags);
}

// ReadPassword: --password-file (option name given), $VHSM_PASSWORD,
// $VHSM_PASSWORD_FILE (unless use_environment is false: a password for
// someone else than the caller), or a prompt on the terminal. One trailing
// newline of a file is dropped.
Result<std::string> ReadPassword(const Args& args, const std::string& file_option,
                                 const std::string& prompt, bool use_environment = true);
void WipeString(std::string* s);

// ReadInput reads FILE, or stdin when path is empty or "-".
Result<std::string> ReadInput(const std::string& path);
// WriteOutput writes data to FILE, or as it is to stdout when path is empty
// or "-"; in a batch (SetBatchMode) stdout gets it as one line of hex, since
// a batch answers one line per line and raw bytes may hold newlines.
Status WriteOutput(const std::string& path, const std::string& data);
// (Files written whole: WriteFileAtomically, vhsm/base/file_io.h.)

// ExitStatus: `status`, unless what the command printed could not be
// written (a full disk, a closed pipe): then 1, with one line on stderr,
// never a silent loss.
int ExitStatus(const char* prog, int status);

// Die prints "PROG: message" on stderr and exits 1; in a batch (vhsm
// batch, SetBatchMode) it throws LineFailed instead: that line fails and
// the batch goes on.
[[noreturn]] void Die(const char* prog, const std::string& message);
struct LineFailed {
  std::string message;
};
void SetBatchMode(bool on);

// Word returns positional argument i, or Dies naming what is missing.
std::string Word(const char* prog, const Args& a, size_t i, const char* what);
// NoMoreWords Dies on a positional argument past the first `allowed` (an
// id given without --id, a value without its option): never ignored.
void NoMoreWords(const char* prog, const Args& a, size_t allowed);
// OnlyOptions Dies on an option or flag that is neither in `allowed` nor in
// `global`: "--out does not apply to 'mac'". A misplaced option is a
// mistake the user wants to hear about (a file they expect, never written).
void OnlyOptions(const char* prog, const Args& a, const std::string& command,
                 const std::set<std::string>& allowed, const std::set<std::string>& global);
// Need returns option --name, or Dies saying it is required.
std::string Need(const char* prog, const Args& a, const std::string& name);

// ClientOptionsOf: --port-id, --server-key and --trust-on-first-use (dies
// with one line on a bad port id).
ClientOptions ClientOptionsOf(const char* prog, const Args& a);

// Must returns the value, or Dies with the status's message.
template <typename T>
T Must(const char* prog, Result<T> r) {
  if (!r.ok()) Die(prog, r.status().message());
  return std::move(r).value();
}
inline void Must(const char* prog, const Status& s) {
  if (!s.ok()) Die(prog, s.message());
}

}  // namespace vhsm::cli

#endif  // VHSM_TOOLS_CLI_CLI_UTIL_H_
