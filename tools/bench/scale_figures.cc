#include "tools/bench/scale_figures.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tools/bench/must.h"
#include "tools/bench/private_daemon.h"
#include "vhsm/api/admin.h"
#include "vhsm/api/client.h"

namespace vhsm::bench {
namespace {

long RssKb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

// InChild runs fn in a forked child (which may change namespace) and
// returns whether it exited 0.
template <typename F>
bool InChild(F fn) {
  pid_t pid = fork();
  if (pid == 0) _exit(fn() ? 0 : 1);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

bool MakeNamespaces(const std::vector<std::string>& paths) {
  return InChild([&] {
    for (const std::string& p : paths) {
      int fd = open(p.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0400);
      if (fd < 0) return false;
      close(fd);
      if (unshare(CLONE_NEWNET) != 0) return false;
      if (mount("/proc/self/ns/net", p.c_str(), "none", MS_BIND, nullptr) != 0) return false;
    }
    return true;
  });
}

// OneRequestEach opens (and closes) a session from inside each namespace.
bool OneRequestEach(const std::vector<std::string>& paths, const ClientOptions& options) {
  return InChild([&] {
    for (const std::string& p : paths) {
      int fd = open(p.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) return false;
      close(fd);
      if (!Client::Connect(options).ok()) return false;
    }
    return true;
  });
}

void Unmount(const std::vector<std::string>& paths) {
  for (const std::string& p : paths) {
    umount2(p.c_str(), MNT_DETACH);
    unlink(p.c_str());
  }
}

// RssPerSession: a fresh vhsmd's RSS growth per open (not logged-in) session.
double RssPerSession(const std::string& vhsmd, int sessions) {
  Daemon d = StartDaemon(vhsmd, {"--max-sessions", std::to_string(sessions + 16)});
  ClientOptions options;
  options.port_id = d.port;
  options.server_key = d.dir + "/data/vhsmd.pub";
  double per_session;
  {
    std::vector<std::unique_ptr<Client>> open;
    open.push_back(Must(Client::Connect(options), "session"));  // warm-up
    long before = RssKb(d.pid);
    for (int i = 0; i < sessions; ++i) open.push_back(Must(Client::Connect(options), "session"));
    per_session = static_cast<double>(RssKb(d.pid) - before) / sessions;
  }
  StopDaemon(d);
  return per_session;
}

}  // namespace

ScaleFigures MeasureScale(const std::string& vhsmd, int containers, int sessions) {
  ScaleFigures f;
  char tmpl[] = "/tmp/vhsm-bench-ns-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::vector<std::string> paths;
  for (int i = 0; i < containers; ++i) paths.push_back(dir + "/n" + std::to_string(i));
  if (!MakeNamespaces(paths)) {
    f.skipped = "could not make network namespaces (needs root)";
    Unmount(paths);
    rmdir(dir.c_str());
    return f;
  }
  Daemon d = StartDaemon(vhsmd);
  ClientOptions options;
  options.port_id = d.port;
  options.server_key = d.dir + "/data/vhsmd.pub";
  {
    auto admin = Must(Admin::Connect(options), "admin connect");
    std::vector<std::pair<std::string, std::string>> list;
    for (int i = 0; i < containers; ++i) list.emplace_back("c" + std::to_string(i), paths[i]);
    long before = RssKb(d.pid);
    auto start = std::chrono::steady_clock::now();
    auto failed = Must(admin->AttachContainers(list), "attach");
    double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!failed.empty()) Die("attach: " + failed[0].name + ": " + failed[0].message);
    f.attach_per_s = containers / took;
    if (!OneRequestEach(paths, options)) Die("a request from inside a container failed");
    f.rss_per_container_kb = static_cast<double>(RssKb(d.pid) - before) / containers;
  }
  StopDaemon(d);  // and its pins of the namespaces; then the namespaces
  Unmount(paths);
  rmdir(dir.c_str());
  f.rss_per_session_kb = RssPerSession(vhsmd, sessions);
  return f;
}

}  // namespace vhsm::bench
