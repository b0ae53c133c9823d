// The audit log from the command line: `vhsm audit list|verify` (a
// container admin, inside the container) and `vhsm-admin audit
// verify|export` (the host operator).
#ifndef TOOLS_CLI_AUDIT_COMMAND_H_
#define TOOLS_CLI_AUDIT_COMMAND_H_

#include <string>

#include "tools/cli/cli_util.h"
#include "vhsm/api/admin.h"
#include "vhsm/api/client.h"

namespace vhsm::cli {

inline constexpr char kAuditUsage[] =
    "  audit list [--since T] [--json]       this container's audit log (admins):\n"
    "                                         SEQ, UTC time, user, role, operation,\n"
    "                                         key, result; T: unix seconds or\n"
    "                                         YYYY-MM-DDTHH:MM:SSZ\n"
    "  audit verify                           check its hash chain and checkpoints\n";

inline constexpr char kAdminAuditUsage[] =
    "  audit verify [--container NAME]       check the audit log of one container, or all\n"
    "  audit export --container NAME --out F write it as JSON (tools/audit_verify.py\n"
    "                                         checks such a file offline)\n";

bool CheckAuditCommand(const char* prog, const Args& args, const std::string& sub);
void AuditCommand(const char* prog, const Args& args, const std::string& sub, Client* client);
// AdminAuditCommand returns the exit code (1 when a log is not intact).
int AdminAuditCommand(const char* prog, const Args& args, const std::string& verb, Admin* admin);

}  // namespace vhsm::cli

#endif  // TOOLS_CLI_AUDIT_COMMAND_H_
