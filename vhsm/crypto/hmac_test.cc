#include "vhsm/crypto/hmac.h"

#include "gtest/gtest.h"
#include "vhsm/crypto/constant_time.h"
#include "vhsm/crypto/random.h"
#include "vhsm/testing/test_util.h"

namespace vhsm::crypto {
namespace {

using testing::Hex;

// Wycheproof HMAC-SHA256: every valid tag is produced, no invalid one is.
TEST(HmacTest, WycheproofHmacSha256) {
  auto doc = testing::LoadJson("vhsm/crypto/testdata/hmac_sha256_test.json");
  int valid = 0, invalid = 0;
  for (const auto& group : doc["testGroups"]) {
    size_t tag_bytes = group["tagSize"].get<size_t>() / 8;
    for (const auto& t : group["tests"]) {
      Bytes key = Hex(t["key"]);
      Bytes msg = Hex(t["msg"]);
      Bytes want = Hex(t["tag"]);
      Result<Bytes> mac = ComputeHmac(DigestAlg::kSha256, key, msg);
      ASSERT_TRUE(mac.ok());
      bool match =
          want.size() == tag_bytes && ConstantTimeEquals(ByteView(mac->data(), tag_bytes), want);
      if (t["result"] == "valid") {
        EXPECT_TRUE(match) << "tcId " << t["tcId"];
        ++valid;
      } else {
        EXPECT_FALSE(match) << "accepted invalid tcId " << t["tcId"];
        ++invalid;
      }
    }
  }
  EXPECT_EQ(valid, 66);
  EXPECT_EQ(invalid, 108);
}

TEST(HmacTest, Rfc4231) {
  auto doc = testing::LoadJson("vhsm/crypto/testdata/rfc_vectors.json");
  int n = 0;
  for (const auto& t : doc["hmacSha256"]["tests"]) {
    Result<Bytes> mac = ComputeHmac(DigestAlg::kSha256, Hex(t["key"]), Hex(t["msg"]));
    ASSERT_TRUE(mac.ok());
    size_t bytes = t["tagSizeBits"].get<size_t>() / 8;
    mac->resize(bytes);
    EXPECT_EQ(HexEncode(*mac), t["tag"].get<std::string>()) << t["comment"];
    ++n;
  }
  EXPECT_EQ(n, 7);
}

TEST(HmacTest, StreamingAndCopyMatchOneShot) {
  Bytes key = *RandomBytes(40);
  Bytes data = *RandomBytes(10000);
  for (DigestAlg alg :
       {DigestAlg::kSha1, DigestAlg::kSha256, DigestAlg::kSha384, DigestAlg::kSha512}) {
    Bytes want = *ComputeHmac(alg, key, data);
    Result<Hmac> h = Hmac::Create(alg, key);
    ASSERT_TRUE(h.ok());
    ASSERT_TRUE(h->Update(ByteView(data.data(), 3333)).ok());
    Hmac fork = *h;
    ASSERT_TRUE(h->Update(ByteView(data.data() + 3333, data.size() - 3333)).ok());
    ASSERT_TRUE(fork.Update(ByteView(data.data() + 3333, data.size() - 3333)).ok());
    EXPECT_EQ(*h->Final(), want);
    EXPECT_EQ(*fork.Final(), want);
    EXPECT_EQ(h->Final().status().code(), StatusCode::kFailedPrecondition);
  }
}

TEST(HmacTest, MatchesPythonHmac) {
  std::string dir = testing::MakeTempDir();
  for (size_t key_len : {0, 1, 32, 64, 65, 200}) {
    Bytes key = *RandomBytes(key_len);
    Bytes data = *RandomBytes(1000 + key_len);
    testing::WriteFile(dir + "/k", std::string(key.begin(), key.end()));
    testing::WriteFile(dir + "/d", std::string(data.begin(), data.end()));
    for (DigestAlg alg : {DigestAlg::kSha256, DigestAlg::kSha512}) {
      testing::CommandResult py =
          testing::RunCommand({testing::kPython, "-c",
                               "import hmac,sys; print(hmac.new(open(sys.argv[2],'rb').read(), "
                               "open(sys.argv[3],'rb').read(), sys.argv[1]).hexdigest())",
                               DigestAlgName(alg), dir + "/k", dir + "/d"});
      ASSERT_EQ(py.exit_code, 0) << py.out;
      EXPECT_EQ(HexEncode(*ComputeHmac(alg, key, data)) + "\n", py.out) << "key length " << key_len;
    }
  }
}

}  // namespace
}  // namespace vhsm::crypto
