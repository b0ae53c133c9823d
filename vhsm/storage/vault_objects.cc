// Vault: public objects (certificates, data), integrity-protected by a MAC
// under a key derived from the owner's master key.
#include <ctime>

#include "vhsm/crypto/constant_time.h"
#include "vhsm/crypto/digest.h"
#include "vhsm/crypto/hkdf.h"
#include "vhsm/crypto/hmac.h"
#include "vhsm/crypto/random.h"
#include "vhsm/storage/vault.h"

namespace vhsm::storage {

using crypto::Bytes;
using crypto::ByteView;
using crypto::SecretBytes;

namespace {

void AppendU64(Bytes& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

void AppendField(Bytes& out, ByteView field) {
  uint32_t n = static_cast<uint32_t>(field.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(n >> shift));
  out.insert(out.end(), field.begin(), field.end());
}

void AppendField(Bytes& out, const std::string& field) { AppendField(out, ByteView(field)); }

Status CheckObject(const ObjectRecord& o) {
  if (o.id.size() > kMaxObjectId) return InvalidArgument("object id longer than 128 bytes");
  if (o.oid.size() > kMaxObjectId) return InvalidArgument("object oid longer than 128 bytes");
  if (!ValidKeyLabel(o.label)) {
    return InvalidArgument("invalid object label (at most 128 bytes, no control characters)");
  }
  if (!ValidKeyLabel(o.application)) {
    return InvalidArgument("invalid object application (at most 128 bytes, no control characters)");
  }
  if (o.value.empty()) return InvalidArgument("object value is empty");
  if (o.value.size() > kMaxObjectValue) {
    return InvalidArgument("object value of " + std::to_string(o.value.size()) +
                           " bytes exceeds the limit of " + std::to_string(kMaxObjectValue));
  }
  return Status::Ok();
}

Result<SecretBytes> ObjectMacKey(const SecretBytes& master_key) {
  static const std::string kInfo = "vhsm object mac 1";
  return crypto::Hkdf(crypto::DigestAlg::kSha256, master_key.view(), {}, ByteView(kInfo), 32);
}

Result<Bytes> MacUnder(const SecretBytes& mac_key, const ObjectRecord& o) {
  Bytes in;
  AppendField(in, std::string("vhsm-object"));
  AppendField(in, o.container);
  AppendField(in, o.user);
  AppendU64(in, o.handle);
  AppendU64(in, o.cls);
  AppendField(in, ByteView(o.id));
  AppendField(in, o.label);
  in.push_back(o.is_private ? 1 : 0);
  AppendField(in, o.application);
  AppendField(in, ByteView(o.oid));
  AppendU64(in, static_cast<uint64_t>(o.created_unix));
  AppendField(in, ByteView(o.digest));
  return crypto::ComputeHmac(crypto::DigestAlg::kSha256, mac_key.view(), in);
}

Status CheckMac(const SecretBytes& mac_key, const ObjectRecord& o) {
  VHSM_ASSIGN_OR_RETURN(Bytes mac, MacUnder(mac_key, o));
  if (!crypto::ConstantTimeEquals(mac, o.mac)) {
    return DataLoss("object " + std::to_string(o.handle) +
                    " fails its integrity check (altered or moved in the store)");
  }
  return Status::Ok();
}

}  // namespace

Result<Bytes> ObjectMac(const SecretBytes& master_key, const ObjectRecord& o) {
  VHSM_ASSIGN_OR_RETURN(SecretBytes k, ObjectMacKey(master_key));
  return MacUnder(k, o);
}

Result<ObjectRecord> Vault::PutObject(const Owner& owner, const SecretBytes& master_key,
                                      ObjectRecord o) {
  VHSM_RETURN_IF_ERROR(CheckObject(o));
  o.container = owner.container;
  o.user = owner.user;
  o.created_unix = static_cast<int64_t>(std::time(nullptr));
  o.size = static_cast<uint32_t>(o.value.size());
  VHSM_ASSIGN_OR_RETURN(o.digest, crypto::ComputeDigest(crypto::DigestAlg::kSha256, o.value));
  // A random 63-bit handle: nothing to learn from it, never reused in
  // practice; a collision (AlreadyExists) draws again.
  Status inserted = Status::Ok();
  for (int attempt = 0; attempt < 3; ++attempt) {
    VHSM_ASSIGN_OR_RETURN(Bytes r, crypto::RandomBytes(8));
    o.handle = 0;
    for (uint8_t b : r) o.handle = (o.handle << 8) | b;
    o.handle &= 0x7fffffffffffffffULL;
    if (o.handle == 0) continue;
    VHSM_ASSIGN_OR_RETURN(o.mac, ObjectMac(master_key, o));
    inserted = store_->InsertObject(o);
    if (inserted.code() != StatusCode::kAlreadyExists) break;
  }
  VHSM_RETURN_IF_ERROR(inserted);
  o.value.clear();
  return o;
}

Result<ObjectRecord> Vault::GetObject(const Owner& owner, const SecretBytes& master_key,
                                      uint64_t handle) {
  VHSM_ASSIGN_OR_RETURN(ObjectRecord o, store_->GetObject(owner.container, owner.user, handle));
  VHSM_ASSIGN_OR_RETURN(SecretBytes k, ObjectMacKey(master_key));
  VHSM_RETURN_IF_ERROR(CheckMac(k, o));
  VHSM_ASSIGN_OR_RETURN(Bytes digest, crypto::ComputeDigest(crypto::DigestAlg::kSha256, o.value));
  if (!crypto::ConstantTimeEquals(digest, o.digest)) {
    return DataLoss("object " + std::to_string(handle) + "'s value fails its integrity check");
  }
  return o;
}

Result<std::vector<ObjectRecord>> Vault::ListObjects(const Owner& owner,
                                                     const SecretBytes& master_key,
                                                     const ObjectFilter& filter, uint64_t after,
                                                     size_t limit) {
  VHSM_ASSIGN_OR_RETURN(std::vector<ObjectRecord> list,
                        store_->ListObjects(owner.container, owner.user, filter, after, limit));
  VHSM_ASSIGN_OR_RETURN(SecretBytes k, ObjectMacKey(master_key));
  for (const ObjectRecord& o : list) VHSM_RETURN_IF_ERROR(CheckMac(k, o));
  return list;
}

}  // namespace vhsm::storage
