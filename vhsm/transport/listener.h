// Listener: the daemon side of the transport. It holds one netlink socket
// bound to the VHSM port in the host namespace (container "host") and one in
// each attached container's network namespace, made there with setns(2) on
// a namespace file (/proc/PID/ns/net, /run/netns/NAME). A datagram arriving
// on a container's socket can only have been sent from inside that
// container: the kernel is the witness, not the message.
//
// Poll() waits on all sockets with one epoll set and returns what arrived,
// each tagged with container name, sender port id and SCM_CREDENTIALS
// (pid/uid/gid). Malformed datagrams come back with a non-OK `error` (and
// the seq when a header was readable) so the caller can answer them; they
// never stop the loop. Attach/Detach/Reply are thread-safe and may run
// while another thread is in Poll().
#ifndef VHSM_TRANSPORT_LISTENER_H_
#define VHSM_TRANSPORT_LISTENER_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "vhsm/base/status.h"
#include "vhsm/base/unique_fd.h"
#include "vhsm/transport/netlink_socket.h"

namespace vhsm::transport {

inline constexpr char kHostContainer[] = "host";

struct Incoming {
  std::string container;
  uint32_t sender_port = 0;
  bool has_creds = false;
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  uint32_t seq = 0;
  bool has_seq = false;
  Status error;         // non-OK: the datagram was not a valid frame
  std::string payload;  // the frame's payload when error is OK
  // Set by the daemon, never by the listener: payload is no longer the
  // frame's but the request vhsmd opened from its session's channel and
  // left to a worker.
  bool opened = false;
  std::shared_ptr<NetlinkSocket> socket;  // where the reply goes
};

class Listener {
 public:
  // Create binds the VHSM port in the calling thread's namespace.
  static Result<std::unique_ptr<Listener>> Create(uint32_t port);
  ~Listener();

  uint32_t port() const { return port_; }

  // Attach binds the VHSM port inside the namespace at netns_path under
  // container name `name`. InvalidArgument for a bad name or a file that is
  // not a network namespace, NotFound for a missing file, AlreadyExists for
  // a name in use or a port already bound there (squatting).
  // netns_cookie, when given, receives the namespace's cookie as the kernel
  // reports it for the new socket (SO_NETNS_COOKIE; 0 on kernels without).
  Status Attach(const std::string& name, const std::string& netns_path,
                uint64_t* netns_cookie = nullptr);
  // AttachMany attaches many containers (name, netns_path) at once: one
  // thread enters each namespace in turn to make the sockets. Returns a
  // status per container, in order (each as Attach's); cookies, when given,
  // receive each namespace's cookie.
  std::vector<Status> AttachMany(const std::vector<std::pair<std::string, std::string>>& items,
                                 std::vector<uint64_t>* cookies = nullptr);
  // Detach closes the container's socket; NotFound if not attached.
  Status Detach(const std::string& name);
  bool IsAttached(const std::string& name) const;
  std::vector<std::string> AttachedNames() const;

  // What one socket may hand over in one turn of Poll.
  struct PollLimits {
    size_t max_datagrams = 4;         // when several sockets are ready
    size_t max_datagrams_alone = 16;  // when one socket is the only one ready
    size_t max_bytes = 64 * 1024;     // stop reading once this many were read
  };
  // Poll waits up to timeout_ms (-1: forever) for sockets to be readable
  // and gives each ready socket one turn: it reads up to limits from it and
  // hands them to admit, in arrival order, then moves on to the next ready
  // socket. A socket still readable after its turn is reported again by
  // the next Poll behind those ready before it (level-triggered epoll), so
  // containers are served round-robin. One thread polls (the daemon's
  // polling thread); Attach, Detach and Reply may run on others meanwhile.
  // Returns false on timeout or after Wake().
  bool Poll(int timeout_ms, const PollLimits& limits,
            const std::function<void(std::vector<Incoming>&)>& admit);
  // Poll, collecting the batch (single-threaded callers and tests).
  std::vector<Incoming> Poll(int timeout_ms, size_t max_batch = 64);
  // Wake makes every current and future Poll return at once (for shutdown).
  void Wake();

  // Reply sends payload as the response to `to`, never waiting: a client
  // whose queue is full loses it (ResourceExhausted). InvalidArgument when
  // payload does not fit in a frame.
  static Status Reply(const Incoming& to, const std::string& payload);

 private:
  struct Endpoint {
    std::string name;
    std::shared_ptr<NetlinkSocket> socket;
  };
  Listener(uint32_t port, UniqueFd epoll_fd, UniqueFd wake_fd)
      : port_(port), epoll_fd_(std::move(epoll_fd)), wake_fd_(std::move(wake_fd)) {}
  Status Add(const std::string& name, std::unique_ptr<NetlinkSocket> socket);
  void Read(const Endpoint& endpoint, const PollLimits& limits, std::vector<Incoming>* out);

  const uint32_t port_;
  const UniqueFd epoll_fd_;
  const UniqueFd wake_fd_;
  mutable std::mutex mu_;
  std::map<int, Endpoint> by_fd_;          // guarded by mu_
  std::map<std::string, int> fd_by_name_;  // guarded by mu_
};

// ValidContainerName: 1-64 chars of [A-Za-z0-9._-], not starting with '.' or
// '-' (vhsm/base/identifier.h).
bool ValidContainerName(const std::string& name);

}  // namespace vhsm::transport

#endif  // VHSM_TRANSPORT_LISTENER_H_
