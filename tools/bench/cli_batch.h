// tools/bench's cli_batch_mac: `vhsm batch` MACing a file n times after
// one login (the user, password, port and daemon key from the environment,
// as the benchmark sets them); operations per second, the login included.
#ifndef TOOLS_BENCH_CLI_BATCH_H_
#define TOOLS_BENCH_CLI_BATCH_H_

#include <string>

namespace vhsm::bench {

double CliBatchMac(const std::string& vhsm_cli, const std::string& key_id, int n);

}  // namespace vhsm::bench

#endif  // TOOLS_BENCH_CLI_BATCH_H_
