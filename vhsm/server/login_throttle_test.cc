#include "vhsm/server/login_throttle.h"

#include <gtest/gtest.h>

namespace vhsm::server {
namespace {

constexpr uid_t kOwner = 1000, kGuesser = 2000;

class LoginThrottleTest : public ::testing::Test {
 protected:
  // Begin + Failed, as one wrong guess; returns Begin's answer.
  Status Guess(const std::string& user, uid_t uid) {
    Status s = t_.Begin("ct", user, uid, now_);
    if (s.ok()) t_.Failed("ct", user, uid, now_);
    return s;
  }
  Status LogIn(const std::string& user, uid_t uid) {
    Status s = t_.Begin("ct", user, uid, now_);
    if (s.ok()) t_.Succeeded("ct", user, uid, now_);
    return s;
  }
  LoginThrottle t_{ThrottleOptions{}};
  int64_t now_ = 1'000'000;
};

TEST_F(LoginThrottleTest, OneTypoIsFreeThenDelaysDouble) {
  EXPECT_TRUE(Guess("alice", kOwner).ok());
  EXPECT_TRUE(LogIn("alice", kOwner).ok());  // the typo cost nothing
  EXPECT_TRUE(Guess("alice", kOwner).ok());
  EXPECT_TRUE(Guess("alice", kOwner).ok());
  Status early = t_.Begin("ct", "alice", kOwner, now_);
  EXPECT_EQ(early.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(early.message().find("try again in 1 s"), std::string::npos) << early.message();
  now_ += 250;
  EXPECT_TRUE(Guess("alice", kOwner).ok());
  now_ += 250;
  EXPECT_FALSE(t_.Begin("ct", "alice", kOwner, now_).ok());  // now 500 ms
  now_ += 250;
  EXPECT_TRUE(LogIn("alice", kOwner).ok());
}

TEST_F(LoginThrottleTest, GuessesFromOneUidNeverLockOutAnother) {
  for (int i = 0; i < 10; ++i) {
    now_ += 61'000;
    EXPECT_TRUE(Guess("alice", kGuesser).ok()) << i;
  }
  now_ += 61'000;
  EXPECT_EQ(t_.Begin("ct", "alice", kGuesser, now_).code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(LogIn("alice", kOwner).ok());
}

TEST_F(LoginThrottleTest, LockOutEndsByItselfAndResetsItsCount) {
  for (int i = 0; i < 10; ++i) {
    now_ += 61'000;
    ASSERT_TRUE(Guess("alice", kGuesser).ok()) << i;
  }
  now_ += 14 * 60 * 1000;
  EXPECT_FALSE(t_.Begin("ct", "alice", kGuesser, now_).ok());
  now_ += 60 * 1000 + 1;
  // Over: one guess is free again, not one more lock-out.
  EXPECT_TRUE(Guess("alice", kGuesser).ok());
  EXPECT_TRUE(Guess("alice", kGuesser).ok());
  now_ += 250;
  EXPECT_TRUE(t_.Begin("ct", "alice", kGuesser, now_).ok());
}

TEST_F(LoginThrottleTest, CyclingUserNamesDrainsTheCallersOwnBudget) {
  ThrottleOptions o;
  int admitted = 0;
  for (int i = 0; i < 100; ++i) {
    if (Guess("user" + std::to_string(i), kGuesser).ok()) ++admitted;
  }
  EXPECT_EQ(admitted, static_cast<int>(o.sender_burst));
  // Another uid still has its budget; the owner is untouched.
  EXPECT_TRUE(LogIn("user1", kOwner).ok());
  now_ += o.sender_refill_ms;
  EXPECT_TRUE(Guess("fresh", kGuesser).ok());
}

TEST_F(LoginThrottleTest, CeilingOverAllSendersSparesTheOwner) {
  ThrottleOptions o;
  ASSERT_TRUE(LogIn("alice", kOwner).ok());  // the owner's uid is now trusted
  // Guessers with ever new uids (a root tenant can take any uid).
  int admitted = 0;
  for (uid_t uid = 5000; uid < 5200; ++uid) {
    if (Guess("alice", uid).ok()) ++admitted;
  }
  EXPECT_EQ(admitted, static_cast<int>(o.user_burst));
  EXPECT_EQ(t_.Begin("ct", "alice", 9999, now_).code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(LogIn("alice", kOwner).ok());
  // The ceiling refills: slower guessing, never a permanent lock.
  now_ += o.user_refill_ms;
  EXPECT_TRUE(Guess("alice", 9999).ok());
}

TEST_F(LoginThrottleTest, FreshUidsAndNamesStillMeetTheContainersCeiling) {
  ThrottleOptions o;
  ASSERT_TRUE(LogIn("owner", kOwner).ok());
  int admitted = 0;
  for (uid_t uid = 10000; uid < 10200; ++uid) {
    if (Guess("ghost" + std::to_string(uid), uid).ok()) ++admitted;
  }
  EXPECT_EQ(admitted, static_cast<int>(o.container_burst));
  EXPECT_TRUE(LogIn("owner", kOwner).ok());                  // trusted: not held back
  EXPECT_TRUE(t_.Begin("other-ct", "x", 10000, now_).ok());  // other tenants untouched
  now_ += o.container_refill_ms;
  EXPECT_TRUE(Guess("ghost-late", 20000).ok());
}

TEST_F(LoginThrottleTest, UnknownAndKnownUsersLookTheSame) {
  // The throttle never knows who exists: the same sequence gives the same
  // answers, word for word.
  std::vector<std::string> a, b;
  for (int i = 0; i < 4; ++i) a.push_back(Guess("alice", kGuesser).message());
  for (int i = 0; i < 4; ++i) b.push_back(Guess("nobody", kGuesser).message());
  EXPECT_EQ(a, b);
}

TEST_F(LoginThrottleTest, SweepForgetsRecoveredStateOnly) {
  ASSERT_TRUE(Guess("alice", kGuesser).ok());
  ASSERT_TRUE(Guess("alice", kGuesser).ok());
  EXPECT_GT(t_.Sweep(now_), 0u);
  EXPECT_FALSE(t_.Begin("ct", "alice", kGuesser, now_).ok());  // still delayed
  now_ += 16 * 60 * 1000;
  EXPECT_EQ(t_.Sweep(now_), 0u);
  EXPECT_TRUE(Guess("alice", kGuesser).ok());
}

}  // namespace
}  // namespace vhsm::server
