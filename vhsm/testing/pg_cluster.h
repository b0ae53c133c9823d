// Test-only: the throwaway PostgreSQL of the storage tests, started once
// per test binary with tools/pg-cluster (a data dependency), destroyed at
// exit; each caller gets a schema of its own in it.
#ifndef VHSM_TESTING_PG_CLUSTER_H_
#define VHSM_TESTING_PG_CLUSTER_H_

#include <string>

namespace vhsm::testing {

struct PgCluster {
  std::string dir;       // the cluster's directory (its socket is there)
  std::string conninfo;  // libpq connection string
};

// StartPgCluster returns the binary's cluster, starting it first; null when
// it cannot start (the caller fails its test).
const PgCluster* StartPgCluster();
// FreshSchema makes a new schema and returns conninfo using it; empty on failure.
std::string FreshSchema(const PgCluster& cluster);
// PgClusterCommand runs `tools/pg-cluster COMMAND DIR`; its output.
std::string PgClusterCommand(const std::string& command, const PgCluster& cluster);

}  // namespace vhsm::testing

#endif  // VHSM_TESTING_PG_CLUSTER_H_
