#include "vhsm/crypto/self_test.h"

#include "gtest/gtest.h"

namespace vhsm::crypto {
namespace {

TEST(SelfTest, Passes) {
  Status s = RunSelfTest();
  EXPECT_TRUE(s.ok()) << s.ToString();
}

}  // namespace
}  // namespace vhsm::crypto
