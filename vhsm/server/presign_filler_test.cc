// PresignFiller: fills its P-256 pool at start, refills when signers take
// it under half, hands out no pool for other key types, stops promptly.
#include "vhsm/server/presign_filler.h"

#include <openssl/crypto.h>

#include <chrono>
#include <thread>

#include "gtest/gtest.h"
#include "vhsm/testing/test_util.h"

namespace vhsm::server {
namespace {

using crypto::KeyAlg;
using testing::Must;

// WaitForSize: until the pool holds at least n pairs (false after 10 s).
bool WaitForSize(crypto::EcdsaPresigs* pool, size_t n) {
  for (int i = 0; i < 1000; ++i) {
    if (pool->size() >= n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST(PresignFillerTest, FillsRefillsAndSignsValidSignatures) {
  PresignFiller filler(32);
  crypto::EcdsaPresigs* pool = filler.p256();
#if defined(OPENSSL_IS_BORINGSSL)
  EXPECT_EQ(pool, nullptr);
  EXPECT_EQ(filler.For(KeyAlg::kEcP256), nullptr);
#else
  ASSERT_NE(pool, nullptr);
  ASSERT_TRUE(WaitForSize(pool, 32));  // full from the start
  ASSERT_NE(filler.p384(), nullptr);
  EXPECT_TRUE(WaitForSize(filler.p384(), PresignFiller::kP384Capacity));
  EXPECT_EQ(filler.For(KeyAlg::kEcP384), filler.p384());
  EXPECT_EQ(filler.For(KeyAlg::kEd25519), nullptr);
  EXPECT_EQ(filler.For(KeyAlg::kRsa2048), nullptr);
  crypto::PrivateKey key = Must(crypto::PrivateKey::Generate(KeyAlg::kEcP256));
  crypto::PublicKey pub = Must(key.GetPublicKey());
  const crypto::Bytes msg(100, 0x42);
  for (int i = 0; i < 20; ++i) {  // under half: the filler is woken
    crypto::SignParams params;
    params.presigs = filler.For(KeyAlg::kEcP256);
    ASSERT_EQ(params.presigs, pool);
    crypto::Bytes sig = Must(key.Sign(msg, params));
    EXPECT_TRUE(Must(pub.Verify(msg, sig)));
  }
  // A signature found the pool under half and asked for a refill, which
  // fills it (signatures taken meanwhile may leave it short of full).
  filler.For(KeyAlg::kEcP256);
  EXPECT_TRUE(WaitForSize(pool, 17));
  EXPECT_FALSE(pool->Low());
#endif
}

TEST(PresignFillerTest, NoCapacityNoPool) {
  PresignFiller filler(0);
  EXPECT_EQ(filler.p256(), nullptr);
  EXPECT_EQ(filler.p384(), nullptr);
  EXPECT_EQ(filler.For(KeyAlg::kEcP256), nullptr);
  EXPECT_EQ(filler.For(KeyAlg::kEcP384), nullptr);
}

}  // namespace
}  // namespace vhsm::server
