// The vhsm command's words: its usage text, every option it parses, and
// which of them each command reads (anything else on a command line is a
// mistake, refused before connecting).
#ifndef VHSM_TOOLS_CLI_VHSM_WORDS_H_
#define VHSM_TOOLS_CLI_VHSM_WORDS_H_

#include <map>
#include <set>
#include <string>

#include "tools/cli/cli_util.h"

namespace vhsm::cli {

extern const char kVhsmUsageHead[];
extern const char kVhsmUsageTail[];
// The options (with a value) and flags of every command, and of a batch's lines.
extern const std::set<std::string> kVhsmOptions;
extern const std::set<std::string> kVhsmFlags;

// CheckVhsmOptions Dies on an option `command sub` does not read.
void CheckVhsmOptions(const char* prog, const Args& args, const std::string& command,
                      const std::string& sub);

}  // namespace vhsm::cli

#endif  // VHSM_TOOLS_CLI_VHSM_WORDS_H_
