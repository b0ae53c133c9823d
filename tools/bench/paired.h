// Two vhsmd measured side by side (tools/bench's audit cost and PostgreSQL
// figures): each with the user "bench" logged in and the HMAC-SHA256 key
// "h", and the same operation run on both in alternating slices.
#ifndef TOOLS_BENCH_PAIRED_H_
#define TOOLS_BENCH_PAIRED_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tools/bench/private_daemon.h"
#include "vhsm/api/client.h"

namespace vhsm::bench {

struct Side {
  Daemon daemon;
  ClientOptions options;  // its port and key
  std::unique_ptr<Client> client;
  int generated = 0;  // keys it generated, for fresh ids
};

struct Pair {
  Side sides[2];
};

// StartPair starts vhsmd twice (flags[0], flags[1]) and prepares both;
// exits the benchmark on failure.
Pair StartPair(const std::string& vhsmd, const std::vector<std::string> flags[2],
               const std::string& password);
void StopPair(Pair& pair);

// Slices runs op(0) and op(1) in alternating slices of `slice` seconds (in
// the order ABBA BAAB ..., so that a drift of the machine's speed falls on
// both alike) until each had `seconds`; returns {op/s of 0, op/s of 1}.
// settle(who), if given, ends each slice inside its time: work the side
// left behind (a queue its daemon writes later) is charged to that side,
// not done during the other side's slice.
std::pair<double, double> Slices(const std::function<void(int)>& op, double seconds,
                                 const std::function<void(int)>& settle = nullptr,
                                 double slice = 0.2);

}  // namespace vhsm::bench

#endif  // TOOLS_BENCH_PAIRED_H_
