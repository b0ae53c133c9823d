// ClientChannel against an echo server in this process's namespace: replies
// that come while the channel spins, after it gave up spinning and slept,
// out of order, from a stranger, or never.
#include "vhsm/transport/client_channel.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "vhsm/transport/frame.h"

namespace vhsm::transport {
namespace {

uint32_t RandomPort() { return 0x50000000u | (std::random_device{}() & 0x0fffffffu); }

// Echo answers each request "<delay_us> <text>" with "<text>" after the
// delay; a request "swap" is held and answered after the next one.
class Echo {
 public:
  Echo() : socket_(std::move(NetlinkSocket::Create(RandomPort(), false)).value()) {
    thread_ = std::thread([this] { Run(); });
  }
  ~Echo() {
    stop_ = true;
    thread_.join();
  }
  uint32_t port() const { return socket_->port(); }

 private:
  void Reply(uint32_t to, uint32_t seq, const std::string& text) {
    Frame f;
    f.type = FrameType::kResponse;
    f.seq = seq;
    f.payload = text;
    auto bytes = EncodeFrame(f);
    ASSERT_TRUE(bytes.ok());
    ASSERT_TRUE(socket_->SendTo(to, bytes->data(), bytes->size()).ok());
  }
  void Run() {
    bool holding = false;
    uint32_t held_seq = 0;
    while (!stop_) {
      auto d = socket_->Receive(kMaxFrameSize, 50);
      if (!d.ok()) continue;
      auto frame = DecodeFrame(d->data.data(), d->data.size());
      ASSERT_TRUE(frame.ok());
      const std::string& p = frame->payload;
      if (p == "swap") {
        holding = true;
        held_seq = frame->seq;
        continue;
      }
      size_t space = p.find(' ');
      long delay_us = std::stol(p.substr(0, space));
      if (delay_us < 0) continue;  // never answered
      std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
      Reply(d->sender_port, frame->seq, p.substr(space + 1));
      if (holding) {
        Reply(d->sender_port, held_seq, "swapped");
        holding = false;
      }
    }
  }
  std::unique_ptr<NetlinkSocket> socket_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

std::unique_ptr<ClientChannel> Channel(uint32_t port, int spin_us, int timeout_ms = 2000) {
  ClientChannel::Options o;
  o.server_port = port;
  o.spin_us = spin_us;
  o.timeout_ms = timeout_ms;
  return std::move(ClientChannel::Create(o)).value();
}

TEST(ClientChannelTest, RepliesArriveWhetherTheChannelSpinsOrSleeps) {
  Echo echo;
  for (int spin_us : {0, 100}) {
    auto ch = Channel(echo.port(), spin_us);
    // Fast replies (caught spinning), slow ones (after the spin gave up and
    // the channel slept), and fast ones again once the average came down.
    for (long delay_us : {0L, 0L, 3000L, 20000L, 3000L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L}) {
      std::string text = "spin " + std::to_string(spin_us) + " delay " + std::to_string(delay_us);
      auto seq = ch->Send(std::to_string(delay_us) + " " + text);
      ASSERT_TRUE(seq.ok());
      auto reply = ch->Receive(*seq);
      ASSERT_TRUE(reply.ok()) << reply.status().ToString();
      EXPECT_EQ(*reply, text);
    }
  }
}

TEST(ClientChannelTest, OutOfOrderRepliesAreKeptForTheirCaller) {
  Echo echo;
  auto ch = Channel(echo.port(), 100);
  auto first = ch->Send("swap");
  auto second = ch->Send("0 second");
  ASSERT_TRUE(first.ok() && second.ok());
  auto r1 = ch->Receive(*first);  // "second" arrives first and is kept
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  EXPECT_EQ(*r1, "swapped");
  auto r2 = ch->Receive(*second);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(*r2, "second");
}

TEST(ClientChannelTest, NoReplyIsADeadlineWithOrWithoutSpinning) {
  Echo echo;
  for (int spin_us : {0, 100}) {
    auto ch = Channel(echo.port(), spin_us, /*timeout_ms=*/80);
    auto seq = ch->Send("-1 never");
    ASSERT_TRUE(seq.ok());
    auto start = std::chrono::steady_clock::now();
    auto reply = ch->Receive(*seq);
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(reply.status().code(), StatusCode::kDeadlineExceeded);
    EXPECT_GE(ms, 70);
    EXPECT_LT(ms, 1000);
    // The timeout is the channel's each time, not what was left of it.
    seq = ch->Send("0 again");
    ASSERT_TRUE(seq.ok());
    reply = ch->Receive(*seq);
    ASSERT_TRUE(reply.ok()) << reply.status().ToString();
    EXPECT_EQ(*reply, "again");
  }
}

TEST(ClientChannelTest, DatagramsFromAStrangerAreDropped) {
  Echo echo;
  auto ch = Channel(echo.port(), 100, /*timeout_ms=*/200);
  auto stranger = std::move(NetlinkSocket::Create(0, false)).value();
  auto seq = ch->Send("2000 real");
  ASSERT_TRUE(seq.ok());
  Frame f;
  f.type = FrameType::kResponse;
  f.seq = *seq;
  f.payload = "forged";
  auto bytes = EncodeFrame(f);
  ASSERT_TRUE(bytes.ok());
  ASSERT_TRUE(stranger->SendTo(ch->local_port(), bytes->data(), bytes->size()).ok());
  auto reply = ch->Receive(*seq);
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(*reply, "real");
}

}  // namespace
}  // namespace vhsm::transport
