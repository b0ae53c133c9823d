#include "vhsm/crypto/pbkdf2.h"

#include "gtest/gtest.h"
#include "vhsm/testing/test_util.h"

namespace vhsm::crypto {
namespace {

using testing::Hex;

TEST(Pbkdf2Test, Wycheproof) {
  auto doc = testing::LoadJson("vhsm/crypto/testdata/pbkdf2_hmacsha256_test.json");
  int n = 0;
  for (const auto& group : doc["testGroups"]) {
    for (const auto& t : group["tests"]) {
      ASSERT_EQ(t["result"], "valid");
      Result<SecretBytes> dk =
          Pbkdf2HmacSha256(Hex(t["password"]), Hex(t["salt"]), t["iterationCount"].get<uint32_t>(),
                           t["dkLen"].get<size_t>());
      ASSERT_TRUE(dk.ok()) << "tcId " << t["tcId"];
      EXPECT_EQ(HexEncode(dk->view()), t["dk"].get<std::string>()) << "tcId " << t["tcId"];
      ++n;
    }
  }
  EXPECT_EQ(n, 60);
}

TEST(Pbkdf2Test, Rfc7914) {
  auto doc = testing::LoadJson("vhsm/crypto/testdata/rfc_vectors.json");
  int n = 0;
  for (const auto& t : doc["pbkdf2HmacSha256"]["tests"]) {
    if (t.value("slow", false)) continue;  // 2^24 iterations: too slow here
    Result<SecretBytes> dk =
        Pbkdf2HmacSha256(Hex(t["password"]), Hex(t["salt"]), t["iterationCount"].get<uint32_t>(),
                         t["dkLen"].get<size_t>());
    ASSERT_TRUE(dk.ok());
    EXPECT_EQ(HexEncode(dk->view()), t["dk"].get<std::string>()) << t["source"];
    ++n;
  }
  EXPECT_GE(n, 2);
}

TEST(Pbkdf2Test, RejectsBadParameters) {
  EXPECT_EQ(Pbkdf2HmacSha256("p", "s", 0, 32).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Pbkdf2HmacSha256("p", "s", 1, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Pbkdf2HmacSha256("", "", 1, 32).ok());
}

}  // namespace
}  // namespace vhsm::crypto
