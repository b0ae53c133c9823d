// The RecordStore contract, one suite run against every backend: SQLite
// (a file in a temporary directory) and PostgreSQL (a throwaway cluster the
// suite starts with tools/pg-cluster; each test in a schema of its own).
// What vhsmd relies on: uniqueness, order and paging, cascades, optimistic
// rotation, blobs byte for byte, and Unavailable (then a reconnect) when
// PostgreSQL goes away. The audit log's part: record_store_audit_test.cc.
#include <libpq-fe.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "vhsm/storage/pg_record_store.h"
#include "vhsm/storage/record_store_fixture.h"
#include "vhsm/testing/pg_cluster.h"
#include "vhsm/testing/test_util.h"

namespace vhsm::storage {
namespace {

using vhsm::testing::PgCluster;
using vhsm::testing::PgClusterCommand;
using vhsm::testing::StartPgCluster;
using StoreTest = RecordStoreTest;

TEST_P(StoreTest, UsersAndKeysAreUniqueOrderedPagedAndCascaded) {
  ASSERT_TRUE(store_->PutContainer({"ct", "/run/netns/a", 1}).ok());
  for (const char* name : {"bob", "alice", "Carol", "_x"}) AddUser("ct", name);
  UserRecord dup;
  dup.container = "ct";
  dup.name = "bob";
  dup.salt = Blob(16, 1);
  dup.iterations = 1;
  dup.wrapped_master_key = Blob(60, 2);
  EXPECT_EQ(store_->InsertUser(dup).code(), StatusCode::kAlreadyExists);
  dup.container = "nope";
  EXPECT_EQ(store_->InsertUser(dup).code(), StatusCode::kNotFound);
  // Bytewise order, as SQLite's: upper case before '_' before lower case.
  EXPECT_EQ(*store_->ListUsers("ct", "", 0),
            (std::vector<std::string>{"Carol", "_x", "alice", "bob"}));
  EXPECT_EQ(*store_->ListUsers("ct", "_x", 1), (std::vector<std::string>{"alice"}));
  for (const char* id : {"k2", "k1", "k3"})
    ASSERT_TRUE(store_->InsertKey(Key("ct", "alice", id)).ok());
  EXPECT_EQ(store_->InsertKey(Key("ct", "alice", "k1")).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->InsertKey(Key("ct", "nobody", "k1")).code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->InsertKey(Key("ct", "bob", "k1")).ok());  // ids are per user
  auto page = store_->ListKeys("ct", "alice", "k1", 1);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].key_id, "k2");
  EXPECT_TRUE((*page)[0].blob.empty());  // lists carry no blobs
  EXPECT_EQ(*store_->CountKeys("ct"), 4);
  EXPECT_EQ(*store_->CountUserKeys("ct", "alice"), 3);
  EXPECT_EQ(store_->DeleteKey("ct", "alice", "k9").code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->DeleteUser("ct", "alice").ok());
  EXPECT_EQ(*store_->CountKeys("ct"), 1);  // alice's keys went with her
  EXPECT_EQ(store_->DeleteUser("ct", "alice").code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->DeleteContainer("ct").ok());
  EXPECT_EQ(store_->GetUser("ct", "bob").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(*store_->CountKeys("ct"), 0);
  EXPECT_EQ(store_->DeleteContainer("ct").code(), StatusCode::kNotFound);
}

TEST_P(StoreTest, RecordsComeBackFieldForFieldAndBlobsByteForByte) {
  ContainerRecord c{"ct", "/proc/1/ns/net", 1700000000};
  c.netns_dev = 4;
  c.netns_ino = 0xf0000000ull;
  c.netns_cookie = 0x7fffffffffffffffull;
  c.pin_path = "/run/vhsm/pins/ct";
  c.boot_id = "b00t";
  ASSERT_TRUE(store_->PutContainer(c).ok());
  c.netns_path = "/proc/2/ns/net";  // an update, not a second row
  ASSERT_TRUE(store_->PutContainer(c).ok());
  auto cs = store_->ListContainers("", 0);
  ASSERT_TRUE(cs.ok());
  ASSERT_EQ(cs->size(), 1u);
  EXPECT_EQ((*cs)[0].netns_path, "/proc/2/ns/net");
  EXPECT_EQ((*cs)[0].netns_cookie, 0x7fffffffffffffffull);
  EXPECT_EQ((*cs)[0].boot_id, "b00t");
  AddUser("ct", "alice");
  Blob every(512);
  for (size_t i = 0; i < every.size(); ++i) every[i] = static_cast<uint8_t>(i);
  ASSERT_TRUE(store_->UpdateUserCredentials("ct", "alice", Blob(16, 0), 600000, every).ok());
  auto u = store_->GetUser("ct", "alice");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->wrapped_master_key, every);
  EXPECT_EQ(u->iterations, 600000u);
  EXPECT_EQ(u->salt, Blob(16, 0));
  EXPECT_TRUE(u->share_public.empty());
  EXPECT_EQ(u->role, "user");
  KeyRecord k = Key("ct", "alice", "k");
  k.blob = every;
  k.label = "l\xc3\xa9";
  k.flags = 3;
  k.allowed_ops = 0xffffffffu;
  ASSERT_TRUE(store_->InsertKey(k).ok());
  auto got = store_->GetKey("ct", "alice", "k");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->blob, every);
  EXPECT_EQ(got->label, k.label);
  EXPECT_EQ(got->flags, 3u);
  EXPECT_EQ(got->allowed_ops, 0xffffffffu);
  EXPECT_EQ(got->latest_version, 1u);
  auto labelled = store_->ListKeysLabelled("ct", "alice", k.label, "", 0);
  ASSERT_TRUE(labelled.ok());
  EXPECT_EQ(labelled->size(), 1u);
  EXPECT_TRUE(store_->ListKeysLabelled("ct", "alice", "other", "", 0)->empty());
  ASSERT_TRUE(store_->SetShareKeys("ct", "alice", Blob(32, 9), every).ok());
  EXPECT_EQ(store_->GetUser("ct", "alice")->share_private, every);
  EXPECT_EQ(store_->SetShareKeys("ct", "zed", Blob(32, 9), every).code(), StatusCode::kNotFound);
}

TEST_P(StoreTest, RotationIsOptimisticAndRetirementWipes) {
  ASSERT_TRUE(store_->PutContainer({"ct", "", 1}).ok());
  AddUser("ct", "alice");
  AddUser("ct", "bob");
  ASSERT_TRUE(store_->InsertKey(Key("ct", "alice", "k")).ok());
  KeyVersionRecord v{2, 5, Blob(40, 7)};
  ASSERT_TRUE(store_->AddKeyVersion("ct", "alice", "k", v).ok());
  EXPECT_EQ(store_->AddKeyVersion("ct", "alice", "k", v).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->AddKeyVersion("ct", "alice", "none", v).code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->AddKeyVersion("ct", "alice", "k", {3, 6, Blob(40, 8)}).ok());
  EXPECT_EQ(store_->GetKey("ct", "alice", "k")->latest_version, 3u);
  EXPECT_EQ(store_->GetKeyVersion("ct", "alice", "k", 2)->blob, Blob(40, 7));
  EXPECT_EQ(store_->ListKeyVersions("ct", "alice", "k")->size(), 2u);
  GrantRecord g{"ct", "alice", "k", 2, "bob", 1, Blob(80, 5)};
  ASSERT_TRUE(store_->PutGrant(g).ok());
  g.version = 3;
  ASSERT_TRUE(store_->PutGrant(g).ok());
  ASSERT_TRUE(store_->RetireKeyVersions("ct", "alice", "k", 3).ok());
  auto k = store_->GetKey("ct", "alice", "k");
  EXPECT_TRUE(k->blob.empty());  // version 1's material is gone
  EXPECT_EQ(k->min_version, 3u);
  EXPECT_EQ(store_->GetKeyVersion("ct", "alice", "k", 2).status().code(), StatusCode::kNotFound);
  auto grants = store_->ListGrants("ct", "alice", "k");
  ASSERT_EQ(grants->size(), 1u);  // the retired version's grant went too
  EXPECT_EQ((*grants)[0].version, 3u);
  EXPECT_EQ(store_->RetireKeyVersions("ct", "alice", "k", 9).code(),
            StatusCode::kFailedPrecondition);
}

TEST_P(StoreTest, GrantsNeedTheirKeyAndGranteeAndGoWithThem) {
  ASSERT_TRUE(store_->PutContainer({"ct", "", 1}).ok());
  AddUser("ct", "alice");
  AddUser("ct", "bob");
  AddUser("ct", "carol");
  ASSERT_TRUE(store_->InsertKey(Key("ct", "alice", "k")).ok());
  GrantRecord g{"ct", "alice", "k", 1, "bob", 1, Blob(80, 5)};
  ASSERT_TRUE(store_->PutGrant(g).ok());
  g.ops = 3;  // a second grant replaces the first
  g.blob = Blob(80, 6);
  ASSERT_TRUE(store_->PutGrant(g).ok());
  auto got = store_->GetGrant("ct", "alice", "k", 1, "bob");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->ops, 3u);
  EXPECT_EQ(got->blob, Blob(80, 6));
  g.grantee = "nobody";
  EXPECT_EQ(store_->PutGrant(g).code(), StatusCode::kNotFound);
  g.grantee = "carol";
  g.key_id = "none";
  EXPECT_EQ(store_->PutGrant(g).code(), StatusCode::kNotFound);
  g.key_id = "k";
  ASSERT_TRUE(store_->PutGrant(g).ok());
  auto all = store_->ListGrants("ct", "alice", "k");
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].grantee, "bob");
  ASSERT_TRUE(store_->DeleteGrants("ct", "alice", "k", "bob").ok());
  EXPECT_EQ(store_->DeleteGrants("ct", "alice", "k", "bob").code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->DeleteUser("ct", "carol").ok());
  EXPECT_TRUE(store_->ListGrants("ct", "alice", "k")->empty());
}

TEST_P(StoreTest, ObjectsAreFoundByClassIdAndLabelInPages) {
  ASSERT_TRUE(store_->PutContainer({"ct", "", 1}).ok());
  AddUser("ct", "alice");
  for (uint64_t h = 1; h <= 6; ++h) {
    ObjectRecord o;
    o.container = "ct";
    o.user = "alice";
    o.handle = h * 1000;
    o.cls = h % 2 ? 1 : 2;
    o.id = Blob(2, static_cast<uint8_t>(h % 3));
    o.label = h <= 3 ? "web" : "mail";
    o.is_private = h == 6;
    o.application = "app";
    o.oid = Blob(3, 0);
    o.value = Blob(100 * h, static_cast<uint8_t>(h));
    o.digest = Blob(32, 1);
    o.mac = Blob(32, 2);
    ASSERT_TRUE(store_->InsertObject(o).ok());
    if (h == 1) {
      EXPECT_EQ(store_->InsertObject(o).code(), StatusCode::kAlreadyExists);
    }
  }
  EXPECT_EQ(*store_->CountObjects("ct"), 6);
  ObjectFilter f;
  f.match_label = true;
  f.label = "web";
  auto web = store_->ListObjects("ct", "alice", f, 0, 0);
  ASSERT_EQ(web->size(), 3u);
  EXPECT_EQ((*web)[2].size, 300u);
  EXPECT_TRUE((*web)[2].value.empty());
  f.cls = 1;
  EXPECT_EQ(store_->ListObjects("ct", "alice", f, 0, 0)->size(), 2u);  // 1000 and 3000
  ObjectFilter by_id;
  by_id.match_id = true;
  by_id.id = Blob(2, 0);
  auto ids = store_->ListObjects("ct", "alice", by_id, 0, 0);
  ASSERT_EQ(ids->size(), 2u);  // 3000 and 6000
  EXPECT_EQ((*ids)[1].handle, 6000u);
  EXPECT_TRUE((*ids)[1].is_private);
  auto page = store_->ListObjects("ct", "alice", ObjectFilter(), 2000, 2);
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].handle, 3000u);
  auto full = store_->GetObject("ct", "alice", 5000);
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->value, Blob(500, 5));
  EXPECT_EQ(store_->GetObject("ct", "bob", 5000).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->DeleteObject("ct", "alice", 5000).ok());
  EXPECT_EQ(store_->DeleteObject("ct", "alice", 5000).code(), StatusCode::kNotFound);
}

TEST_P(StoreTest, QuotasAndAContainerImageAreAllOrNothing) {
  ASSERT_TRUE(store_->PutContainer({"ct", "", 1}).ok());
  AddUser("ct", "alice");
  ASSERT_TRUE(store_->SetContainerQuota("ct", 7).ok());
  ASSERT_TRUE(store_->SetUserQuota("ct", "alice", 3).ok());
  EXPECT_EQ(store_->GetContainer("ct")->max_keys, 7);
  EXPECT_EQ(store_->GetUser("ct", "alice")->max_keys, 3);
  EXPECT_EQ(store_->SetContainerQuota("none", 1).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->SetUserQuota("ct", "none", 1).code(), StatusCode::kNotFound);
  ContainerImage image;
  image.container = {"moved", "", 42};
  UserRecord u;
  u.name = "bob";
  u.salt = Blob(16, 1);
  u.iterations = 1;
  u.wrapped_master_key = Blob(60, 2);
  u.role = "admin";
  image.users.push_back(u);
  KeyRecord k = Key("moved", "bob", "k");
  k.latest_version = 2;
  image.keys.push_back(k);
  image.versions.push_back({"bob", "k", {2, 9, Blob(40, 4)}});
  ObjectRecord o;
  o.user = "bob";
  o.handle = 77;
  o.value = Blob(10, 1);
  image.objects.push_back(o);
  ASSERT_TRUE(store_->ImportContainer(image).ok());
  EXPECT_EQ(store_->GetUser("moved", "bob")->role, "admin");
  EXPECT_EQ(store_->GetKeyVersion("moved", "bob", "k", 2)->blob, Blob(40, 4));
  EXPECT_EQ(store_->GetObject("moved", "bob", 77)->value, Blob(10, 1));
  // Again: bob exists; nothing of the second image is written.
  image.users.push_back(u);
  image.users[0].name = "carol";
  EXPECT_EQ(store_->ImportContainer(image).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->GetUser("moved", "carol").status().code(), StatusCode::kNotFound);
}

TEST_P(StoreTest, FailedLoginsAddUpToALockOutAndASuccessClearsThem) {
  ASSERT_TRUE(store_->PutContainer({"ct", "", 1}).ok());
  AddUser("ct", "alice");
  const int64_t now = 1700000000000;
  EXPECT_EQ(*store_->RecordLoginFailure("ct", "alice", 3, 60000, now), 0);
  EXPECT_EQ(*store_->RecordLoginFailure("ct", "alice", 3, 60000, now + 1), 0);
  EXPECT_EQ(*store_->RecordLoginFailure("ct", "alice", 3, 60000, now + 2), now + 60002);
  auto u = store_->GetUser("ct", "alice");
  EXPECT_EQ(u->failed_logins, 3);
  EXPECT_EQ(u->locked_until_ms, now + 60002);
  // A lock-out that has ended reads as none.
  EXPECT_EQ(*store_->RecordLoginFailure("ct", "alice", 9, 60000, now + 70000), 0);
  ASSERT_TRUE(store_->ResetLoginFailures("ct", "alice").ok());
  EXPECT_EQ(store_->GetUser("ct", "alice")->failed_logins, 0);
  EXPECT_EQ(store_->RecordLoginFailure("ct", "zed", 3, 1, now).status().code(),
            StatusCode::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

// PostgreSQL going away: calls fail fast with Unavailable, and the store
// reconnects by itself when it is back.
TEST(PgStoreTest, UnavailableWhileTheDatabaseIsDownThenReconnects) {
  const PgCluster* c = StartPgCluster();
  ASSERT_NE(c, nullptr);
  auto s = PgRecordStore::Open(c->conninfo + " options='-csearch_path=public'");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_TRUE((*s)->PutContainer({"down", "", 1}).ok());
  ASSERT_EQ(PgClusterCommand("stop", *c), "");
  auto start = std::chrono::steady_clock::now();
  auto r = (*s)->GetContainer("down");
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
  EXPECT_LT(took, 5.0);
  EXPECT_EQ((*s)->GetContainer("down").status().code(), StatusCode::kUnavailable);
  ASSERT_NE(PgClusterCommand("start-again", *c), "");
  auto back = (*s)->GetContainer("down");
  EXPECT_TRUE(back.ok()) << back.status().ToString();
  (void)PgClusterCommand("kill", *c);
  ASSERT_NE(PgClusterCommand("start-again", *c), "");
  EXPECT_EQ((*s)->GetContainer("down").status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE((*s)->GetContainer("down").ok());
}

}  // namespace
}  // namespace vhsm::storage
