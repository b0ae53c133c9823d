#include "vhsm/proto/names.h"

#include "gtest/gtest.h"

namespace vhsm {
namespace {

TEST(NamesTest, KeyTypesRoundTripAndUnknownsAreRefused) {
  const std::pair<proto::KeyType, const char*> all[] = {
      {proto::HMAC_SHA256, "hmac-sha256"}, {proto::HMAC_SHA512, "hmac-sha512"},
      {proto::AES_256, "aes-256"},         {proto::EC_P256, "ec-p256"},
      {proto::ED25519, "ed25519"},         {proto::RSA_2048, "rsa-2048"},
      {proto::RSA_3072, "rsa-3072"},       {proto::RSA_4096, "rsa-4096"},
      {proto::EC_P384, "ec-p384"},         {proto::X25519, "x25519"},
  };
  for (const auto& [type, name] : all) {
    EXPECT_STREQ(KeyTypeName(type), name);
    EXPECT_EQ(ParseKeyTypeName(name), type);
  }
  EXPECT_STREQ(KeyTypeName(proto::KEY_TYPE_UNSPECIFIED), "unknown");
  for (const char* bad : {"", "unknown", "HMAC-SHA256", "ec-p521", "aes256", "rsa-1024"}) {
    EXPECT_FALSE(ParseKeyTypeName(bad).has_value()) << bad;
  }
}

TEST(NamesTest, KeyOps) {
  EXPECT_EQ(ParseKeyOps("sign"), uint32_t{proto::KEY_OP_SIGN});
  EXPECT_EQ(ParseKeyOps("sign,verify,derive"),
            uint32_t{proto::KEY_OP_SIGN | proto::KEY_OP_VERIFY | proto::KEY_OP_DERIVE});
  EXPECT_EQ(KeyOpsString(proto::KEY_OP_MAC | proto::KEY_OP_DECRYPT), "mac,decrypt");
  for (const char* bad : {"", "sign,", "Sign", "sign,fly", ",mac"}) {
    EXPECT_FALSE(ParseKeyOps(bad).has_value()) << bad;
  }
}

TEST(NamesTest, Digests) {
  EXPECT_EQ(ParseDigestName("sha1"), proto::SHA1);
  EXPECT_EQ(ParseDigestName("sha256"), proto::SHA256);
  EXPECT_EQ(ParseDigestName("sha384"), proto::SHA384);
  EXPECT_EQ(ParseDigestName("sha512"), proto::SHA512);
  EXPECT_FALSE(ParseDigestName("md5").has_value());
  EXPECT_FALSE(ParseDigestName("SHA256").has_value());
}

}  // namespace
}  // namespace vhsm
