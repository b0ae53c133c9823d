// Internal to libvhsm: what a Client holds, shared by client.cc (sessions,
// keys, digests, MACs) and client_crypto.cc (ciphers, signatures, key
// agreement).
#ifndef VHSM_API_INTERNAL_CLIENT_IMPL_H_
#define VHSM_API_INTERNAL_CLIENT_IMPL_H_

#include <unistd.h>

#include <memory>
#include <mutex>
#include <string>

#include "vhsm/api/channel.h"
#include "vhsm/api/client.h"
#include "vhsm/crypto/secret_bytes.h"
#include "vhsm/proto/vhsm.pb.h"
#include "vhsm/transport/frame.h"

namespace vhsm {

// CurrentPid is getpid() without a system call per request: the value is
// kept, and a fork handler updates it in the child.
pid_t CurrentPid();

struct Client::Impl {
  ClientOptions options;
  std::mutex mu;
  std::unique_ptr<Channel> channel;  // guarded by mu
  std::string user;                  // guarded by mu; empty: not logged in
  crypto::SecretBytes password;      // guarded by mu
  pid_t owner = CurrentPid();        // the process whose channel it is; guarded by mu

  Result<proto::Response> Call(proto::Request& request);
  // Reconnect opens a new channel and logs in again; caller holds mu.
  Status Reconnect();
  // OwnChannel: in a fork's child (nginx and other pre-forking servers load
  // keys, then fork workers) the channel is the parent's: its session and
  // counters must not be shared, so the child drops its copy, sending
  // nothing, and opens its own, logged in as before. Caller holds mu.
  Status OwnChannel();
};

namespace internal {

// Data bytes per update frame: the payload limit less room for the session
// id, context id and protobuf framing.
inline constexpr size_t kChunk = transport::kMaxPayloadSize - 256;

inline Bytes ToBytes(const std::string& s) { return Bytes(s.begin(), s.end()); }

// KeyOpsOf parses KeyOptions::ops ("" is 0: all the type can).
Result<uint32_t> KeyOpsOf(const std::string& ops);

}  // namespace internal
}  // namespace vhsm

#endif  // VHSM_API_INTERNAL_CLIENT_IMPL_H_
