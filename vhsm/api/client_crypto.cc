// Client: ciphers, signatures and key agreement (client.cc has the rest).
#include <string.h>

#include "vhsm/api/client.h"
#include "vhsm/api/internal/client_impl.h"
#include "vhsm/crypto/digest.h"
#include "vhsm/proto/names.h"

namespace vhsm {

using internal::kChunk;
using internal::ToBytes;

namespace internal {

Result<uint32_t> KeyOpsOf(const std::string& ops) {
  if (ops.empty()) return 0u;
  std::optional<uint32_t> bits = ParseKeyOps(ops);
  if (!bits) {
    return InvalidArgument("unknown operation in '" + ops +
                           "' (mac, encrypt, decrypt, sign, verify, derive)");
  }
  return *bits;
}

}  // namespace internal

namespace {

struct WireSign {
  proto::SignatureScheme scheme = proto::SCHEME_DEFAULT;
  proto::DigestAlgorithm hash = proto::DIGEST_UNSPECIFIED;
};

Result<WireSign> WireSignOf(const SignOptions& o) {
  WireSign w;
  if (o.scheme == "pkcs1") {
    w.scheme = proto::SCHEME_PKCS1;
  } else if (o.scheme == "pss") {
    w.scheme = proto::SCHEME_PSS;
  } else if (o.scheme == "pkcs1-raw") {
    w.scheme = proto::SCHEME_PKCS1_RAW;
  } else if (!o.scheme.empty()) {
    return InvalidArgument("unknown signature scheme '" + o.scheme + "' (pkcs1, pss)");
  }
  if (!o.hash.empty()) {
    std::optional<proto::DigestAlgorithm> h = ParseDigestName(o.hash);
    if (!h || *h == proto::SHA1) {
      return InvalidArgument("unknown signature hash '" + o.hash + "' (sha256, sha384, sha512)");
    }
    w.hash = *h;
  }
  return w;
}

}  // namespace

Result<Bytes> Client::Encrypt(const std::string& key_id, std::string_view plaintext,
                              std::string_view aad) {
  return EncryptWithIv(key_id, {}, plaintext, aad);
}

Result<Bytes> Client::EncryptWithIv(const std::string& key_id, std::string_view iv,
                                    std::string_view plaintext, std::string_view aad) {
  if (plaintext.size() + aad.size() > kChunk) {
    return InvalidArgument("encrypt takes at most " + std::to_string(kChunk) +
                           " bytes of plaintext and AAD per call; got " +
                           std::to_string(plaintext.size() + aad.size()));
  }
  proto::Request r;
  r.mutable_encrypt()->set_key_id(key_id);
  r.mutable_encrypt()->set_plaintext(plaintext.data(), plaintext.size());
  r.mutable_encrypt()->set_aad(aad.data(), aad.size());
  r.mutable_encrypt()->set_iv(iv.data(), iv.size());
  Result<proto::Response> resp = impl_->Call(r);
  explicit_bzero(r.mutable_encrypt()->mutable_plaintext()->data(), plaintext.size());
  if (!resp.ok()) return resp.status();
  return ToBytes(resp->bytes().data());
}

Result<Bytes> Client::Rewrap(const std::string& key_id, std::string_view ciphertext,
                             std::string_view aad) {
  if (ciphertext.size() + aad.size() > kChunk) {
    return InvalidArgument("rewrap takes at most " + std::to_string(kChunk) +
                           " bytes of ciphertext and AAD per call");
  }
  proto::Request r;
  r.mutable_rewrap()->set_key_id(key_id);
  r.mutable_rewrap()->set_ciphertext(ciphertext.data(), ciphertext.size());
  r.mutable_rewrap()->set_aad(aad.data(), aad.size());
  VHSM_ASSIGN_OR_RETURN(proto::Response resp, impl_->Call(r));
  return ToBytes(resp.bytes().data());
}

Result<Bytes> Client::Decrypt(const std::string& key_id, std::string_view sealed,
                              std::string_view aad) {
  if (sealed.size() + aad.size() > kChunk) {
    return InvalidArgument("decrypt takes at most " + std::to_string(kChunk) +
                           " bytes of ciphertext and AAD per call; got " +
                           std::to_string(sealed.size() + aad.size()));
  }
  proto::Request r;
  r.mutable_decrypt()->set_key_id(key_id);
  r.mutable_decrypt()->set_ciphertext(sealed.data(), sealed.size());
  r.mutable_decrypt()->set_aad(aad.data(), aad.size());
  VHSM_ASSIGN_OR_RETURN(proto::Response resp, impl_->Call(r));
  return ToBytes(resp.bytes().data());
}

// PrehashIfLong: a message too long for one frame is signed or verified
// through its digest, made here with the signature's hash; Ed25519 signs
// the message itself, so its messages must fit in a frame.
Result<std::pair<std::string, bool>> Client::PrehashIfLong(const std::string& key_id,
                                                           std::string_view message,
                                                           const SignOptions& options) {
  if (options.prehashed || message.size() <= kChunk) {
    return std::make_pair(std::string(message), options.prehashed);
  }
  VHSM_ASSIGN_OR_RETURN(KeyInfo info, GetKeyInfo(key_id));
  if (ParseKeyTypeName(info.type) == proto::ED25519) {
    return InvalidArgument(info.type + " signs messages of at most " + std::to_string(kChunk) +
                           " bytes; this one has " + std::to_string(message.size()));
  }
  std::string hash = options.hash;
  if (hash.empty()) hash = ParseKeyTypeName(info.type) == proto::EC_P384 ? "sha384" : "sha256";
  std::optional<crypto::DigestAlg> alg = crypto::ParseDigestAlg(hash);
  if (!alg) return InvalidArgument("unknown signature hash '" + hash + "'");
  VHSM_ASSIGN_OR_RETURN(crypto::Bytes digest, crypto::ComputeDigest(*alg, message));
  return std::make_pair(std::string(digest.begin(), digest.end()), true);
}

Result<Bytes> Client::Sign(const std::string& key_id, std::string_view message, bool prehashed) {
  SignOptions options;
  options.prehashed = prehashed;
  return Sign(key_id, message, options);
}

Result<bool> Client::Verify(const std::string& key_id, std::string_view message,
                            std::string_view signature, bool prehashed) {
  SignOptions options;
  options.prehashed = prehashed;
  return Verify(key_id, message, signature, options);
}

Result<Bytes> Client::Sign(const std::string& key_id, std::string_view message_in,
                           const SignOptions& options) {
  VHSM_ASSIGN_OR_RETURN(WireSign w, WireSignOf(options));
  VHSM_ASSIGN_OR_RETURN(auto m, PrehashIfLong(key_id, message_in, options));
  proto::Request r;
  auto* sign = r.mutable_sign();
  sign->set_key_id(key_id);
  sign->set_message(m.first);
  sign->set_prehashed(m.second);
  sign->set_scheme(w.scheme);
  sign->set_hash(w.hash);
  VHSM_ASSIGN_OR_RETURN(proto::Response resp, impl_->Call(r));
  return ToBytes(resp.bytes().data());
}

Result<bool> Client::Verify(const std::string& key_id, std::string_view message_in,
                            std::string_view signature, const SignOptions& options) {
  VHSM_ASSIGN_OR_RETURN(WireSign w, WireSignOf(options));
  VHSM_ASSIGN_OR_RETURN(auto m, PrehashIfLong(key_id, message_in, options));
  proto::Request r;
  auto* verify = r.mutable_verify();
  verify->set_key_id(key_id);
  verify->set_message(m.first);
  verify->set_signature(signature.data(), signature.size());
  verify->set_prehashed(m.second);
  verify->set_scheme(w.scheme);
  verify->set_hash(w.hash);
  VHSM_ASSIGN_OR_RETURN(proto::Response resp, impl_->Call(r));
  return resp.verify().valid();
}

Result<Bytes> Client::ExportKeyWrapped(const std::string& key_id, const std::string& kek_id) {
  proto::Request r;
  r.mutable_key_export()->set_id(key_id);
  r.mutable_key_export()->set_wrap_with(kek_id);
  VHSM_ASSIGN_OR_RETURN(proto::Response resp, impl_->Call(r));
  return ToBytes(resp.bytes().data());
}

Result<std::string> Client::ImportKeyWrapped(std::string_view wrapped, const std::string& kek_id,
                                             const std::string& id) {
  proto::Request r;
  r.mutable_key_import_wrapped()->set_wrapped(wrapped.data(), wrapped.size());
  r.mutable_key_import_wrapped()->set_wrap_with(kek_id);
  r.mutable_key_import_wrapped()->set_id(id);
  VHSM_ASSIGN_OR_RETURN(proto::Response resp, impl_->Call(r));
  return resp.key_id().id();
}

Result<std::string> Client::DeriveKey(const std::string& key_id, std::string_view peer_public_key,
                                      const DeriveOptions& options) {
  std::optional<proto::KeyType> t = ParseKeyTypeName(options.type);
  if (!t) return InvalidArgument("unknown key type '" + options.type + "'");
  VHSM_ASSIGN_OR_RETURN(uint32_t ops, internal::KeyOpsOf(options.key.ops));
  proto::Request r;
  auto* d = r.mutable_key_derive();
  d->set_key_id(key_id);
  d->set_peer_public_key(peer_public_key.data(), peer_public_key.size());
  d->set_new_type(*t);
  d->set_new_id(options.id);
  d->set_salt(options.salt);
  d->set_info(options.info);
  d->set_label(options.key.label);
  d->set_allowed_ops(ops);
  d->set_exportable_wrapped(options.key.exportable_wrapped);
  d->set_raw(options.raw);
  VHSM_ASSIGN_OR_RETURN(proto::Response resp, impl_->Call(r));
  return resp.key_id().id();
}

Status Client::ShareKey(const std::string& key_id, const std::string& grantee,
                        const std::string& ops) {
  if (ops.empty()) return InvalidArgument("name the operations to share (e.g. sign,verify)");
  VHSM_ASSIGN_OR_RETURN(uint32_t bits, internal::KeyOpsOf(ops));
  proto::Request r;
  r.mutable_key_share()->set_key_id(key_id);
  r.mutable_key_share()->set_grantee(grantee);
  r.mutable_key_share()->set_ops(bits);
  return impl_->Call(r).status();
}

Status Client::UnshareKey(const std::string& key_id, const std::string& grantee) {
  proto::Request r;
  r.mutable_key_unshare()->set_key_id(key_id);
  r.mutable_key_unshare()->set_grantee(grantee);
  return impl_->Call(r).status();
}

}  // namespace vhsm
