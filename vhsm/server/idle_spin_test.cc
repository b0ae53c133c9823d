#include "vhsm/server/idle_spin.h"

#include <gtest/gtest.h>

namespace vhsm::server {
namespace {

constexpr int64_t kUs = 1000;

TEST(IdleSpin, SpinsAfterWorkUntilTheWindowCloses) {
  IdleSpin s(50 * kUs);
  EXPECT_EQ(s.NextTimeout(0, 1000), 1000);  // nothing served yet: sleep
  s.Waited(true, 10 * kUs);
  EXPECT_EQ(s.NextTimeout(20 * kUs, 1000), 0);  // inside the window: poll
  s.Waited(false, 21 * kUs);
  EXPECT_EQ(s.NextTimeout(59 * kUs, 1000), 0);
  s.Waited(false, 59 * kUs);
  EXPECT_EQ(s.NextTimeout(61 * kUs, 1000), 1000);  // closed: sleep
}

TEST(IdleSpin, WorkInsideTheWindowOpensANewOne) {
  IdleSpin s(50 * kUs);
  s.NextTimeout(0, 1000);
  s.Waited(true, 0);
  EXPECT_EQ(s.NextTimeout(40 * kUs, 1000), 0);
  s.Waited(true, 45 * kUs);
  EXPECT_EQ(s.NextTimeout(90 * kUs, 1000), 0);  // 45 + 50 > 90
}

TEST(IdleSpin, StopsAfterFruitlessWindowsAndResumesWhenASpinWouldHavePaid) {
  IdleSpin s(50 * kUs);
  int64_t t = 0;
  s.NextTimeout(t, 1000);
  for (int i = 0; i < IdleSpin::kFruitlessLimit; ++i) {
    s.Waited(true, t);  // a request, then a window that catches nothing
    EXPECT_EQ(s.NextTimeout(t + 60 * kUs, 1000), 1000);
    t += 1000 * kUs;  // the next request comes 1 ms later
  }
  EXPECT_FALSE(s.spinning_enabled());
  s.Waited(true, t);
  EXPECT_EQ(s.NextTimeout(t + 1 * kUs, 1000), 1000);  // no window any more
  // A sleep shorter than the window: requests come back to back again.
  s.Waited(true, t + 20 * kUs);
  EXPECT_TRUE(s.spinning_enabled());
  EXPECT_EQ(s.NextTimeout(t + 30 * kUs, 1000), 0);
}

TEST(IdleSpin, ZeroNeverSpins) {
  IdleSpin s(0);
  s.NextTimeout(0, 1000);
  s.Waited(true, 0);
  EXPECT_EQ(s.NextTimeout(0, 1000), 1000);
  s.Waited(true, 1);
  EXPECT_EQ(s.NextTimeout(1, 250), 250);
}

TEST(IdleSpin, ACaughtRequestResetsTheFruitlessCount) {
  IdleSpin s(50 * kUs);
  int64_t t = 0;
  s.NextTimeout(t, 1000);
  for (int round = 0; round < 3 * IdleSpin::kFruitlessLimit; ++round) {
    s.Waited(true, t);
    if (round % 2 == 0) {
      EXPECT_EQ(s.NextTimeout(t + 60 * kUs, 1000), 1000);  // fruitless
      t += 1000 * kUs;
    } else {
      EXPECT_EQ(s.NextTimeout(t + 10 * kUs, 1000), 0);  // caught one
      t += 10 * kUs;
    }
  }
  EXPECT_TRUE(s.spinning_enabled());
}

}  // namespace
}  // namespace vhsm::server
