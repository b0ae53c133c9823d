#include "vhsm/transport/listener.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "vhsm/base/identifier.h"
#include "vhsm/transport/frame.h"

namespace vhsm::transport {
namespace {

// Each container's socket may queue 4 MiB (kernel accounting, skb truesize).
// A pipelined client keeps up to 16 chunks of 64 KiB in flight, about 2 MiB
// of truesize, so a well-behaved client never waits on a full queue; what a
// flooding container queues beyond that stays in the kernel, charged to its
// own socket, and blocks only its own senders. Replies are charged to the
// receiver's buffer, so our send buffer size does not matter.
constexpr int kSocketBuffer = 4 << 20;
constexpr int kMaxReadyPerPoll = 64;
constexpr int kSoNetnsCookie = 71;  // SO_NETNS_COOKIE (Linux 5.14)

// CreateInNamespaces makes a socket in each namespace on one short-lived
// thread that enters them in turn, so no long-lived thread ever changes
// namespace.
std::vector<Result<std::unique_ptr<NetlinkSocket>>> CreateInNamespaces(
    const std::vector<std::string>& paths, uint32_t port) {
  std::vector<Result<std::unique_ptr<NetlinkSocket>>> results;
  results.reserve(paths.size());
  for (size_t i = 0; i < paths.size(); ++i) results.push_back(Internal("not attempted"));
  std::thread worker([&] {
    for (size_t i = 0; i < paths.size(); ++i) {
      const std::string& path = paths[i];
      UniqueFd ns(open(path.c_str(), O_RDONLY | O_CLOEXEC));
      if (!ns.valid()) {
        results[i] = errno == ENOENT
                         ? Status(NotFound("no namespace file " + path))
                         : PermissionDenied("cannot open " + path + ": " + std::strerror(errno));
        continue;
      }
      if (setns(ns.get(), CLONE_NEWNET) != 0) {
        results[i] = errno == EINVAL
                         ? InvalidArgument(path + " is not a network namespace")
                         : PermissionDenied("setns(" + path + "): " + std::strerror(errno));
        continue;
      }
      results[i] = NetlinkSocket::Create(port, /*pass_creds=*/true);
    }
  });
  worker.join();
  return results;
}

}  // namespace

bool ValidContainerName(const std::string& name) { return ValidIdentifier(name, 64); }

Result<std::unique_ptr<Listener>> Listener::Create(uint32_t port) {
  if (port == 0) return InvalidArgument("the VHSM port id must not be 0");
  UniqueFd epoll_fd(epoll_create1(EPOLL_CLOEXEC));
  if (!epoll_fd.valid()) return Internal(std::string("epoll_create1: ") + std::strerror(errno));
  UniqueFd wake_fd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake_fd.valid()) return Internal(std::string("eventfd: ") + std::strerror(errno));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_fd.get();
  if (epoll_ctl(epoll_fd.get(), EPOLL_CTL_ADD, wake_fd.get(), &ev) != 0) {
    return Internal(std::string("epoll_ctl: ") + std::strerror(errno));
  }
  std::unique_ptr<Listener> listener(new Listener(port, std::move(epoll_fd), std::move(wake_fd)));
  Result<std::unique_ptr<NetlinkSocket>> host = NetlinkSocket::Create(port, true);
  if (!host.ok()) {
    if (host.status().code() == StatusCode::kAlreadyExists) {
      return AlreadyExists("VHSM port " + std::to_string(port) +
                           " is already in use on the host (another vhsmd?)");
    }
    return host.status();
  }
  VHSM_RETURN_IF_ERROR(listener->Add(kHostContainer, std::move(host).value()));
  return listener;
}

Listener::~Listener() = default;

Status Listener::Add(const std::string& name, std::unique_ptr<NetlinkSocket> socket) {
  socket->SetBufferSizes(kSocketBuffer);
  std::lock_guard<std::mutex> lock(mu_);
  if (fd_by_name_.count(name) != 0) {
    return AlreadyExists("container '" + name + "' is already attached");
  }
  int fd = socket->fd();
  epoll_event ev{};
  ev.events = EPOLLIN;  // level-triggered: a socket left readable is reported again
  ev.data.fd = fd;
  if (epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) {
    return Internal(std::string("epoll_ctl: ") + std::strerror(errno));
  }
  by_fd_[fd] = Endpoint{name, std::shared_ptr<NetlinkSocket>(std::move(socket))};
  fd_by_name_[name] = fd;
  return Status::Ok();
}

Status Listener::Attach(const std::string& name, const std::string& netns_path,
                        uint64_t* netns_cookie) {
  std::vector<uint64_t> cookies;
  Status s = AttachMany({{name, netns_path}}, &cookies)[0];
  if (netns_cookie != nullptr) *netns_cookie = cookies[0];
  return s;
}

std::vector<Status> Listener::AttachMany(
    const std::vector<std::pair<std::string, std::string>>& items, std::vector<uint64_t>* cookies) {
  std::vector<Status> out(items.size());
  if (cookies != nullptr) cookies->assign(items.size(), 0);
  std::vector<std::string> paths;
  std::vector<size_t> index;  // of the items tried
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string& name = items[i].first;
    if (!ValidContainerName(name) || name == kHostContainer) {
      out[i] = InvalidArgument("invalid container name '" + name +
                               "' (1-64 of A-Z a-z 0-9 . _ -, not 'host')");
    } else if (IsAttached(name)) {
      out[i] = AlreadyExists("container '" + name + "' is already attached");
    } else {
      paths.push_back(items[i].second);
      index.push_back(i);
    }
  }
  auto sockets = CreateInNamespaces(paths, port_);
  for (size_t k = 0; k < sockets.size(); ++k) {
    const size_t i = index[k];
    if (!sockets[k].ok()) {
      out[i] = sockets[k].status().code() == StatusCode::kAlreadyExists
                   ? AlreadyExists("VHSM port already bound inside container '" + items[i].first +
                                   "' (" + items[i].second + "): a process there is squatting it")
                   : sockets[k].status();
      continue;
    }
    if (cookies != nullptr) {
      socklen_t len = sizeof(uint64_t);
      if (getsockopt((*sockets[k])->fd(), SOL_SOCKET, kSoNetnsCookie, &(*cookies)[i], &len) != 0) {
        (*cookies)[i] = 0;
      }
    }
    out[i] = Add(items[i].first, std::move(sockets[k]).value());
  }
  return out;
}

Status Listener::Detach(const std::string& name) {
  if (name == kHostContainer) return InvalidArgument("cannot detach the host");
  std::lock_guard<std::mutex> lock(mu_);
  auto it = fd_by_name_.find(name);
  if (it == fd_by_name_.end()) {
    return NotFound("container '" + name + "' is not attached");
  }
  epoll_ctl(epoll_fd_.get(), EPOLL_CTL_DEL, it->second, nullptr);
  by_fd_.erase(it->second);  // the socket closes when in-flight replies finish
  fd_by_name_.erase(it);
  return Status::Ok();
}

bool Listener::IsAttached(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  return fd_by_name_.count(name) != 0;
}

std::vector<std::string> Listener::AttachedNames() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> names;
  for (const auto& [name, fd] : fd_by_name_) names.push_back(name);
  return names;
}

void Listener::Wake() {
  // Never read back: the eventfd stays readable, so every Poll returns.
  uint64_t one = 1;
  ssize_t ignored = write(wake_fd_.get(), &one, sizeof(one));
  (void)ignored;
}

void Listener::Read(const Endpoint& endpoint, const PollLimits& limits,
                    std::vector<Incoming>* out) {
  size_t bytes = 0;
  // One receive buffer per polling thread, not per socket: 10,000 attached
  // containers do not cost 10,000 buffers of 64 KiB.
  thread_local std::vector<uint8_t> scratch;
  while (out->size() < limits.max_datagrams && bytes < limits.max_bytes) {
    Incoming in;
    bool from_kernel = false;
    Status got = endpoint.socket->ReceiveInPlace(
        kMaxFrameSize, 0,
        [&](const uint8_t* data, size_t size, const Datagram& d) {
          bytes += d.real_size;
          from_kernel = d.sender_port == 0;  // never a client
          if (from_kernel) return;
          in.container = endpoint.name;
          in.sender_port = d.sender_port;
          in.has_creds = d.has_creds;
          in.pid = d.pid;
          in.uid = d.uid;
          in.gid = d.gid;
          in.socket = endpoint.socket;
          in.has_seq = PeekSeq(data, size, &in.seq);
          if (d.real_size > kMaxFrameSize) {
            in.error =
                InvalidArgument("frame of " + std::to_string(d.real_size) +
                                " bytes exceeds the limit of " + std::to_string(kMaxFrameSize));
            return;
          }
          Result<Frame> frame = DecodeFrame(data, size);
          if (!frame.ok()) {
            in.error = frame.status();
          } else if (frame->type != FrameType::kRequest) {
            in.error = InvalidArgument("expected a request frame");
          } else {
            in.payload = std::move(frame->payload);
          }
        },
        &scratch);
    if (!got.ok()) break;  // nothing more queued
    if (!from_kernel) out->push_back(std::move(in));
  }
}

bool Listener::Poll(int timeout_ms, const PollLimits& limits,
                    const std::function<void(std::vector<Incoming>&)>& admit) {
  epoll_event events[kMaxReadyPerPoll];
  int n = epoll_wait(epoll_fd_.get(), events, kMaxReadyPerPoll, timeout_ms);
  if (n <= 0) return false;
  bool woken = false;
  std::vector<Incoming> batch;
  // Alone, a socket may have a longer turn (a pipelining client gains);
  // with others waiting, turns are short.
  PollLimits turn = limits;
  if (n > 1) turn.max_datagrams_alone = turn.max_datagrams;
  turn.max_datagrams = turn.max_datagrams_alone;
  for (int i = 0; i < n; ++i) {
    int fd = events[i].data.fd;
    if (fd == wake_fd_.get()) {
      woken = true;  // left readable: every poller sees it
      continue;
    }
    Endpoint endpoint;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = by_fd_.find(fd);
      if (it == by_fd_.end()) continue;  // detached meanwhile
      endpoint = it->second;
    }
    // One turn per ready socket: a bounded number of datagrams and bytes,
    // so a container that floods its socket gets a turn like everyone else
    // and never a longer one. A socket still readable after its turn is
    // reported again by the next epoll_wait (level-triggered), behind the
    // sockets that were ready before it.
    batch.clear();
    Read(endpoint, turn, &batch);
    if (!batch.empty()) admit(batch);
  }
  return !woken;
}

std::vector<Incoming> Listener::Poll(int timeout_ms, size_t max_batch) {
  std::vector<Incoming> out;
  PollLimits limits;
  limits.max_datagrams = max_batch;
  limits.max_datagrams_alone = max_batch;
  limits.max_bytes = SIZE_MAX;
  Poll(timeout_ms, limits, [&](std::vector<Incoming>& batch) {
    for (auto& in : batch) out.push_back(std::move(in));
  });
  return out;
}

Status Listener::Reply(const Incoming& to, const std::string& payload) {
  Frame frame;
  frame.type = FrameType::kResponse;
  frame.seq = to.seq;
  frame.payload = payload;
  VHSM_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, EncodeFrame(frame));
  Status sent = to.socket->SendTo(to.sender_port, bytes.data(), bytes.size(),
                                  /*dont_wait=*/true);
  explicit_bzero(bytes.data(), bytes.size());  // a plaintext may be in there
  return sent;
}

}  // namespace vhsm::transport
