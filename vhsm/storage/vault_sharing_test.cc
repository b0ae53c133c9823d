// Key sharing in the vault: a grant opens for its grantee only, with the
// granted operations; a grant moved to another user's row or edited is
// refused; rotation extends grants, revocation and deletion end them.
#include "gtest/gtest.h"
#include "vhsm/crypto/constant_time.h"
#include "vhsm/crypto/random.h"
#include "vhsm/storage/vault.h"
#include "vhsm/storage/vault_test_fixture.h"

namespace vhsm::storage {
namespace {

using crypto::Bytes;
using crypto::SecretBytes;
using testing_internal::VaultTest;

constexpr uint32_t kMac = 1, kSign = 8;

class SharingTest : public VaultTest {
 protected:
  void SetUp() override {
    VaultTest::SetUp();
    for (const char* u : {"alice", "bob", "carol"}) AddContainerAndUser("ct1", u, u);
    ma_ = Login("ct1", "alice", "alice");
    mb_ = Login("ct1", "bob", "bob");
    mc_ = Login("ct1", "carol", "carol");
    v1_ = *crypto::RandomBytes(32);
    ASSERT_TRUE(vault_->PutKey(a_, ma_, "k", "hmac-sha256", kMac, v1_, {"shared"}).ok());
  }
  const Owner a_{"ct1", "alice"}, b_{"ct1", "bob"}, c_{"ct1", "carol"};
  SecretBytes ma_, mb_, mc_;
  Bytes v1_;
};

TEST_F(SharingTest, GranteeOpensWithTheGrantedOperations) {
  EXPECT_EQ(vault_->OpenShared(b_, mb_, "alice", "k").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(vault_->Share(a_, ma_, "k", "bob", kMac).ok());
  Result<OpenedKey> k = vault_->OpenShared(b_, mb_, "alice", "k");
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_TRUE(crypto::ConstantTimeEquals(k->material.view(), v1_));
  EXPECT_EQ(k->allowed_ops, kMac);
  EXPECT_EQ(k->label, "shared");
  // Not carol's; not with bob's master key for carol; no more than the key may.
  EXPECT_EQ(vault_->OpenShared(c_, mc_, "alice", "k").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(vault_->Share(a_, ma_, "k", "carol", kSign).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(vault_->Share(a_, ma_, "k", "alice", kMac).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(vault_->Share(a_, ma_, "k", "nobody", kMac).code(), StatusCode::kNotFound);
}

TEST_F(SharingTest, AMovedOrEditedGrantIsRefused) {
  ASSERT_TRUE(vault_->Share(a_, ma_, "k", "bob", kMac).ok());
  RawSql("UPDATE grants SET grantee = 'carol' WHERE grantee = 'bob'");
  EXPECT_EQ(vault_->OpenShared(c_, mc_, "alice", "k").status().code(), StatusCode::kDataLoss);
  RawSql("UPDATE grants SET grantee = 'bob' WHERE grantee = 'carol'");
  ASSERT_TRUE(vault_->OpenShared(b_, mb_, "alice", "k").ok());
  RawSql("UPDATE grants SET ops = 255");  // more operations than granted
  EXPECT_EQ(vault_->OpenShared(b_, mb_, "alice", "k").status().code(), StatusCode::kDataLoss);
}

TEST_F(SharingTest, RotationExtendsAndRevocationEnds) {
  ASSERT_TRUE(vault_->Share(a_, ma_, "k", "bob", kMac).ok());
  Bytes v2 = *crypto::RandomBytes(32);
  ASSERT_EQ(*vault_->AddKeyVersion(a_, ma_, "k", v2), 2u);
  ASSERT_TRUE(vault_->ExtendShares(a_, ma_, "k", 2).ok());
  Result<OpenedKey> latest = vault_->OpenShared(b_, mb_, "alice", "k");
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  EXPECT_EQ(latest->version, 2u);
  EXPECT_TRUE(crypto::ConstantTimeEquals(latest->material.view(), v2));
  EXPECT_TRUE(vault_->OpenShared(b_, mb_, "alice", "k", 1).ok());
  // Retiring version 1 ends its grant too.
  ASSERT_TRUE(vault_->RetireVersions(a_, "k", 2).ok());
  EXPECT_EQ(vault_->OpenShared(b_, mb_, "alice", "k", 1).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->DeleteGrants("ct1", "alice", "k", "bob").ok());
  EXPECT_EQ(vault_->OpenShared(b_, mb_, "alice", "k").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->DeleteGrants("ct1", "alice", "k", "bob").code(), StatusCode::kNotFound);
  // Deleting the key takes its grants.
  ASSERT_TRUE(vault_->Share(a_, ma_, "k", "carol", kMac).ok());
  ASSERT_TRUE(store_->DeleteKey("ct1", "alice", "k").ok());
  EXPECT_TRUE(store_->ListGrants("ct1", "alice", "k")->empty());
}

TEST_F(SharingTest, AnOlderUserGetsAShareKeyOnce) {
  RawSql("UPDATE users SET share_public = x'', share_private = x'' WHERE name = 'bob'");
  EXPECT_EQ(vault_->Share(a_, ma_, "k", "bob", kMac).code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(vault_->EnsureShareKeys(b_, mb_).ok());
  Blob pub = store_->GetUser("ct1", "bob")->share_public;
  ASSERT_TRUE(vault_->EnsureShareKeys(b_, mb_).ok());  // kept, not remade
  EXPECT_EQ(store_->GetUser("ct1", "bob")->share_public, pub);
  ASSERT_TRUE(vault_->Share(a_, ma_, "k", "bob", kMac).ok());
  EXPECT_TRUE(vault_->OpenShared(b_, mb_, "alice", "k").ok());
}

}  // namespace
}  // namespace vhsm::storage
