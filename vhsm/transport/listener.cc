#include "vhsm/transport/listener.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "vhsm/transport/frame.h"

namespace vhsm::transport {
namespace {

constexpr int kSocketBuffer = 4 << 20;

// CreateInNamespace makes the socket on a short-lived thread that enters the
// target namespace, so no long-lived thread ever changes namespace.
Result<std::unique_ptr<NetlinkSocket>> CreateInNamespace(const std::string& path,
                                                         uint32_t port) {
  int ns_fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (ns_fd < 0) {
    if (errno == ENOENT) return NotFound("no namespace file " + path);
    return PermissionDenied("cannot open " + path + ": " + std::strerror(errno));
  }
  Result<std::unique_ptr<NetlinkSocket>> result = Internal("namespace thread did not run");
  std::thread worker([&] {
    if (setns(ns_fd, CLONE_NEWNET) != 0) {
      if (errno == EINVAL) {
        result = InvalidArgument(path + " is not a network namespace");
      } else {
        result = PermissionDenied("setns(" + path + "): " + std::strerror(errno));
      }
      return;
    }
    result = NetlinkSocket::Create(port, /*pass_creds=*/true);
  });
  worker.join();
  close(ns_fd);
  return result;
}

}  // namespace

bool ValidContainerName(const std::string& name) {
  if (name.empty() || name.size() > 64 || name[0] == '.') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Result<std::unique_ptr<Listener>> Listener::Create(uint32_t port) {
  if (port == 0) return InvalidArgument("the VHSM port id must not be 0");
  int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) return Internal(std::string("epoll_create1: ") + std::strerror(errno));
  int wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd < 0) {
    close(epoll_fd);
    return Internal(std::string("eventfd: ") + std::strerror(errno));
  }
  std::unique_ptr<Listener> listener(new Listener(port, epoll_fd, wake_fd));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_fd;
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, wake_fd, &ev) != 0) {
    return Internal(std::string("epoll_ctl: ") + std::strerror(errno));
  }
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

Listener::~Listener() {
  close(epoll_fd_);
  close(wake_fd_);
}

Status Listener::Add(const std::string& name, std::unique_ptr<NetlinkSocket> socket) {
  socket->SetBufferSizes(kSocketBuffer);
  std::lock_guard<std::mutex> lock(mu_);
  if (fd_by_name_.count(name) != 0) {
    return AlreadyExists("container '" + name + "' is already attached");
  }
  int fd = socket->fd();
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLONESHOT;
  ev.data.fd = fd;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    return Internal(std::string("epoll_ctl: ") + std::strerror(errno));
  }
  by_fd_[fd] = Endpoint{name, std::shared_ptr<NetlinkSocket>(std::move(socket))};
  fd_by_name_[name] = fd;
  return Status::Ok();
}

Status Listener::Attach(const std::string& name, const std::string& netns_path) {
  if (!ValidContainerName(name) || name == kHostContainer) {
    return InvalidArgument("invalid container name '" + name +
                           "' (1-64 of A-Z a-z 0-9 . _ -, not 'host')");
  }
  if (IsAttached(name)) {
    return AlreadyExists("container '" + name + "' is already attached");
  }
  Result<std::unique_ptr<NetlinkSocket>> socket = CreateInNamespace(netns_path, port_);
  if (!socket.ok()) {
    if (socket.status().code() == StatusCode::kAlreadyExists) {
      return AlreadyExists("VHSM port already bound inside container '" + name +
                           "' (" + netns_path + "): a process there is squatting it");
    }
    return socket.status();
  }
  return Add(name, std::move(socket).value());
}

Status Listener::Detach(const std::string& name) {
  if (name == kHostContainer) return InvalidArgument("cannot detach the host");
  std::lock_guard<std::mutex> lock(mu_);
  auto it = fd_by_name_.find(name);
  if (it == fd_by_name_.end()) {
    return NotFound("container '" + name + "' is not attached");
  }
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, it->second, nullptr);
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
  ssize_t ignored = write(wake_fd_, &one, sizeof(one));
  (void)ignored;
}

void Listener::Read(const Endpoint& endpoint, size_t max_batch, std::vector<Incoming>* out) {
  while (out->size() < max_batch) {
    Result<Datagram> d = endpoint.socket->Receive(kMaxFrameSize, 0);
    if (!d.ok()) break;  // nothing more queued
    if (d->sender_port == 0) continue;  // from the kernel: never a client
    Incoming in;
    in.container = endpoint.name;
    in.sender_port = d->sender_port;
    in.has_creds = d->has_creds;
    in.pid = d->pid;
    in.uid = d->uid;
    in.gid = d->gid;
    in.socket = endpoint.socket;
    in.has_seq = PeekSeq(d->data.data(), d->data.size(), &in.seq);
    if (d->real_size > kMaxFrameSize) {
      in.error = InvalidArgument("frame of " + std::to_string(d->real_size) +
                                 " bytes exceeds the limit of " +
                                 std::to_string(kMaxFrameSize));
    } else {
      Result<Frame> frame = DecodeFrame(d->data.data(), d->data.size());
      if (!frame.ok()) {
        in.error = frame.status();
      } else if (frame->type != FrameType::kRequest) {
        in.error = InvalidArgument("expected a request frame");
      } else {
        in.payload = std::move(frame->payload);
      }
    }
    out->push_back(std::move(in));
  }
}

bool Listener::Poll(int timeout_ms, size_t max_batch,
                    const std::function<void(std::vector<Incoming>&)>& admit) {
  epoll_event ev;
  int n = epoll_wait(epoll_fd_, &ev, 1, timeout_ms);
  if (n <= 0) return false;
  int fd = ev.data.fd;
  if (fd == wake_fd_) return false;  // left readable: every poller sees it
  Endpoint endpoint;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_fd_.find(fd);
    if (it == by_fd_.end()) return true;  // detached meanwhile
    endpoint = it->second;
  }
  std::vector<Incoming> batch;
  Read(endpoint, max_batch, &batch);
  if (!batch.empty()) admit(batch);
  {
    // Re-arm, unless the socket was detached (and its fd perhaps reused).
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_fd_.find(fd);
    if (it != by_fd_.end() && it->second.socket == endpoint.socket) {
      epoll_event again{};
      again.events = EPOLLIN | EPOLLONESHOT;
      again.data.fd = fd;
      epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &again);
    }
  }
  return true;
}

std::vector<Incoming> Listener::Poll(int timeout_ms, size_t max_batch) {
  std::vector<Incoming> out;
  Poll(timeout_ms, max_batch, [&](std::vector<Incoming>& batch) {
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
  return to.socket->SendTo(to.sender_port, bytes.data(), bytes.size(),
                          /*dont_wait=*/true);
}

}  // namespace vhsm::transport
