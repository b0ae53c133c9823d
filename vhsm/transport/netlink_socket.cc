#include "vhsm/transport/netlink_socket.h"

#include <errno.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace vhsm::transport {
namespace {

std::string Errno(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

}  // namespace

void WipeDatagram(Datagram* d) {
  if (!d->data.empty()) explicit_bzero(d->data.data(), d->data.size());
}

Result<std::unique_ptr<NetlinkSocket>> NetlinkSocket::Create(uint32_t port, bool pass_creds) {
  UniqueFd owned(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_USERSOCK));
  if (!owned.valid()) return Unavailable(Errno("socket(NETLINK_USERSOCK)"));
  int fd = owned.get();
  sockaddr_nl addr{};
  addr.nl_family = AF_NETLINK;
  addr.nl_pid = port;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    int err = errno;
    if (err == EADDRINUSE) {
      return AlreadyExists("netlink port " + std::to_string(port) +
                           " is already bound in this network namespace");
    }
    errno = err;
    return Unavailable(Errno("bind(netlink)"));
  }
  socklen_t len = sizeof(addr);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return Internal(Errno("getsockname(netlink)"));
  }
  if (pass_creds) {
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) != 0) {
      return Internal(Errno("setsockopt(SO_PASSCRED)"));
    }
  }
  return std::unique_ptr<NetlinkSocket>(new NetlinkSocket(std::move(owned), addr.nl_pid));
}

NetlinkSocket::~NetlinkSocket() = default;

void NetlinkSocket::SetBufferSizes(int bytes) {
  if (setsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) != 0) {
    setsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
  }
  if (setsockopt(fd_.get(), SOL_SOCKET, SO_SNDBUFFORCE, &bytes, sizeof(bytes)) != 0) {
    setsockopt(fd_.get(), SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes));
  }
}

Status NetlinkSocket::SendTo(uint32_t port, const uint8_t* data, size_t size, bool dont_wait) {
  sockaddr_nl addr{};
  addr.nl_family = AF_NETLINK;
  addr.nl_pid = port;
  for (int attempt = 0;; ++attempt) {
    ssize_t n = sendto(fd_.get(), data, size, dont_wait ? MSG_DONTWAIT : 0,
                       reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    if (n == static_cast<ssize_t>(size)) return Status::Ok();
    if (n >= 0) return Internal("short netlink send");
    if (errno == EINTR) continue;
    if ((errno == ENOBUFS || errno == EAGAIN) && dont_wait) {
      // Never wait for a receiver that does not read: its datagram is lost,
      // nobody else's service is.
      return ResourceExhausted("receiver on port " + std::to_string(port) +
                               " does not drain its queue; datagram dropped");
    }
    if ((errno == ENOBUFS || errno == EAGAIN) && attempt < 50) {
      // The receiver's queue is full: give it a moment to drain.
      usleep(1000 * (attempt < 10 ? 1 : 10));
      continue;
    }
    if (errno == ECONNREFUSED) {
      return Unavailable("nothing listens on netlink port " + std::to_string(port) +
                         " (is vhsmd running and this "
                         "container attached?)");
    }
    if (errno == EMSGSIZE) return InvalidArgument(Errno("netlink send"));
    return Unavailable(Errno("netlink send"));
  }
}

Result<Datagram> NetlinkSocket::Receive(size_t max_size, int timeout_ms) {
  Datagram out;
  VHSM_RETURN_IF_ERROR(ReceiveInPlace(max_size, timeout_ms,
                                      [&](const uint8_t* data, size_t size, const Datagram& meta) {
                                        out = meta;
                                        out.data.assign(data, data + size);
                                      }));
  return out;
}

Status NetlinkSocket::ReceiveInPlace(size_t max_size, int timeout_ms, const InPlace& fn,
                                     std::vector<uint8_t>* caller_scratch) {
  // Waiting for a datagram costs no poll(2): a bounded wait is the socket's
  // own receive timeout (set again only when it changes), no wait at all
  // is MSG_DONTWAIT. One system call per datagram on either side.
  std::unique_lock<std::mutex> lock(receive_mu_, std::defer_lock);
  if (caller_scratch == nullptr) lock.lock();
  // 0 in SO_RCVTIMEO is "forever" (timeout_ms < 0); timeout_ms == 0 needs
  // none. Only callers without a scratch buffer of their own wait, so only
  // they touch receive_timeout_ms_, under receive_mu_.
  const int wanted = timeout_ms > 0 ? timeout_ms : 0;
  if (timeout_ms != 0 && wanted != receive_timeout_ms_) {
    timeval tv{wanted / 1000, static_cast<suseconds_t>(wanted % 1000) * 1000};
    if (setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0) {
      return Internal(Errno("setsockopt(SO_RCVTIMEO)"));
    }
    receive_timeout_ms_ = wanted;
  }
  for (;;) {
    // One receive buffer per socket (or the caller's), reused: allocating
    // and zero-filling a 64 KiB vector per datagram cost more than the rest
    // of the request. (Not thread_local here: this code also runs inside the
    // dlopen()ed engine; the server's listener passes a per-thread one.)
    std::vector<uint8_t>& scratch = caller_scratch ? *caller_scratch : receive_buffer_;
    if (scratch.size() < max_size) scratch.resize(max_size);
    Datagram d;
    sockaddr_nl addr{};
    iovec iov{scratch.data(), max_size};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
    msghdr msg{};
    msg.msg_name = &addr;
    msg.msg_namelen = sizeof(addr);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    // MSG_TRUNC makes recvmsg return the real length of a longer datagram.
    ssize_t n = recvmsg(fd_.get(), &msg, MSG_TRUNC | (timeout_ms == 0 ? MSG_DONTWAIT : 0));
    if (n < 0) {
      if (errno == EINTR || errno == ENOBUFS) continue;  // ENOBUFS: the kernel dropped some
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        return DeadlineExceeded(timeout_ms == 0
                                    ? "no datagram queued"
                                    : "no reply within " + std::to_string(timeout_ms) + " ms");
      }
      return Internal(Errno("netlink recvmsg"));
    }
    d.real_size = static_cast<size_t>(n);
    size_t kept = std::min(d.real_size, max_size);
    d.sender_port = addr.nl_pid;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
          c->cmsg_len >= CMSG_LEN(sizeof(ucred))) {
        ucred cred;
        std::memcpy(&cred, CMSG_DATA(c), sizeof(cred));
        d.has_creds = true;
        d.pid = cred.pid;
        d.uid = cred.uid;
        d.gid = cred.gid;
      }
    }
    fn(scratch.data(), kept, d);
    // The datagram may carry a password or key material: wipe it here;
    // whatever fn copied is the caller's to wipe.
    explicit_bzero(scratch.data(), kept);
    return Status::Ok();
  }
}

}  // namespace vhsm::transport
