// Test-only: the fixture of the RecordStore contract suites, one store per
// test on the backend named by the parameter: "sqlite" (a file in a
// temporary directory) or "postgres" (a throwaway cluster started once per
// process with tools/pg-cluster; each test in a schema of its own).
#ifndef VHSM_STORAGE_RECORD_STORE_FIXTURE_H_
#define VHSM_STORAGE_RECORD_STORE_FIXTURE_H_

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "vhsm/storage/pg_record_store.h"
#include "vhsm/storage/sqlite_record_store.h"
#include "vhsm/testing/pg_cluster.h"
#include "vhsm/testing/test_util.h"

namespace vhsm::storage {

// FreshPgStore: a PgRecordStore in a schema of its own on this process's
// throwaway cluster, its conninfo in *conninfo; null (and the test marked
// failed) when that cannot be.
inline std::unique_ptr<PgRecordStore> FreshPgStore(std::string* conninfo) {
  const vhsm::testing::PgCluster* c = vhsm::testing::StartPgCluster();
  if (c == nullptr) {
    ADD_FAILURE() << "tools/pg-cluster could not start PostgreSQL";
    return nullptr;
  }
  *conninfo = vhsm::testing::FreshSchema(*c);
  if (conninfo->empty()) {
    ADD_FAILURE() << "no fresh schema";
    return nullptr;
  }
  auto s = PgRecordStore::Open(*conninfo);
  if (!s.ok()) {
    ADD_FAILURE() << s.status().ToString();
    return nullptr;
  }
  return std::move(s).value();
}

class RecordStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "sqlite") {
      auto s = SqliteRecordStore::Open(vhsm::testing::MakeTempDir() + "/s.db");
      ASSERT_TRUE(s.ok()) << s.status().ToString();
      store_ = std::move(s).value();
      return;
    }
    store_ = FreshPgStore(&conninfo_);
    ASSERT_NE(store_, nullptr);
  }

  void AddUser(const std::string& ct, const std::string& name) {
    UserRecord u;
    u.container = ct;
    u.name = name;
    u.salt = Blob(16, 1);
    u.iterations = 1;
    u.wrapped_master_key = Blob(60, 2);
    ASSERT_TRUE(store_->InsertUser(u).ok());
  }

  KeyRecord Key(const std::string& ct, const std::string& user, const std::string& id) {
    KeyRecord k;
    k.container = ct;
    k.user = user;
    k.key_id = id;
    k.type = "aes-256";
    k.allowed_ops = 12;
    k.blob = Blob(50, 3);
    return k;
  }

  std::string conninfo_;
  std::unique_ptr<RecordStore> store_;
};

}  // namespace vhsm::storage

#endif  // VHSM_STORAGE_RECORD_STORE_FIXTURE_H_
