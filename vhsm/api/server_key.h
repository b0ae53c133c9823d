// Which vhsmd a client trusts: the daemon's long-term public key (X25519),
// which the secure channel's handshake pins (vhsm/noise/noise_nk.h).
//
// Where it comes from, first found wins:
//  1. ClientOptions::server_key, or $VHSM_SERVER_KEY: the key itself (base64
//     or hex of 32 bytes) or the path of a file holding it;
//  2. /etc/vhsm/vhsmd.pub (where operators bind-mount it into containers);
//  3. only when the user opted in to trust on first use
//     (ClientOptions::trust_on_first_use or VHSM_TRUST_ON_FIRST_USE=1): the
//     key recorded for this port in the known-daemons file
//     ($VHSM_KNOWN_DAEMONS, else ~/.vhsm/known_daemons), or, failing that,
//     the key the daemon announces now, recorded for next time.
// Without any of these the client refuses to talk to vhsmd at all (fail
// closed), with one line saying how to get the key. Misuse: trust on first
// use trusts whoever answers first; it is for a user who cannot get the key
// from the operator, and a recorded key that later differs is an error.
#ifndef VHSM_API_SERVER_KEY_H_
#define VHSM_API_SERVER_KEY_H_

#include <cstdint>
#include <functional>
#include <string>

#include "vhsm/base/status.h"
#include "vhsm/crypto/bytes.h"

namespace vhsm {

inline constexpr char kDefaultServerKeyPath[] = "/etc/vhsm/vhsmd.pub";

struct ServerKeySource {
  std::string configured;           // a key or a path; empty: environment and default
  bool trust_on_first_use = false;  // or $VHSM_TRUST_ON_FIRST_USE=1
  std::string known_daemons_file;   // empty: $VHSM_KNOWN_DAEMONS or ~/.vhsm/known_daemons
};

// ParseServerKey reads a key given as base64 or hex of 32 bytes, or as the
// path of a file holding one. InvalidArgument otherwise.
Result<crypto::Bytes> ParseServerKey(const std::string& key_or_path);

// ResolveServerKey applies the rules above for the daemon on port; announce
// asks the daemon for its key (used only on first use, when opted in).
// FailedPrecondition when no key is configured and the user did not opt in.
Result<crypto::Bytes> ResolveServerKey(const ServerKeySource& source, uint32_t port,
                                       const std::function<Result<crypto::Bytes>()>& announce);

}  // namespace vhsm

#endif  // VHSM_API_SERVER_KEY_H_
