#include "vhsm/crypto/aead.h"

#include "gtest/gtest.h"
#include "vhsm/crypto/random.h"
#include "vhsm/testing/test_util.h"

namespace vhsm::crypto {
namespace {

using testing::Hex;

// Wycheproof AES-GCM. We support 256-bit keys with 96-bit IVs: every valid
// vector in that set must seal and open, every invalid one must fail to
// open, and every vector outside it must be refused.
TEST(AeadTest, WycheproofAesGcm) {
  auto doc = testing::LoadJson("vhsm/crypto/testdata/aes_gcm_test.json");
  int checked_valid = 0, checked_invalid = 0, refused = 0;
  for (const auto& group : doc["testGroups"]) {
    bool supported = group["keySize"] == 256 && group["ivSize"] == 96 && group["tagSize"] == 128;
    for (const auto& t : group["tests"]) {
      Bytes key = Hex(t["key"]), iv = Hex(t["iv"]), aad = Hex(t["aad"]);
      Bytes msg = Hex(t["msg"]), ct = Hex(t["ct"]), tag = Hex(t["tag"]);
      Bytes ct_tag = ct;
      ct_tag.insert(ct_tag.end(), tag.begin(), tag.end());
      Result<SecretBytes> opened = AesGcmOpen(key, iv, ct_tag, aad);
      if (!supported) {
        EXPECT_FALSE(opened.ok()) << "tcId " << t["tcId"];
        ++refused;
        continue;
      }
      if (t["result"] == "valid") {
        ASSERT_TRUE(opened.ok()) << "tcId " << t["tcId"] << " " << opened.status().ToString();
        EXPECT_EQ(Bytes(opened->data(), opened->data() + opened->size()), msg);
        Result<Bytes> sealed = AesGcmSeal(key, iv, msg, aad);
        ASSERT_TRUE(sealed.ok());
        EXPECT_EQ(*sealed, ct_tag) << "tcId " << t["tcId"];
        ++checked_valid;
      } else {
        EXPECT_FALSE(opened.ok()) << "accepted invalid tcId " << t["tcId"];
        ++checked_invalid;
      }
    }
  }
  EXPECT_GT(checked_valid, 20);
  EXPECT_GT(checked_invalid, 10);
  EXPECT_GT(refused, 100);
}

TEST(AeadTest, AnyBitFlipFailsWithDataLoss) {
  Bytes key = *RandomBytes(32);
  Bytes pt = *RandomBytes(45);
  Bytes aad = {'c', 't', '1'};
  Bytes sealed = *AesGcmSealWithRandomNonce(key, pt, aad);
  ASSERT_EQ(sealed.size(), 12 + 45 + 16u);
  Result<SecretBytes> ok = AesGcmOpenWithNonce(key, sealed, aad);
  ASSERT_TRUE(ok.ok());
  for (size_t bit = 0; bit < sealed.size() * 8; ++bit) {
    Bytes bad = sealed;
    bad[bit / 8] ^= static_cast<uint8_t>(1 << (bit % 8));
    Result<SecretBytes> r = AesGcmOpenWithNonce(key, bad, aad);
    ASSERT_FALSE(r.ok()) << "bit " << bit;
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  }
  Bytes other_aad = {'c', 't', '2'};
  EXPECT_EQ(AesGcmOpenWithNonce(key, sealed, other_aad).status().code(), StatusCode::kDataLoss);
  Bytes other_key = key;
  other_key[0] ^= 1;
  EXPECT_FALSE(AesGcmOpenWithNonce(other_key, sealed, aad).ok());
  EXPECT_FALSE(AesGcmOpenWithNonce(key, ByteView(sealed.data(), 20), aad).ok());
}

TEST(AeadTest, RandomNoncesDiffer) {
  Bytes key = *RandomBytes(32);
  EXPECT_NE(*AesGcmSealWithRandomNonce(key, "x", ""), *AesGcmSealWithRandomNonce(key, "x", ""));
}

TEST(AeadTest, BadParametersAreInvalidArgument) {
  Bytes key16(16), key32(32), iv12(12), iv16(16);
  EXPECT_EQ(AesGcmSeal(key16, iv12, "x", "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(AesGcmSeal(key32, iv16, "x", "").status().code(), StatusCode::kInvalidArgument);
}

TEST(AeadTest, PythonCryptographyDecryptsOurCiphertext) {
  Bytes key = *RandomBytes(32);
  Bytes pt = *RandomBytes(300);
  Bytes aad = *RandomBytes(17);
  Bytes sealed = *AesGcmSealWithRandomNonce(key, pt, aad);
  testing::CommandResult py =
      testing::RunCommand({testing::kPython, "-c",
                           "import sys\n"
                           "from cryptography.hazmat.primitives.ciphers.aead import AESGCM\n"
                           "k,s,a=(bytes.fromhex(x) for x in sys.argv[1:4])\n"
                           "print(AESGCM(k).decrypt(s[:12], s[12:], a).hex())\n",
                           HexEncode(key), HexEncode(sealed), HexEncode(aad)});
  ASSERT_EQ(py.exit_code, 0) << py.out;
  EXPECT_EQ(py.out, HexEncode(pt) + "\n");
}

// The keyed form gives byte for byte what the one-shot form gives, over
// many messages with one key, and refuses what the one-shot form refuses.
TEST(AeadTest, KeyedFormMatchesOneShot) {
  Bytes key = *RandomBytes(32);
  auto k = AesGcmKey::Create(key);
  ASSERT_TRUE(k.ok());
  std::string sealed, opened;
  for (size_t n : {0, 1, 15, 16, 17, 1000, 65536}) {
    Bytes nonce = *RandomBytes(12), pt = *RandomBytes(n), aad = *RandomBytes(n % 40);
    ASSERT_TRUE(k->Seal(nonce, pt, aad, &sealed).ok());
    Bytes want = *AesGcmSeal(key, nonce, pt, aad);
    EXPECT_EQ(Bytes(sealed.begin(), sealed.end()), want) << n;
    ASSERT_TRUE(k->Open(nonce, ByteView(sealed), aad, &opened).ok());
    EXPECT_EQ(Bytes(opened.begin(), opened.end()), pt);
    sealed[0] ^= 1;
    EXPECT_EQ(k->Open(nonce, ByteView(sealed), aad, &opened).code(), StatusCode::kDataLoss);
    EXPECT_TRUE(opened.empty());
  }
  EXPECT_FALSE(AesGcmKey::Create(Bytes(16)).ok());
}

}  // namespace
}  // namespace vhsm::crypto
