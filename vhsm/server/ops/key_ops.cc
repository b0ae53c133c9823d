// Keys: generate, import, delete, list (paged), info, public.
#include <string>
#include <vector>

#include "vhsm/crypto/asymmetric_key.h"
#include "vhsm/crypto/bytes.h"
#include "vhsm/crypto/hkdf.h"
#include "vhsm/crypto/random.h"
#include "vhsm/server/key_types.h"
#include "vhsm/server/ops/key_access.h"
#include "vhsm/server/ops/ops.h"

namespace vhsm::server::ops {
namespace {

// A page must fit a 64 KiB frame whatever the ids' lengths.
constexpr size_t kMaxPageItems = 256;

void FillKeyInfo(const storage::KeyRecord& k, proto::KeyInfo* info) {
  info->set_id(k.key_id);
  info->set_type(ParseKeyTypeName(k.type).value_or(proto::KEY_TYPE_UNSPECIFIED));
  info->set_allowed_ops(k.allowed_ops);
  info->set_created_unix(k.created_unix);
  info->set_label(k.label);
  info->set_latest_version(k.latest_version);
  info->set_flags(k.flags);
  info->set_min_version(k.min_version);
}

}  // namespace

Status StoreNewKey(Env& env, Call& call, NewKey k, const crypto::SecretBytes& material) {
  VHSM_ASSIGN_OR_RETURN(uint32_t ops, ChooseOps(k.type, k.requested_ops));
  std::string& id = k.id;
  Session& s = *call.session;
  storage::Owner owner = s.owner_of_keys();
  VHSM_ASSIGN_OR_RETURN(int64_t count, env.store->CountKeys(owner.container));
  VHSM_ASSIGN_OR_RETURN(int64_t limit, ContainerKeyLimit(env, owner.container));
  if (count >= limit) {
    return ResourceExhausted("container '" + owner.container + "' holds " + std::to_string(count) +
                             " keys, the limit (its quota, or max-keys)");
  }
  VHSM_ASSIGN_OR_RETURN(storage::UserRecord user, env.store->GetUser(owner.container, owner.user));
  if (user.max_keys > 0) {
    VHSM_ASSIGN_OR_RETURN(int64_t mine, env.store->CountUserKeys(owner.container, owner.user));
    if (mine >= user.max_keys) {
      return ResourceExhausted("user '" + owner.user + "' holds " + std::to_string(mine) +
                               " keys, the quota the container's admins set");
    }
  }
  if (id.empty()) {
    VHSM_ASSIGN_OR_RETURN(crypto::Bytes raw, crypto::RandomBytes(8));
    id = crypto::HexEncode(raw);
  }
  VHSM_RETURN_IF_ERROR(env.vault->PutKey(owner, s.master_key, id, KeyTypeName(k.type), ops,
                                         material.view(), {k.label, k.flags}));
  call.key_for_log = id;
  call.resp->mutable_key_id()->set_id(id);
  return Status::Ok();
}

namespace {

// FillKeyInfoWithVersions: a key's info with the versions it holds.
Status FillKeyInfoWithVersions(Env& env, const storage::Owner& owner, const std::string& id,
                               proto::KeyInfo* info) {
  VHSM_ASSIGN_OR_RETURN(storage::KeyRecord k, env.store->GetKey(owner.container, owner.user, id));
  FillKeyInfo(k, info);
  if (k.min_version <= 1) {
    auto* v1 = info->add_versions();
    v1->set_version(1);
    v1->set_created_unix(k.created_unix);
  }
  VHSM_ASSIGN_OR_RETURN(std::vector<storage::KeyVersionRecord> versions,
                        env.store->ListKeyVersions(owner.container, owner.user, id));
  for (const auto& v : versions) {
    auto* out = info->add_versions();
    out->set_version(v.version);
    out->set_created_unix(v.created_unix);
  }
  return Status::Ok();
}

}  // namespace

Status KeyRotate(Env& env, Call& call) {
  const std::string& id = call.req.key_rotate().id();
  if (!storage::ValidKeyId(id)) return NotFound("no key '" + id + "'");
  call.key_for_log = id;
  storage::Owner owner = call.session->owner_of_keys();
  VHSM_ASSIGN_OR_RETURN(storage::KeyRecord k, env.store->GetKey(owner.container, owner.user, id));
  std::optional<proto::KeyType> type = ParseKeyTypeName(k.type);
  if (!type) return DataLoss("key '" + id + "' has an unknown type");
  VHSM_ASSIGN_OR_RETURN(crypto::SecretBytes material, GenerateKeyMaterial(*type));
  VHSM_ASSIGN_OR_RETURN(uint32_t version, env.vault->AddKeyVersion(owner, call.session->master_key,
                                                                   id, material.view()));
  // The grantees get the new version too (sealed to each of them).
  VHSM_RETURN_IF_ERROR(env.vault->ExtendShares(owner, call.session->master_key, id, version));
  env.sessions->KeysChanged(owner.container, owner.user);
  GranteesChanged(env, owner, id);
  return FillKeyInfoWithVersions(env, owner, id, call.resp->mutable_key_info());
}

Status KeySet(Env& env, Call& call) {
  const auto& r = call.req.key_set();
  if (!storage::ValidKeyId(r.id())) return NotFound("no key '" + r.id() + "'");
  call.key_for_log = r.id();
  storage::Owner owner = call.session->owner_of_keys();
  if (r.min_version() == 0) return InvalidArgument("give the new minimum version");
  VHSM_RETURN_IF_ERROR(env.vault->RetireVersions(owner, r.id(), r.min_version()));
  env.sessions->KeysChanged(owner.container, owner.user);
  GranteesChanged(env, owner, r.id());
  return FillKeyInfoWithVersions(env, owner, r.id(), call.resp->mutable_key_info());
}

Status KeyGenerate(Env& env, Call& call) {
  const auto& g = call.req.key_generate();
  VHSM_RETURN_IF_ERROR(ChooseOps(g.type(), g.allowed_ops()).status());  // before the work
  VHSM_ASSIGN_OR_RETURN(crypto::SecretBytes material, GenerateKeyMaterial(g.type()));
  return StoreNewKey(
      env, call, {g.type(), g.id(), g.label(), g.allowed_ops(), FlagsOf(g.exportable_wrapped())},
      material);
}

Status KeyImport(Env& env, Call& call) {
  const auto& i = call.req.key_import();
  VHSM_ASSIGN_OR_RETURN(crypto::SecretBytes material, NormalizeImport(i.type(), i.material()));
  return StoreNewKey(env, call,
                     {i.type(), i.id(), i.label(), i.allowed_ops(),
                      FlagsOf(i.exportable_wrapped()) | proto::KEY_FLAG_IMPORTED},
                     material);
}

Status KeyDerive(Env& env, Call& call) {
  const auto& d = call.req.key_derive();
  if (d.new_type() != proto::AES_256 && d.new_type() != proto::HMAC_SHA256) {
    return InvalidArgument("a derived key is aes-256 or hmac-sha256, not " +
                           std::string(KeyTypeName(d.new_type())));
  }
  VHSM_ASSIGN_OR_RETURN(auto key, LoadKey(env, call, d.key_id(), proto::KEY_OP_DERIVE));
  Result<crypto::PublicKey> peer = crypto::PublicKey::FromEncoded(d.peer_public_key());
  if (!peer.ok()) return InvalidArgument("peer public key: " + peer.status().message());
  VHSM_ASSIGN_OR_RETURN(crypto::SecretBytes shared, key->private_key->Derive(*peer));
  if (d.raw() && (!d.salt().empty() || !d.info().empty())) {
    return InvalidArgument("a raw derivation takes no salt or info (they are HKDF's)");
  }
  if (d.raw() && shared.size() < 32) return Internal("shared secret shorter than 32 bytes");
  VHSM_ASSIGN_OR_RETURN(
      crypto::SecretBytes material,
      d.raw() ? Result<crypto::SecretBytes>(crypto::SecretBytes(shared.view().substr(0, 32)))
              : crypto::Hkdf(crypto::DigestAlg::kSha256, shared.view(), d.salt(), d.info(), 32));
  return StoreNewKey(env, call,
                     {d.new_type(), d.new_id(), d.label(), d.allowed_ops(),
                      FlagsOf(d.exportable_wrapped()) | proto::KEY_FLAG_DERIVED},
                     material);
}

Status KeyDelete(Env& env, Call& call) {
  const std::string& id = call.req.key_delete().id();
  if (!storage::ValidKeyId(id)) return NotFound("no key '" + id + "'");
  call.key_for_log = id;
  storage::Owner owner = call.session->owner_of_keys();
  GranteesChanged(env, owner, id);  // before the grants go with the key
  VHSM_RETURN_IF_ERROR(env.store->DeleteKey(owner.container, owner.user, id));
  env.sessions->KeysChanged(owner.container, owner.user);
  return Status::Ok();
}

Status KeyList(Env& env, Call& call) {
  const proto::KeyListRequest& req = call.req.key_list();
  if (!req.after().empty() && !storage::ValidKeyId(req.after())) {
    return InvalidArgument("invalid key id to list after");
  }
  storage::Owner owner = call.session->owner_of_keys();
  size_t limit = req.limit() == 0 || req.limit() > kMaxPageItems ? kMaxPageItems : req.limit();
  if (req.match_label() && !storage::ValidKeyLabel(req.label())) {
    return InvalidArgument("invalid key label to list");
  }
  VHSM_ASSIGN_OR_RETURN(
      std::vector<storage::KeyRecord> keys,
      req.match_label() ? env.store->ListKeysLabelled(owner.container, owner.user, req.label(),
                                                      req.after(), limit + 1)
                        : env.store->ListKeys(owner.container, owner.user, req.after(), limit + 1));
  auto* list = call.resp->mutable_key_list();
  for (size_t i = 0; i < keys.size() && i < limit; ++i) FillKeyInfo(keys[i], list->add_keys());
  if (keys.size() > limit) list->set_next_after(keys[limit - 1].key_id);
  return Status::Ok();
}

Status KeyInfo(Env& env, Call& call) {
  const std::string& id = call.req.key_info().id();
  if (!storage::ValidKeyId(id)) return NotFound("no key '" + id + "'");
  call.key_for_log = id;
  storage::Owner owner = call.session->owner_of_keys();
  return FillKeyInfoWithVersions(env, owner, id, call.resp->mutable_key_info());
}

Status KeyPublic(Env& env, Call& call) {
  // Any operation will do: a public key is public (an x25519 key only
  // derives, and its peers need it).
  VHSM_ASSIGN_OR_RETURN(auto key, LoadKey(env, call, call.req.key_public().id(), ~0u,
                                          call.req.key_public().version()));
  if (!key->private_key) {
    return InvalidArgument("key '" + call.req.key_public().id() + "' (" + key->opened.type +
                           ") is symmetric: it has no public key");
  }
  VHSM_ASSIGN_OR_RETURN(crypto::PublicKey pub, key->private_key->GetPublicKey());
  VHSM_ASSIGN_OR_RETURN(std::string pem, pub.ToPem());
  call.resp->mutable_key_public()->set_pem(pem);
  return Status::Ok();
}

}  // namespace vhsm::server::ops
