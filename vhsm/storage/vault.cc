#include "vhsm/storage/vault.h"

#include <chrono>
#include <ctime>

#include "vhsm/base/identifier.h"
#include "vhsm/crypto/aead.h"
#include "vhsm/crypto/pbkdf2.h"
#include "vhsm/crypto/random.h"

namespace vhsm::storage {

using crypto::Bytes;
using crypto::ByteView;
using crypto::SecretBytes;

namespace {

constexpr size_t kSaltSize = 16;
constexpr size_t kMasterKeySize = 32;
constexpr size_t kMaxPassword = 1024;

void AppendField(Bytes& out, const std::string& field) {
  uint32_t n = static_cast<uint32_t>(field.size());
  out.push_back(static_cast<uint8_t>(n >> 24));
  out.push_back(static_cast<uint8_t>(n >> 16));
  out.push_back(static_cast<uint8_t>(n >> 8));
  out.push_back(static_cast<uint8_t>(n));
  out.insert(out.end(), field.begin(), field.end());
}

void AppendU32(Bytes& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

Status CheckPassword(ByteView password) {
  if (password.empty()) return InvalidArgument("password must not be empty");
  if (password.size() > kMaxPassword) {
    return InvalidArgument("password longer than 1024 bytes");
  }
  return Status::Ok();
}

const char kLoginFailed[] = "login failed: unknown user or wrong password";

}  // namespace

Bytes MasterKeyAad(const std::string& container, const std::string& user) {
  Bytes aad;
  AppendField(aad, "vhsm-master-key");
  AppendField(aad, container);
  AppendField(aad, user);
  return aad;
}

Bytes KeyBlobAad(const std::string& container, const std::string& user, const std::string& key_id,
                 const std::string& type, uint8_t version, uint32_t allowed_ops,
                 const KeyExtras& extras, uint32_t key_version) {
  Bytes aad;
  AppendField(aad, "vhsm-key");
  AppendField(aad, container);
  AppendField(aad, user);
  AppendField(aad, key_id);
  AppendField(aad, type);
  aad.push_back(version);
  if (version >= 2) AppendU32(aad, allowed_ops);
  if (version >= 3) {
    AppendField(aad, extras.label);
    AppendU32(aad, extras.flags);
    AppendU32(aad, key_version);
  }
  return aad;
}

bool ValidUserName(const std::string& name) { return ValidIdentifier(name, 64, "@"); }
bool ValidKeyId(const std::string& id) { return ValidIdentifier(id, 128, ":"); }

bool ValidKeyLabel(const std::string& label) {
  if (label.size() > kMaxKeyLabel) return false;
  for (unsigned char c : label) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

Vault::Vault(RecordStore* store, VaultOptions options)
    : store_(store), options_(std::move(options)) {}

bool ValidRole(const std::string& role) { return role == "user" || role == "admin"; }

Status Vault::CreateUser(const std::string& container, const std::string& user, ByteView password,
                         const std::string& role) {
  if (!ValidUserName(user)) {
    return InvalidArgument("invalid user name '" + user + "' (1-64 of A-Z a-z 0-9 . _ - @)");
  }
  if (!ValidRole(role)) return InvalidArgument("unknown role '" + role + "' (user, admin)");
  VHSM_RETURN_IF_ERROR(CheckPassword(password));
  VHSM_ASSIGN_OR_RETURN(Bytes salt, crypto::RandomBytes(kSaltSize));
  VHSM_ASSIGN_OR_RETURN(SecretBytes master, crypto::RandomSecret(kMasterKeySize));
  VHSM_ASSIGN_OR_RETURN(SecretBytes kek,
                        crypto::Pbkdf2HmacSha256(password, salt, options_.pbkdf2_iterations, 32));
  VHSM_ASSIGN_OR_RETURN(
      Bytes wrapped,
      crypto::AesGcmSealWithRandomNonce(kek.view(), master.view(), MasterKeyAad(container, user)));
  UserRecord u;
  u.container = container;
  u.name = user;
  u.salt = salt;
  u.iterations = options_.pbkdf2_iterations;
  u.wrapped_master_key = wrapped;
  u.role = role;
  u.created_unix = static_cast<int64_t>(std::time(nullptr));
  VHSM_RETURN_IF_ERROR(store_->InsertUser(u));
  return EnsureShareKeys({container, user}, master);
}

Result<SecretBytes> Vault::Login(const std::string& container, const std::string& user,
                                 ByteView password) {
  if (password.size() > kMaxPassword) return Unauthenticated(kLoginFailed);
  Result<UserRecord> u = store_->GetUser(container, user);
  if (!u.ok()) {
    if (u.status().code() != StatusCode::kNotFound) return u.status();
    // Spend the same time as a real check, so timing does not tell who exists.
    Bytes dummy_salt(kSaltSize, 0);
    (void)crypto::Pbkdf2HmacSha256(password, dummy_salt, options_.pbkdf2_iterations, 32);
    return Unauthenticated(kLoginFailed);
  }
  VHSM_ASSIGN_OR_RETURN(SecretBytes kek,
                        crypto::Pbkdf2HmacSha256(password, u->salt, u->iterations, 32));
  Result<SecretBytes> master =
      crypto::AesGcmOpenWithNonce(kek.view(), u->wrapped_master_key, MasterKeyAad(container, user));
  if (!master.ok()) {
    if (master.status().code() != StatusCode::kDataLoss) return master.status();
    return Unauthenticated(kLoginFailed);
  }
  return master;
}

Status Vault::ChangePassword(const std::string& container, const std::string& user,
                             ByteView old_password, ByteView new_password) {
  VHSM_RETURN_IF_ERROR(CheckPassword(new_password));
  VHSM_ASSIGN_OR_RETURN(SecretBytes master, Login(container, user, old_password));
  VHSM_ASSIGN_OR_RETURN(Bytes salt, crypto::RandomBytes(kSaltSize));
  VHSM_ASSIGN_OR_RETURN(SecretBytes kek, crypto::Pbkdf2HmacSha256(new_password, salt,
                                                                  options_.pbkdf2_iterations, 32));
  VHSM_ASSIGN_OR_RETURN(
      Bytes wrapped,
      crypto::AesGcmSealWithRandomNonce(kek.view(), master.view(), MasterKeyAad(container, user)));
  return store_->UpdateUserCredentials(container, user, salt, options_.pbkdf2_iterations, wrapped);
}

Status Vault::PutKey(const Owner& owner, const SecretBytes& master_key, const std::string& key_id,
                     const std::string& type, uint32_t allowed_ops, ByteView material,
                     const KeyExtras& extras) {
  if (!ValidKeyId(key_id)) {
    return InvalidArgument("invalid key id '" + key_id + "' (1-128 of A-Z a-z 0-9 . _ - :)");
  }
  if (!ValidKeyLabel(extras.label)) {
    return InvalidArgument("invalid key label (at most 128 bytes, no control characters)");
  }
  if (material.empty()) return InvalidArgument("key material is empty");
  if (material.size() > kMaxKeyMaterial) {
    return InvalidArgument("key material of " + std::to_string(material.size()) +
                           " bytes exceeds the limit of " + std::to_string(kMaxKeyMaterial));
  }
  VHSM_ASSIGN_OR_RETURN(Bytes sealed, crypto::AesGcmSealWithRandomNonce(
                                          master_key.view(), material,
                                          KeyBlobAad(owner.container, owner.user, key_id, type,
                                                     kKeyBlobVersion, allowed_ops, extras)));
  KeyRecord k;
  k.container = owner.container;
  k.user = owner.user;
  k.key_id = key_id;
  k.type = type;
  k.allowed_ops = allowed_ops;
  k.label = extras.label;
  k.flags = extras.flags;
  k.created_unix = static_cast<int64_t>(std::time(nullptr));
  k.blob.reserve(1 + sealed.size());
  k.blob.push_back(kKeyBlobVersion);
  k.blob.insert(k.blob.end(), sealed.begin(), sealed.end());
  return store_->InsertKey(k);
}

Result<OpenedKey> Vault::GetKey(const Owner& owner, const SecretBytes& master_key,
                                const std::string& key_id, uint32_t key_version) {
  if (!ValidKeyId(key_id)) return NotFound("no key '" + key_id + "'");
  VHSM_ASSIGN_OR_RETURN(KeyRecord k, store_->GetKey(owner.container, owner.user, key_id));
  const uint32_t v = key_version == 0 ? k.latest_version : key_version;
  if (v > k.latest_version) {
    return NotFound("key '" + key_id + "' has no version " + std::to_string(v) + " (latest " +
                    std::to_string(k.latest_version) + ")");
  }
  if (v < k.min_version) {
    return FailedPrecondition("version " + std::to_string(v) + " of key '" + key_id +
                              "' is retired (minimum version " + std::to_string(k.min_version) +
                              ")");
  }
  Blob blob = k.blob;
  if (v >= 2) {
    VHSM_ASSIGN_OR_RETURN(KeyVersionRecord r,
                          store_->GetKeyVersion(owner.container, owner.user, key_id, v));
    blob = std::move(r.blob);
    k.created_unix = r.created_unix;
  }
  if (blob.empty() || blob[0] < kKeyBlobVersion1 || blob[0] > kKeyBlobVersion ||
      (v >= 2 && blob[0] != kKeyBlobVersion)) {
    return DataLoss("key '" + key_id + "' has an unknown blob format");
  }
  const uint8_t version = blob[0];
  KeyExtras extras{k.label, k.flags};
  if (version < 3 && (!k.label.empty() || k.flags != 0)) {
    return DataLoss("key '" + key_id + "' is corrupted: attributes added in the store");
  }
  Result<SecretBytes> material = crypto::AesGcmOpenWithNonce(
      master_key.view(), ByteView(blob).substr(1),
      KeyBlobAad(owner.container, owner.user, key_id, k.type, version, k.allowed_ops, extras, v));
  if (!material.ok()) {
    if (material.status().code() == StatusCode::kDataLoss) {
      return DataLoss("key '" + key_id + "' is corrupted or was moved from another record");
    }
    return material.status();
  }
  OpenedKey out;
  out.type = k.type;
  out.allowed_ops = k.allowed_ops;
  out.label = k.label;
  out.flags = k.flags;
  out.created_unix = k.created_unix;
  out.material = std::move(material).value();
  out.ops_bound = version >= 2;
  out.version = v;
  out.latest_version = k.latest_version;
  out.min_version = k.min_version;
  return out;
}

Result<uint32_t> Vault::AddKeyVersion(const Owner& owner, const SecretBytes& master_key,
                                      const std::string& key_id, ByteView material) {
  if (!ValidKeyId(key_id)) return NotFound("no key '" + key_id + "'");
  VHSM_ASSIGN_OR_RETURN(KeyRecord k, store_->GetKey(owner.container, owner.user, key_id));
  if (k.latest_version - k.min_version + 1 >= kMaxLiveVersions) {
    return ResourceExhausted("key '" + key_id + "' holds " + std::to_string(kMaxLiveVersions) +
                             " live versions, the limit: retire old ones first (vhsm key set " +
                             key_id + " --min-version N)");
  }
  KeyVersionRecord v;
  v.version = k.latest_version + 1;
  v.created_unix = static_cast<int64_t>(std::time(nullptr));
  VHSM_ASSIGN_OR_RETURN(Bytes sealed,
                        crypto::AesGcmSealWithRandomNonce(
                            master_key.view(), material,
                            KeyBlobAad(owner.container, owner.user, key_id, k.type, kKeyBlobVersion,
                                       k.allowed_ops, KeyExtras{k.label, k.flags}, v.version)));
  v.blob.push_back(kKeyBlobVersion);
  v.blob.insert(v.blob.end(), sealed.begin(), sealed.end());
  VHSM_RETURN_IF_ERROR(store_->AddKeyVersion(owner.container, owner.user, key_id, v));
  return v.version;
}

Status Vault::RetireVersions(const Owner& owner, const std::string& key_id, uint32_t min) {
  if (!ValidKeyId(key_id)) return NotFound("no key '" + key_id + "'");
  VHSM_ASSIGN_OR_RETURN(KeyRecord k, store_->GetKey(owner.container, owner.user, key_id));
  if (min < k.min_version || min > k.latest_version) {
    return InvalidArgument("the minimum version of key '" + key_id + "' can go from " +
                           std::to_string(k.min_version) + " up to " +
                           std::to_string(k.latest_version) + ", not to " + std::to_string(min));
  }
  if (min == k.min_version) return Status::Ok();
  return store_->RetireKeyVersions(owner.container, owner.user, key_id, min);
}

}  // namespace vhsm::storage
