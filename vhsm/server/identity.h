// vhsmd's identity: a long-term X25519 key pair that clients pin, so that
// nothing but this daemon can complete their secure-channel handshake.
//
// The private half lives in DATA_DIR/vhsmd.key (32 raw bytes, mode 0600,
// created at first start from the OS RNG, never logged); the public half is
// written at every start as one base64 line to DATA_DIR/vhsmd.pub (0644)
// and to each extra path given (e.g. /etc/vhsm/vhsmd.pub, for the operator
// to bind-mount into containers). Misuse: a world-readable vhsmd.key lets
// anyone impersonate vhsmd; LoadOrCreateIdentity refuses one.
#ifndef VHSM_SERVER_IDENTITY_H_
#define VHSM_SERVER_IDENTITY_H_

#include <string>
#include <vector>

#include "vhsm/base/status.h"
#include "vhsm/crypto/x25519.h"

namespace vhsm::server {

inline constexpr char kIdentityKeyFile[] = "vhsmd.key";
inline constexpr char kIdentityPublicFile[] = "vhsmd.pub";

// LoadOrCreateIdentity returns the key pair of data_dir, making it first
// when absent. FailedPrecondition for a key file others may read, DataLoss
// for one of the wrong size, Internal when a file cannot be written.
Result<crypto::X25519KeyPair> LoadOrCreateIdentity(const std::string& data_dir,
                                                   const std::vector<std::string>& public_copies);

}  // namespace vhsm::server

#endif  // VHSM_SERVER_IDENTITY_H_
