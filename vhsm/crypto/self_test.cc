#include "vhsm/crypto/self_test.h"

#include <string>

#include "vhsm/crypto/aead.h"
#include "vhsm/crypto/asymmetric_key.h"
#include "vhsm/crypto/bytes.h"
#include "vhsm/crypto/constant_time.h"
#include "vhsm/crypto/digest.h"
#include "vhsm/crypto/hmac.h"
#include "vhsm/crypto/pbkdf2.h"

namespace vhsm::crypto {
namespace {

Bytes Hex(const char* hex) {
  Bytes out;
  HexDecode(hex, &out);
  return out;
}

Status Expect(const char* name, ByteView got, const char* want_hex) {
  if (!ConstantTimeEquals(got, Hex(want_hex))) {
    return Internal(std::string("self-test failed: ") + name);
  }
  return Status::Ok();
}

Status DigestKats() {
  struct Kat {
    DigestAlg alg;
    const char* want;
  };
  // FIPS 180-2 appendix examples, message "abc".
  const Kat kats[] = {
      {DigestAlg::kSha1, "a9993e364706816aba3e25717850c26c9cd0d89d"},
      {DigestAlg::kSha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {DigestAlg::kSha384,
       "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
       "8086072ba1e7cc2358baeca134c825a7"},
      {DigestAlg::kSha512,
       "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
       "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
  };
  for (const Kat& k : kats) {
    VHSM_ASSIGN_OR_RETURN(Bytes got, ComputeDigest(k.alg, "abc"));
    VHSM_RETURN_IF_ERROR(Expect(DigestAlgName(k.alg), got, k.want));
  }
  return Status::Ok();
}

Status HmacKat() {
  // RFC 4231 test case 2.
  VHSM_ASSIGN_OR_RETURN(Bytes got,
                        ComputeHmac(DigestAlg::kSha256, "Jefe", "what do ya want for nothing?"));
  return Expect("hmac-sha256", got,
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

Status GcmKat() {
  // McGrew & Viega, "The Galois/Counter Mode of Operation", test case 14.
  Bytes key(32, 0), nonce(12, 0), plaintext(16, 0);
  VHSM_ASSIGN_OR_RETURN(Bytes sealed, AesGcmSeal(key, nonce, plaintext, {}));
  VHSM_RETURN_IF_ERROR(Expect("aes-256-gcm seal", sealed,
                              "cea7403d4d606b6e074ec5d3baf39d18"
                              "d0d1c8a799996bf0265b98b5d48ab919"));
  VHSM_ASSIGN_OR_RETURN(SecretBytes opened, AesGcmOpen(key, nonce, sealed, {}));
  if (!ConstantTimeEquals(opened.view(), plaintext)) {
    return Internal("self-test failed: aes-256-gcm open");
  }
  sealed[0] ^= 1;
  if (AesGcmOpen(key, nonce, sealed, {}).ok()) {
    return Internal("self-test failed: aes-256-gcm accepted a modified ciphertext");
  }
  return Status::Ok();
}

Status Pbkdf2Kat() {
  // RFC 7914 section 11, first PBKDF2-HMAC-SHA256 vector.
  VHSM_ASSIGN_OR_RETURN(SecretBytes got, Pbkdf2HmacSha256("passwd", "salt", 1, 64));
  return Expect("pbkdf2-hmac-sha256", got.view(),
                "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
                "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
}

Status Ed25519Kat() {
  // RFC 8032 section 7.1 TEST 1, wrapped in PKCS#8 (RFC 8410).
  Bytes der =
      Hex("302e020100300506032b657004220420"
          "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  VHSM_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::FromPkcs8Der(der));
  VHSM_ASSIGN_OR_RETURN(Bytes sig, key.Sign(ByteView()));
  VHSM_RETURN_IF_ERROR(Expect("ed25519 sign", sig,
                              "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                              "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"));
  VHSM_ASSIGN_OR_RETURN(PublicKey pub, key.GetPublicKey());
  VHSM_ASSIGN_OR_RETURN(bool ok, pub.Verify(ByteView(), sig));
  if (!ok) return Internal("self-test failed: ed25519 verify");
  return Status::Ok();
}

Status EcdsaPairwise() {
  VHSM_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::Generate(KeyAlg::kEcP256));
  VHSM_ASSIGN_OR_RETURN(PublicKey pub, key.GetPublicKey());
  VHSM_ASSIGN_OR_RETURN(Bytes sig, key.Sign("vhsm self-test"));
  VHSM_ASSIGN_OR_RETURN(bool good, pub.Verify("vhsm self-test", sig));
  VHSM_ASSIGN_OR_RETURN(bool bad, pub.Verify("vhsm self-tesT", sig));
  if (!good || bad) return Internal("self-test failed: ecdsa-p256 pairwise");
  return Status::Ok();
}

}  // namespace

Status RunSelfTest() {
  VHSM_RETURN_IF_ERROR(DigestKats());
  VHSM_RETURN_IF_ERROR(HmacKat());
  VHSM_RETURN_IF_ERROR(GcmKat());
  VHSM_RETURN_IF_ERROR(Pbkdf2Kat());
  VHSM_RETURN_IF_ERROR(Ed25519Kat());
  VHSM_RETURN_IF_ERROR(EcdsaPairwise());
  return Status::Ok();
}

}  // namespace vhsm::crypto
