#include "vhsm/server/resource_ledger.h"

#include <gtest/gtest.h>

#include <vector>

namespace vhsm::server {
namespace {

ResourceLimits Small() {
  ResourceLimits l;
  l.max_sessions = 3;
  l.max_queued_bytes = 10 << 10;
  l.memory_budget_bytes = 1000;
  return l;
}

TEST(ResourceLedgerTest, PerContainerCapNamesItsLimit) {
  ResourceLedger ledger(Small());
  std::vector<ResourceLedger::Token> held;
  for (int i = 0; i < 3; ++i) {
    auto t = ledger.Take("ct1", Resource::kSessions, 1, 10);
    ASSERT_TRUE(t.ok());
    held.push_back(std::move(t).value());
  }
  auto refused = ledger.Take("ct1", Resource::kSessions, 1, 10);
  ASSERT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(refused.status().message(),
            "container 'ct1' has 3 open sessions, the limit (max-sessions = 3)");
  // Another container is not affected.
  EXPECT_TRUE(ledger.Take("ct2", Resource::kSessions, 1, 10).ok());
  held.pop_back();
  EXPECT_TRUE(ledger.Take("ct1", Resource::kSessions, 1, 10).ok());
}

TEST(ResourceLedgerTest, GlobalBudgetAndRelease) {
  ResourceLedger ledger(Small());
  auto big = ledger.Take("ct1", Resource::kContexts, 1, 900);
  ASSERT_TRUE(big.ok());
  auto over = ledger.Take("ct2", Resource::kContexts, 1, 200);
  ASSERT_EQ(over.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(over.status().message().find("memory-budget-mb"), std::string::npos);
  EXPECT_EQ(ledger.MemoryHeld(), 900u);
  big->Release();
  EXPECT_EQ(ledger.MemoryHeld(), 0u);
  EXPECT_EQ(ledger.ContainersHolding(), 0u);  // idle containers cost nothing
  EXPECT_TRUE(ledger.Take("ct2", Resource::kContexts, 1, 200).ok());
}

TEST(ResourceLedgerTest, TokensMoveAndReleaseOnce) {
  ResourceLedger ledger(Small());
  {
    auto t = ledger.Take("ct1", Resource::kQueuedBytes, 4096, 100);
    ASSERT_TRUE(t.ok());
    ResourceLedger::Token a = std::move(t).value();
    ResourceLedger::Token b = std::move(a);
    EXPECT_FALSE(a.held());
    EXPECT_EQ(ledger.Held("ct1", Resource::kQueuedBytes), 4096u);
    auto refused = ledger.Take("ct1", Resource::kQueuedBytes, 8192, 0);
    EXPECT_EQ(refused.status().message(),
              "container 'ct1' has 4 KiB of queued requests, the limit (max-queued-kb = 10)");
  }
  EXPECT_EQ(ledger.Held("ct1", Resource::kQueuedBytes), 0u);
  EXPECT_EQ(ledger.MemoryHeld(), 0u);
}

}  // namespace
}  // namespace vhsm::server
