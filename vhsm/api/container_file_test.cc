#include "vhsm/api/container_file.h"

#include "gtest/gtest.h"

namespace vhsm {
namespace {

ContainerFile Sample() {
  ContainerFile f;
  f.container = "shop";
  f.created_unix = 1700000000;
  f.records = {
      "\x0a\x03"
      "abc",
      std::string(300, 'r'), "x"};
  return f;
}

TEST(ContainerFileTest, RoundTripsWithAndWithoutPassphrase) {
  for (std::string_view pass : {std::string_view(), std::string_view("secret words")}) {
    Result<std::string> data = EncodeContainerFile(Sample(), pass);
    ASSERT_TRUE(data.ok()) << data.status().ToString();
    Result<ContainerFile> back = DecodeContainerFile(*data, pass);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->container, "shop");
    EXPECT_EQ(back->created_unix, 1700000000);
    EXPECT_EQ(back->records, Sample().records);
  }
}

// Every single flipped bit, and every truncation, is refused.
TEST(ContainerFileTest, AnyChangeOrTruncationIsRefused) {
  std::string data = *EncodeContainerFile(Sample(), "");
  for (size_t i = 0; i < data.size(); ++i) {
    std::string bad = data;
    bad[i] ^= 0x04;
    EXPECT_FALSE(DecodeContainerFile(bad, "").ok()) << "flipped byte " << i;
  }
  for (size_t n = 0; n < data.size(); ++n) {
    EXPECT_FALSE(DecodeContainerFile(data.substr(0, n), "").ok()) << "cut at " << n;
  }
  EXPECT_FALSE(DecodeContainerFile(data + "x", "").ok());
}

TEST(ContainerFileTest, PassphraseMustMatch) {
  std::string data = *EncodeContainerFile(Sample(), "right");
  EXPECT_EQ(DecodeContainerFile(data, "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeContainerFile(data, "wrong").status().code(), StatusCode::kDataLoss);
  std::string plain = *EncodeContainerFile(Sample(), "");
  EXPECT_EQ(DecodeContainerFile(plain, "right").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vhsm
