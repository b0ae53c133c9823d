// Key versions in the vault: each version's own blob, retirement that
// wipes, and the bound on live versions.
#include "gtest/gtest.h"
#include "vhsm/crypto/constant_time.h"
#include "vhsm/crypto/random.h"
#include "vhsm/storage/vault.h"
#include "vhsm/storage/vault_test_fixture.h"

namespace vhsm::storage {
namespace {

using crypto::Bytes;
using crypto::SecretBytes;
using testing_internal::FileSetContains;
using testing_internal::VaultTest;

TEST_F(VaultTest, VersionsAddOpenAndRetire) {
  AddContainerAndUser("ct1", "alice", "pw");
  SecretBytes m = Login("ct1", "alice", "pw");
  const Owner a{"ct1", "alice"};
  Bytes v1 = *crypto::RandomBytes(32), v2 = *crypto::RandomBytes(32), v3 = *crypto::RandomBytes(32);
  ASSERT_TRUE(vault_->PutKey(a, m, "k", "aes-256", 6, v1, {"rotating"}).ok());
  EXPECT_EQ(*vault_->AddKeyVersion(a, m, "k", v2), 2u);
  EXPECT_EQ(*vault_->AddKeyVersion(a, m, "k", v3), 3u);
  Result<OpenedKey> latest = vault_->GetKey(a, m, "k");
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  EXPECT_EQ(latest->version, 3u);
  EXPECT_EQ(latest->label, "rotating");
  EXPECT_TRUE(crypto::ConstantTimeEquals(latest->material.view(), v3));
  EXPECT_TRUE(crypto::ConstantTimeEquals(vault_->GetKey(a, m, "k", 1)->material.view(), v1));
  EXPECT_TRUE(crypto::ConstantTimeEquals(vault_->GetKey(a, m, "k", 2)->material.view(), v2));
  EXPECT_EQ(vault_->GetKey(a, m, "k", 4).status().code(), StatusCode::kNotFound);
  // A version's blob moved to another version's row does not open.
  RawSql(
      "UPDATE key_versions SET blob = (SELECT blob FROM key_versions WHERE version = 2)"
      " WHERE version = 3");
  EXPECT_EQ(vault_->GetKey(a, m, "k", 3).status().code(), StatusCode::kDataLoss);
  // Retiring: below the minimum is refused, the material is gone from the file.
  EXPECT_EQ(vault_->RetireVersions(a, "k", 4).code(), StatusCode::kInvalidArgument);
  Blob v1_blob = store_->GetKey("ct1", "alice", "k")->blob;
  std::string v1_sealed(v1_blob.begin() + 1, v1_blob.begin() + 41);
  ASSERT_TRUE(FileSetContains(path_, v1_sealed));
  ASSERT_TRUE(vault_->RetireVersions(a, "k", 2).ok());
  EXPECT_FALSE(FileSetContains(path_, v1_sealed)) << "retired material lingers";
  Result<OpenedKey> old = vault_->GetKey(a, m, "k", 1);
  EXPECT_EQ(old.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(old.status().message().find("retired"), std::string::npos);
  EXPECT_EQ(vault_->RetireVersions(a, "k", 1).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(vault_->GetKey(a, m, "k", 2).ok());
  Result<KeyRecord> row = store_->GetKey("ct1", "alice", "k");
  EXPECT_TRUE(row->blob.empty());
  EXPECT_EQ(row->min_version, 2u);
  // Deleting the key deletes its versions.
  ASSERT_TRUE(store_->DeleteKey("ct1", "alice", "k").ok());
  EXPECT_TRUE(store_->ListKeyVersions("ct1", "alice", "k")->empty());
}

TEST_F(VaultTest, LiveVersionsAreBounded) {
  AddContainerAndUser("ct1", "alice", "pw");
  SecretBytes m = Login("ct1", "alice", "pw");
  const Owner a{"ct1", "alice"};
  ASSERT_TRUE(vault_->PutKey(a, m, "k", "aes-256", 6, Bytes(32, 1)).ok());
  for (uint32_t v = 2; v <= kMaxLiveVersions; ++v) {
    ASSERT_EQ(*vault_->AddKeyVersion(a, m, "k", Bytes(32, 2)), v);
  }
  Result<uint32_t> over = vault_->AddKeyVersion(a, m, "k", Bytes(32, 3));
  EXPECT_EQ(over.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(over.status().message().find("--min-version"), std::string::npos);
  // Retiring makes room again.
  ASSERT_TRUE(vault_->RetireVersions(a, "k", 2).ok());
  EXPECT_EQ(*vault_->AddKeyVersion(a, m, "k", Bytes(32, 4)), kMaxLiveVersions + 1);
}

}  // namespace
}  // namespace vhsm::storage
