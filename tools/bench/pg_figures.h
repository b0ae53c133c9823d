// tools/bench's PostgreSQL rows (issue 17): vhsmd with its store on a local
// PostgreSQL (tools/pg-cluster, fsync on) beside one on SQLite, the same
// operations in alternating slices: key generation (a synced write), login
// (a read and PBKDF2) and 64-byte MACs (which must not touch the database).
#ifndef TOOLS_BENCH_PG_FIGURES_H_
#define TOOLS_BENCH_PG_FIGURES_H_

#include <map>
#include <string>
#include <utility>

namespace vhsm::bench {

struct PgFigures {
  // "keygen_pg", "login_pg", "hmac64_pg" -> {op/s on PostgreSQL, on SQLite}
  std::map<std::string, std::pair<double, double>> rates;
  std::string skipped;  // why there are none
};

PgFigures MeasurePg(const std::string& vhsmd, const std::string& pg_cluster,
                    const std::string& password, double seconds);

}  // namespace vhsm::bench

#endif  // TOOLS_BENCH_PG_FIGURES_H_
