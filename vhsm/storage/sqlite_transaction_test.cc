// internal::Transaction: whatever way a transaction ends, none of it is
// left open on the connection to ride on the next commit.
#include <sqlite3.h>

#include "gtest/gtest.h"
#include "vhsm/storage/internal/sqlite_util.h"

namespace vhsm::storage::internal {
namespace {

class TransactionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    // A deferred foreign key makes COMMIT itself fail (as a full disk
    // does), and SQLite then leaves the transaction open.
    ASSERT_TRUE(Exec(db_,
                     "PRAGMA foreign_keys = ON;"
                     "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
                     "CREATE TABLE child (id INTEGER PRIMARY KEY, parent INTEGER"
                     " REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);"
                     "INSERT INTO parent VALUES (1);")
                    .ok());
  }
  void TearDown() override { sqlite3_close(db_); }

  int64_t Count(const char* table) {
    sqlite3_stmt* s = nullptr;
    std::string sql = std::string("SELECT count(*) FROM ") + table;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr), SQLITE_OK);
    EXPECT_EQ(sqlite3_step(s), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return n;
  }

  sqlite3* db_ = nullptr;
};

TEST_F(TransactionTest, AFailedCommitLeavesNothingBehind) {
  {
    Transaction tx(db_);
    ASSERT_TRUE(tx.status().ok());
    ASSERT_TRUE(Exec(db_, "DELETE FROM parent WHERE id = 1").ok());
    ASSERT_TRUE(Exec(db_, "INSERT INTO child VALUES (1, 99)").ok());  // no parent 99
    Status committed = tx.Commit();
    EXPECT_FALSE(committed.ok());
  }
  EXPECT_NE(sqlite3_get_autocommit(db_), 0) << "the failed transaction is still open";
  EXPECT_EQ(Count("parent"), 1);  // its delete did not stand
  EXPECT_EQ(Count("child"), 0);
  // The next transaction starts, commits, and carries only its own change.
  Transaction next(db_);
  ASSERT_TRUE(next.status().ok()) << next.status().message();
  ASSERT_TRUE(Exec(db_, "INSERT INTO child VALUES (2, 1)").ok());
  ASSERT_TRUE(next.Commit().ok());
  EXPECT_EQ(Count("parent"), 1);
  EXPECT_EQ(Count("child"), 1);
}

TEST_F(TransactionTest, AbandonedIsRolledBackAndCommittedStands) {
  {
    Transaction tx(db_);
    ASSERT_TRUE(Exec(db_, "INSERT INTO parent VALUES (2)").ok());
  }  // no Commit: rolled back
  EXPECT_EQ(Count("parent"), 1);
  {
    Transaction tx(db_);
    ASSERT_TRUE(Exec(db_, "INSERT INTO parent VALUES (3)").ok());
    ASSERT_TRUE(tx.Commit().ok());
  }
  EXPECT_EQ(Count("parent"), 2);
  EXPECT_NE(sqlite3_get_autocommit(db_), 0);
}

}  // namespace
}  // namespace vhsm::storage::internal
