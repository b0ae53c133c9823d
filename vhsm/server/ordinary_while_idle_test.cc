#include "vhsm/server/ordinary_while_idle.h"

#include <atomic>
#include <thread>

#include "gtest/gtest.h"
#include "vhsm/testing/namespaces.h"

namespace vhsm::server {
namespace {

int Policy() { return sched_getscheduler(0); }

void SetPolicy(int policy) {
  sched_param param{};
  ASSERT_EQ(pthread_setschedparam(pthread_self(), policy, &param), 0);
}

// Each case runs on a thread of its own: the test's main thread keeps its
// class. Leaving the idle class takes CAP_SYS_NICE (vhsmd runs as root;
// Bazel's sandbox withholds it, hence no-sandbox and root).
template <typename F>
void OnThread(F f) {
  std::thread t(f);
  t.join();
}

TEST(OrdinaryWhileIdleTest, AnIdleThreadIsOrdinaryInsideTheScopeAndIdleAfter) {
  VHSM_REQUIRE_ROOT();
  OnThread([] {
    SetPolicy(SCHED_IDLE);
    {
      OrdinaryWhileIdle ordinary;
      EXPECT_TRUE(ordinary.raised());
      EXPECT_EQ(Policy(), SCHED_OTHER);
    }
    EXPECT_EQ(Policy(), SCHED_IDLE);
  });
}

TEST(OrdinaryWhileIdleTest, AnOrdinaryThreadIsLeftAsItIs) {
  OnThread([] {
    SetPolicy(SCHED_OTHER);
    {
      OrdinaryWhileIdle ordinary;
      EXPECT_FALSE(ordinary.raised());
      EXPECT_EQ(Policy(), SCHED_OTHER);
    }
    EXPECT_EQ(Policy(), SCHED_OTHER);
  });
}

TEST(OrdinaryWhileIdleTest, StaysOrdinaryWhenKeepIsSetByTheEnd) {
  VHSM_REQUIRE_ROOT();
  OnThread([] {
    SetPolicy(SCHED_IDLE);
    std::atomic<bool> keep{false};
    {
      OrdinaryWhileIdle ordinary(&keep);
      keep = true;  // boosted meanwhile
    }
    EXPECT_EQ(Policy(), SCHED_OTHER);
    keep = false;
    SetPolicy(SCHED_IDLE);
    { OrdinaryWhileIdle ordinary(&keep); }
    EXPECT_EQ(Policy(), SCHED_IDLE);
  });
}

}  // namespace
}  // namespace vhsm::server
