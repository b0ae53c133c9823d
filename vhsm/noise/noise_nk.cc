#include "vhsm/noise/noise_nk.h"

#include <string.h>

#include "vhsm/crypto/aead.h"
#include "vhsm/crypto/digest.h"
#include "vhsm/crypto/hmac.h"

namespace vhsm::noise {

using crypto::Bytes;
using crypto::ByteView;
using crypto::SecretBytes;

namespace {

// Secret moves a libcrypto result into SecretBytes and wipes the original.
SecretBytes Secret(Bytes&& b) {
  SecretBytes s{ByteView(b)};
  if (!b.empty()) explicit_bzero(b.data(), b.size());
  b.clear();
  return s;
}

Bytes Nonce(uint64_t n) {
  Bytes nonce(12, 0);
  for (int i = 0; i < 8; ++i) nonce[4 + i] = static_cast<uint8_t>(n >> (56 - 8 * i));
  return nonce;
}

// Hkdf2 is Noise's HKDF with two outputs (section 4.3), HMAC-SHA256.
Status Hkdf2(ByteView chaining_key, ByteView ikm, SecretBytes* out1, SecretBytes* out2) {
  VHSM_ASSIGN_OR_RETURN(Bytes temp_raw,
                        crypto::ComputeHmac(crypto::DigestAlg::kSha256, chaining_key, ikm));
  SecretBytes temp = Secret(std::move(temp_raw));
  const uint8_t one = 0x01;
  VHSM_ASSIGN_OR_RETURN(
      Bytes o1, crypto::ComputeHmac(crypto::DigestAlg::kSha256, temp.view(), ByteView(&one, 1)));
  Bytes in2 = o1;
  in2.push_back(0x02);
  Result<Bytes> o2 = crypto::ComputeHmac(crypto::DigestAlg::kSha256, temp.view(), in2);
  explicit_bzero(in2.data(), in2.size());
  if (!o2.ok()) return o2.status();
  *out1 = Secret(std::move(o1));
  *out2 = Secret(std::move(o2).value());
  return Status::Ok();
}

}  // namespace

// ---- CipherState ------------------------------------------------------------

Status CipherState::InitializeKey(const SecretBytes& k) {
  VHSM_ASSIGN_OR_RETURN(crypto::AesGcmKey key, crypto::AesGcmKey::Create(k.view()));
  key_ = std::move(key);
  n_ = 0;
  return Status::Ok();
}

Status CipherState::SealTo(uint64_t n, ByteView ad, ByteView plaintext, std::string* out) {
  if (!has_key()) return FailedPrecondition("cipher state has no key");
  if (n == UINT64_MAX) return FailedPrecondition("nonce space exhausted");
  return key_->Seal(Nonce(n), plaintext, ad, out);
}

Status CipherState::OpenTo(uint64_t n, ByteView ad, ByteView ciphertext, std::string* out) {
  if (!has_key()) return FailedPrecondition("cipher state has no key");
  return key_->Open(Nonce(n), ciphertext, ad, out);
}

Result<Bytes> CipherState::Seal(uint64_t n, ByteView ad, ByteView plaintext) {
  std::string out;
  VHSM_RETURN_IF_ERROR(SealTo(n, ad, plaintext, &out));
  return Bytes(out.begin(), out.end());
}

Result<SecretBytes> CipherState::Open(uint64_t n, ByteView ad, ByteView ciphertext) {
  std::string out;
  Status s = OpenTo(n, ad, ciphertext, &out);
  if (!s.ok()) return s;
  SecretBytes pt{ByteView(out)};
  if (!out.empty()) explicit_bzero(out.data(), out.size());
  return pt;
}

Result<Bytes> CipherState::EncryptWithAd(ByteView ad, ByteView plaintext) {
  if (!has_key()) return Bytes(plaintext.begin(), plaintext.end());
  VHSM_ASSIGN_OR_RETURN(Bytes ct, Seal(n_, ad, plaintext));
  ++n_;
  return ct;
}

Result<SecretBytes> CipherState::DecryptWithAd(ByteView ad, ByteView ciphertext) {
  if (!has_key()) return SecretBytes(ciphertext);
  VHSM_ASSIGN_OR_RETURN(SecretBytes pt, Open(n_, ad, ciphertext));
  ++n_;
  return pt;
}

// ---- Handshake --------------------------------------------------------------

void Handshake::Init(ByteView prologue, ByteView responder_static) {
  // InitializeSymmetric: the name fits in HASHLEN, so h = name || zeros.
  h_.assign(32, 0);
  memcpy(h_.data(), kProtocolName, sizeof(kProtocolName) - 1);
  ck_ = SecretBytes(ByteView(h_));
  MixHash(prologue);
  MixHash(responder_static);  // the pre-message "<- s"
}

void Handshake::MixHash(ByteView data) {
  Bytes in = h_;
  in.insert(in.end(), data.begin(), data.end());
  Result<Bytes> h = crypto::ComputeDigest(crypto::DigestAlg::kSha256, in);
  h_ = h.ok() ? std::move(h).value() : Bytes(32, 0);  // SHA-256 does not fail
}

Status Handshake::MixKey(ByteView ikm) {
  SecretBytes ck, k;
  VHSM_RETURN_IF_ERROR(Hkdf2(ck_.view(), ikm, &ck, &k));
  ck_ = std::move(ck);
  return cs_.InitializeKey(k);
}

Result<Bytes> Handshake::EncryptAndHash(ByteView plaintext) {
  VHSM_ASSIGN_OR_RETURN(Bytes ct, cs_.EncryptWithAd(h_, plaintext));
  MixHash(ct);
  return ct;
}

Result<SecretBytes> Handshake::DecryptAndHash(ByteView ciphertext) {
  Result<SecretBytes> pt = cs_.DecryptWithAd(h_, ciphertext);
  if (!pt.ok()) return DataLoss("handshake message does not authenticate");
  MixHash(ciphertext);
  return pt;
}

Status Handshake::SetEphemeral(std::optional<ByteView> fixed) {
  Result<crypto::X25519KeyPair> e =
      fixed ? crypto::X25519KeyPair::FromPrivate(*fixed) : crypto::X25519KeyPair::Generate();
  if (!e.ok()) return e.status();
  e_ = std::move(e).value();
  return Status::Ok();
}

Result<Handshake> Handshake::Initiator(ByteView responder_static_public, ByteView prologue,
                                       std::optional<ByteView> ephemeral) {
  if (responder_static_public.size() != crypto::kX25519KeySize) {
    return InvalidArgument("vhsmd's public key must have 32 bytes");
  }
  Handshake hs;
  hs.initiator_ = true;
  hs.rs_.assign(responder_static_public.begin(), responder_static_public.end());
  hs.Init(prologue, hs.rs_);
  VHSM_RETURN_IF_ERROR(hs.SetEphemeral(ephemeral));
  return hs;
}

Result<Handshake> Handshake::Responder(const crypto::X25519KeyPair& static_key, ByteView prologue,
                                       std::optional<ByteView> ephemeral) {
  Handshake hs;
  VHSM_ASSIGN_OR_RETURN(crypto::X25519KeyPair s,
                        crypto::X25519KeyPair::FromPrivate(static_key.private_key().view()));
  hs.s_ = std::move(s);
  hs.Init(prologue, hs.s_->public_key());
  VHSM_RETURN_IF_ERROR(hs.SetEphemeral(ephemeral));
  return hs;
}

Result<Bytes> Handshake::WriteMessage1(ByteView payload) {
  if (!initiator_ || step_ != 0) return FailedPrecondition("not the initiator's first message");
  Bytes msg = e_->public_key();
  MixHash(e_->public_key());
  VHSM_ASSIGN_OR_RETURN(SecretBytes es, e_->Dh(rs_));
  VHSM_RETURN_IF_ERROR(MixKey(es.view()));
  VHSM_ASSIGN_OR_RETURN(Bytes ct, EncryptAndHash(payload));
  msg.insert(msg.end(), ct.begin(), ct.end());
  step_ = 1;
  return msg;
}

Result<SecretBytes> Handshake::ReadMessage1(ByteView message) {
  if (initiator_ || step_ != 0) return FailedPrecondition("not the responder's first message");
  if (message.size() < crypto::kX25519KeySize + kTagSize) {
    return InvalidArgument("handshake message 1 too short");
  }
  re_.assign(message.begin(), message.begin() + crypto::kX25519KeySize);
  MixHash(re_);
  VHSM_ASSIGN_OR_RETURN(SecretBytes es, s_->Dh(re_));
  VHSM_RETURN_IF_ERROR(MixKey(es.view()));
  VHSM_ASSIGN_OR_RETURN(SecretBytes payload,
                        DecryptAndHash(message.substr(crypto::kX25519KeySize)));
  step_ = 1;
  return payload;
}

Result<Bytes> Handshake::WriteMessage2(ByteView payload) {
  if (initiator_ || step_ != 1) return FailedPrecondition("not the responder's second message");
  Bytes msg = e_->public_key();
  MixHash(e_->public_key());
  VHSM_ASSIGN_OR_RETURN(SecretBytes ee, e_->Dh(re_));
  VHSM_RETURN_IF_ERROR(MixKey(ee.view()));
  VHSM_ASSIGN_OR_RETURN(Bytes ct, EncryptAndHash(payload));
  msg.insert(msg.end(), ct.begin(), ct.end());
  step_ = 2;
  return msg;
}

Result<SecretBytes> Handshake::ReadMessage2(ByteView message) {
  if (!initiator_ || step_ != 1) return FailedPrecondition("not the initiator's second message");
  if (message.size() < crypto::kX25519KeySize + kTagSize) {
    return InvalidArgument("handshake message 2 too short");
  }
  re_.assign(message.begin(), message.begin() + crypto::kX25519KeySize);
  MixHash(re_);
  VHSM_ASSIGN_OR_RETURN(SecretBytes ee, e_->Dh(re_));
  VHSM_RETURN_IF_ERROR(MixKey(ee.view()));
  VHSM_ASSIGN_OR_RETURN(SecretBytes payload,
                        DecryptAndHash(message.substr(crypto::kX25519KeySize)));
  step_ = 2;
  return payload;
}

Result<TransportKeys> Handshake::Split() {
  if (step_ != 2) return FailedPrecondition("handshake not finished");
  SecretBytes k1, k2;
  VHSM_RETURN_IF_ERROR(Hkdf2(ck_.view(), ByteView(), &k1, &k2));
  TransportKeys keys;
  // k1 carries initiator -> responder, k2 the other way.
  VHSM_RETURN_IF_ERROR(keys.send.InitializeKey(initiator_ ? k1 : k2));
  VHSM_RETURN_IF_ERROR(keys.receive.InitializeKey(initiator_ ? k2 : k1));
  ck_.Wipe();
  e_.reset();
  return keys;
}

Result<SecretBytes> TransportReceiver::Open(CipherState& cs, uint64_t n, ByteView ad,
                                            ByteView ciphertext) {
  if (n < next_) return DataLoss("message replayed or out of order");
  Result<SecretBytes> pt = cs.Open(n, ad, ciphertext);
  if (!pt.ok()) return DataLoss("message does not authenticate");
  next_ = n + 1;
  return pt;
}

Status TransportReceiver::OpenTo(CipherState& cs, uint64_t n, ByteView ad, ByteView ciphertext,
                                 std::string* out) {
  if (n < next_) return DataLoss("message replayed or out of order");
  if (!cs.OpenTo(n, ad, ciphertext, out).ok()) return DataLoss("message does not authenticate");
  next_ = n + 1;
  return Status::Ok();
}

}  // namespace vhsm::noise
