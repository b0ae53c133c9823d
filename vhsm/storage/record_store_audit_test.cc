// The RecordStore contract's audit part, against every backend: batches
// are atomic, paged and truncated behind a marker; a change and its audit
// record commit together or not at all.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "vhsm/storage/record_store_fixture.h"

namespace vhsm::storage {
namespace {

using StoreTest = RecordStoreTest;

AuditRecord Rec(const std::string& ct, uint64_t seq) {
  AuditRecord r;
  r.container = ct;
  r.seq = seq;
  r.time_ms = 1700000000000 + static_cast<int64_t>(seq);
  r.uid = 1000;
  r.pid = -1;
  r.user = "alice";
  r.role = "user";
  r.op = "mac";
  r.key_id = "k";
  r.key_version = 2;
  r.result = "ok";
  r.hash = Blob(32, static_cast<uint8_t>(seq));
  return r;
}

TEST_P(StoreTest, AuditBatchesAreAtomicPagedAndTruncatedBehindAMarker) {
  std::vector<AuditRecord> batch;
  for (uint64_t s = 1; s <= 150; ++s) batch.push_back(Rec("ct", s));  // 128 + 16 + 4 + 2
  AuditCheckpoint cp{"ct", 100, Blob(32, 100), Blob(64, 9), 5, false};
  ASSERT_TRUE(store_->AppendAudit(batch, {cp}).ok());
  ASSERT_TRUE(store_->AppendAudit({Rec("other", 1)}, {}).ok());
  // A batch with one record already there writes nothing at all (a short
  // batch and a long one: PostgreSQL's store COPYs long ones).
  EXPECT_FALSE(store_->AppendAudit({Rec("ct", 151), Rec("ct", 150)}, {}).ok());
  std::vector<AuditRecord> long_batch;
  for (uint64_t s = 151; s <= 160; ++s) long_batch.push_back(Rec("ct", s));
  long_batch.push_back(Rec("ct", 1));
  EXPECT_FALSE(store_->AppendAudit(long_batch, {}).ok());
  // The same with the record already there among the first several rows
  // (SQLite's store inserts eight rows to a statement).
  long_batch.pop_back();
  long_batch.insert(long_batch.begin() + 3, Rec("ct", 3));
  EXPECT_FALSE(store_->AppendAudit(long_batch, {}).ok());
  EXPECT_EQ(store_->ListAudit("ct", 0, 0)->size(), 150u);
  // Whatever the text holds comes back as it was.
  AuditRecord odd = Rec("odd", 1);
  odd.user = "tab\there";
  odd.op = "new\nline\\back\r";
  odd.key_id = "\xc3\xa9t\xc3\xa9";
  std::vector<AuditRecord> odd_batch(1, odd);
  for (uint64_t s = 2; s <= 9; ++s) odd_batch.push_back(Rec("odd", s));
  ASSERT_TRUE(store_->AppendAudit(odd_batch, {}).ok());
  auto odd_back = store_->ListAudit("odd", 0, 1);
  ASSERT_EQ(odd_back->size(), 1u);
  EXPECT_EQ((*odd_back)[0].user, odd.user);
  EXPECT_EQ((*odd_back)[0].op, odd.op);
  EXPECT_EQ((*odd_back)[0].key_id, odd.key_id);
  EXPECT_EQ((*odd_back)[0].hash, odd.hash);
  auto page = store_->ListAudit("ct", 140, 5);
  ASSERT_EQ(page->size(), 5u);
  EXPECT_EQ((*page)[0].seq, 141u);
  EXPECT_EQ((*page)[0].pid, -1);
  EXPECT_EQ((*page)[0].hash, Blob(32, 141));
  EXPECT_EQ(store_->ListAudit("ct", 0, 0)->size(), 150u);
  auto heads = store_->AuditHeads();
  ASSERT_EQ(heads->size(), 3u);
  for (const auto& h : *heads) {
    EXPECT_EQ(h.seq, h.container == "ct" ? 150u : h.container == "odd" ? 9u : 1u);
  }
  AuditCheckpoint marker = cp;
  marker.truncation = true;
  ASSERT_TRUE(store_->TruncateAudit(marker).ok());
  auto left = store_->ListAudit("ct", 0, 0);
  ASSERT_EQ(left->size(), 50u);
  EXPECT_EQ((*left)[0].seq, 101u);
  auto cps = store_->ListAuditCheckpoints("ct");
  ASSERT_EQ(cps->size(), 1u);
  EXPECT_TRUE((*cps)[0].truncation);
  EXPECT_EQ((*cps)[0].signature, Blob(64, 9));
}

// FakeAuditor hands out one record per change and takes back failed ones.
class FakeAuditor : public Auditor {
 public:
  std::vector<AuditRecord> RecordsForCommit(const std::string& key) override {
    AuditRecord r = Rec("ct", next);
    r.key_id = key;
    ++handed;
    return {r};
  }
  void CommitFailed(std::vector<AuditRecord> records) override { returned += records.size(); }
  uint64_t next = 1;
  int handed = 0;
  size_t returned = 0;
};

TEST_P(StoreTest, ALongAppendWithAnAuditorWritesEveryRecordInOrder) {
  FakeAuditor auditor;
  store_->SetAuditor(&auditor);
  std::vector<AuditRecord> batch;
  for (uint64_t s = 1; s <= 100; ++s) batch.push_back(Rec("ct", s));
  ASSERT_TRUE(store_->AppendAudit(batch, {}).ok());
  store_->SetAuditor(nullptr);
  auto back = store_->ListAudit("ct", 0, 0);
  ASSERT_EQ(back->size(), 100u);
  for (uint64_t s = 1; s <= 100; ++s) EXPECT_EQ((*back)[s - 1].hash, Blob(32, uint8_t(s)));
}

TEST_P(StoreTest, AChangeAndItsAuditRecordCommitTogetherOrNotAtAll) {
  ASSERT_TRUE(store_->PutContainer({"ct", "", 1}).ok());
  AddUser("ct", "alice");
  FakeAuditor auditor;
  store_->SetAuditor(&auditor);
  auditor.next = 10;
  ASSERT_TRUE(store_->InsertKey(Key("ct", "alice", "k1")).ok());
  auto log = store_->ListAudit("ct", 0, 0);
  ASSERT_GE(log->size(), 1u);
  EXPECT_EQ(log->back().key_id, "k1");
  // The audit insert fails (seq 10 again): the key is not written either.
  EXPECT_FALSE(store_->InsertKey(Key("ct", "alice", "k2")).ok());
  EXPECT_EQ(store_->GetKey("ct", "alice", "k2").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(auditor.returned, 1u);
  // A change that fails asks for no record.
  int handed = auditor.handed;
  EXPECT_EQ(store_->DeleteKey("ct", "alice", "none").code(), StatusCode::kNotFound);
  EXPECT_EQ(auditor.handed, handed);
  store_->SetAuditor(nullptr);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace vhsm::storage
