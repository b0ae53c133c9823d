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

// RFC 4648 section 10 test vectors.
TEST(BytesTest, Base64Rfc4648) {
  const std::pair<const char*, const char*> cases[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : cases) {
    EXPECT_EQ(Base64Encode(ByteView(plain)), encoded);
    Bytes decoded;
    ASSERT_TRUE(Base64Decode(encoded, &decoded)) << encoded;
    EXPECT_EQ(std::string(decoded.begin(), decoded.end()), plain);
  }
  Bytes out;
  EXPECT_TRUE(Base64Decode(" Zm9v\n", &out));
  for (const char* bad : {"Zm9", "Zm=v", "Z===", "Zm9v!", "Zg==Zg=="}) {
    EXPECT_FALSE(Base64Decode(bad, &out)) << bad;
  }
}

}  // namespace
}  // namespace vhsm::crypto
