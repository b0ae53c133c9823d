// ClientOptions: how libvhsm finds and trusts vhsmd.
#ifndef VHSM_API_CLIENT_OPTIONS_H_
#define VHSM_API_CLIENT_OPTIONS_H_

#include <cstdint>
#include <string>

namespace vhsm {

struct ClientOptions {
  // 0: $VHSM_PORT_ID when set, else the default VHSM port.
  uint32_t port_id = 0;
  int timeout_ms = 30000;
  // vhsmd's public key, or the path of its file; empty: $VHSM_SERVER_KEY,
  // else /etc/vhsm/vhsmd.pub (see server_key.h).
  std::string server_key;
  // Opt in to trust on first use when no key is configured (or set
  // $VHSM_TRUST_ON_FIRST_USE=1); the key is recorded in known_daemons_file.
  bool trust_on_first_use = false;
  std::string known_daemons_file;
  // After a daemon restart or an expired session, a Client re-opens the
  // channel and logs in again (once per call) with the password it was
  // given; false: the call fails instead.
  bool reconnect = true;
};

}  // namespace vhsm

#endif  // VHSM_API_CLIENT_OPTIONS_H_
