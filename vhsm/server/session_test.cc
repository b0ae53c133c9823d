#include "vhsm/server/session.h"

#include "gtest/gtest.h"

namespace vhsm::server {
namespace {

class SessionTest : public ::testing::Test {
 protected:
  SessionTest() : ledger_(Limits()), sessions_(Idle(), &ledger_) {}
  static ResourceLimits Limits() {
    ResourceLimits l;
    l.max_sessions = 3;
    return l;
  }
  static SessionManager::Limits Idle() {
    SessionManager::Limits l;
    l.idle_timeout_ms = 1000;
    return l;
  }
  ResourceLedger ledger_;
  SessionManager sessions_;
  const ClientId a_{"ct1", 10}, b_{"ct1", 11}, c_{"ct2", 10};
};

TEST_F(SessionTest, IdsAreRandomAndBoundToTheirClient) {
  auto s = sessions_.Open(a_, 0);
  ASSERT_TRUE(s.ok());
  const std::string id = (*s)->id();
  EXPECT_EQ(id.size(), kSessionIdSize);
  EXPECT_TRUE(sessions_.Find(a_, id, 0).ok());
  // Another port in the same container, the same port in another container,
  // a made-up id: all the same answer.
  for (const ClientId& other : {b_, c_}) {
    EXPECT_EQ(sessions_.Find(other, id, 0).status().message(), kNoSuchSession);
    EXPECT_EQ(sessions_.Close(other, id).code(), StatusCode::kNotFound);
  }
  EXPECT_EQ(sessions_.Find(a_, std::string(16, 'x'), 0).status().message(), kNoSuchSession);
  EXPECT_NE((*sessions_.Open(a_, 0))->id(), id);
}

TEST_F(SessionTest, CapPerContainerAndCloseFreesIt) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back((*sessions_.Open(a_, 0))->id());
  auto refused = sessions_.Open(b_, 0);
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(sessions_.Open(c_, 0).ok());  // another container has its own
  ASSERT_TRUE(sessions_.Close(a_, ids[0]).ok());
  EXPECT_TRUE(sessions_.Open(b_, 0).ok());
}

TEST_F(SessionTest, LogoutExpiryAndUserChangesWipeEverything) {
  auto s = *sessions_.Open(a_, 0);
  {
    std::lock_guard<std::mutex> lock(s->mu);
    s->user = "alice";
    s->master_key = crypto::SecretBytes(32);
    s->contexts.emplace(1, Context{});
    sessions_.SetLoggedIn(*s, "alice");
  }
  auto other = *sessions_.Open(c_, 0);
  {
    std::lock_guard<std::mutex> lock(other->mu);
    other->user = "alice";  // another container's alice
    sessions_.SetLoggedIn(*other, "alice");
  }
  uint64_t generation = sessions_.KeyGeneration("ct1", "alice");
  EXPECT_EQ(sessions_.CloseUser("ct1", "alice"), 1u);
  EXPECT_GT(sessions_.KeyGeneration("ct1", "alice"), generation);
  {
    std::lock_guard<std::mutex> lock(s->mu);
    EXPECT_FALSE(s->user.has_value());
    EXPECT_TRUE(s->master_key.empty());
    EXPECT_TRUE(s->contexts.empty());
  }
  EXPECT_FALSE(sessions_.Find(a_, s->id(), 0).ok());
  EXPECT_TRUE(sessions_.Find(c_, other->id(), 0).ok());  // untouched
  // Idle past the limit: gone.
  EXPECT_EQ(sessions_.ExpireIdle(5000), 1u);
  EXPECT_EQ(sessions_.size(), 0u);
}

}  // namespace
}  // namespace vhsm::server
