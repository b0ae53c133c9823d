#include "tools/bench/tls_figures.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "tools/bench/must.h"

namespace vhsm::bench {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Server: an `openssl s_server` in the background, until Stop.
pid_t StartServer(const std::string& args) {
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    setsid();
    execl("/bin/sh", "sh", "-c",
          ("exec openssl s_server -quiet -www " + args + " >/dev/null 2>&1").c_str(), nullptr);
    _exit(127);
  }
  return pid;
}

void Stop(pid_t pid) {
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
}

bool Ready(int port) {
  for (int i = 0; i < 100; ++i) {
    std::string cmd =
        "echo | openssl s_client -connect 127.0.0.1:" + std::to_string(port) + " >/dev/null 2>&1";
    if (std::system(cmd.c_str()) == 0) return true;
    usleep(50000);
  }
  return false;
}

// Handshakes: full handshakes s_time completes against port in `seconds`.
long Handshakes(int port, int seconds) {
  std::string cmd = "openssl s_time -connect 127.0.0.1:" + std::to_string(port) + " -new -time " +
                    std::to_string(seconds) + " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return -1;
  long connections = -1;
  char line[512];
  while (fgets(line, sizeof line, p)) {
    long n;
    if (std::sscanf(line, "%ld connections in %*d real seconds", &n) == 1) connections = n;
  }
  pclose(p);
  return connections;
}

}  // namespace

std::pair<double, double> MeasureTls(Client* client, const std::string& provider_dir,
                                     double seconds) {
  char tmpl[] = "/tmp/vhsm-bench-tls-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  const std::string key = dir + "/key.pem", cert = dir + "/cert.pem";
  std::string gen =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + key +
      " -out " + cert + " -subj /CN=bench -days 1 >/dev/null 2>&1";
  if (std::system(gen.c_str()) != 0) Die("openssl req failed");
  (void)client->DeleteKey("tls-bench");
  Must(client->ImportKey("ec-p256", "tls-bench", Slurp(key)), "import the TLS key");
  std::mt19937 rng(std::random_device{}());
  const int file_port = 20000 + static_cast<int>(rng() % 20000), vhsm_port = file_port + 1;
  pid_t file_server = StartServer("-accept 127.0.0.1:" + std::to_string(file_port) + " -cert " +
                                  cert + " -key " + key);
  pid_t vhsm_server = StartServer(
      "-provider-path " + provider_dir + " -provider vhsm -provider default -accept 127.0.0.1:" +
      std::to_string(vhsm_port) + " -cert " + cert + " -key vhsm:tls-bench");
  if (!Ready(file_port) || !Ready(vhsm_port)) Die("s_server did not come up");
  // One-second rounds in vhsm, file, file, vhsm order, repeated: this VM's
  // speed drifts by tens of percent within seconds, and many short
  // alternations give both servers the same share of fast and slow moments.
  long done[2] = {0, 0}, spent[2] = {0, 0};
  const int repeats = std::max(2, static_cast<int>(seconds));
  for (int k = 0; k < 4 * repeats; ++k) {
    int who = (k % 4 == 0 || k % 4 == 3) ? 0 : 1;
    long n = Handshakes(who == 0 ? vhsm_port : file_port, 1);
    if (n < 0) Die("openssl s_time failed");
    done[who] += n;
    spent[who] += 1;
  }
  Stop(file_server);
  Stop(vhsm_server);
  (void)client->DeleteKey("tls-bench");
  if (std::system(("rm -rf " + dir).c_str()) != 0)
    std::fprintf(stderr, "bench: rm %s\n", dir.c_str());
  return {static_cast<double>(done[0]) / spent[0], static_cast<double>(done[1]) / spent[1]};
}

}  // namespace vhsm::bench
