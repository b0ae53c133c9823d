// Administration (root on the host only): containers and users.
#include <ctime>
#include <string>
#include <vector>

#include "vhsm/server/netns_pin.h"
#include "vhsm/server/ops/key_access.h"
#include "vhsm/server/ops/ops.h"

namespace vhsm::server::ops {
namespace {

constexpr size_t kMaxPageItems = 256;
constexpr size_t kMaxPageBytes = 48 * 1024;  // names and paths, within a frame

size_t PageLimit(uint32_t asked) {
  return asked == 0 || asked > kMaxPageItems ? kMaxPageItems : asked;
}

}  // namespace

Status ContainerAttach(Env& env, Call& call) {
  const auto& a = call.req.container_attach();
  if (a.netns_path().empty()) return InvalidArgument("attach needs a namespace path");
  if (!transport::ValidContainerName(a.name()) || a.name() == transport::kHostContainer) {
    return InvalidArgument("invalid container name '" + a.name() +
                           "' (1-64 of A-Z a-z 0-9 . _ -, not 'host')");
  }
  if (env.listener->IsAttached(a.name())) {
    return AlreadyExists("container '" + a.name() + "' is already attached");
  }
  // Pin the namespace the path names now, and serve it through the pin: a
  // recycled PID can no longer swap the container underneath.
  VHSM_ASSIGN_OR_RETURN(NetnsIdentity id, IdentityOf(a.netns_path()));
  VHSM_ASSIGN_OR_RETURN(std::string pin, Pin(env.options->run_dir, a.name(), a.netns_path()));
  Result<NetnsIdentity> pinned = IdentityOf(pin);
  Status s = pinned.ok() ? Status::Ok() : pinned.status();
  if (s.ok() && (pinned->dev != id.dev || pinned->ino != id.ino)) {
    s = FailedPrecondition(a.netns_path() + " changed namespace while being attached");
  }
  uint64_t cookie = 0;
  if (s.ok()) s = env.listener->Attach(a.name(), pin, &cookie);
  if (s.ok()) {
    storage::ContainerRecord c;
    c.name = a.name();
    c.netns_path = a.netns_path();
    c.created_unix = static_cast<int64_t>(std::time(nullptr));
    c.netns_dev = pinned->dev;
    c.netns_ino = pinned->ino;
    c.netns_cookie = cookie;
    c.pin_path = pin;
    c.boot_id = pinned->boot_id;
    s = env.store->PutContainer(c);
    if (!s.ok()) (void)env.listener->Detach(a.name());  // all or nothing
  }
  if (!s.ok()) Unpin(pin);
  return s;
}

Status ContainerDetach(Env& env, Call& call) {
  const std::string& name = call.req.container_detach().name();
  VHSM_RETURN_IF_ERROR(env.listener->Detach(name));
  env.sessions->CloseContainer(name);
  Result<std::vector<storage::ContainerRecord>> all = env.store->ListContainers("", 0);
  if (all.ok()) {
    for (const auto& c : *all) {
      if (c.name == name) Unpin(c.pin_path);
    }
  }
  // Keep the container's users and keys; just do not re-attach it.
  return env.store->PutContainer({name, "", 0});
}

Status ContainerList(Env& env, Call& call) {
  const auto& req = call.req.container_list();
  size_t limit = PageLimit(req.limit());
  VHSM_ASSIGN_OR_RETURN(std::vector<storage::ContainerRecord> cs,
                        env.store->ListContainers(req.after(), limit + 1));
  auto* list = call.resp->mutable_container_list();
  size_t bytes = 0;
  for (size_t i = 0; i < cs.size(); ++i) {
    if (i == limit || bytes > kMaxPageBytes) {
      list->set_next_after(cs[i - 1].name);
      break;
    }
    auto* info = list->add_containers();
    info->set_name(cs[i].name);
    info->set_netns_path(cs[i].netns_path);
    info->set_attached(env.listener->IsAttached(cs[i].name));
    bytes += cs[i].name.size() + cs[i].netns_path.size() + 16;
  }
  return Status::Ok();
}

Status UserAdd(Env& env, Call& call) {
  const auto& u = call.req.user_add();
  return env.vault->CreateUser(u.container(), u.user(), u.password(),
                               u.role().empty() ? "user" : u.role());
}

Status UserDelete(Env& env, Call& call) {
  const auto& u = call.req.user_delete();
  VHSM_RETURN_IF_ERROR(env.store->DeleteUser(u.container(), u.user()));
  // Whoever was logged in as the deleted user is out, keys wiped.
  env.sessions->CloseUser(u.container(), u.user());
  env.throttle->Forget(u.container(), u.user());
  return Status::Ok();
}

Status UserList(Env& env, Call& call) {
  const auto& req = call.req.user_list();
  size_t limit = PageLimit(req.limit());
  VHSM_ASSIGN_OR_RETURN(std::vector<std::string> users,
                        env.store->ListUsers(req.container(), req.after(), limit + 1));
  return FillUserList(env, req.container(), users, limit, call.resp->mutable_user_list());
}

Status UserPassword(Env& env, Call& call) {
  const auto& u = call.req.user_password();
  VHSM_RETURN_IF_ERROR(
      env.vault->ChangePassword(u.container(), u.user(), u.old_password(), u.new_password()));
  // Sessions opened with the old password end with it.
  env.sessions->CloseUser(u.container(), u.user());
  return Status::Ok();
}

}  // namespace vhsm::server::ops
