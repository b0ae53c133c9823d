// NetlinkSocket between two sockets of this process's namespace (binding a
// NETLINK_USERSOCK port needs no privilege).
#include "vhsm/transport/netlink_socket.h"

#include <sys/socket.h>
#include <unistd.h>

#include <random>

#include "gtest/gtest.h"

namespace vhsm::transport {
namespace {

uint32_t RandomPort() { return 0x60000000u | (std::random_device{}() & 0x0fffffffu); }

TEST(NetlinkSocketTest, SendReceiveWithKernelCredentials) {
  auto server = NetlinkSocket::Create(RandomPort(), /*pass_creds=*/true);
  auto client = NetlinkSocket::Create(0, false);
  ASSERT_TRUE(server.ok() && client.ok());
  EXPECT_NE((*client)->port(), 0u);  // the kernel picked one
  const std::string msg = "hello";
  ASSERT_TRUE(
      (*client)
          ->SendTo((*server)->port(), reinterpret_cast<const uint8_t*>(msg.data()), msg.size())
          .ok());
  auto d = (*server)->Receive(1024, 1000);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(std::string(d->data.begin(), d->data.end()), msg);
  EXPECT_EQ(d->sender_port, (*client)->port());
  ASSERT_TRUE(d->has_creds);
  EXPECT_EQ(d->pid, getpid());
  EXPECT_EQ(d->uid, getuid());
}

TEST(NetlinkSocketTest, PortsAreExclusiveAndTimeoutsAndCutsAreReported) {
  uint32_t port = RandomPort();
  auto first = NetlinkSocket::Create(port, false);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(NetlinkSocket::Create(port, false).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ((*first)->Receive(64, 10).status().code(), StatusCode::kDeadlineExceeded);
  auto client = NetlinkSocket::Create(0, false);
  std::string big(300, 'x');
  ASSERT_TRUE(
      (*client)->SendTo(port, reinterpret_cast<const uint8_t*>(big.data()), big.size()).ok());
  auto d = (*first)->Receive(100, 1000);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->data.size(), 100u);
  EXPECT_EQ(d->real_size, 300u);  // cut, and says so
  // Nobody there: Unavailable, with a hint.
  auto gone = (*client)->SendTo(RandomPort(), reinterpret_cast<const uint8_t*>("x"), 1);
  EXPECT_EQ(gone.code(), StatusCode::kUnavailable);
}

TEST(NetlinkSocketTest, DontWaitDropsAtOnceWhenTheReceiverIsFull) {
  auto receiver = NetlinkSocket::Create(RandomPort(), false);
  auto sender = NetlinkSocket::Create(0, false);
  ASSERT_TRUE(receiver.ok() && sender.ok());
  int small = 1;  // the kernel rounds it up to its minimum
  setsockopt((*receiver)->fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  std::string data(4096, 'd');
  Status last;
  for (int i = 0; i < 64 && last.ok(); ++i) {
    last = (*sender)->SendTo((*receiver)->port(), reinterpret_cast<const uint8_t*>(data.data()),
                             data.size(), /*dont_wait=*/true);
  }
  EXPECT_EQ(last.code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace vhsm::transport
