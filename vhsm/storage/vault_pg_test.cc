// The vault (all the cryptography above the store) over PostgreSQL: what
// vault_test.cc checks over SQLite holds over the other backend too. Users
// and logins, keys sealed and opened byte for byte, a blob moved to another
// row in the database (by SQL, as an attacker would) refused as corrupted,
// versions, and sharing.
#include <libpq-fe.h>

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "vhsm/crypto/random.h"
#include "vhsm/storage/pg_record_store.h"
#include "vhsm/storage/record_store_fixture.h"
#include "vhsm/storage/vault.h"
#include "vhsm/testing/pg_cluster.h"

namespace vhsm::storage {
namespace {

using crypto::SecretBytes;

std::string S(crypto::ByteView v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size());
}

class VaultPgTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = FreshPgStore(&conninfo_);
    ASSERT_NE(store_, nullptr);
    VaultOptions o;
    o.pbkdf2_iterations = 1000;
    vault_ = std::make_unique<Vault>(store_.get(), o);
    for (const char* ct : {"ct1", "ct2"}) ASSERT_TRUE(store_->PutContainer({ct, "", 0}).ok());
  }

  SecretBytes Login(const std::string& ct, const std::string& user, const std::string& pw) {
    auto m = vault_->Login(ct, user, pw);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? std::move(m).value() : SecretBytes();
  }

  // Sql runs a statement with a connection of its own, as an attacker would.
  void Sql(const std::string& sql) {
    PGconn* c = PQconnectdb(conninfo_.c_str());
    ASSERT_EQ(PQstatus(c), CONNECTION_OK);
    PGresult* r = PQexec(c, sql.c_str());
    EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQerrorMessage(c);
    PQclear(r);
    PQfinish(c);
  }

  std::string conninfo_;
  std::unique_ptr<PgRecordStore> store_;
  std::unique_ptr<Vault> vault_;
};

TEST_F(VaultPgTest, UsersLogInAndKeysComeBackSealedAndOpened) {
  ASSERT_TRUE(vault_->CreateUser("ct1", "alice", "pa").ok());
  EXPECT_EQ(vault_->CreateUser("ct1", "alice", "pa").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(vault_->Login("ct1", "alice", "wrong").status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(vault_->Login("ct1", "nobody", "pa").status().code(), StatusCode::kUnauthenticated);
  SecretBytes m = Login("ct1", "alice", "pa");
  Owner a{"ct1", "alice"};
  auto material = *crypto::RandomBytes(32);
  ASSERT_TRUE(vault_->PutKey(a, m, "k", "aes-256", 6, material).ok());
  auto k = vault_->GetKey(a, m, "k");
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_EQ(S(k->material.view()), S(crypto::ByteView(material)));
  EXPECT_EQ(k->type, "aes-256");
  // The store never sees the key: its bytes are nowhere in the row.
  auto row = store_->GetKey("ct1", "alice", "k");
  ASSERT_TRUE(row.ok());
  std::string blob(row->blob.begin(), row->blob.end());
  EXPECT_EQ(blob.find(std::string(material.begin(), material.end())), std::string::npos);
  ASSERT_TRUE(vault_->ChangePassword("ct1", "alice", "pa", "pa2").ok());
  SecretBytes m2 = Login("ct1", "alice", "pa2");
  EXPECT_TRUE(vault_->GetKey(a, m2, "k").ok());
}

TEST_F(VaultPgTest, ABlobMovedToAnotherRowIsCorrupted) {
  ASSERT_TRUE(vault_->CreateUser("ct1", "alice", "pa").ok());
  ASSERT_TRUE(vault_->CreateUser("ct1", "bob", "pb").ok());
  SecretBytes ma = Login("ct1", "alice", "pa"), mb = Login("ct1", "bob", "pb");
  Owner a{"ct1", "alice"}, b{"ct1", "bob"};
  ASSERT_TRUE(vault_->PutKey(a, ma, "k1", "hmac-sha256", 1, "alice-secret-1").ok());
  ASSERT_TRUE(vault_->PutKey(a, ma, "k2", "hmac-sha256", 1, "alice-secret-2").ok());
  ASSERT_TRUE(vault_->PutKey(b, mb, "k1", "hmac-sha256", 1, "bob-secret-1").ok());
  const std::string alice_k1 =
      "(SELECT blob FROM keys WHERE container='ct1' AND \"user\"='alice' AND key_id='k1')";
  Sql("UPDATE keys SET blob = " + alice_k1 +
      " WHERE container='ct1' AND \"user\"='alice' AND key_id='k2'");
  EXPECT_EQ(vault_->GetKey(a, ma, "k2").status().code(), StatusCode::kDataLoss);
  // Even with bob's master key it does not open as bob's k1.
  Sql("UPDATE keys SET blob = " + alice_k1 +
      " WHERE container='ct1' AND \"user\"='bob' AND key_id='k1'");
  EXPECT_EQ(vault_->GetKey(b, mb, "k1").status().code(), StatusCode::kDataLoss);
  // Allowed operations widened in the database: refused too.
  Sql("UPDATE keys SET allowed_ops = 255 WHERE key_id='k1' AND \"user\"='alice'");
  EXPECT_EQ(vault_->GetKey(a, ma, "k1").status().code(), StatusCode::kDataLoss);
}

TEST_F(VaultPgTest, VersionsAndSharingWork) {
  ASSERT_TRUE(vault_->CreateUser("ct1", "alice", "pa").ok());
  ASSERT_TRUE(vault_->CreateUser("ct1", "bob", "pb").ok());
  SecretBytes ma = Login("ct1", "alice", "pa"), mb = Login("ct1", "bob", "pb");
  Owner a{"ct1", "alice"}, b{"ct1", "bob"};
  ASSERT_TRUE(vault_->PutKey(a, ma, "k", "hmac-sha256", 1, "version-one").ok());
  auto v2 = vault_->AddKeyVersion(a, ma, "k", "version-two");
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_EQ(*v2, 2u);
  EXPECT_EQ(S(vault_->GetKey(a, ma, "k", 1)->material.view()), "version-one");
  EXPECT_EQ(S(vault_->GetKey(a, ma, "k")->material.view()), "version-two");
  ASSERT_TRUE(vault_->EnsureShareKeys(b, mb).ok());
  ASSERT_TRUE(vault_->Share(a, ma, "k", "bob", 1).ok());
  auto shared = vault_->OpenShared(b, mb, "alice", "k");
  ASSERT_TRUE(shared.ok()) << shared.status().ToString();
  EXPECT_EQ(S(shared->material.view()), "version-two");
  ASSERT_TRUE(vault_->RetireVersions(a, "k", 2).ok());
  EXPECT_FALSE(vault_->GetKey(a, ma, "k", 1).ok());
  EXPECT_TRUE(vault_->OpenShared(b, mb, "alice", "k").ok());
}

}  // namespace
}  // namespace vhsm::storage
