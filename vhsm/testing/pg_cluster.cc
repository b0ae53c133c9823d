#include "vhsm/testing/pg_cluster.h"

#include <libpq-fe.h>
#include <stdlib.h>

#include <cstdio>

namespace vhsm::testing {
namespace {

const char kScript[] = "tools/pg-cluster";  // in the runfiles

std::string Shell(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[512];
  while (fgets(buf, sizeof buf, p)) out += buf;
  if (pclose(p) != 0) return "";
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

PgCluster* g_cluster = nullptr;

void Destroy() {
  if (g_cluster) (void)Shell(std::string(kScript) + " destroy " + g_cluster->dir);
}

}  // namespace

const PgCluster* StartPgCluster() {
  if (g_cluster) return g_cluster;
  char tmpl[] = "/tmp/vhsm-pg-test-XXXXXX";  // short, and readable by "postgres"
  std::string dir = mkdtemp(tmpl);
  std::string conninfo = Shell(std::string(kScript) + " start " + dir + " --no-fsync");
  if (conninfo.empty()) {
    (void)Shell(std::string(kScript) + " destroy " + dir);
    return nullptr;
  }
  g_cluster = new PgCluster{dir, conninfo};
  atexit(Destroy);
  return g_cluster;
}

std::string FreshSchema(const PgCluster& cluster) {
  static int n = 0;
  std::string schema = "t" + std::to_string(++n);
  PGconn* admin = PQconnectdb(cluster.conninfo.c_str());
  bool ok = PQstatus(admin) == CONNECTION_OK;
  if (ok) {
    PGresult* r = PQexec(admin, ("CREATE SCHEMA " + schema).c_str());
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
  }
  PQfinish(admin);
  return ok ? cluster.conninfo + " options='-csearch_path=" + schema + "'" : "";
}

std::string PgClusterCommand(const std::string& command, const PgCluster& cluster) {
  return Shell(std::string(kScript) + " " + command + " " + cluster.dir);
}

}  // namespace vhsm::testing
