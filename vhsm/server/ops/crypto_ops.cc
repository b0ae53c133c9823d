// Ciphers and signatures: AES-256-GCM or RSA-OAEP encrypt/decrypt,
// sign/verify with every scheme the key's type has, rewrap. Each result
// names the key version that made it (ciphertexts by their prefix).
#include <string_view>

#include "vhsm/crypto/aead.h"
#include "vhsm/crypto/asymmetric_key.h"
#include "vhsm/server/ops/key_access.h"
#include "vhsm/server/ops/ops.h"

namespace vhsm::server::ops {
namespace {

crypto::SignParams ParamsOf(proto::SignatureScheme scheme, proto::DigestAlgorithm hash) {
  crypto::SignParams p;
  p.scheme = scheme == proto::SCHEME_PKCS1       ? crypto::SigScheme::kPkcs1
             : scheme == proto::SCHEME_PSS       ? crypto::SigScheme::kPss
             : scheme == proto::SCHEME_PKCS1_RAW ? crypto::SigScheme::kPkcs1Raw
                                                 : crypto::SigScheme::kDefault;
  if (hash != proto::DIGEST_UNSPECIFIED) p.hash = DigestOf(hash);
  return p;
}

bool IsRsaKey(const LoadedKey& key) {
  return key.private_key && crypto::IsRsa(key.private_key->alg());
}

Status NoAadForRsa(const std::string& aad) {
  if (!aad.empty()) return InvalidArgument("RSA-OAEP takes no AAD");
  return Status::Ok();
}

// Seal encrypts under key (its own version) and prefixes that version; a
// caller's IV (aes-256 only, 12 bytes) replaces the random nonce.
Result<std::string> Seal(const LoadedKey& key, std::string_view plaintext, const std::string& aad,
                         const std::string& iv = "") {
  crypto::Bytes ct;
  if (IsRsaKey(key)) {
    VHSM_RETURN_IF_ERROR(NoAadForRsa(aad));
    if (!iv.empty()) return InvalidArgument("RSA-OAEP takes no IV");
    VHSM_ASSIGN_OR_RETURN(crypto::PublicKey pub, key.private_key->GetPublicKey());
    VHSM_ASSIGN_OR_RETURN(ct, pub.Encrypt(plaintext));
  } else if (!iv.empty()) {
    if (iv.size() != 12) return InvalidArgument("an AES-GCM IV is 12 bytes");
    VHSM_ASSIGN_OR_RETURN(ct, crypto::AesGcmSeal(key.opened.material.view(), iv, plaintext, aad));
    ct.insert(ct.begin(), iv.begin(), iv.end());
  } else {
    VHSM_ASSIGN_OR_RETURN(
        ct, crypto::AesGcmSealWithRandomNonce(key.opened.material.view(), plaintext, aad));
  }
  return VersionPrefix(key.opened.version) + std::string(ct.begin(), ct.end());
}

Result<crypto::SecretBytes> OpenWith(const LoadedKey& key, std::string_view ct,
                                     const std::string& aad) {
  if (IsRsaKey(key)) {
    VHSM_RETURN_IF_ERROR(NoAadForRsa(aad));
    return key.private_key->Decrypt(ct);
  }
  Result<crypto::SecretBytes> pt = crypto::AesGcmOpenWithNonce(key.opened.material.view(), ct, aad);
  if (!pt.ok() && pt.status().code() == StatusCode::kDataLoss) {
    return InvalidArgument("decryption failed: wrong key, wrong AAD, or modified ciphertext");
  }
  return pt;
}

// Open decrypts a ciphertext of key_id, whichever live version made it: the
// prefix names it; without one it is version 1, except for RSA-OAEP, which
// outsiders make without a prefix, where each live version is tried.
Result<crypto::SecretBytes> Open(Env& env, Call& call, const std::string& key_id,
                                 std::string_view ct, const std::string& aad) {
  uint32_t version = SplitVersion(&ct);
  VHSM_ASSIGN_OR_RETURN(auto latest, LoadKey(env, call, key_id, proto::KEY_OP_DECRYPT, version));
  if (DeferIfSlow(call, *latest)) return crypto::SecretBytes();  // nothing opened
  if (version != 0 || !IsRsaKey(*latest)) {
    if (version == 0 && latest->opened.version != 1) {
      VHSM_ASSIGN_OR_RETURN(latest, LoadKey(env, call, key_id, proto::KEY_OP_DECRYPT, 1));
    }
    return OpenWith(*latest, ct, aad);
  }
  Result<crypto::SecretBytes> pt = OpenWith(*latest, ct, aad);
  for (uint32_t v = latest->opened.version; !pt.ok() && v-- > latest->opened.min_version;) {
    VHSM_ASSIGN_OR_RETURN(auto older, LoadKey(env, call, key_id, proto::KEY_OP_DECRYPT, v));
    pt = OpenWith(*older, ct, aad);
  }
  return pt;
}

}  // namespace

Status Encrypt(Env& env, Call& call) {
  const auto& r = call.req.encrypt();
  VHSM_ASSIGN_OR_RETURN(auto key, LoadKey(env, call, r.key_id(), proto::KEY_OP_ENCRYPT));
  VHSM_ASSIGN_OR_RETURN(std::string ct, Seal(*key, r.plaintext(), r.aad(), r.iv()));
  call.resp->mutable_bytes()->set_data(std::move(ct));
  call.resp->mutable_bytes()->set_key_version(key->opened.version);
  return Status::Ok();
}

Status Decrypt(Env& env, Call& call) {
  const auto& r = call.req.decrypt();
  VHSM_ASSIGN_OR_RETURN(crypto::SecretBytes pt,
                        Open(env, call, r.key_id(), r.ciphertext(), r.aad()));
  if (call.deferred) return Status::Ok();
  call.resp->mutable_bytes()->set_data(pt.data(), pt.size());
  return Status::Ok();
}

Status Rewrap(Env& env, Call& call) {
  const auto& r = call.req.rewrap();
  VHSM_ASSIGN_OR_RETURN(auto key, LoadKey(env, call, r.key_id(), proto::KEY_OP_ENCRYPT));
  if (IsRsaKey(*key)) {
    return InvalidArgument("rewrap is for aes-256 keys (RSA-OAEP ciphertexts are made outside)");
  }
  VHSM_ASSIGN_OR_RETURN(crypto::SecretBytes pt,
                        Open(env, call, r.key_id(), r.ciphertext(), r.aad()));
  VHSM_ASSIGN_OR_RETURN(
      std::string ct,
      Seal(*key, std::string_view(reinterpret_cast<const char*>(pt.data()), pt.size()), r.aad()));
  call.resp->mutable_bytes()->set_data(std::move(ct));
  call.resp->mutable_bytes()->set_key_version(key->opened.version);
  return Status::Ok();
}

// Sign: on the polling thread an ECDSA signature is made only with a
// presignature from vhsmd's pool (two multiplications); without one (pool
// empty, or none in a BoringSSL build) it goes to the workers like every
// slow key's (DeferIfSlow). Workers use a presignature when there is one.
Status Sign(Env& env, Call& call) {
  const auto& r = call.req.sign();
  VHSM_ASSIGN_OR_RETURN(auto key, LoadKey(env, call, r.key_id(), proto::KEY_OP_SIGN));
  const crypto::PrivateKey& pk = *key->private_key;
  crypto::SignParams params = ParamsOf(r.scheme(), r.hash());
  if (env.presign != nullptr) params.presigs = env.presign->For(pk.alg());
  params.presigs_only = call.may_defer && params.presigs != nullptr;
  if (!params.presigs_only && DeferIfSlow(call, *key)) return Status::Ok();
  Result<crypto::Bytes> sig =
      r.prehashed() ? pk.SignDigest(r.message(), params) : pk.Sign(r.message(), params);
  if (params.presigs_only && sig.status().code() == StatusCode::kUnavailable) {
    call.deferred = true;
    return Status::Ok();
  }
  VHSM_RETURN_IF_ERROR(sig.status());
  SetBytes(call.resp, *sig);
  call.resp->mutable_bytes()->set_key_version(key->opened.version);
  return Status::Ok();
}

// Verify checks a signature under the version asked for, or under each live
// version (newest first) when none is named.
Status Verify(Env& env, Call& call) {
  const auto& r = call.req.verify();
  VHSM_ASSIGN_OR_RETURN(auto key,
                        LoadKey(env, call, r.key_id(), proto::KEY_OP_VERIFY, r.key_version()));
  crypto::SignParams params = ParamsOf(r.scheme(), r.hash());
  const uint32_t lowest = r.key_version() != 0 ? key->opened.version : key->opened.min_version;
  for (uint32_t v = key->opened.version;; --v) {
    if (v != key->opened.version) {
      VHSM_ASSIGN_OR_RETURN(key, LoadKey(env, call, r.key_id(), proto::KEY_OP_VERIFY, v));
    }
    VHSM_ASSIGN_OR_RETURN(crypto::PublicKey pub, key->private_key->GetPublicKey());
    VHSM_ASSIGN_OR_RETURN(bool valid, r.prehashed()
                                          ? pub.VerifyDigest(r.message(), r.signature(), params)
                                          : pub.Verify(r.message(), r.signature(), params));
    if (valid || v <= lowest) {
      call.resp->mutable_verify()->set_valid(valid);
      if (valid) call.resp->mutable_verify()->set_key_version(v);
      return Status::Ok();
    }
  }
}

}  // namespace vhsm::server::ops
