// Ciphers and signatures: AES-256-GCM or RSA-OAEP encrypt/decrypt,
// sign/verify with every scheme the key's type has.
#include "vhsm/crypto/aead.h"
#include "vhsm/crypto/asymmetric_key.h"
#include "vhsm/server/ops/key_access.h"
#include "vhsm/server/ops/ops.h"

namespace vhsm::server::ops {
namespace {

Result<crypto::SignParams> ParamsOf(proto::SignatureScheme scheme, proto::DigestAlgorithm hash) {
  crypto::SignParams p;
  p.scheme = scheme == proto::SCHEME_PKCS1 ? crypto::SigScheme::kPkcs1
             : scheme == proto::SCHEME_PSS ? crypto::SigScheme::kPss
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

}  // namespace

Status Encrypt(Env& env, Call& call) {
  const auto& r = call.req.encrypt();
  VHSM_ASSIGN_OR_RETURN(auto key, LoadKey(env, call, r.key_id(), proto::KEY_OP_ENCRYPT));
  crypto::Bytes ct;
  if (IsRsaKey(*key)) {
    VHSM_RETURN_IF_ERROR(NoAadForRsa(r.aad()));
    VHSM_ASSIGN_OR_RETURN(crypto::PublicKey pub, key->private_key->GetPublicKey());
    VHSM_ASSIGN_OR_RETURN(ct, pub.Encrypt(r.plaintext()));
  } else {
    VHSM_ASSIGN_OR_RETURN(
        ct, crypto::AesGcmSealWithRandomNonce(key->opened.material.view(), r.plaintext(), r.aad()));
  }
  SetBytes(call.resp, ct);
  return Status::Ok();
}

Status Decrypt(Env& env, Call& call) {
  const auto& r = call.req.decrypt();
  VHSM_ASSIGN_OR_RETURN(auto key, LoadKey(env, call, r.key_id(), proto::KEY_OP_DECRYPT));
  const bool rsa = IsRsaKey(*key);
  if (rsa) VHSM_RETURN_IF_ERROR(NoAadForRsa(r.aad()));
  Result<crypto::SecretBytes> pt =
      rsa ? key->private_key->Decrypt(r.ciphertext())
          : crypto::AesGcmOpenWithNonce(key->opened.material.view(), r.ciphertext(), r.aad());
  if (!pt.ok()) {
    if (pt.status().code() == StatusCode::kDataLoss) {
      return InvalidArgument("decryption failed: wrong key, wrong AAD, or modified ciphertext");
    }
    return pt.status();
  }
  call.resp->mutable_bytes()->set_data(pt->data(), pt->size());
  return Status::Ok();
}

Status Sign(Env& env, Call& call) {
  const auto& r = call.req.sign();
  VHSM_ASSIGN_OR_RETURN(auto key, LoadKey(env, call, r.key_id(), proto::KEY_OP_SIGN));
  VHSM_ASSIGN_OR_RETURN(crypto::SignParams params, ParamsOf(r.scheme(), r.hash()));
  const crypto::PrivateKey& pk = *key->private_key;
  VHSM_ASSIGN_OR_RETURN(crypto::Bytes sig, r.prehashed() ? pk.SignDigest(r.message(), params)
                                                         : pk.Sign(r.message(), params));
  SetBytes(call.resp, sig);
  return Status::Ok();
}

Status Verify(Env& env, Call& call) {
  const auto& r = call.req.verify();
  VHSM_ASSIGN_OR_RETURN(auto key, LoadKey(env, call, r.key_id(), proto::KEY_OP_VERIFY));
  VHSM_ASSIGN_OR_RETURN(crypto::SignParams params, ParamsOf(r.scheme(), r.hash()));
  VHSM_ASSIGN_OR_RETURN(crypto::PublicKey pub, key->private_key->GetPublicKey());
  VHSM_ASSIGN_OR_RETURN(bool valid, r.prehashed()
                                        ? pub.VerifyDigest(r.message(), r.signature(), params)
                                        : pub.Verify(r.message(), r.signature(), params));
  call.resp->mutable_verify()->set_valid(valid);
  return Status::Ok();
}

}  // namespace vhsm::server::ops
