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

namespace {

constexpr int kMaxAttachMany = 1000;

// Pinned: a namespace pinned for attaching, checked to be the one named.
struct Pinned {
  std::string name, path, pin;
  NetnsIdentity id;
};

Result<Pinned> PinFor(Env& env, const std::string& name, const std::string& path) {
  if (path.empty()) return InvalidArgument("attach needs a namespace path");
  if (!transport::ValidContainerName(name) || name == transport::kHostContainer) {
    return InvalidArgument("invalid container name '" + name +
                           "' (1-64 of A-Z a-z 0-9 . _ -, not 'host')");
  }
  if (env.listener->IsAttached(name)) {
    return AlreadyExists("container '" + name + "' is already attached");
  }
  Pinned p{name, path, "", {}};
  VHSM_ASSIGN_OR_RETURN(NetnsIdentity id, IdentityOf(path));
  VHSM_ASSIGN_OR_RETURN(p.pin, Pin(env.options->run_dir, name, path));
  Result<NetnsIdentity> pinned = IdentityOf(p.pin);
  if (!pinned.ok() || pinned->dev != id.dev || pinned->ino != id.ino) {
    Unpin(p.pin);
    if (!pinned.ok()) return pinned.status();
    return FailedPrecondition(path + " changed namespace while being attached");
  }
  p.id = *pinned;
  return p;
}

storage::ContainerRecord RecordOf(const Pinned& p, uint64_t cookie) {
  storage::ContainerRecord c;
  c.name = p.name;
  c.netns_path = p.path;
  c.created_unix = static_cast<int64_t>(std::time(nullptr));
  c.netns_dev = p.id.dev;
  c.netns_ino = p.id.ino;
  c.netns_cookie = cookie;
  c.pin_path = p.pin;
  c.boot_id = p.id.boot_id;
  return c;
}

}  // namespace

Status ContainerAttach(Env& env, Call& call) {
  const auto& a = call.req.container_attach();
  // Pin the namespace the path names now, and serve it through the pin: a
  // recycled PID can no longer swap the container underneath.
  VHSM_ASSIGN_OR_RETURN(Pinned p, PinFor(env, a.name(), a.netns_path()));
  uint64_t cookie = 0;
  Status s = env.listener->Attach(p.name, p.pin, &cookie);
  if (s.ok()) {
    s = env.store->PutContainer(RecordOf(p, cookie));
    if (!s.ok()) (void)env.listener->Detach(p.name);  // all or nothing
  }
  if (!s.ok()) Unpin(p.pin);
  return s;
}

// ContainerAttachMany: each container pinned, then all sockets made by one
// thread, then one store transaction for all that attached.
Status ContainerAttachMany(Env& env, Call& call) {
  const auto& req = call.req.container_attach_many();
  if (req.containers_size() == 0 || req.containers_size() > kMaxAttachMany) {
    return InvalidArgument("attach 1 to " + std::to_string(kMaxAttachMany) +
                           " containers per request");
  }
  auto* result = call.resp->mutable_container_attach_many();
  auto fail = [&](const std::string& name, const Status& s) {
    auto* f = result->add_failed();
    f->set_name(name);
    f->set_message(s.message());
  };
  std::vector<Pinned> pinned;
  for (const auto& c : req.containers()) {
    Result<Pinned> p = PinFor(env, c.name(), c.netns_path());
    if (p.ok()) {
      pinned.push_back(std::move(p).value());
    } else {
      fail(c.name(), p.status());
    }
  }
  std::vector<std::pair<std::string, std::string>> items;
  for (const Pinned& p : pinned) items.emplace_back(p.name, p.pin);
  std::vector<uint64_t> cookies;
  std::vector<Status> attached = env.listener->AttachMany(items, &cookies);
  std::vector<storage::ContainerRecord> records;
  std::vector<const Pinned*> done;
  for (size_t i = 0; i < pinned.size(); ++i) {
    if (!attached[i].ok()) {
      fail(pinned[i].name, attached[i]);
      Unpin(pinned[i].pin);
      continue;
    }
    records.push_back(RecordOf(pinned[i], cookies[i]));
    done.push_back(&pinned[i]);
  }
  if (!records.empty()) {
    Status stored = env.store->PutContainers(records);
    if (!stored.ok()) {  // all or nothing for those attached
      for (const Pinned* p : done) {
        (void)env.listener->Detach(p->name);
        Unpin(p->pin);
      }
      return stored;
    }
  }
  result->set_attached(static_cast<uint32_t>(records.size()));
  return Status::Ok();
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
  storage::ContainerRecord detached;
  detached.name = name;
  return env.store->PutContainer(detached);
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
