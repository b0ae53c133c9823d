// vhsm object: certificates and data objects kept beside a user's keys
// (what PKCS#11 applications see as CKO_CERTIFICATE and CKO_DATA).
#ifndef TOOLS_CLI_OBJECT_COMMAND_H_
#define TOOLS_CLI_OBJECT_COMMAND_H_

#include <string>

#include "tools/cli/cli_util.h"
#include "vhsm/api/client.h"

namespace vhsm::cli {

inline constexpr char kObjectUsage[] =
    "  object put --class certificate|data [--in FILE] [--id HEX] [--label L]\n"
    "             [--private] [--application A]\n"
    "                                         store a certificate (PEM or DER) or\n"
    "                                         data; prints its handle\n"
    "  object list [--class C] [--json]       handle, class, id (hex), label, size\n"
    "  object get HANDLE [--out FILE]         write the object's value (DER for a\n"
    "                                         certificate)\n"
    "  object delete HANDLE                   delete an object\n";

// CheckObjectCommand fails fast (Dies) on a bad subcommand or argument;
// returns whether the command reads input.
bool CheckObjectCommand(const char* prog, const Args& args, const std::string& sub);

void ObjectCommand(const char* prog, const Args& args, const std::string& sub,
                   const std::string& input, Client* client);

}  // namespace vhsm::cli

#endif  // TOOLS_CLI_OBJECT_COMMAND_H_
