// tools/bench's TLS rows (issue 18): `openssl s_server` with a P-256 key
// through the VHSM provider (vhsm:KEY) against the same server with the
// same key in a file, full handshakes counted by `openssl s_time -new`,
// measured in alternating rounds. The key is imported into vhsmd as
// key_id by the logged-in client the caller passes (the environment
// carries the user, password, port and daemon key for the provider).
#ifndef TOOLS_BENCH_TLS_FIGURES_H_
#define TOOLS_BENCH_TLS_FIGURES_H_

#include <string>
#include <utility>

#include "vhsm/api/client.h"

namespace vhsm::bench {

// MeasureTls returns {handshakes/s with the vhsm: key, with the key file},
// from 4 * max(2, seconds) one-second rounds.
std::pair<double, double> MeasureTls(Client* client, const std::string& provider_dir,
                                     double seconds);

}  // namespace vhsm::bench

#endif  // TOOLS_BENCH_TLS_FIGURES_H_
