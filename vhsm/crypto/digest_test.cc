#include "vhsm/crypto/digest.h"

#include <string>

#include "gtest/gtest.h"
#include "vhsm/crypto/random.h"
#include "vhsm/testing/test_util.h"

namespace vhsm::crypto {
namespace {

struct Kat {
  DigestAlg alg;
  std::string message;
  std::string hex;
};

// FIPS 180-2 appendices A-C and the NIST CSRC examples.
const std::string k448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
const Kat kKats[] = {
    {DigestAlg::kSha1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
    {DigestAlg::kSha1, k448, "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
    {DigestAlg::kSha256, "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {DigestAlg::kSha256, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {DigestAlg::kSha256, k448, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {DigestAlg::kSha384, "abc",
     "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c82"
     "5a7"},
    {DigestAlg::kSha512, "abc",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3fee"
     "bbd454d4423643ce80e2a9ac94fa54ca49f"},
};

TEST(DigestTest, FipsKnownAnswers) {
  for (const Kat& k : kKats) {
    Result<Bytes> d = ComputeDigest(k.alg, k.message);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(HexEncode(*d), k.hex) << DigestAlgName(k.alg) << " " << k.message;
    EXPECT_EQ(d->size(), DigestSize(k.alg));
  }
}

TEST(DigestTest, MillionAsStreamedInChunks) {
  // FIPS 180-2: SHA-256 of one million 'a'.
  Result<Digest> d = Digest::Create(DigestAlg::kSha256);
  ASSERT_TRUE(d.ok());
  std::string chunk(1000, 'a');
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(d->Update(chunk).ok());
  EXPECT_EQ(HexEncode(*d->Final()),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(DigestTest, CopyForksTheState) {
  Result<Digest> d = Digest::Create(DigestAlg::kSha256);
  ASSERT_TRUE(d->Update("ab").ok());
  Digest fork = *d;
  ASSERT_TRUE(d->Update("c").ok());
  ASSERT_TRUE(fork.Update("c").ok());
  EXPECT_EQ(*d->Final(), *fork.Final());
}

TEST(DigestTest, MatchesPythonHashlibOnRandomData) {
  std::string dir = testing::MakeTempDir();
  for (size_t size : {0, 1, 63, 64, 65, 4096, 100000}) {
    Bytes data = *RandomBytes(size);
    std::string path = dir + "/in";
    testing::WriteFile(path, std::string(data.begin(), data.end()));
    for (DigestAlg alg :
         {DigestAlg::kSha1, DigestAlg::kSha256, DigestAlg::kSha384, DigestAlg::kSha512}) {
      testing::CommandResult py =
          testing::RunCommand({testing::kPython, "-c",
                               "import hashlib,sys; print(hashlib.new(sys.argv[1], "
                               "open(sys.argv[2],'rb').read()).hexdigest())",
                               DigestAlgName(alg), path});
      ASSERT_EQ(py.exit_code, 0) << py.out;
      EXPECT_EQ(HexEncode(*ComputeDigest(alg, data)) + "\n", py.out);
    }
  }
}

TEST(DigestTest, UpdateAfterFinalIsAnError) {
  Result<Digest> d = Digest::Create(DigestAlg::kSha1);
  ASSERT_TRUE(d->Final().ok());
  EXPECT_EQ(d->Update("x").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(d->Final().status().code(), StatusCode::kFailedPrecondition);
}

TEST(DigestTest, ResetStartsOverAfterFinalOrMidway) {
  for (const Kat& k : kKats) {
    Result<Digest> d = Digest::Create(k.alg);
    ASSERT_TRUE(d->Update("something else entirely").ok());  // dropped by Reset
    ASSERT_TRUE(d->Reset().ok());
    for (int round = 0; round < 3; ++round) {
      ASSERT_TRUE(d->Update(k.message).ok());
      EXPECT_EQ(HexEncode(*d->Final()), k.hex) << DigestAlgName(k.alg) << " round " << round;
      ASSERT_TRUE(d->Reset().ok());
    }
  }
}

TEST(DigestTest, ParseNames) {
  EXPECT_EQ(ParseDigestAlg("sha256"), DigestAlg::kSha256);
  EXPECT_EQ(ParseDigestAlg("sha-512"), DigestAlg::kSha512);
  EXPECT_FALSE(ParseDigestAlg("md5").has_value());
}

}  // namespace
}  // namespace vhsm::crypto
