#include "vhsm/crypto/ecdsa_sig.h"

#include "gtest/gtest.h"
#include "vhsm/crypto/asymmetric_key.h"
#include "vhsm/crypto/random.h"
#include "vhsm/testing/test_util.h"

namespace vhsm::crypto {
namespace {

using testing::Must;

// Signatures made by libcrypto (DER) survive DER -> raw -> DER and still
// verify; and the Wycheproof P1363 (raw) vectors verify once turned to DER.
TEST(EcdsaSigTest, RoundTripsLibcryptoSignatures) {
  for (KeyAlg alg : {KeyAlg::kEcP256, KeyAlg::kEcP384}) {
    size_t n = alg == KeyAlg::kEcP256 ? 32 : 48;
    PrivateKey key = Must(PrivateKey::Generate(alg));
    PublicKey pub = Must(key.GetPublicKey());
    for (int i = 0; i < 50; ++i) {
      Bytes msg = Must(RandomBytes(20));
      Bytes der = Must(key.Sign(msg));
      Bytes raw = Must(EcdsaDerToRaw(der, n));
      ASSERT_EQ(raw.size(), 2 * n);
      EXPECT_EQ(Must(EcdsaRawToDer(raw)), der);
      EXPECT_TRUE(Must(pub.Verify(msg, Must(EcdsaRawToDer(raw)))));
    }
  }
  EXPECT_FALSE(EcdsaDerToRaw(Bytes{0x30, 0x00}, 32).ok());
  EXPECT_FALSE(EcdsaRawToDer(Bytes(63, 1)).ok());
}

TEST(EcdsaSigTest, WycheproofP1363P256) {
  auto doc = testing::LoadJson("vhsm/crypto/testdata/ecdsa_secp256r1_sha256_p1363_test.json");
  int valid = 0;
  for (const auto& group : doc["testGroups"]) {
    PublicKey pub = Must(PublicKey::FromSpkiDer(testing::Hex(group["publicKeyDer"])));
    for (const auto& t : group["tests"]) {
      if (t["result"] != "valid") continue;
      Bytes der = Must(EcdsaRawToDer(testing::Hex(t["sig"])));
      EXPECT_TRUE(Must(pub.Verify(testing::Hex(t["msg"]), der))) << "tcId " << t["tcId"];
      ++valid;
    }
  }
  EXPECT_GT(valid, 50);
}

}  // namespace
}  // namespace vhsm::crypto
