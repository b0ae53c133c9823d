// Noisy neighbours: the attacks of issue #11 as code, for tools/bench and
// the end-to-end tests. Each flood runs in the calling process's network
// namespace (a container) for `seconds`, then returns; each victim
// measures what a well-behaved client in another container still gets.
//
// Misuse: these hammer the daemon on purpose; point them only at a vhsmd
// you started for the measurement.
#ifndef TOOLS_BENCH_NOISY_H_
#define TOOLS_BENCH_NOISY_H_

#include <cstdint>
#include <string>

namespace vhsm::bench {

// SlowReaderFlood: one client opens a session and sends 64-byte digest
// requests as fast as vhsmd accepts them, never reading a reply.
void SlowReaderFlood(uint32_t port, double seconds);
// LoginFlood: `processes` processes, each taking a fresh uid every round
// (root can), log in as unknown users as fast as vhsmd answers.
void LoginFlood(uint32_t port, double seconds, int processes);
// BigFrameFlood: several clients each start a login (so their next
// requests must queue) and then send 60 KB digest frames without reading.
void BigFrameFlood(uint32_t port, double seconds);

// SignFlood: `clients` sessions of user, each signing with key_id (an
// RSA-4096 key, say) back to back: what the polling thread must never
// serve itself.
void SignFlood(uint32_t port, const std::string& user, const std::string& password,
               const std::string& key_id, double seconds, int clients);

struct VictimStats {
  long ops = 0;
  double ops_per_s = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  std::string error;  // non-empty: the victim could not go on
};
// VictimHmac logs in and MACs 64 bytes with key_id in a loop.
VictimStats VictimHmac(uint32_t port, const std::string& user, const std::string& password,
                       const std::string& key_id, double seconds);
// VictimLogin opens a session and logs in, again and again; stats per login.
VictimStats VictimLogin(uint32_t port, const std::string& user, const std::string& password,
                        double seconds);

std::string ToJson(const VictimStats& s);

}  // namespace vhsm::bench

#endif  // TOOLS_BENCH_NOISY_H_
