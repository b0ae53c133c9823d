#include "tools/bench/pg_figures.h"

#include <stdlib.h>

#include <cstdio>
#include <string>
#include <vector>

#include "tools/bench/must.h"
#include "tools/bench/paired.h"

namespace vhsm::bench {
namespace {

std::string Output(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[512];
  while (fgets(buf, sizeof buf, p)) out += buf;
  if (pclose(p) != 0) return "";
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace

PgFigures MeasurePg(const std::string& vhsmd, const std::string& pg_cluster,
                    const std::string& password, double seconds) {
  PgFigures f;
  char tmpl[] = "/tmp/vhsm-bench-pg-XXXXXX";  // readable by "postgres"
  std::string dir = mkdtemp(tmpl);
  std::string conninfo = Output(pg_cluster + " start " + dir + " 2>/dev/null");
  if (conninfo.empty()) {
    f.skipped = pg_cluster + " could not start PostgreSQL";
    (void)Output(pg_cluster + " destroy " + dir);
    return f;
  }
  const std::vector<std::string> flags[2] = {{"--store", conninfo, "--max-keys", "1000000"},
                                             {"--max-keys", "1000000"}};
  Pair pair = StartPair(vhsmd, flags, password);
  Side* sides = pair.sides;
  const std::string m64(64, 'm');
  f.rates["hmac64_pg"] =
      Slices([&](int i) { Must(sides[i].client->Mac("h", m64), "mac"); }, seconds);
  f.rates["keygen_pg"] = Slices(
      [&](int i) {
        Side& s = sides[i];
        Must(s.client->GenerateKey("ec-p256", "pg" + std::to_string(s.generated++)), "keygen");
      },
      seconds);
  f.rates["login_pg"] = Slices(
      [&](int i) {
        auto c = Must(Client::Connect(sides[i].options), "connect");
        if (!c->Login("bench", password).ok()) Die("login");
      },
      2 * seconds);
  StopPair(pair);
  (void)Output(pg_cluster + " destroy " + dir);
  return f;
}

}  // namespace vhsm::bench
