#include "tools/bench/noisy_figures.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>

#include "tools/bench/must.h"
#include "tools/bench/noisy.h"
#include "vhsm/api/admin.h"
#include "vhsm/api/client.h"

namespace vhsm::bench {
namespace {

// Container: a process in a fresh network namespace, attached to vhsmd.
pid_t StartContainer() {
  int ready[2];
  if (pipe(ready) != 0) Die("pipe");
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (unshare(CLONE_NEWNET) != 0) _exit(1);
    char c = 1;
    if (write(ready[1], &c, 1) != 1) _exit(1);
    for (;;) pause();
  }
  char c;
  if (read(ready[0], &c, 1) != 1) Die("unshare(CLONE_NEWNET) failed (needs root)");
  close(ready[0]);
  close(ready[1]);
  return pid;
}

// InContainer runs fn in a child inside pid's network namespace and returns
// what it wrote to its pipe.
std::string InContainer(pid_t container, const std::function<std::string()>& fn) {
  int out[2];
  if (pipe(out) != 0) Die("pipe");
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int ns = open(("/proc/" + std::to_string(container) + "/ns/net").c_str(), O_RDONLY);
    if (ns < 0 || setns(ns, CLONE_NEWNET) != 0) _exit(1);
    std::string r = fn();
    if (write(out[1], r.data(), r.size()) < 0) _exit(1);
    _exit(0);
  }
  close(out[1]);
  std::string r;
  char buf[512];
  ssize_t n;
  while ((n = read(out[0], buf, sizeof buf)) > 0) r.append(buf, n);
  close(out[0]);
  waitpid(pid, nullptr, 0);
  return r;
}

long StatusKb(pid_t pid, const std::string& field) {
  FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/status").c_str(), "r");
  if (f == nullptr) return -1;
  char line[256];
  long kb = -1;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::strncmp(line, field.c_str(), field.size()) == 0 && line[field.size()] == ':') {
      kb = std::atol(line + field.size() + 1);
    }
  }
  std::fclose(f);
  return kb;
}

// Setup attaches two containers, a user and a key in the first.
void Setup(pid_t a, pid_t b, uint32_t port, const std::string& password) {
  vhsm::ClientOptions options;
  options.port_id = port;
  {
    auto admin = Must(vhsm::Admin::Connect(options), "admin connect");
    for (auto [name, pid] : {std::pair{"bench-a", a}, std::pair{"bench-b", b}}) {
      vhsm::Status s = admin->AttachContainer(name, "/proc/" + std::to_string(pid) + "/ns/net");
      if (!s.ok()) Die("attach: " + s.ToString());
    }
    if (!admin->AddUser("bench-a", "victim", password).ok()) Die("user add");
  }
  std::string imported = InContainer(a, [&] {
    auto c = vhsm::Client::Connect(options);
    if (!c.ok() || !(*c)->Login("victim", password).ok()) return std::string("login failed");
    return (*c)->ImportKey("hmac-sha256", "h", std::string(32, 'v')).ok() ? std::string("ok")
                                                                          : std::string("import");
  });
  if (imported != "ok") Die("victim setup: " + imported);
}

}  // namespace

NoisyFigures MeasureNoisyNeighbours(pid_t daemon_pid, uint32_t port, const std::string& password,
                                    double seconds) {
  NoisyFigures out;
  pid_t a = StartContainer(), b = StartContainer();
  Setup(a, b, port, password);
  {
    std::FILE* f = std::fopen(("/proc/" + std::to_string(daemon_pid) + "/clear_refs").c_str(), "w");
    if (f != nullptr) {
      std::fputs("5", f);  // the peak RSS (VmHWM) starts again from now
      std::fclose(f);
    }
  }
  for (const char* mode : {"slowreader", "loginflood", "bigframes"}) {
    std::string m = mode;
    double flood_seconds = seconds + 2.5;
    pid_t attacker = fork();
    if (attacker == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      InContainer(b, [&] {
        if (m == "slowreader") vhsm::bench::SlowReaderFlood(port, flood_seconds);
        if (m == "loginflood") vhsm::bench::LoginFlood(port, flood_seconds, 4);
        if (m == "bigframes") vhsm::bench::BigFrameFlood(port, flood_seconds);
        return std::string();
      });
      _exit(0);
    }
    usleep(1000 * 1000);  // the flood is in full swing
    std::string r = InContainer(a, [&] {
      vhsm::bench::VictimStats v = vhsm::bench::VictimHmac(port, "victim", password, "h", seconds);
      return v.error.empty() ? std::to_string(v.ops_per_s) : "error " + v.error;
    });
    kill(attacker, SIGKILL);
    waitpid(attacker, nullptr, 0);
    if (r.rfind("error", 0) == 0 || r.empty()) Die("victim under " + m + ": " + r);
    double rate = std::atof(r.c_str());
    out.rates[m] = rate;
    usleep(300 * 1000);  // let the attacker's leftovers drain
  }
  out.rss_peak_mb = StatusKb(daemon_pid, "VmHWM") / 1024.0;
  {
    // Detaching unpins the namespaces vhsmd pinned.
    vhsm::ClientOptions options;
    options.port_id = port;
    auto admin = Must(vhsm::Admin::Connect(options), "admin connect");
    (void)admin->DetachContainer("bench-a");
    (void)admin->DetachContainer("bench-b");
  }
  kill(a, SIGKILL);
  kill(b, SIGKILL);
  waitpid(a, nullptr, 0);
  waitpid(b, nullptr, 0);
  return out;
}

}  // namespace vhsm::bench
