// ECDSA with presignatures: the signatures are ordinary ECDSA (the openssl
// command verifies them), every pair is used once (no two signatures share
// r), an empty pool or another curve falls back to the ordinary signature,
// and concurrent signers never get the same pair.
#include "vhsm/crypto/ecdsa_presign.h"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>

#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "vhsm/crypto/digest.h"
#include "vhsm/crypto/random.h"
#include "vhsm/testing/test_util.h"

namespace vhsm::crypto {
namespace {

using testing::Must;

#if !defined(OPENSSL_IS_BORINGSSL)

// RHex: the r of a DER ECDSA signature, in hex.
std::string RHex(const Bytes& der) {
  const unsigned char* p = der.data();
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  if (sig == nullptr) return "";
  const BIGNUM* r = nullptr;
  ECDSA_SIG_get0(sig, &r, nullptr);
  char* hex = BN_bn2hex(r);
  std::string out(hex);
  OPENSSL_free(hex);
  ECDSA_SIG_free(sig);
  return out;
}

TEST(EcdsaPresignTest, SignaturesVerifyWithOpensslCommandAndUseEachPairOnce) {
  std::string dir = testing::MakeTempDir();
  for (KeyAlg alg : {KeyAlg::kEcP256, KeyAlg::kEcP384}) {
    SCOPED_TRACE(KeyAlgName(alg));
    auto pool = EcdsaPresigs::Create(alg, 8);
    ASSERT_NE(pool, nullptr);
    EXPECT_EQ(pool->size(), 0u);
    EXPECT_TRUE(pool->Low());
    EXPECT_EQ(pool->Refill(100), 8u);  // up to capacity
    EXPECT_EQ(pool->Refill(100), 0u);
    EXPECT_FALSE(pool->Low());
    PrivateKey key = Must(PrivateKey::Generate(alg));
    PublicKey pub = Must(key.GetPublicKey());
    testing::WriteFile(dir + "/pub.pem", Must(pub.ToPem()));
    Bytes msg = Must(RandomBytes(1000));
    testing::WriteFile(dir + "/msg", std::string(msg.begin(), msg.end()));
    SignParams params;
    params.presigs = pool.get();
    std::set<std::string> rs;
    for (int i = 0; i < 8; ++i) {
      Bytes sig = Must(key.Sign(msg, params));
      EXPECT_EQ(pool->size(), static_cast<size_t>(7 - i));  // one pair per signature
      rs.insert(RHex(sig));
      testing::WriteFile(dir + "/sig", std::string(sig.begin(), sig.end()));
      testing::CommandResult ok = testing::RunCommand(
          {"openssl", "dgst", alg == KeyAlg::kEcP256 ? "-sha256" : "-sha384", "-verify",
           dir + "/pub.pem", "-signature", dir + "/sig", dir + "/msg"});
      EXPECT_EQ(ok.exit_code, 0) << ok.out;
      sig[sig.size() - 3] ^= 0x01;
      EXPECT_FALSE(Must(pub.Verify(msg, sig)));
    }
    EXPECT_EQ(rs.size(), 8u);  // eight different nonces
    // Empty: the ordinary signature, still valid.
    Bytes plain = Must(key.Sign(msg, params));
    EXPECT_TRUE(Must(pub.Verify(msg, plain)));
  }
}

TEST(EcdsaPresignTest, DigestPathAndOtherHashesAndCurves) {
  auto pool = EcdsaPresigs::Create(KeyAlg::kEcP256, 4);
  ASSERT_NE(pool, nullptr);
  pool->Refill(4);
  PrivateKey key = Must(PrivateKey::Generate(KeyAlg::kEcP256));
  PublicKey pub = Must(key.GetPublicKey());
  Bytes msg = Must(RandomBytes(64));
  SignParams sha512;
  sha512.hash = DigestAlg::kSha512;
  sha512.presigs = pool.get();
  Bytes digest = Must(ComputeDigest(DigestAlg::kSha512, msg));
  Bytes sig = Must(key.SignDigest(digest, sha512));
  EXPECT_EQ(pool->size(), 3u);
  EXPECT_TRUE(Must(pub.Verify(msg, sig, sha512)));
  // A P-384 key, an Ed25519 key and an RSA key do not touch a P-256 pool.
  for (KeyAlg other : {KeyAlg::kEcP384, KeyAlg::kEd25519, KeyAlg::kRsa2048}) {
    PrivateKey k = Must(PrivateKey::Generate(other));
    SignParams p;
    p.presigs = pool.get();
    Bytes s = Must(k.Sign(msg, p));
    EXPECT_TRUE(Must(Must(k.GetPublicKey()).Verify(msg, s, p))) << KeyAlgName(other);
  }
  EXPECT_EQ(pool->size(), 3u);
  // presigs_only: the pool or nothing (Unavailable), for both paths.
  SignParams only;
  only.presigs = pool.get();
  only.presigs_only = true;
  Bytes d256 = Must(ComputeDigest(DigestAlg::kSha256, msg));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(Must(pub.Verify(msg, Must(key.Sign(msg, only)))));
  EXPECT_EQ(key.Sign(msg, only).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(key.SignDigest(d256, only).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(EcdsaPresigs::Create(KeyAlg::kEd25519, 4), nullptr);
  EXPECT_EQ(EcdsaPresigs::Create(KeyAlg::kEcP256, 0), nullptr);
}

TEST(EcdsaPresignTest, ConcurrentSignersAndRefillerNeverShareAPair) {
  auto pool = EcdsaPresigs::Create(KeyAlg::kEcP256, 64);
  ASSERT_NE(pool, nullptr);
  PrivateKey key = Must(PrivateKey::Generate(KeyAlg::kEcP256));
  PublicKey pub = Must(key.GetPublicKey());
  const Bytes msg(32, 0x5a);
  std::mutex mu;
  std::vector<std::string> rs;
  std::vector<std::thread> threads;
  threads.emplace_back([&] {
    for (int i = 0; i < 20; ++i) pool->Refill(16);
  });
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      SignParams params;
      params.presigs = pool.get();
      for (int i = 0; i < 100; ++i) {
        Bytes sig = Must(key.Sign(msg, params));
        EXPECT_TRUE(Must(pub.Verify(msg, sig)));
        std::lock_guard<std::mutex> lock(mu);
        rs.push_back(RHex(sig));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::set<std::string>(rs.begin(), rs.end()).size(), rs.size());
}

#else

TEST(EcdsaPresignTest, NotAvailableWithBoringSsl) {
  EXPECT_EQ(EcdsaPresigs::Create(KeyAlg::kEcP256, 8), nullptr);
}

#endif

}  // namespace
}  // namespace vhsm::crypto
