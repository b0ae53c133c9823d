// Command-line flags for vhsmd and the commands: "--name value",
// "--name=value" and value-less "--flag", positional words in order. Every
// name must be known: a typo is an error, not a silently ignored option.
#ifndef VHSM_BASE_FLAGS_H_
#define VHSM_BASE_FLAGS_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "vhsm/base/status.h"

namespace vhsm {

struct Args {
  std::vector<std::string> words;              // positional, in order
  std::map<std::string, std::string> options;  // --name value
  std::set<std::string> flags;                 // --name (no value)
  bool Has(const std::string& flag) const { return flags.count(flag) != 0; }
  std::string Get(const std::string& name, const std::string& def = "") const {
    auto it = options.find(name);
    return it == options.end() ? def : it->second;
  }
};

// Parse splits argv; names in value_flags take no value. InvalidArgument for
// an option missing its value or an unknown one.
Result<Args> Parse(int argc, char** argv, const std::set<std::string>& value_options,
                   const std::set<std::string>& value_flags);

// ParseFlags splits argv; names in value_flags take no value, "-h" is
// "--help". InvalidArgument for an option missing its value or an unknown one.
Result<Args> ParseFlags(int argc, char** argv, const std::set<std::string>& value_options,
                        const std::set<std::string>& value_flags);

}  // namespace vhsm

#endif  // VHSM_BASE_FLAGS_H_
