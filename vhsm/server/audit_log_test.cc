// The audit log by itself on a SQLite store: records queued from many
// threads chain in the order they were queued and verify; a change's
// transaction carries every record queued before it; the records of a
// failed commit are written in their place; a queue that grows long is
// written by the request that fills it.
#include "vhsm/server/audit_log.h"

#include <map>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "vhsm/storage/sqlite_record_store.h"
#include "vhsm/testing/test_util.h"

namespace vhsm::server {
namespace {

storage::AuditRecord Rec(const std::string& container, const std::string& op) {
  storage::AuditRecord r;
  r.container = container;
  r.time_ms = 1700000000000;
  r.pid = 42;
  r.user = "alice";
  r.role = "user";
  r.op = op;
  r.result = "ok";
  return r;
}

class AuditLogTest : public ::testing::Test {
 protected:
  void Open(bool background) {
    dir_ = vhsm::testing::MakeTempDir();
    auto store = storage::SqliteRecordStore::Open(dir_ + "/s.db");
    ASSERT_TRUE(store.ok());
    store_ = std::move(store).value();
    ASSERT_TRUE(store_->PutContainer({"ct", "", 1}).ok());
    auto log = AuditLog::Open(store_.get(), dir_, 0, background);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(log).value();
  }

  // Stored: every record of container in the store, by seq.
  std::vector<storage::AuditRecord> Stored(const std::string& container) {
    std::vector<storage::AuditRecord> all;
    for (;;) {
      auto page = store_->ListAudit(container, all.empty() ? 0 : all.back().seq, 1000);
      EXPECT_TRUE(page.ok());
      if (!page.ok() || page->empty()) return all;
      all.insert(all.end(), page->begin(), page->end());
    }
  }

  void ExpectIntact(const std::string& container, uint64_t records) {
    auto v = log_->Verify(container);
    ASSERT_TRUE(v.ok());
    EXPECT_TRUE(v->intact) << v->problem;
    EXPECT_EQ(v->records, records);
  }

  std::string dir_;
  std::unique_ptr<storage::SqliteRecordStore> store_;
  std::unique_ptr<AuditLog> log_;
};

TEST_F(AuditLogTest, RecordsFromManyThreadsChainInTheOrderTheyWereQueued) {
  Open(/*background=*/true);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < 2500; ++i) {
        std::string c = i % 2 ? "ct" : "other";
        ASSERT_TRUE(
            log_->Append(Rec(c, "t" + std::to_string(t) + "." + std::to_string(i)), false).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_TRUE(log_->Flush().ok());
  for (const std::string c : {"ct", "other"}) {
    ExpectIntact(c, 5000);
    std::vector<storage::AuditRecord> all = Stored(c);
    ASSERT_EQ(all.size(), 5000u);
    std::map<std::string, int> last;  // thread -> its last record's number
    for (size_t i = 0; i < all.size(); ++i) {
      EXPECT_EQ(all[i].seq, i + 1);
      size_t dot = all[i].op.find('.');
      int n = std::stoi(all[i].op.substr(dot + 1));
      auto it = last.find(all[i].op.substr(0, dot));
      if (it != last.end()) {
        EXPECT_LT(it->second, n) << "record " << all[i].seq;
      }
      last[all[i].op.substr(0, dot)] = n;
    }
    // Five checkpoints on the way (every 1,000 records), none signed twice.
    auto cps = store_->ListAuditCheckpoints(c);
    ASSERT_TRUE(cps.ok());
    EXPECT_GE(cps->size(), 5u);
  }
}

TEST_F(AuditLogTest, AChangesTransactionCarriesEveryRecordQueuedBeforeIt) {
  Open(/*background=*/false);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(log_->Append(Rec("ct", "mac"), false).ok());
  EXPECT_TRUE(Stored("ct").empty());  // queued, not chained, not written
  storage::AuditRecord change = Rec("ct", "container_quota");
  change.user.clear();
  change.role = "operator";
  log_->Arm(change);
  ASSERT_TRUE(store_->SetContainerQuota("ct", 5).ok());
  EXPECT_TRUE(log_->Disarm());  // the change's transaction wrote its record
  std::vector<storage::AuditRecord> all = Stored("ct");
  ASSERT_EQ(all.size(), 11u);
  EXPECT_EQ(all[9].op, "mac");
  EXPECT_EQ(all[10].op, "container_quota");
  EXPECT_EQ(all[10].key_id, "container:ct");
  EXPECT_EQ(all[10].seq, 11u);
  ExpectIntact("ct", 11);
}

TEST_F(AuditLogTest, TheRecordsOfAFailedCommitAreWrittenInTheirPlace) {
  Open(/*background=*/false);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(log_->Append(Rec("ct", "mac"), false).ok());
  log_->Arm(Rec("ct", "key_generate"));
  std::vector<storage::AuditRecord> taken = log_->RecordsForCommit("k1");
  ASSERT_EQ(taken.size(), 4u);
  EXPECT_EQ(taken.back().seq, 4u);
  EXPECT_EQ(taken.back().key_id, "k1");
  // Records queued while the transaction was failing come after them.
  ASSERT_TRUE(log_->Append(Rec("ct", "sign"), false).ok());
  log_->CommitFailed(std::move(taken));
  EXPECT_FALSE(log_->Disarm());
  ASSERT_TRUE(log_->Flush().ok());
  std::vector<storage::AuditRecord> all = Stored("ct");
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[3].op, "key_generate");
  EXPECT_EQ(all[4].op, "sign");
  EXPECT_EQ(all[4].seq, 5u);
  ExpectIntact("ct", 5);
}

TEST_F(AuditLogTest, ALongQueueIsWrittenByTheRequestThatFillsIt) {
  Open(/*background=*/false);  // as if the writer never got a CPU
  for (size_t i = 0; i + 1 < kAuditFlushInlineAt; ++i) {
    ASSERT_TRUE(log_->Append(Rec("ct", "mac"), false).ok());
  }
  EXPECT_TRUE(Stored("ct").empty());
  ASSERT_TRUE(log_->Append(Rec("ct", "mac"), false).ok());
  EXPECT_EQ(Stored("ct").size(), kAuditFlushInlineAt);
  ExpectIntact("ct", kAuditFlushInlineAt);
}

TEST_F(AuditLogTest, ASyncRecordIsWrittenWithEverythingBeforeIt) {
  Open(/*background=*/false);
  ASSERT_TRUE(log_->Append(Rec("ct", "mac"), false).ok());
  storage::AuditRecord failed = Rec("ct", "key_delete");
  failed.result = "not_found";
  ASSERT_TRUE(log_->Append(failed, true).ok());
  std::vector<storage::AuditRecord> all = Stored("ct");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].result, "not_found");
}

}  // namespace
}  // namespace vhsm::server
