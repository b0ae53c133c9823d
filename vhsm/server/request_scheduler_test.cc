#include "vhsm/server/request_scheduler.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vhsm::server {
namespace {

transport::Incoming Request(const std::string& container, uint32_t port, size_t size = 10) {
  transport::Incoming in;
  in.container = container;
  in.sender_port = port;
  in.payload.assign(size, 'x');
  return in;
}

TEST(RequestSchedulerTest, OneClientInOrderAndBounded) {
  ResourceLedger ledger{ResourceLimits{}};
  SchedulerOptions o;
  o.max_queued_per_client = 2;
  RequestScheduler s(o, &ledger);
  auto first = Request("ct", 1);
  ASSERT_EQ(*s.Admit(first), RequestScheduler::Admission::kServeNow);
  for (int i = 0; i < 2; ++i) {
    auto more = Request("ct", 1, 20 + i);
    ASSERT_EQ(*s.Admit(more), RequestScheduler::Admission::kQueued);
  }
  auto over = Request("ct", 1);
  Result<RequestScheduler::Admission> refused = s.Admit(over);
  ASSERT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(refused.status().message().find("max-queued-requests = 2"), std::string::npos);
  EXPECT_EQ(over.payload.size(), 10u);  // untouched: the caller answers it
  // Another client of the same container is served at once.
  auto other = Request("ct", 2);
  EXPECT_EQ(*s.Admit(other), RequestScheduler::Admission::kServeNow);
  std::string key = RequestScheduler::ClientKey(first);
  EXPECT_EQ(s.Next(key)->payload.size(), 20u);
  EXPECT_EQ(s.Next(key)->payload.size(), 21u);
  EXPECT_FALSE(s.Next(key).has_value());
  EXPECT_EQ(ledger.Held("ct", Resource::kQueuedBytes), 0u);
}

TEST(RequestSchedulerTest, QueuedBytesCappedPerContainer) {
  ResourceLimits l;
  l.max_queued_bytes = 64 << 10;
  ResourceLedger ledger(l);
  RequestScheduler s(SchedulerOptions{}, &ledger);
  auto head = Request("flood", 1);
  ASSERT_EQ(*s.Admit(head), RequestScheduler::Admission::kServeNow);
  int queued = 0;
  for (int i = 0; i < 10; ++i) {
    auto big = Request("flood", 1, 30000);
    if (s.Admit(big).ok()) ++queued;
  }
  EXPECT_EQ(queued, 2);
  auto victim = Request("victim", 1, 30000);
  EXPECT_TRUE(s.Admit(victim).ok());
}

TEST(RequestSchedulerTest, SlowWorkRoundRobinWithPerContainerCap) {
  ResourceLedger ledger{ResourceLimits{}};
  SchedulerOptions o;
  o.slow_per_container = 1;
  RequestScheduler s(o, &ledger);
  // Container A queues ten logins before B's one.
  for (uint32_t port = 1; port <= 10; ++port) {
    auto in = Request("A", port);
    ASSERT_TRUE(s.PushSlow(in).ok());
  }
  auto b = Request("B", 1);
  ASSERT_TRUE(s.PushSlow(b).ok());
  transport::Incoming got;
  ASSERT_TRUE(s.PopSlow(&got));
  EXPECT_EQ(got.container, "A");
  // A is at its cap: the next worker takes B's at once.
  ASSERT_TRUE(s.PopSlow(&got));
  EXPECT_EQ(got.container, "B");
  s.SlowDone("A");
  s.SlowDone("B");
  ASSERT_TRUE(s.PopSlow(&got));
  EXPECT_EQ(got.container, "A");
  s.Stop();
  EXPECT_FALSE(s.PopSlow(&got));
}

TEST(RequestSchedulerTest, DroppedRepliesCountUntilDelivered) {
  ResourceLedger ledger{ResourceLimits{}};
  SchedulerOptions o;
  o.max_dropped_replies = 3;
  RequestScheduler s(o, &ledger);
  EXPECT_FALSE(s.ReplyDropped("c", 0));
  EXPECT_FALSE(s.ReplyDropped("c", 0));
  s.ReplyDelivered("c");
  EXPECT_FALSE(s.ReplyDropped("c", 0));
  EXPECT_FALSE(s.ReplyDropped("c", 0));
  EXPECT_TRUE(s.ReplyDropped("c", 0));
}

TEST(RequestSchedulerTest, NonReadersAreShedButSampled) {
  ResourceLedger ledger{ResourceLimits{}};
  SchedulerOptions o;
  o.shed_after = 4;
  o.shed_sample = 8;
  RequestScheduler s(o, &ledger);
  for (int i = 0; i < 3; ++i) s.ReplyDropped("c", 0);
  EXPECT_FALSE(s.Shed("c", 0));
  s.ReplyDropped("c", 0);
  int served = 0;
  for (int i = 0; i < 80; ++i) served += !s.Shed("c", 50);
  EXPECT_EQ(served, 10);
  EXPECT_FALSE(s.Shed("other", 50));
  EXPECT_FALSE(s.Shed("c", 101));  // quiet for a while: given another chance
  s.ReplyDelivered("c");           // it reads again: fully served again
  EXPECT_FALSE(s.Shed("c", 50));
}

}  // namespace
}  // namespace vhsm::server
