// vhsm key info|rotate|set|public: a key's description, its versions and
// public half.
#ifndef TOOLS_CLI_KEY_INFO_COMMAND_H_
#define TOOLS_CLI_KEY_INFO_COMMAND_H_

#include <nlohmann/json.hpp>
#include <string>

#include "tools/cli/cli_util.h"
#include "vhsm/api/client.h"

namespace vhsm::cli {

// KeyJson: a key as `key list --json` and `key info --json` print it.
nlohmann::json KeyJson(const KeyInfo& k);

// KeyVersionCommand runs `key info|rotate|set|public ID`.
void KeyVersionCommand(const char* prog, const Args& args, const std::string& sub, Client* client);

}  // namespace vhsm::cli

#endif  // TOOLS_CLI_KEY_INFO_COMMAND_H_
