#include "vhsm/crypto/bytes.h"

#include "gtest/gtest.h"

namespace vhsm::crypto {
namespace {

TEST(BytesTest, HexRoundTrip) {
  Bytes b = {0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(HexEncode(b), "0001abff");
  Bytes back;
  ASSERT_TRUE(HexDecode("0001ABff", &back));
  EXPECT_EQ(back, b);
}

TEST(BytesTest, HexDecodeRejectsBadInput) {
  Bytes out;
  EXPECT_FALSE(HexDecode("abc", &out));
  EXPECT_FALSE(HexDecode("zz", &out));
  EXPECT_TRUE(HexDecode("", &out));
  EXPECT_TRUE(out.empty());
}

TEST(BytesTest, ByteViewSubstrClamps) {
  ByteView v("hello");
  EXPECT_EQ(v.substr(1, 3).size(), 3u);
  EXPECT_EQ(v.substr(4).size(), 1u);
  EXPECT_EQ(v.substr(9).size(), 0u);
}

}  // namespace
}  // namespace vhsm::crypto
