#include "vhsm/crypto/x25519.h"

#include "gtest/gtest.h"
#include "vhsm/crypto/constant_time.h"
#include "vhsm/testing/test_util.h"

namespace vhsm::crypto {
namespace {

using testing::Hex;

// Wycheproof X25519: every valid and acceptable vector gives the expected
// shared secret, except those whose shared secret is all zero (low-order
// public keys), which Dh refuses on purpose (RFC 7748 section 6.1).
TEST(X25519Test, Wycheproof) {
  auto doc = testing::LoadJson("vhsm/crypto/testdata/x25519_test.json");
  int matched = 0, refused_zero = 0;
  for (const auto& group : doc["testGroups"]) {
    for (const auto& t : group["tests"]) {
      auto pair = X25519KeyPair::FromPrivate(Hex(t["private"]));
      ASSERT_TRUE(pair.ok());
      Bytes want = Hex(t["shared"]);
      Result<SecretBytes> got = pair->Dh(Hex(t["public"]));
      bool zero = want == Bytes(32, 0);
      if (zero) {
        EXPECT_FALSE(got.ok()) << "tcId " << t["tcId"];
        ++refused_zero;
        continue;
      }
      ASSERT_TRUE(got.ok()) << "tcId " << t["tcId"] << ": " << got.status().ToString();
      EXPECT_TRUE(ConstantTimeEquals(got->view(), want)) << "tcId " << t["tcId"];
      ++matched;
    }
  }
  EXPECT_EQ(matched + refused_zero, 518);
  EXPECT_GT(refused_zero, 0);
}

// RFC 7748 section 6.1: Alice's and Bob's key pairs and their shared secret.
TEST(X25519Test, Rfc7748) {
  auto alice = X25519KeyPair::FromPrivate(
      Hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  auto bob = X25519KeyPair::FromPrivate(
      Hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
  ASSERT_TRUE(alice.ok() && bob.ok());
  EXPECT_EQ(alice->public_key(),
            Hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"));
  EXPECT_EQ(bob->public_key(),
            Hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"));
  Bytes shared = Hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
  EXPECT_TRUE(ConstantTimeEquals(alice->Dh(bob->public_key())->view(), shared));
  EXPECT_TRUE(ConstantTimeEquals(bob->Dh(alice->public_key())->view(), shared));
}

TEST(X25519Test, BadSizesAndFreshKeys) {
  EXPECT_EQ(X25519KeyPair::FromPrivate(Bytes(31, 1)).status().code(), StatusCode::kInvalidArgument);
  auto a = X25519KeyPair::Generate();
  auto b = X25519KeyPair::Generate();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->public_key(), b->public_key());
  EXPECT_EQ(a->Dh(Bytes(33, 9)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(ConstantTimeEquals(a->Dh(b->public_key())->view(), b->Dh(a->public_key())->view()));
}

}  // namespace
}  // namespace vhsm::crypto
