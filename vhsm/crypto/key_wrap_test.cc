#include "vhsm/crypto/key_wrap.h"

#include "gtest/gtest.h"
#include "vhsm/crypto/constant_time.h"
#include "vhsm/testing/test_util.h"

namespace vhsm::crypto {
namespace {

using testing::Hex;

// Wycheproof AES-KW (RFC 3394) and AES-KWP (RFC 5649): valid vectors wrap to
// ct and unwrap back; invalid ones never unwrap.
void RunWycheproof(const std::string& file, WrapMode mode, int want_valid) {
  auto doc = testing::LoadJson("vhsm/crypto/testdata/" + file);
  int valid = 0, invalid = 0;
  for (const auto& group : doc["testGroups"]) {
    for (const auto& t : group["tests"]) {
      Bytes key = Hex(t["key"]), msg = Hex(t["msg"]), ct = Hex(t["ct"]);
      Result<SecretBytes> unwrapped = AesKeyUnwrap(mode, key, ct);
      if (t["result"] == "valid") {
        ASSERT_TRUE(unwrapped.ok()) << file << " tcId " << t["tcId"];
        EXPECT_TRUE(ConstantTimeEquals(unwrapped->view(), msg)) << file << " tcId " << t["tcId"];
        Result<Bytes> wrapped = AesKeyWrap(mode, key, msg);
        ASSERT_TRUE(wrapped.ok()) << wrapped.status().ToString();
        EXPECT_EQ(*wrapped, ct) << file << " tcId " << t["tcId"];
        ++valid;
      } else if (t["result"] == "invalid") {
        EXPECT_FALSE(unwrapped.ok()) << file << " accepted invalid tcId " << t["tcId"];
        ++invalid;
      }
    }
  }
  EXPECT_EQ(valid, want_valid) << file;
  EXPECT_GT(invalid, 100) << file;
}

TEST(KeyWrapTest, WycheproofKw) { RunWycheproof("aes_wrap_test.json", WrapMode::kKw, 36); }
TEST(KeyWrapTest, WycheproofKwp) { RunWycheproof("aes_kwp_test.json", WrapMode::kKwp, 77); }

TEST(KeyWrapTest, BadSizesAreRefused) {
  Bytes kek(32, 7);
  EXPECT_FALSE(AesKeyWrap(WrapMode::kKwp, Bytes(20, 1), Bytes(5, 1)).ok());
  EXPECT_FALSE(AesKeyWrap(WrapMode::kKw, kek, Bytes(12, 1)).ok());
  EXPECT_FALSE(AesKeyWrap(WrapMode::kKwp, kek, Bytes()).ok());
  Bytes w = *AesKeyWrap(WrapMode::kKwp, kek, Bytes(5, 1));
  EXPECT_EQ(w.size(), 16u);
  w[3] ^= 1;
  EXPECT_EQ(AesKeyUnwrap(WrapMode::kKwp, kek, w).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vhsm::crypto
