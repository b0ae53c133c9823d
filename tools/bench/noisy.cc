#include "tools/bench/noisy.h"

#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <random>
#include <thread>
#include <vector>

#include "vhsm/api/client.h"
#include "vhsm/api/server_key.h"
#include "vhsm/noise/noise_nk.h"
#include "vhsm/proto/slow_ops.h"
#include "vhsm/proto/vhsm.pb.h"
#include "vhsm/transport/frame.h"
#include "vhsm/transport/netlink_socket.h"

namespace vhsm::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Raw: an attacker's socket, speaking the wire format directly, with a
// real secure channel (so vhsmd does all the work a real request costs).
class Raw {
 public:
  explicit Raw(uint32_t port) : port_(port) {
    auto s = transport::NetlinkSocket::Create(0, false);
    if (s.ok()) socket_ = std::move(s).value();
  }
  bool ok() const { return socket_ != nullptr; }
  // Send one request (sealed once the session is open); blocks while
  // vhsmd's queue for this container is full.
  bool Send(proto::Request& r) {
    proto::Request outer;
    if (session_.empty()) {
      outer = r;
    } else {
      std::string inner = r.SerializeAsString();
      auto ct = keys_.send.Seal(counter_, std::string(noise::kRequestAd) + session_, inner);
      if (!ct.ok()) return false;
      outer.set_session_id(session_);
      outer.mutable_sealed()->set_counter(counter_++);
      outer.mutable_sealed()->set_ciphertext(ct->data(), ct->size());
      outer.mutable_sealed()->set_slow(IsSlowOp(r.op_case()));
    }
    std::string payload = outer.SerializeAsString();
    auto frame =
        encoder_.Encode(transport::FrameType::kRequest, ++seq_, payload.data(), payload.size());
    if (!frame.ok()) return false;
    return socket_->SendTo(port_, frame->data, frame->size).ok();
  }
  bool Receive(proto::Response* resp, int timeout_ms) {
    auto d = socket_->Receive(transport::kMaxFrameSize, timeout_ms);
    if (!d.ok()) return false;
    auto f = transport::DecodeFrame(d->data.data(), d->data.size());
    return f.ok() && resp->ParseFromString(f->payload);
  }
  bool OpenSession() {
    auto key = ResolveServerKey(ServerKeySource{}, port_,
                                [] { return Result<crypto::Bytes>(FailedPrecondition("no key")); });
    if (!key.ok()) return false;
    auto hs = noise::Handshake::Initiator(*key, noise::kVhsmPrologue);
    if (!hs.ok()) return false;
    auto first = hs->WriteMessage1(crypto::ByteView());
    proto::Request r;
    r.mutable_open_session()->set_handshake(first->data(), first->size());
    session_.clear();
    if (!Send(r)) return false;
    proto::Response resp;
    if (!Receive(&resp, 5000) || resp.status() != proto::OK) return false;
    auto sid = hs->ReadMessage2(resp.open_session().handshake());
    if (!sid.ok()) return false;
    auto keys = hs->Split();
    if (!keys.ok()) return false;
    keys_ = std::move(keys).value();
    counter_ = 0;
    session_.assign(reinterpret_cast<const char*>(sid->data()), sid->size());
    return true;
  }
  void ShrinkReceiveBuffer() {
    int small = 4096;
    setsockopt(socket_->fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  }

 private:
  uint32_t port_;
  std::unique_ptr<transport::NetlinkSocket> socket_;
  transport::FrameEncoder encoder_;
  std::string session_;
  noise::TransportKeys keys_;
  uint64_t counter_ = 0;
  uint32_t seq_ = 0;
};

std::string RandomName(std::mt19937_64& rng) {
  return "ghost" + std::to_string(rng() % 1000000000);
}

void LoginRounds(uint32_t port, double seconds) {
  std::mt19937_64 rng(std::random_device{}());
  auto start = Clock::now();
  while (Since(start) < seconds) {
    pid_t child = fork();
    if (child == 0) {
      uid_t uid = 10000 + static_cast<uid_t>(rng() % 50000);
      if (setresuid(uid, uid, uid) != 0) _exit(1);
      Raw raw(port);
      if (!raw.ok() || !raw.OpenSession()) _exit(1);
      auto round = Clock::now();
      int in_flight = 0;
      while (Since(round) < 0.5 && Since(start) < seconds) {
        while (in_flight < 8) {
          proto::Request r;
          r.mutable_login()->set_user(RandomName(rng));
          r.mutable_login()->set_password("guess");
          if (!raw.Send(r)) _exit(1);
          ++in_flight;
        }
        proto::Response resp;
        if (raw.Receive(&resp, 2000)) --in_flight;
      }
      _exit(0);
    }
    if (child < 0) return;
    waitpid(child, nullptr, 0);
  }
}

VictimStats Summarize(std::vector<double> ms, double seconds) {
  VictimStats s;
  s.ops = static_cast<long>(ms.size());
  s.ops_per_s = seconds > 0 ? ms.size() / seconds : 0;
  if (ms.empty()) return s;
  std::sort(ms.begin(), ms.end());
  s.p50_ms = ms[ms.size() / 2];
  s.p99_ms = ms[std::min(ms.size() - 1, ms.size() * 99 / 100)];
  s.max_ms = ms.back();
  return s;
}

}  // namespace

void SlowReaderFlood(uint32_t port, double seconds) {
  Raw raw(port);
  if (!raw.ok() || !raw.OpenSession()) return;
  raw.ShrinkReceiveBuffer();
  proto::Request r;
  r.mutable_digest()->set_algorithm(proto::SHA256);
  r.mutable_digest()->set_data(std::string(64, 'n'));
  auto start = Clock::now();
  while (Since(start) < seconds) {
    for (int i = 0; i < 64; ++i) raw.Send(r);
  }
}

void LoginFlood(uint32_t port, double seconds, int processes) {
  std::vector<pid_t> kids;
  for (int i = 0; i < processes; ++i) {
    pid_t p = fork();
    if (p == 0) {
      LoginRounds(port, seconds);
      _exit(0);
    }
    if (p > 0) kids.push_back(p);
  }
  for (pid_t p : kids) waitpid(p, nullptr, 0);
}

void BigFrameFlood(uint32_t port, double seconds) {
  std::vector<std::unique_ptr<Raw>> clients;
  for (int i = 0; i < 4; ++i) {
    auto raw = std::make_unique<Raw>(port);
    if (!raw->ok() || !raw->OpenSession()) return;
    raw->ShrinkReceiveBuffer();
    clients.push_back(std::move(raw));
  }
  proto::Request login;
  login.mutable_login()->set_user("ghost");
  login.mutable_login()->set_password("guess");
  proto::Request big;
  big.mutable_digest()->set_algorithm(proto::SHA256);
  big.mutable_digest()->set_data(std::string(60 * 1000, 'B'));
  auto start = Clock::now();
  while (Since(start) < seconds) {
    for (auto& c : clients) {
      c->Send(login);
      for (int i = 0; i < 16; ++i) c->Send(big);
    }
  }
}

namespace {

// LoggedIn connects and logs in; on failure says why in *error.
std::unique_ptr<Client> LoggedIn(uint32_t port, const std::string& user,
                                 const std::string& password, std::string* error) {
  ClientOptions o;
  o.port_id = port;
  auto c = Client::Connect(o);
  Status s = c.ok() ? (*c)->Login(user, password) : c.status();
  if (!s.ok()) {
    *error = s.ToString();
    return nullptr;
  }
  return std::move(c).value();
}

// Timed runs op until seconds have passed (or it fails) and summarizes.
VictimStats Timed(double seconds, const std::function<Status()>& op) {
  std::vector<double> ms;
  ms.reserve(1 << 20);
  auto start = Clock::now();
  while (Since(start) < seconds) {
    auto t = Clock::now();
    if (Status s = op(); !s.ok()) {
      VictimStats fail;
      fail.error = s.ToString();
      return fail;
    }
    ms.push_back(Since(t) * 1000);
  }
  return Summarize(std::move(ms), Since(start));
}

}  // namespace

VictimStats VictimHmac(uint32_t port, const std::string& user, const std::string& password,
                       const std::string& key_id, double seconds) {
  VictimStats fail;
  std::unique_ptr<Client> c = LoggedIn(port, user, password, &fail.error);
  if (!c) return fail;
  const std::string msg(64, 'v');
  return Timed(seconds, [&] { return c->Mac(key_id, msg).status(); });
}

void SignFlood(uint32_t port, const std::string& user, const std::string& password,
               const std::string& key_id, double seconds, int clients) {
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i) {
    threads.emplace_back([&] {
      std::string error;
      std::unique_ptr<Client> c = LoggedIn(port, user, password, &error);
      if (!c) {
        std::fprintf(stderr, "sign flood: %s\n", error.c_str());
        return;
      }
      const std::string msg(64, 's');
      auto start = Clock::now();
      while (Since(start) < seconds && c->Sign(key_id, msg).ok()) {
      }
    });
  }
  for (auto& t : threads) t.join();
}

VictimStats VictimLogin(uint32_t port, const std::string& user, const std::string& password,
                        double seconds) {
  return Timed(seconds, [&] {
    std::string error;
    return LoggedIn(port, user, password, &error) ? Status::Ok() : Unavailable(error);
  });
}

std::string ToJson(const VictimStats& s) {
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "{\"ops\": %ld, \"ops_per_s\": %.1f, \"p50_ms\": %.3f, \"p99_ms\": %.3f, "
                "\"max_ms\": %.3f, \"error\": \"%s\"}",
                s.ops, s.ops_per_s, s.p50_ms, s.p99_ms, s.max_ms, s.error.empty() ? "" : "failed");
  std::string out = buf;
  if (!s.error.empty()) {
    // The error text for a human, on stderr; the JSON keeps to plain fields.
    std::fprintf(stderr, "victim: %s\n", s.error.c_str());
  }
  return out;
}

}  // namespace vhsm::bench
