// NetlinkSocket: one NETLINK_USERSOCK datagram socket, owned (closed on
// destruction), with the calls both the client channel and the daemon's
// listener need: bind to a port id, send a datagram to a port id, and
// receive one datagram with the sender's port id and kernel-supplied
// credentials (SO_PASSCRED / SCM_CREDENTIALS).
//
// The socket belongs to the network namespace of the thread that created it;
// it keeps that namespace for life. Send and Receive may be called from
// different threads at once (the kernel serializes datagrams).
#ifndef VHSM_TRANSPORT_NETLINK_SOCKET_H_
#define VHSM_TRANSPORT_NETLINK_SOCKET_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "vhsm/base/status.h"
#include "vhsm/base/unique_fd.h"

namespace vhsm::transport {

struct Datagram {
  std::vector<uint8_t> data;  // at most the receive limit
  size_t real_size = 0;       // the size the sender sent (> data.size() if cut)
  uint32_t sender_port = 0;
  bool has_creds = false;
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
};

// WipeDatagram clears a datagram's bytes (they may carry a password).
void WipeDatagram(Datagram* d);

class NetlinkSocket {
 public:
  // Create opens a socket in the calling thread's network namespace and
  // binds it to port (0: the kernel picks a free one). AlreadyExists when the
  // port is taken. pass_creds turns SO_PASSCRED on.
  static Result<std::unique_ptr<NetlinkSocket>> Create(uint32_t port, bool pass_creds);
  ~NetlinkSocket();
  NetlinkSocket(const NetlinkSocket&) = delete;
  NetlinkSocket& operator=(const NetlinkSocket&) = delete;

  int fd() const { return fd_.get(); }
  uint32_t port() const { return port_; }

  // SendTo sends one datagram to port. Unavailable when nobody is bound
  // there (ECONNREFUSED); retries EINTR, and ENOBUFS/EAGAIN briefly. With
  // dont_wait (the daemon's replies) it never blocks or sleeps: when the
  // receiver's queue is full the datagram is dropped at once with
  // ResourceExhausted.
  Status SendTo(uint32_t port, const uint8_t* data, size_t size, bool dont_wait = false);

  // Receive reads one datagram, waiting up to timeout_ms (-1: forever, 0:
  // not at all). DeadlineExceeded on timeout. Datagrams longer than
  // max_size are cut, with real_size telling the true length. The socket's
  // own receive buffer is wiped after the copy; the caller wipes
  // Datagram::data (WipeDatagram) once done, since it may hold secrets.
  Result<Datagram> Receive(size_t max_size, int timeout_ms);
  // ReceiveInPlace is Receive without the copy: fn sees the datagram's first
  // min(real_size, max_size) bytes in the socket's own buffer (4-byte
  // aligned), valid only during the call, wiped right after it; meta has
  // everything but data. Not reentrant on one socket. scratch: a buffer
  // of the caller's to receive into instead of the socket's own (a server
  // with thousands of sockets keeps one per serving thread, not one per
  // socket); the caller makes sure no one else uses it meanwhile.
  using InPlace = std::function<void(const uint8_t* data, size_t size, const Datagram& meta)>;
  Status ReceiveInPlace(size_t max_size, int timeout_ms, const InPlace& fn,
                        std::vector<uint8_t>* scratch = nullptr);

  // SetBufferSizes raises the kernel buffers (best effort, forced as root).
  void SetBufferSizes(int bytes);

 private:
  NetlinkSocket(UniqueFd fd, uint32_t port) : fd_(std::move(fd)), port_(port) {}
  UniqueFd fd_;
  uint32_t port_;
  std::mutex receive_mu_;
  std::vector<uint8_t> receive_buffer_;  // guarded by receive_mu_
  int receive_timeout_ms_ = 0;           // SO_RCVTIMEO as last set (0: none); receive_mu_
};

}  // namespace vhsm::transport

#endif  // VHSM_TRANSPORT_NETLINK_SOCKET_H_
