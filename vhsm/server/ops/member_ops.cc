// A container's users, managed from inside it by one of its admins (the
// role check is the Service's, Need::kContainerAdmin). The container is
// always the caller's own: the kernel's word on where the request came
// from, never a name in the request, so no admin reaches another container.
// An admin adds users and admins and deletes users; an admin's deletion
// (their own included) is the host operator's.
#include <string>
#include <vector>

#include "vhsm/server/ops/key_access.h"
#include "vhsm/server/ops/ops.h"

namespace vhsm::server::ops {
namespace {

constexpr size_t kMaxUsersPerPage = 256;

size_t PageLimitOf(uint32_t asked) {
  return asked == 0 || asked > kMaxUsersPerPage ? kMaxUsersPerPage : asked;
}

}  // namespace

Status FillUserList(Env& env, const std::string& container, const std::vector<std::string>& users,
                    size_t limit, proto::UserListResult* out) {
  for (size_t i = 0; i < users.size() && i < limit; ++i) {
    VHSM_ASSIGN_OR_RETURN(storage::UserRecord u, env.store->GetUser(container, users[i]));
    out->add_users(users[i]);
    out->add_roles(u.role);
  }
  if (users.size() > limit) out->set_next_after(users[limit - 1]);
  return Status::Ok();
}

Status MemberAdd(Env& env, Call& call) {
  const auto& r = call.req.member_add();
  const std::string& container = call.caller.client.container;
  return env.vault->CreateUser(container, r.user(), r.password(),
                               r.role().empty() ? "user" : r.role());
}

Status MemberDelete(Env& env, Call& call) {
  const std::string& user = call.req.member_delete().user();
  const std::string& container = call.caller.client.container;
  if (!storage::ValidUserName(user)) return NotFound("no user '" + user + "' here");
  if (call.session->user && *call.session->user == user) {
    return PermissionDenied("an admin cannot delete themselves (the host operator can)");
  }
  Result<storage::UserRecord> u = env.store->GetUser(container, user);
  if (!u.ok()) return NotFound("no user '" + user + "' here");
  if (u->role == "admin") {
    return PermissionDenied("'" + user + "' is an admin: the host operator deletes admins");
  }
  VHSM_RETURN_IF_ERROR(env.store->DeleteUser(container, user));
  env.sessions->CloseUser(container, user);
  env.throttle->Forget(container, user);
  return Status::Ok();
}

Result<int64_t> ContainerKeyLimit(Env& env, const std::string& container) {
  Result<storage::ContainerRecord> c = env.store->GetContainer(container);
  if (c.ok() && c->max_keys > 0) return c->max_keys;
  if (!c.ok() && c.status().code() != StatusCode::kNotFound) return c.status();
  return env.options->max_keys_per_container;
}

Status ContainerQuota(Env& env, Call& call) {
  const auto& r = call.req.container_quota();
  if (r.max_keys() > 100000000) return InvalidArgument("a quota of at most 100000000 keys");
  return env.store->SetContainerQuota(r.name(), static_cast<int64_t>(r.max_keys()));
}

Status MemberQuota(Env& env, Call& call) {
  const auto& r = call.req.member_quota();
  const std::string& container = call.caller.client.container;
  VHSM_ASSIGN_OR_RETURN(int64_t limit, ContainerKeyLimit(env, container));
  if (static_cast<int64_t>(r.max_keys()) > limit) {
    return InvalidArgument("a user's quota cannot exceed the container's, " +
                           std::to_string(limit) + " keys");
  }
  if (!storage::ValidUserName(r.user())) return NotFound("no user '" + r.user() + "' here");
  return env.store->SetUserQuota(container, r.user(), static_cast<int64_t>(r.max_keys()));
}

Status MemberList(Env& env, Call& call) {
  const auto& r = call.req.member_list();
  const std::string& container = call.caller.client.container;
  size_t limit = PageLimitOf(r.limit());
  VHSM_ASSIGN_OR_RETURN(std::vector<std::string> users,
                        env.store->ListUsers(container, r.after(), limit + 1));
  return FillUserList(env, container, users, limit, call.resp->mutable_user_list());
}

}  // namespace vhsm::server::ops
