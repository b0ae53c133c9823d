// The SQLite record store by itself: schema migrations, integrity, paging,
// uniqueness and cascades. (What the vault builds on it: vault_test.cc.)
#include "vhsm/storage/sqlite_record_store.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include "gtest/gtest.h"
#include "vhsm/testing/test_util.h"

namespace vhsm::storage {
namespace {

// Container "ct" with user "alice" in it.
void AddAlice(SqliteRecordStore& s) {
  ASSERT_TRUE(s.PutContainer({"ct", "", 1}).ok());
  UserRecord u;
  u.container = "ct";
  u.name = "alice";
  u.salt = Blob(16, 1);
  u.iterations = 1;
  u.wrapped_master_key = Blob(60, 2);
  ASSERT_TRUE(s.InsertUser(u).ok());
}

// An aes-256 key record of alice's.
KeyRecord AliceKey(const std::string& id) {
  KeyRecord k;
  k.container = "ct";
  k.user = "alice";
  k.key_id = id;
  k.type = "aes-256";
  k.blob = Blob(50, 3);
  return k;
}

TEST(SqliteRecordStoreTest, UsersAndKeysUniqueListedInOrderAndCascaded) {
  std::string dir = vhsm::testing::MakeTempDir();
  auto s = SqliteRecordStore::Open(dir + "/s.db");
  ASSERT_TRUE(s.ok());
  SqliteRecordStore& st = **s;
  ASSERT_TRUE(st.PutContainer({"ct", "", 1}).ok());
  UserRecord u;
  u.container = "ct";
  u.salt = Blob(16, 1);
  u.iterations = 1;
  u.wrapped_master_key = Blob(60, 2);
  for (const char* name : {"bob", "alice", "carol"}) {
    u.name = name;
    ASSERT_TRUE(st.InsertUser(u).ok());
  }
  EXPECT_EQ(st.InsertUser(u).code(), StatusCode::kAlreadyExists);
  u.container = "nope";
  EXPECT_EQ(st.InsertUser(u).code(), StatusCode::kNotFound);
  EXPECT_EQ(*st.ListUsers("ct", "", 0), (std::vector<std::string>{"alice", "bob", "carol"}));
  EXPECT_EQ(*st.ListUsers("ct", "alice", 1), (std::vector<std::string>{"bob"}));
  KeyRecord k;
  k.container = "ct";
  k.user = "alice";
  k.type = "aes-256";
  k.blob = Blob(50, 3);
  for (const char* id : {"k2", "k1", "k3"}) {
    k.key_id = id;
    k.label = id == std::string("k1") ? "other" : "web";
    ASSERT_TRUE(st.InsertKey(k).ok());
  }
  auto web = st.ListKeysLabelled("ct", "alice", "web", "", 0);
  ASSERT_TRUE(web.ok());
  ASSERT_EQ(web->size(), 2u);
  EXPECT_EQ((*web)[0].key_id, "k2");
  EXPECT_EQ((*web)[1].key_id, "k3");
  EXPECT_EQ(st.ListKeysLabelled("ct", "alice", "web", "k2", 0)->size(), 1u);
  EXPECT_TRUE(st.ListKeysLabelled("ct", "alice", "none", "", 0)->empty());
  EXPECT_EQ(st.InsertKey(k).code(), StatusCode::kAlreadyExists);
  auto page = st.ListKeys("ct", "alice", "k1", 1);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].key_id, "k2");
  EXPECT_TRUE((*page)[0].blob.empty());  // lists never carry blobs
  EXPECT_EQ(*st.CountKeys("ct"), 3);
  ASSERT_TRUE(st.DeleteUser("ct", "alice").ok());
  EXPECT_EQ(*st.CountKeys("ct"), 0);
  EXPECT_EQ(st.GetKey("ct", "alice", "k1").status().code(), StatusCode::kNotFound);
}

TEST(SqliteRecordStoreTest, ADeleteStandsWhenItsCheckpointMustWait) {
  // A reader on another connection keeps the WAL checkpoint that follows a
  // delete from finishing: the delete is done all the same (not an error),
  // and Housekeeping finishes the checkpoint once it can.
  std::string dir = vhsm::testing::MakeTempDir();
  const std::string path = dir + "/s.db";
  auto s = SqliteRecordStore::Open(path);
  ASSERT_TRUE(s.ok());
  SqliteRecordStore& st = **s;
  AddAlice(st);
  ASSERT_TRUE(st.InsertKey(AliceKey("k")).ok());
  EXPECT_TRUE(st.Housekeeping().ok());  // nothing pending

  sqlite3* reader = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &reader), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM keys;", nullptr, nullptr, nullptr),
            SQLITE_OK);
  EXPECT_TRUE(st.DeleteKey("ct", "alice", "k").ok());
  EXPECT_EQ(st.GetKey("ct", "alice", "k").status().code(), StatusCode::kNotFound);
  Status pending = st.Housekeeping();
  EXPECT_EQ(pending.code(), StatusCode::kUnavailable);
  EXPECT_NE(pending.message().find("another connection is reading"), std::string::npos)
      << pending.message();
  struct stat wal;
  ASSERT_EQ(stat((path + "-wal").c_str(), &wal), 0);
  EXPECT_GT(wal.st_size, 0);

  ASSERT_EQ(sqlite3_exec(reader, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(reader);
  EXPECT_TRUE(st.Housekeeping().ok());
  ASSERT_EQ(stat((path + "-wal").c_str(), &wal), 0);
  EXPECT_EQ(wal.st_size, 0);  // truncated: the deleted blob is gone from it
  EXPECT_EQ(st.GetKey("ct", "alice", "k").status().code(), StatusCode::kNotFound);
}

TEST(SqliteRecordStoreTest, MigratesAVersionOneStore) {
  std::string dir = vhsm::testing::MakeTempDir();
  std::string path = dir + "/v1.db";
  sqlite3* db;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  // The schema as version 1 of this file created it, with one container.
  const char* v1 =
      "CREATE TABLE containers (name TEXT PRIMARY KEY NOT NULL,"
      " netns_path TEXT NOT NULL DEFAULT '', created INTEGER NOT NULL);"
      "CREATE TABLE users (container TEXT NOT NULL REFERENCES containers(name) ON DELETE CASCADE,"
      " name TEXT NOT NULL, salt BLOB NOT NULL, iterations INTEGER NOT NULL CHECK (iterations > 0),"
      " wrapped_master_key BLOB NOT NULL, failed_logins INTEGER NOT NULL DEFAULT 0,"
      " locked_until_ms INTEGER NOT NULL DEFAULT 0, role TEXT NOT NULL DEFAULT 'user',"
      " created INTEGER NOT NULL, PRIMARY KEY (container, name));"
      "CREATE TABLE keys (container TEXT NOT NULL, user TEXT NOT NULL, key_id TEXT NOT NULL,"
      " type TEXT NOT NULL, allowed_ops INTEGER NOT NULL, created INTEGER NOT NULL,"
      " blob BLOB NOT NULL, PRIMARY KEY (container, user, key_id),"
      " FOREIGN KEY (container, user) REFERENCES users(container, name) ON DELETE CASCADE);"
      "INSERT INTO containers VALUES ('ct1', '/proc/1/ns/net', 5);"
      "PRAGMA user_version=1;";
  ASSERT_EQ(sqlite3_exec(db, v1, nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto s = SqliteRecordStore::Open(path);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto cs = (*s)->ListContainers("", 0);
  ASSERT_TRUE(cs.ok());
  ASSERT_EQ(cs->size(), 1u);
  EXPECT_EQ((*cs)[0].netns_path, "/proc/1/ns/net");
  EXPECT_EQ((*cs)[0].netns_ino, 0u);  // no identity recorded yet
  ContainerRecord c = (*cs)[0];
  c.netns_dev = 4;
  c.netns_ino = 4026531840u;
  c.netns_cookie = 1;
  c.pin_path = "/run/vhsm/netns/ct1";
  ASSERT_TRUE((*s)->PutContainer(c).ok());
  EXPECT_EQ((*(*s)->ListContainers("", 0))[0].netns_ino, 4026531840u);
  EXPECT_EQ((*(*s)->ListContainers("", 0))[0].pin_path, "/run/vhsm/netns/ct1");
}

// An auditor with one record waiting, as the server's is for a request.
class OneRecord : public Auditor {
 public:
  std::vector<AuditRecord> RecordsForCommit(const std::string& key) override {
    if (used_) return {};
    used_ = true;
    AuditRecord r;
    r.container = "ct";
    r.seq = 1;
    r.op = "key_generate";
    r.key_id = key;
    r.result = "ok";
    r.hash = Blob(32, 7);
    return {r};
  }
  void CommitFailed(std::vector<AuditRecord> records) override { failed_ += records.size(); }
  bool used_ = false;
  size_t failed_ = 0;
};

TEST(SqliteRecordStoreTest, AChangeCarriesItsAuditRecord) {
  std::string dir = vhsm::testing::MakeTempDir();
  auto st = SqliteRecordStore::Open(dir + "/a.db");
  ASSERT_TRUE(st.ok());
  SqliteRecordStore& s = **st;
  AddAlice(s);
  OneRecord auditor;
  s.SetAuditor(&auditor);
  KeyRecord k = AliceKey("k1");
  // A change that fails takes no record.
  k.user = "nobody";
  EXPECT_EQ(s.InsertKey(k).code(), StatusCode::kNotFound);
  EXPECT_FALSE(auditor.used_);
  EXPECT_TRUE(s.ListAudit("ct", 0, 0)->empty());
  // One that commits writes it with itself.
  k.user = "alice";
  ASSERT_TRUE(s.InsertKey(k).ok());
  auto log = s.ListAudit("ct", 0, 0);
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ((*log)[0].key_id, "k1");
  EXPECT_EQ(auditor.failed_, 0u);
  s.SetAuditor(nullptr);
}

TEST(SqliteRecordStoreTest, RefusesACorruptFile) {
  std::string dir = vhsm::testing::MakeTempDir();
  std::string path = dir + "/bad.db";
  vhsm::testing::WriteFile(path, std::string(8192, 'Z'));
  auto s = SqliteRecordStore::Open(path);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(s.status().message().find("integrity"), std::string::npos);
}

TEST(SqliteRecordStoreTest, RefusesANewerSchema) {
  std::string dir = vhsm::testing::MakeTempDir();
  std::string path = dir + "/new.db";
  { ASSERT_TRUE(SqliteRecordStore::Open(path).ok()); }
  sqlite3* db;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version=99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto s = SqliteRecordStore::Open(path);
  EXPECT_EQ(s.status().code(), StatusCode::kDataLoss);
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

}  // namespace
}  // namespace vhsm::storage
