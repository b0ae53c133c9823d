// Sharing a key with another user of the same container (vault.h, Share):
// share, unshare, and what rotation, retirement and deletion owe the
// grantees (their sessions forget the key at once).
#include <set>
#include <string>

#include "vhsm/server/ops/key_access.h"
#include "vhsm/server/ops/ops.h"

namespace vhsm::server::ops {
namespace {

constexpr uint32_t kShareable = proto::KEY_OP_MAC | proto::KEY_OP_ENCRYPT | proto::KEY_OP_DECRYPT |
                                proto::KEY_OP_SIGN | proto::KEY_OP_VERIFY | proto::KEY_OP_DERIVE;

}  // namespace

void GranteesChanged(Env& env, const storage::Owner& owner, const std::string& key_id) {
  Result<std::vector<storage::GrantRecord>> grants =
      env.store->ListGrants(owner.container, owner.user, key_id);
  if (!grants.ok()) return;
  std::set<std::string> seen;
  for (const auto& g : *grants) {
    if (seen.insert(g.grantee).second) env.sessions->KeysChanged(owner.container, g.grantee);
  }
}

Status KeyShare(Env& env, Call& call) {
  const auto& r = call.req.key_share();
  if (!storage::ValidKeyId(r.key_id())) return NotFound("no key '" + r.key_id() + "'");
  call.key_for_log = r.key_id();
  if (r.ops() == 0 || (r.ops() & ~kShareable) != 0) {
    return InvalidArgument("share operations among mac, encrypt, decrypt, sign, verify, derive");
  }
  storage::Owner owner = call.session->owner_of_keys();
  VHSM_RETURN_IF_ERROR(
      env.vault->Share(owner, call.session->master_key, r.key_id(), r.grantee(), r.ops()));
  env.sessions->KeysChanged(owner.container, r.grantee());
  return Status::Ok();
}

Status KeyUnshare(Env& env, Call& call) {
  const auto& r = call.req.key_unshare();
  if (!storage::ValidKeyId(r.key_id())) return NotFound("no key '" + r.key_id() + "'");
  call.key_for_log = r.key_id();
  storage::Owner owner = call.session->owner_of_keys();
  if (!storage::ValidUserName(r.grantee())) {
    return NotFound("key '" + r.key_id() + "' is not shared with '" + r.grantee() + "'");
  }
  VHSM_RETURN_IF_ERROR(
      env.store->DeleteGrants(owner.container, owner.user, r.key_id(), r.grantee()));
  env.sessions->KeysChanged(owner.container, r.grantee());
  return Status::Ok();
}

}  // namespace vhsm::server::ops
