#include "vhsm/crypto/constant_time.h"

#include "gtest/gtest.h"

namespace vhsm::crypto {
namespace {

TEST(ConstantTimeTest, Equality) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  Bytes a(1000, 7), b(1000, 7);
  b[999] = 8;
  EXPECT_FALSE(ConstantTimeEquals(a, b));
}

}  // namespace
}  // namespace vhsm::crypto
