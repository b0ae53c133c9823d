// Several client processes MACing 64 bytes with the key "h" of the user
// "bench" at once, started together (tools/bench's hmac64_2c and _4c).
#ifndef TOOLS_BENCH_CONCURRENT_HMAC_H_
#define TOOLS_BENCH_CONCURRENT_HMAC_H_

#include <cstdint>
#include <string>

namespace vhsm::bench {

// ConcurrentHmac runs `clients` processes for `seconds` and returns their
// MACs per second together; exits the benchmark if one fails.
double ConcurrentHmac(uint32_t port, int clients, const std::string& password, double seconds);

}  // namespace vhsm::bench

#endif  // TOOLS_BENCH_CONCURRENT_HMAC_H_
