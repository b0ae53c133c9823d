#include "tools/bench/audit_cost.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tools/bench/must.h"
#include "tools/bench/private_daemon.h"
#include "vhsm/api/admin.h"
#include "vhsm/api/client.h"

namespace vhsm::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Slices: runs op on daemon 0 and daemon 1 in alternating slices of
// kSlice (in the order ABBA BAAB ..., so that a drift of the machine's speed
// falls on both alike) until each had `seconds`; returns {op/s of 0, of 1}.
constexpr double kSlice = 0.2;

std::pair<double, double> Slices(const std::function<void(int)>& op, double seconds) {
  op(0);  // warm-up
  op(1);
  long ops[2] = {0, 0};
  double spent[2] = {0, 0};
  const int slices = std::max(2, static_cast<int>(seconds / kSlice)) * 2;
  for (int k = 0; k < slices; ++k) {
    const int who = __builtin_popcount(k) & 1;  // Thue-Morse: ABBA BAAB ...
    auto start = Clock::now();
    double elapsed = 0;
    do {
      op(who);
      ++ops[who];
      elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    } while (elapsed < kSlice);
    spent[who] += elapsed;
  }
  return {ops[0] / spent[0], ops[1] / spent[1]};
}

// Side: one daemon's logged-in client with an HMAC key, and how many keys
// it generated (both stores grow alike).
struct Side {
  std::unique_ptr<Client> client;
  int generated = 0;
};

Side Prepare(uint32_t port, const std::string& server_key, const std::string& password) {
  ClientOptions options;
  options.port_id = port;
  options.server_key = server_key;
  {
    auto admin = Must(Admin::Connect(options), "admin connect");
    if (!admin->AddUser("host", "bench", password).ok()) Die("user add");
  }
  Side s;
  s.client = Must(Client::Connect(options), "connect");
  if (!s.client->Login("bench", password).ok()) Die("login");
  Must(s.client->ImportKey("hmac-sha256", "audit-cost-h", std::string(32, '\x42')), "import");
  return s;
}

}  // namespace

AuditCost MeasureAuditCost(const std::string& vhsmd, const std::string& password, double seconds) {
  const char* env_key = getenv("VHSM_SERVER_KEY");
  const std::string saved_key = env_key ? env_key : "";
  // Room for the keys the rounds generate.
  const std::vector<std::string> flags = {"--max-keys", "1000000"};
  std::vector<std::string> no_audit = flags;
  no_audit.push_back("--no-audit");
  Daemon daemons[2] = {StartDaemon(vhsmd, flags), StartDaemon(vhsmd, no_audit)};
  if (env_key != nullptr) setenv("VHSM_SERVER_KEY", saved_key.c_str(), 1);
  Side sides[2] = {Prepare(daemons[0].port, daemons[0].dir + "/data/vhsmd.pub", password),
                   Prepare(daemons[1].port, daemons[1].dir + "/data/vhsmd.pub", password)};
  const std::string m64(64, 'm');
  AuditCost cost;
  cost.rates["hmac64_audit"] =
      Slices([&](int i) { Must(sides[i].client->Mac("audit-cost-h", m64), "mac"); }, seconds);
  cost.rates["keygen_audit"] = Slices(
      [&](int i) {
        Side& s = sides[i];
        Must(s.client->GenerateKey("ec-p256", "ac" + std::to_string(s.generated++)), "keygen");
      },
      seconds);
  for (Side& s : sides) s.client.reset();
  for (const Daemon& d : daemons) {
    kill(d.pid, SIGTERM);
    waitpid(d.pid, nullptr, 0);
    std::system(("rm -rf " + d.dir).c_str());
  }
  return cost;
}

}  // namespace vhsm::bench
