#include "vhsm/base/parse.h"

#include "gtest/gtest.h"

namespace vhsm {
namespace {

TEST(ParseTest, PortIds) {
  EXPECT_EQ(ParsePortId("1447580465"), 1447580465u);
  EXPECT_EQ(ParsePortId("0x56485331"), 0x56485331u);
  EXPECT_EQ(ParsePortId("4294967295"), 4294967295u);
  for (const char* bad :
       {"", "0", "-1", "+5", "4294967296", "12a", " 12", "0x", "99999999999999999999999"}) {
    EXPECT_FALSE(ParsePortId(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace vhsm
