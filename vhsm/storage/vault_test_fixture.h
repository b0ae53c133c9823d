// Test-only: the fixture of the vault's tests (vault_test.cc,
// vault_versions_test.cc): a fresh SQLite store in a temporary directory,
// a fast vault over it, and a second connection for the attacker's SQL.
#ifndef VHSM_STORAGE_VAULT_TEST_FIXTURE_H_
#define VHSM_STORAGE_VAULT_TEST_FIXTURE_H_

#include <sqlite3.h>
#include <sys/stat.h>

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "vhsm/storage/sqlite_record_store.h"
#include "vhsm/storage/vault.h"
#include "vhsm/testing/test_util.h"

namespace vhsm::storage::testing_internal {

using crypto::SecretBytes;

class VaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = vhsm::testing::MakeTempDir();
    path_ = dir_ + "/vhsm.db";
    Reopen();
  }
  void Reopen() {
    vault_.reset();
    store_.reset();
    auto s = SqliteRecordStore::Open(path_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    VaultOptions o;
    o.pbkdf2_iterations = 1000;  // fast tests; the default is measured elsewhere
    vault_ = std::make_unique<Vault>(store_.get(), o);
  }
  void AddContainerAndUser(const std::string& ct, const std::string& user,
                           const std::string& password) {
    ASSERT_TRUE(store_->PutContainer({ct, "", 0}).ok());
    Status s = vault_->CreateUser(ct, user, password);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  SecretBytes Login(const std::string& ct, const std::string& user, const std::string& password) {
    Result<SecretBytes> m = vault_->Login(ct, user, password);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? std::move(m).value() : SecretBytes();
  }
  // Runs SQL on the file with a second connection, as an attacker would.
  void RawSql(const std::string& sql) {
    sqlite3* db;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
  }

  std::string dir_, path_;
  std::unique_ptr<SqliteRecordStore> store_;
  std::unique_ptr<Vault> vault_;
};

// Scans every file of the database for a needle.
inline bool FileSetContains(const std::string& path, const std::string& needle) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    struct stat st;
    std::string p = path + suffix;
    if (stat(p.c_str(), &st) != 0) continue;
    std::string data = vhsm::testing::ReadFile(p);
    if (data.find(needle) != std::string::npos) return true;
  }
  return false;
}

}  // namespace vhsm::storage::testing_internal

#endif  // VHSM_STORAGE_VAULT_TEST_FIXTURE_H_
