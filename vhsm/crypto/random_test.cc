#include "vhsm/crypto/random.h"

#include <set>

#include "gtest/gtest.h"

namespace vhsm::crypto {
namespace {

TEST(RandomTest, ReturnsRequestedLengthAndDiffers) {
  std::set<Bytes> seen;
  for (int i = 0; i < 100; ++i) {
    Result<Bytes> r = RandomBytes(16);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->size(), 16u);
    seen.insert(*r);
  }
  EXPECT_EQ(seen.size(), 100u);  // 2^-128 collision odds
  EXPECT_TRUE(RandomBytes(0).ok());
}

TEST(RandomTest, BitsAreBalanced) {
  Result<Bytes> r = RandomBytes(1 << 16);
  ASSERT_TRUE(r.ok());
  size_t ones = 0;
  for (uint8_t b : *r) ones += __builtin_popcount(b);
  // 524288 bits: mean 262144, sd 362; 10 sd is a broken generator.
  EXPECT_NEAR(static_cast<double>(ones), 262144.0, 3620.0);
}

TEST(RandomTest, SecretVersion) {
  Result<SecretBytes> s = RandomSecret(32);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->size(), 32u);
}

}  // namespace
}  // namespace vhsm::crypto
