// Vault: key sharing inside a container. A grant is one version of the
// owner's key sealed to the grantee's X25519 share key (ECIES: an ephemeral
// X25519 key, HKDF-SHA256, AES-256-GCM) with AAD binding container, owner,
// key id, type, version, grantee and the granted operations. Neither user
// learns the key; vhsmd opens it for the grantee's requests only.
#include "vhsm/crypto/aead.h"
#include "vhsm/crypto/hkdf.h"
#include "vhsm/crypto/x25519.h"
#include "vhsm/storage/vault.h"

namespace vhsm::storage {

using crypto::Bytes;
using crypto::ByteView;
using crypto::SecretBytes;

namespace {

void Field(Bytes& out, ByteView f) {
  uint32_t n = static_cast<uint32_t>(f.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(n >> shift));
  out.insert(out.end(), f.begin(), f.end());
}

void U32(Bytes& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

Bytes ShareKeyAad(const std::string& container, const std::string& user) {
  Bytes aad;
  Field(aad, std::string("vhsm-share-key"));
  Field(aad, container);
  Field(aad, user);
  return aad;
}

Result<SecretBytes> GrantKey(const SecretBytes& shared, ByteView ephemeral, ByteView recipient) {
  Bytes salt(ephemeral.begin(), ephemeral.end());
  salt.insert(salt.end(), recipient.begin(), recipient.end());
  return crypto::Hkdf(crypto::DigestAlg::kSha256, shared.view(), salt,
                      ByteView(std::string_view("vhsm grant 1")), 32);
}

// Seal seals material for the grantee's public share key.
Result<Bytes> Seal(ByteView recipient, ByteView material, const Bytes& aad) {
  VHSM_ASSIGN_OR_RETURN(crypto::X25519KeyPair eph, crypto::X25519KeyPair::Generate());
  VHSM_ASSIGN_OR_RETURN(SecretBytes shared, eph.Dh(recipient));
  VHSM_ASSIGN_OR_RETURN(SecretBytes k, GrantKey(shared, eph.public_key(), recipient));
  VHSM_ASSIGN_OR_RETURN(Bytes sealed, crypto::AesGcmSealWithRandomNonce(k.view(), material, aad));
  Bytes out(eph.public_key().begin(), eph.public_key().end());
  out.insert(out.end(), sealed.begin(), sealed.end());
  return out;
}

}  // namespace

Bytes GrantAad(const GrantRecord& g, const std::string& type) {
  Bytes aad;
  Field(aad, std::string("vhsm-grant"));
  Field(aad, g.container);
  Field(aad, g.owner);
  Field(aad, g.key_id);
  Field(aad, type);
  Field(aad, g.grantee);
  U32(aad, g.version);
  U32(aad, g.ops);
  return aad;
}

Status Vault::EnsureShareKeys(const Owner& owner, const SecretBytes& master_key) {
  VHSM_ASSIGN_OR_RETURN(UserRecord u, store_->GetUser(owner.container, owner.user));
  if (!u.share_public.empty()) return Status::Ok();
  VHSM_ASSIGN_OR_RETURN(crypto::X25519KeyPair pair, crypto::X25519KeyPair::Generate());
  VHSM_ASSIGN_OR_RETURN(
      Bytes sealed, crypto::AesGcmSealWithRandomNonce(master_key.view(), pair.private_key().view(),
                                                      ShareKeyAad(owner.container, owner.user)));
  return store_->SetShareKeys(owner.container, owner.user, pair.public_key(), sealed);
}

Status Vault::Share(const Owner& owner, const SecretBytes& master_key, const std::string& key_id,
                    const std::string& grantee, uint32_t ops) {
  if (!ValidUserName(grantee) || grantee == owner.user) {
    return InvalidArgument("share with another user of this container");
  }
  Result<UserRecord> to = store_->GetUser(owner.container, grantee);
  if (!to.ok()) return NotFound("no user '" + grantee + "' in this container");
  if (to->share_public.empty()) {
    return FailedPrecondition("'" + grantee + "' has no share key yet: they must log in once");
  }
  VHSM_ASSIGN_OR_RETURN(KeyRecord k, store_->GetKey(owner.container, owner.user, key_id));
  if ((ops & ~k.allowed_ops) != 0 || ops == 0) {
    return InvalidArgument("key '" + key_id + "' cannot share operations it may not do itself");
  }
  for (uint32_t v = k.min_version; v <= k.latest_version; ++v) {
    VHSM_ASSIGN_OR_RETURN(OpenedKey opened, GetKey(owner, master_key, key_id, v));
    GrantRecord g{owner.container, owner.user, key_id, v, grantee, ops, {}};
    VHSM_ASSIGN_OR_RETURN(g.blob,
                          Seal(to->share_public, opened.material.view(), GrantAad(g, k.type)));
    VHSM_RETURN_IF_ERROR(store_->PutGrant(g));
  }
  return Status::Ok();
}

Status Vault::ExtendShares(const Owner& owner, const SecretBytes& master_key,
                           const std::string& key_id, uint32_t version) {
  VHSM_ASSIGN_OR_RETURN(std::vector<GrantRecord> grants,
                        store_->ListGrants(owner.container, owner.user, key_id));
  std::string last;
  for (const GrantRecord& g : grants) {
    if (g.grantee == last) continue;  // one per grantee (ordered by grantee)
    last = g.grantee;
    VHSM_RETURN_IF_ERROR(Share(owner, master_key, key_id, g.grantee, g.ops));
  }
  (void)version;  // Share seals every live version, the new one included
  return Status::Ok();
}

Result<OpenedKey> Vault::OpenShared(const Owner& grantee, const SecretBytes& master_key,
                                    const std::string& owner_name, const std::string& key_id,
                                    uint32_t version) {
  const std::string name = owner_name + "/" + key_id;
  if (!ValidUserName(owner_name) || !ValidKeyId(key_id)) return NotFound("no key '" + name + "'");
  Result<KeyRecord> k = store_->GetKey(grantee.container, owner_name, key_id);
  if (!k.ok()) return NotFound("no key '" + name + "' shared with you");
  const uint32_t v = version == 0 ? k->latest_version : version;
  if (v < k->min_version || v > k->latest_version) {
    return NotFound("key '" + name + "' has no live version " + std::to_string(v));
  }
  VHSM_ASSIGN_OR_RETURN(GrantRecord g,
                        store_->GetGrant(grantee.container, owner_name, key_id, v, grantee.user));
  VHSM_ASSIGN_OR_RETURN(UserRecord me, store_->GetUser(grantee.container, grantee.user));
  const std::string corrupted = "the grant of key '" + name + "' is corrupted or was moved";
  Result<SecretBytes> priv = crypto::AesGcmOpenWithNonce(
      master_key.view(), me.share_private, ShareKeyAad(grantee.container, grantee.user));
  if (!priv.ok()) return DataLoss("your share key is corrupted");
  VHSM_ASSIGN_OR_RETURN(crypto::X25519KeyPair pair,
                        crypto::X25519KeyPair::FromPrivate(priv->view()));
  if (g.blob.size() < crypto::kX25519KeySize) return DataLoss(corrupted);
  ByteView eph = ByteView(g.blob).substr(0, crypto::kX25519KeySize);
  Result<SecretBytes> shared = pair.Dh(eph);
  if (!shared.ok()) return DataLoss(corrupted);
  VHSM_ASSIGN_OR_RETURN(SecretBytes gk, GrantKey(*shared, eph, pair.public_key()));
  Result<SecretBytes> material = crypto::AesGcmOpenWithNonce(
      gk.view(), ByteView(g.blob).substr(crypto::kX25519KeySize), GrantAad(g, k->type));
  if (!material.ok()) return DataLoss(corrupted);
  OpenedKey out;
  out.type = k->type;
  out.allowed_ops = g.ops & k->allowed_ops;
  out.label = k->label;
  out.flags = k->flags;
  out.created_unix = k->created_unix;
  out.material = std::move(material).value();
  out.version = v;
  out.latest_version = k->latest_version;
  out.min_version = k->min_version;
  return out;
}

}  // namespace vhsm::storage
