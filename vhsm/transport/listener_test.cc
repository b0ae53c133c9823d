#include "vhsm/transport/listener.h"

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <random>
#include <thread>

#include "gtest/gtest.h"
#include "vhsm/testing/namespaces.h"
#include "vhsm/transport/client_channel.h"
#include "vhsm/transport/frame.h"
#include "vhsm/transport/netlink_socket.h"

namespace vhsm::transport {
namespace {

using testing::NetnsChild;

uint32_t RandomPort() {
  std::random_device rd;
  return 0x40000000u | (rd() & 0x0fffffffu);
}

// EchoServer runs a Listener on a thread: every valid request is answered
// with "echo:" + payload, every malformed one with "error:" + message; all
// arrivals are recorded for the test to inspect.
class EchoServer {
 public:
  explicit EchoServer(uint32_t port) {
    Result<std::unique_ptr<Listener>> l = Listener::Create(port);
    EXPECT_TRUE(l.ok()) << l.status().ToString();
    listener_ = std::move(l).value();
    thread_ = std::thread([this] {
      while (!stop_) {
        for (Incoming& in : listener_->Poll(100)) {
          std::string reply = in.error.ok() ? "echo:" + in.payload : "error:" + in.error.message();
          {
            // Record before replying, so a client that has its reply can
            // rely on seen() including its message.
            std::lock_guard<std::mutex> lock(mu_);
            seen_.push_back(in);
            seen_.back().payload.resize(std::min<size_t>(in.payload.size(), 64));
          }
          if (in.has_seq) (void)Listener::Reply(in, reply);
        }
      }
    });
  }
  ~EchoServer() {
    stop_ = true;
    listener_->Wake();
    thread_.join();
  }
  Listener& listener() { return *listener_; }
  std::vector<Incoming> seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

 private:
  std::unique_ptr<Listener> listener_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<Incoming> seen_;
};

// In a child: one request; 0 when the expected reply came back.
int CallOnce(uint32_t port, const std::string& msg) {
  ClientChannel::Options o;
  o.server_port = port;
  o.timeout_ms = 3000;
  auto ch = ClientChannel::Create(o);
  if (!ch.ok()) return 10;
  Result<std::string> r = (*ch)->Call(msg);
  if (!r.ok()) return 11;
  return *r == "echo:" + msg ? 0 : 12;
}

// In a child: 0 when the daemon is unreachable (no answer at all).
int ExpectUnreachable(uint32_t port) {
  ClientChannel::Options o;
  o.server_port = port;
  o.timeout_ms = 500;
  auto ch = ClientChannel::Create(o);
  if (!ch.ok()) return 20;
  Result<std::string> r = (*ch)->Call("anyone?");
  if (r.ok()) return 21;
  return r.status().code() == StatusCode::kUnavailable ||
                 r.status().code() == StatusCode::kDeadlineExceeded
             ? 0
             : 22;
}

TEST(ListenerTest, HostClientRoundTripAndPipelining) {
  uint32_t port = RandomPort();
  EchoServer server(port);
  ClientChannel::Options o;
  o.server_port = port;
  auto ch = ClientChannel::Create(o);
  ASSERT_TRUE(ch.ok());
  std::vector<uint32_t> seqs;
  for (int i = 0; i < 50; ++i) seqs.push_back(*(*ch)->Send("m" + std::to_string(i)));
  // Collect in reverse order: replies are matched by seq, not by arrival.
  for (int i = 49; i >= 0; --i) {
    Result<std::string> r = (*ch)->Receive(seqs[i]);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, "echo:m" + std::to_string(i));
  }
  std::vector<Incoming> seen = server.seen();
  ASSERT_EQ(seen.size(), 50u);
  EXPECT_EQ(seen[0].container, "host");
  EXPECT_TRUE(seen[0].has_creds);
  EXPECT_EQ(seen[0].pid, getpid());
  EXPECT_EQ(seen[0].uid, getuid());
  EXPECT_EQ(seen[0].sender_port, (*ch)->local_port());
}

TEST(ListenerTest, SecondListenerOnSamePortIsRefused) {
  uint32_t port = RandomPort();
  EchoServer server(port);
  Result<std::unique_ptr<Listener>> again = Listener::Create(port);
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
}

TEST(ListenerTest, ContainersAreTaggedByTheKernelAndIsolated) {
  VHSM_REQUIRE_ROOT();
  uint32_t port = RandomPort();
  EchoServer server(port);

  auto ct1 = NetnsChild::Start([&](NetnsChild&) { return CallOnce(port, "from-ct1"); });
  auto ct2 = NetnsChild::Start([&](NetnsChild&) { return CallOnce(port, "from-ct2"); });
  auto stranger = NetnsChild::Start([&](NetnsChild&) { return ExpectUnreachable(port); });
  ASSERT_TRUE(server.listener().Attach("ct1", ct1->netns_path()).ok());
  ASSERT_TRUE(server.listener().Attach("ct2", ct2->netns_path()).ok());
  ct1->Go();
  ct2->Go();
  stranger->Go();
  EXPECT_EQ(ct1->Wait(), 0);
  EXPECT_EQ(ct2->Wait(), 0);
  EXPECT_EQ(stranger->Wait(), 0) << "a never-attached namespace reached the daemon";

  int from1 = 0, from2 = 0;
  for (const Incoming& in : server.seen()) {
    if (in.payload == "from-ct1") {
      ++from1;
      EXPECT_EQ(in.container, "ct1");
      EXPECT_EQ(in.pid, ct1->pid());
      EXPECT_EQ(in.uid, 0u);
    } else if (in.payload == "from-ct2") {
      ++from2;
      EXPECT_EQ(in.container, "ct2");
      EXPECT_EQ(in.pid, ct2->pid());
    } else {
      ADD_FAILURE() << "unexpected message from " << in.container;
    }
  }
  EXPECT_EQ(from1, 1);
  EXPECT_EQ(from2, 1);
}

TEST(ListenerTest, DetachedContainerGetsNoAnswer) {
  VHSM_REQUIRE_ROOT();
  uint32_t port = RandomPort();
  EchoServer server(port);
  auto ct = NetnsChild::Start([&](NetnsChild& self) {
    int first = CallOnce(port, "before-detach");
    self.Signal();
    self.ChildWait();  // parent detaches
    int second = ExpectUnreachable(port);
    return first == 0 && second == 0 ? 0 : 30 + first + second;
  });
  ASSERT_TRUE(server.listener().Attach("ct", ct->netns_path()).ok());
  ct->Go();
  ASSERT_TRUE(ct->WaitFromChild());
  ASSERT_TRUE(server.listener().Detach("ct").ok());
  EXPECT_FALSE(server.listener().IsAttached("ct"));
  ct->Go();
  EXPECT_EQ(ct->Wait(), 0);
  EXPECT_EQ(server.listener().Detach("ct").code(), StatusCode::kNotFound);
}

TEST(ListenerTest, AttachErrors) {
  VHSM_REQUIRE_ROOT();
  uint32_t port = RandomPort();
  EchoServer server(port);
  Listener& l = server.listener();
  EXPECT_EQ(l.Attach("bad/name", "/proc/self/ns/net").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(l.Attach("host", "/proc/self/ns/net").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(l.Attach("ct", "/nonexistent/ns").code(), StatusCode::kNotFound);
  EXPECT_EQ(l.Attach("ct", "/proc/self/ns/uts").code(), StatusCode::kInvalidArgument);
  // Our own namespace already has the port bound (the host socket): this is
  // exactly what a squatter inside a container looks like.
  Status squat = l.Attach("ct", "/proc/self/ns/net");
  EXPECT_EQ(squat.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(squat.message().find("squatting"), std::string::npos);
  auto ct = NetnsChild::Start([&](NetnsChild&) { return 0; });
  ASSERT_TRUE(l.Attach("ct", ct->netns_path()).ok());
  EXPECT_EQ(l.Attach("ct", ct->netns_path()).code(), StatusCode::kAlreadyExists);
  ct->Go();
  ct->Wait();
}

// Raw datagrams straight at the listener: each malformed one is answered
// with an error (when it has a header) and the next valid one still works.
TEST(ListenerTest, MalformedAndOversizedFramesDoNotStopTheListener) {
  uint32_t port = RandomPort();
  EchoServer server(port);
  Result<std::unique_ptr<NetlinkSocket>> raw = NetlinkSocket::Create(0, false);
  ASSERT_TRUE(raw.ok());
  (*raw)->SetBufferSizes(4 << 20);

  Frame f;
  f.seq = 77;
  f.payload = "x";
  std::vector<uint8_t> good = *EncodeFrame(f);
  std::vector<std::vector<uint8_t>> bad = {
      std::vector<uint8_t>(good.begin(), good.begin() + 8),  // truncated header
      std::vector<uint8_t>(good.begin(), good.end() - 4),    // nlmsg_len too big
      std::vector<uint8_t>(1 << 20, 0x41),                   // 1 MiB of garbage
  };
  bad[2][0] = 0;  // keep nlmsg_len small so it is "too large", not "too short"
  for (const auto& b : bad) {
    ASSERT_TRUE((*raw)->SendTo(port, b.data(), b.size()).ok());
  }
  // A 1 MiB well-formed-looking header claiming the whole size.
  std::vector<uint8_t> big(1 << 20, 0);
  std::memcpy(big.data(), good.data(), 16);
  ASSERT_TRUE((*raw)->SendTo(port, big.data(), big.size()).ok());

  int errors = 0;
  for (int i = 0; i < 3; ++i) {  // the truncated one has no seq: no reply
    Result<Datagram> d = (*raw)->Receive(kMaxFrameSize, 3000);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    Result<Frame> reply = DecodeFrame(d->data.data(), d->data.size());
    ASSERT_TRUE(reply.ok());
    EXPECT_EQ(reply->payload.rfind("error:", 0), 0u) << reply->payload;
    ++errors;
  }
  EXPECT_EQ(errors, 3);

  ASSERT_TRUE((*raw)->SendTo(port, good.data(), good.size()).ok());
  Result<Datagram> d = (*raw)->Receive(kMaxFrameSize, 3000);
  ASSERT_TRUE(d.ok());
  Result<Frame> reply = DecodeFrame(d->data.data(), d->data.size());
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->seq, 77u);
  EXPECT_EQ(reply->payload, "echo:x");
  bool saw_oversize = false;
  for (const Incoming& in : server.seen()) {
    if (!in.error.ok() && in.error.message().find("exceeds the limit") != std::string::npos) {
      saw_oversize = true;
    }
  }
  EXPECT_TRUE(saw_oversize);
}

}  // namespace
}  // namespace vhsm::transport
