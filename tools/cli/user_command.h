// vhsm user: a container's users, managed from inside it by one of its
// admins (add, delete, list), and any user's own password.
#ifndef TOOLS_CLI_USER_COMMAND_H_
#define TOOLS_CLI_USER_COMMAND_H_

#include <string>

#include "tools/cli/cli_util.h"
#include "vhsm/api/client.h"

namespace vhsm::cli {

inline constexpr char kUserUsage[] =
    "  user add USER [--password-file F] [--role user|admin]\n"
    "  user delete USER\n"
    "  user list [--role user|admin]          NAME<TAB>ROLE per user (of that role)\n"
    "                                         (a container admin, inside the container;\n"
    "                                         the new user's password from --password-file\n"
    "                                         or a prompt, yours from the environment)\n"
    "  user quota USER --max-keys N           at most N keys for USER (0: no quota;\n"
    "                                         within the container's; admins)\n"
    "  user password [--old-password-file F] [--password-file F]\n"
    "                                         change your own password\n";

// CheckUserCommand Dies on a bad subcommand or argument.
void CheckUserCommand(const char* prog, const Args& args, const std::string& sub);

// LoginArgsForUser: the arguments the login reads its password from (for
// `user password`, --old-password-file; else the environment or a prompt:
// --password-file is the new password's).
Args LoginArgsForUser(const Args& args, const std::string& sub);

// UserCommand runs it once logged in; `user password` changes the password
// from `current` (the one the login used).
void UserCommand(const char* prog, const Args& args, const std::string& sub,
                 const std::string& current, Client* client);

}  // namespace vhsm::cli

#endif  // TOOLS_CLI_USER_COMMAND_H_
