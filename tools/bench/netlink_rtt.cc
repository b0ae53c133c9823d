#include "tools/bench/netlink_rtt.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "tools/bench/must.h"
#include "tools/bench/private_daemon.h"
#include "vhsm/transport/netlink_socket.h"

namespace vhsm::bench {

double NetlinkRtt(size_t payload, double seconds) {
  uint32_t port = RandomPort();
  int ready[2];
  if (pipe(ready) != 0) Die("pipe");
  pid_t echo = fork();
  if (echo == 0) {
    auto s = transport::NetlinkSocket::Create(port, false);
    if (!s.ok()) _exit(1);
    (*s)->SetBufferSizes(4 << 20);
    char ok = 1;
    if (write(ready[1], &ok, 1) != 1) _exit(1);
    for (;;) {
      auto d = (*s)->Receive(1 << 17, -1);
      if (!d.ok()) continue;
      (void)(*s)->SendTo(d->sender_port, d->data.data(), d->data.size());
    }
  }
  char ok;
  if (read(ready[0], &ok, 1) != 1) Die("echo process");
  close(ready[0]);
  close(ready[1]);
  auto s = Must(transport::NetlinkSocket::Create(0, false), "netlink socket");
  s->SetBufferSizes(4 << 20);
  const std::string data(payload, 'r');
  auto round_trip = [&] {
    if (!s->SendTo(port, reinterpret_cast<const uint8_t*>(data.data()), data.size()).ok()) {
      Die("raw send");
    }
    if (!s->Receive(1 << 17, 5000).ok()) Die("raw receive");
  };
  round_trip();  // warm-up
  using Clock = std::chrono::steady_clock;
  auto start = Clock::now();
  long n = 0;
  double elapsed = 0;
  do {
    round_trip();
    ++n;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < seconds);
  kill(echo, SIGKILL);
  waitpid(echo, nullptr, 0);
  return n / elapsed;
}

}  // namespace vhsm::bench
