#include "vhsm/crypto/hkdf.h"

#include "gtest/gtest.h"
#include "vhsm/crypto/constant_time.h"
#include "vhsm/testing/test_util.h"

namespace vhsm::crypto {
namespace {

using testing::Hex;

// Wycheproof HKDF-SHA256: valid vectors give okm; the invalid ones ask for
// more than 255 hash lengths and are refused.
TEST(HkdfTest, WycheproofSha256) {
  auto doc = testing::LoadJson("vhsm/crypto/testdata/hkdf_sha256_test.json");
  int valid = 0, invalid = 0;
  for (const auto& group : doc["testGroups"]) {
    for (const auto& t : group["tests"]) {
      Result<SecretBytes> okm = Hkdf(DigestAlg::kSha256, Hex(t["ikm"]), Hex(t["salt"]),
                                     Hex(t["info"]), t["size"].get<size_t>());
      if (t["result"] == "valid") {
        ASSERT_TRUE(okm.ok()) << "tcId " << t["tcId"] << ": " << okm.status().ToString();
        EXPECT_TRUE(ConstantTimeEquals(okm->view(), Hex(t["okm"]))) << "tcId " << t["tcId"];
        ++valid;
      } else {
        EXPECT_FALSE(okm.ok()) << "tcId " << t["tcId"];
        ++invalid;
      }
    }
  }
  EXPECT_EQ(valid, 83);
  EXPECT_EQ(invalid, 3);
}

// RFC 5869 A.1 and A.3 (empty salt and info).
TEST(HkdfTest, Rfc5869) {
  Bytes ikm(22, 0x0b);
  Result<SecretBytes> a1 = Hkdf(DigestAlg::kSha256, ikm, Hex("000102030405060708090a0b0c"),
                                Hex("f0f1f2f3f4f5f6f7f8f9"), 42);
  ASSERT_TRUE(a1.ok());
  EXPECT_EQ(HexEncode(a1->view()),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  Result<SecretBytes> a3 = Hkdf(DigestAlg::kSha256, ikm, {}, {}, 42);
  ASSERT_TRUE(a3.ok());
  EXPECT_EQ(HexEncode(a3->view()),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
  EXPECT_FALSE(Hkdf(DigestAlg::kSha256, ikm, {}, {}, 0).ok());
}

}  // namespace
}  // namespace vhsm::crypto
