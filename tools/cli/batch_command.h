// vhsm batch: many operations after one login. One operation per line,
// with the words of the single commands (`mac --key K --in FILE`, `key
// generate --type aes-256`, ...); data comes from --in FILE (standard input
// is the batch). Each line is answered with what the command prints, or
// with "error: line N: MESSAGE"; a failing line does not stop the rest.
// Blank lines and lines starting with '#' are skipped.
#ifndef TOOLS_CLI_BATCH_COMMAND_H_
#define TOOLS_CLI_BATCH_COMMAND_H_

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "tools/cli/cli_util.h"

namespace vhsm::cli {

extern const char kBatchUsage[];

// SplitWords splits a line into words: blanks separate them, '...' and
// "..." quote (a backslash escapes the next character inside "..." and
// outside quotes). False on an unterminated quote.
bool SplitWords(const std::string& line, std::vector<std::string>* words);

// RunBatch reads lines from in and runs each through run (given the line's
// arguments, parsed with the options and flags given); returns how many
// lines failed.
int RunBatch(const char* prog, std::FILE* in, const std::set<std::string>& options,
             const std::set<std::string>& flags, const std::function<void(const Args&)>& run);

}  // namespace vhsm::cli

#endif  // TOOLS_CLI_BATCH_COMMAND_H_
