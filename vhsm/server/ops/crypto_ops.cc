// Ciphers and signatures: AES-256-GCM encrypt/decrypt, sign/verify.
#include "vhsm/crypto/aead.h"
#include "vhsm/crypto/asymmetric_key.h"
#include "vhsm/server/ops/key_access.h"
#include "vhsm/server/ops/ops.h"

namespace vhsm::server::ops {

Status Encrypt(Env& env, Call& call) {
  const auto& r = call.req.encrypt();
  VHSM_ASSIGN_OR_RETURN(auto key, LoadKey(env, call, r.key_id(), proto::KEY_OP_ENCRYPT));
  VHSM_ASSIGN_OR_RETURN(crypto::Bytes ct, crypto::AesGcmSealWithRandomNonce(
                                              key->opened.material.view(), r.plaintext(), r.aad()));
  SetBytes(call.resp, ct);
  return Status::Ok();
}

Status Decrypt(Env& env, Call& call) {
  const auto& r = call.req.decrypt();
  VHSM_ASSIGN_OR_RETURN(auto key, LoadKey(env, call, r.key_id(), proto::KEY_OP_DECRYPT));
  Result<crypto::SecretBytes> pt =
      crypto::AesGcmOpenWithNonce(key->opened.material.view(), r.ciphertext(), r.aad());
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
  const crypto::PrivateKey& pk = *key->private_key;
  VHSM_ASSIGN_OR_RETURN(crypto::Bytes sig,
                        r.prehashed() ? pk.SignDigest(r.message()) : pk.Sign(r.message()));
  SetBytes(call.resp, sig);
  return Status::Ok();
}

Status Verify(Env& env, Call& call) {
  const auto& r = call.req.verify();
  VHSM_ASSIGN_OR_RETURN(auto key, LoadKey(env, call, r.key_id(), proto::KEY_OP_VERIFY));
  VHSM_ASSIGN_OR_RETURN(crypto::PublicKey pub, key->private_key->GetPublicKey());
  VHSM_ASSIGN_OR_RETURN(bool valid, r.prehashed() ? pub.VerifyDigest(r.message(), r.signature())
                                                  : pub.Verify(r.message(), r.signature()));
  call.resp->mutable_verify()->set_valid(valid);
  return Status::Ok();
}

}  // namespace vhsm::server::ops
