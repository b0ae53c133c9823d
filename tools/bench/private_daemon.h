// The benchmark's own vhsmd: a temporary data and run directory, a random
// port id, default PBKDF2 iterations, --quiet; dies with the benchmark.
#ifndef TOOLS_BENCH_PRIVATE_DAEMON_H_
#define TOOLS_BENCH_PRIVATE_DAEMON_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace vhsm::bench {

struct Daemon {
  pid_t pid = -1;
  std::string dir;
  uint32_t port = 0;
};

// StartDaemon starts vhsmd (path, with extra_flags) and returns once it is
// ready; exits the process on failure. Its key is DIR/data/vhsmd.pub.
Daemon StartDaemon(const std::string& vhsmd, const std::vector<std::string>& extra_flags = {});
// ExportServerKey points VHSM_SERVER_KEY at d's key, for the clients and
// programs the benchmark starts against d.
void ExportServerKey(const Daemon& d);
// StopDaemon stops d (SIGTERM, waits) and removes its directory.
void StopDaemon(const Daemon& d);
// RandomPort: a port id in a range no real vhsmd uses.
uint32_t RandomPort();

}  // namespace vhsm::bench

#endif  // TOOLS_BENCH_PRIVATE_DAEMON_H_
