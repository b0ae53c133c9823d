// vhsm::Admin: the host operator's side of libvhsm (what vhsm-admin uses):
// containers and users. vhsmd accepts these only from root on the host (it
// checks the kernel's credentials); like a Client, an Admin talks to vhsmd
// over a secure channel pinned to vhsmd's key (client_options.h). Thread
// compatible: use one Admin per thread.
#ifndef VHSM_API_ADMIN_H_
#define VHSM_API_ADMIN_H_

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vhsm/api/audit.h"
#include "vhsm/api/client_options.h"
#include "vhsm/base/status.h"

namespace vhsm {

struct ContainerInfo {
  std::string name;
  std::string netns_path;  // as given at attach
  bool attached = false;
};

// Admin operations (vhsm-admin): accepted only from root on the host.
// What an import wrote.
struct ImportCounts {
  uint32_t users = 0;
  uint32_t keys = 0;
  uint32_t objects = 0;
};

class Admin {
 public:
  static Result<std::unique_ptr<Admin>> Connect(const ClientOptions& options = {});
  ~Admin();  // closes the session
  Status AttachContainer(const std::string& name, const std::string& netns_path);
  // AttachContainers attaches many (name, netns path) at once, in requests
  // of up to 250; returns the ones that failed, each with why.
  struct AttachFailure {
    std::string name, message;
  };
  Result<std::vector<AttachFailure>> AttachContainers(
      const std::vector<std::pair<std::string, std::string>>& containers);
  Status DetachContainer(const std::string& name);
  Result<std::vector<ContainerInfo>> ListContainers();
  // SetContainerQuota: at most max_keys stored keys (and as many objects)
  // in the container; 0 goes back to vhsmd's --max-keys.
  Status SetContainerQuota(const std::string& container, uint64_t max_keys);
  // A container's audit log (audit.h), and vhsmd's check of its chain.
  Result<AuditLogCopy> ReadAudit(const std::string& container);
  Result<AuditVerdict> VerifyAudit(const std::string& container);
  // AddUser: role "user" or "admin" (a container admin manages the
  // container's users from inside it).
  Status AddUser(const std::string& container, const std::string& user, std::string_view password,
                 const std::string& role = "user");
  Status DeleteUser(const std::string& container, const std::string& user);
  Result<std::vector<std::string>> ListUsers(const std::string& container);
  Status ChangePassword(const std::string& container, const std::string& user,
                        std::string_view old_password, std::string_view new_password);

  // ExportContainer returns the export file of a container (its users, keys
  // and versions as stored: no secret in clear; see container_file.h), with
  // an HMAC under passphrase when one is given.
  Result<std::string> ExportContainer(const std::string& name, std::string_view passphrase = {});
  // ImportContainer checks an export file, then has vhsmd write it as
  // container `name` in one transaction: a new container (detached: attach
  // it to serve it), or one known here without users (e.g. "host").
  // Keys are bound to their container's name, so name must be the one the
  // file holds. Returns the numbers of users, keys and objects imported.
  Result<ImportCounts> ImportContainer(const std::string& name, std::string_view file,
                                       std::string_view passphrase = {});

 private:
  struct Impl;
  explicit Admin(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vhsm

#endif  // VHSM_API_ADMIN_H_
