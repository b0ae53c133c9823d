#include "tools/bench/paired.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>

#include "tools/bench/must.h"
#include "vhsm/api/admin.h"

namespace vhsm::bench {

Pair StartPair(const std::string& vhsmd, const std::vector<std::string> flags[2],
               const std::string& password) {
  Pair pair;
  for (int i = 0; i < 2; ++i) {
    Side& s = pair.sides[i];
    s.daemon = StartDaemon(vhsmd, flags[i]);
    s.options.port_id = s.daemon.port;
    s.options.server_key = s.daemon.dir + "/data/vhsmd.pub";
  }
  for (Side& s : pair.sides) {
    {
      auto admin = Must(Admin::Connect(s.options), "admin connect");
      if (!admin->AddUser("host", "bench", password).ok()) Die("user add");
    }
    s.client = Must(Client::Connect(s.options), "connect");
    if (!s.client->Login("bench", password).ok()) Die("login");
    Must(s.client->ImportKey("hmac-sha256", "h", std::string(32, '\x42')), "import");
  }
  return pair;
}

void StopPair(Pair& pair) {
  for (Side& s : pair.sides) {
    s.client.reset();
    StopDaemon(s.daemon);
  }
}

std::pair<double, double> Slices(const std::function<void(int)>& op, double seconds,
                                 const std::function<void(int)>& settle, double slice) {
  op(0);  // warm-up
  op(1);
  long ops[2] = {0, 0};
  double spent[2] = {0, 0};
  const int slices = std::max(2, static_cast<int>(seconds / slice)) * 2;
  for (int k = 0; k < slices; ++k) {
    const int who = __builtin_popcount(k) & 1;  // Thue-Morse: ABBA BAAB ...
    auto start = std::chrono::steady_clock::now();
    auto since = [&start] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    do {
      op(who);
      ++ops[who];
    } while (since() < slice);
    if (settle) settle(who);
    spent[who] += since();
  }
  return {ops[0] / spent[0], ops[1] / spent[1]};
}

}  // namespace vhsm::bench
