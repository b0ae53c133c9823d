// Several client processes MACing 64 bytes with the key "h" of the user
// "bench" at once, started together (tools/bench's hmac64_2c and _4c).
#ifndef TOOLS_BENCH_CONCURRENT_HMAC_H_
#define TOOLS_BENCH_CONCURRENT_HMAC_H_

#include <cstdint>
#include <string>

#include "vhsm/api/client_options.h"

namespace vhsm::bench {

// ConcurrentHmac runs `clients` processes for `seconds` and returns their
// MACs per second together; exits the benchmark if one fails.
double ConcurrentHmac(uint32_t port, int clients, const std::string& password, double seconds);

// ConcurrentSign: `in_flight` threads of this process, each with its own
// session (the user "bench", the EC key key_id), signing 64 bytes for
// `seconds`; signatures per second together.
double ConcurrentSign(const ClientOptions& options, int in_flight, const std::string& password,
                      const std::string& key_id, double seconds);

}  // namespace vhsm::bench

#endif  // TOOLS_BENCH_CONCURRENT_HMAC_H_
