#include "tools/bench/concurrent_hmac.h"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tools/bench/must.h"
#include "vhsm/api/client.h"

namespace vhsm::bench {
namespace {

using Clock = std::chrono::steady_clock;

// HmacClient is one client process of ConcurrentHmac: log in, say so on
// report, wait for go to close, MAC for `seconds`, report the count.
[[noreturn]] void HmacClient(uint32_t port, const std::string& password, double seconds, int report,
                             int go) {
  vhsm::ClientOptions o;
  o.port_id = port;
  auto c = vhsm::Client::Connect(o);
  if (!c.ok()) {
    std::fprintf(stderr, "bench client: %s\n", c.status().ToString().c_str());
    _exit(1);
  }
  if (vhsm::Status s = (*c)->Login("bench", password); !s.ok()) {
    std::fprintf(stderr, "bench client: %s\n", s.ToString().c_str());
    _exit(1);
  }
  std::string msg(64, 'm');
  long ready = -1;
  if (write(report, &ready, sizeof ready) != sizeof ready) _exit(1);
  char g;
  if (read(go, &g, 1) < 0) _exit(1);  // EOF (the parent closed it) means go
  auto start = Clock::now();
  long ops = 0;
  while (std::chrono::duration<double>(Clock::now() - start).count() < seconds) {
    auto mac = (*c)->Mac("h", msg);
    if (!mac.ok()) {
      std::fprintf(stderr, "bench client: %s\n", mac.status().ToString().c_str());
      _exit(1);
    }
    ++ops;
  }
  if (write(report, &ops, sizeof ops) != sizeof ops) _exit(1);
  _exit(0);
}

}  // namespace

double ConcurrentHmac(uint32_t port, int clients, const std::string& password, double seconds) {
  std::vector<int> reports;
  std::vector<pid_t> pids;
  int go[2];
  if (pipe(go) != 0) Die("pipe");
  for (int i = 0; i < clients; ++i) {
    int r[2];
    if (pipe(r) != 0) Die("pipe");
    pid_t pid = fork();
    if (pid == 0) {
      close(r[0]);
      close(go[1]);
      HmacClient(port, password, seconds, r[1], go[0]);
    }
    close(r[1]);
    reports.push_back(r[0]);
    pids.push_back(pid);
  }
  for (int fd : reports) {
    long ready;
    if (read(fd, &ready, sizeof ready) != sizeof ready) Die("client did not log in");
  }
  close(go[1]);  // everyone starts
  close(go[0]);
  long total = 0;
  for (int fd : reports) {
    long ops = 0;
    if (read(fd, &ops, sizeof ops) == sizeof ops) total += ops;
    close(fd);
  }
  for (pid_t p : pids) {
    int status = 0;
    waitpid(p, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      Die("a client process failed (status " + std::to_string(status) + ")");
    }
  }
  return total / seconds;
}

double ConcurrentSign(const ClientOptions& options, int in_flight, const std::string& password,
                      const std::string& key_id, double seconds) {
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < in_flight; ++i) {
    clients.push_back(Must(Client::Connect(options), "connect"));
    if (!clients.back()->Login("bench", password).ok()) Die("login");
  }
  std::atomic<long> total{0};
  std::vector<std::thread> threads;
  const std::string msg(64, 's');
  auto start = Clock::now();
  for (auto& c : clients) {
    threads.emplace_back([&, client = c.get()] {
      long n = 0;
      while (std::chrono::duration<double>(Clock::now() - start).count() < seconds) {
        if (!client->Sign(key_id, msg).ok()) Die("sign failed");
        ++n;
      }
      total += n;
    });
  }
  for (auto& t : threads) t.join();
  return total / std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace vhsm::bench
