#include "tools/bench/private_daemon.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace vhsm::bench {
namespace {

[[noreturn]] void Die(const std::string& m) {
  std::fprintf(stderr, "bench: %s\n", m.c_str());
  std::exit(1);
}

}  // namespace

uint32_t RandomPort() { return 0x50000000u | (std::random_device{}() & 0x0fffffffu); }

void ExportServerKey(const Daemon& d) {
  // Clients pin the daemon's key, as the README tells users to.
  setenv("VHSM_SERVER_KEY", (d.dir + "/data/vhsmd.pub").c_str(), 1);
}

void StopDaemon(const Daemon& d) {
  kill(d.pid, SIGTERM);
  waitpid(d.pid, nullptr, 0);
  // Its pins of attached namespaces (bind mounts under its run directory).
  std::ifstream mounts("/proc/self/mountinfo");
  std::string line;
  while (std::getline(mounts, line)) {
    std::istringstream fields(line);
    std::string point;
    for (int i = 0; i < 5; ++i) fields >> point;
    if (point.rfind(d.dir + "/", 0) == 0) umount2(point.c_str(), MNT_DETACH);
  }
  if (std::system(("rm -rf " + d.dir).c_str()) != 0) {
    std::fprintf(stderr, "bench: could not remove %s\n", d.dir.c_str());
  }
}

Daemon StartDaemon(const std::string& vhsmd, const std::vector<std::string>& extra_flags) {
  Daemon d;
  char tmpl[] = "/tmp/vhsm-bench-XXXXXX";
  d.dir = mkdtemp(tmpl);
  d.port = RandomPort();
  int fds[2];
  if (pipe(fds) != 0) Die("pipe");
  d.pid = fork();
  if (d.pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive the benchmark, even if it dies
    // A session of its own, as a daemon has (and so, with the kernel's
    // autogroups, a CPU share of its own): in the benchmark's session vhsmd
    // shared one share with the load (openssl s_time, the clients).
    setsid();
    dup2(fds[1], 2);
    close(fds[0]);
    std::string port = std::to_string(d.port), data = d.dir + "/data", run = d.dir + "/run";
    std::vector<std::string> args = {vhsmd,       "--data-dir", data,      "--run-dir", run,
                                     "--port-id", port,         "--quiet", "--threads", "2"};
    args.insert(args.end(), extra_flags.begin(), extra_flags.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(vhsmd.c_str(), argv.data());
    _exit(127);
  }
  close(fds[1]);
  std::string log;
  char buf[256];
  ssize_t n;
  while (log.find("vhsmd: ready") == std::string::npos && (n = read(fds[0], buf, sizeof buf)) > 0) {
    log.append(buf, n);
  }
  if (log.find("vhsmd: ready") == std::string::npos) Die("vhsmd did not start: " + log);
  // Keep reading the pipe in the background is not needed: --quiet.
  return d;
}
}  // namespace vhsm::bench
