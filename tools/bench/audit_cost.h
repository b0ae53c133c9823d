// The audit log's cost in tools/bench: the same operations through two
// fresh vhsmd of one build side by side, one keeping the audit log and one run
// `--no-audit`, measured in alternating rounds so that a busy moment of the
// machine falls on both (issue 16: at most 5 % of hmac64, 10 % of keygen).
#ifndef TOOLS_BENCH_AUDIT_COST_H_
#define TOOLS_BENCH_AUDIT_COST_H_

#include <cstdint>
#include <map>
#include <string>

namespace vhsm::bench {

struct AuditCost {
  // "hmac64_audit" / "keygen_audit" -> {op/s audited, op/s not}.
  std::map<std::string, std::pair<double, double>> rates;
};

// MeasureAuditCost starts two fresh vhsmd from the binary vhsmd, one of
// them `--no-audit`, gives both a user with the same key, measures each
// operation for `seconds` per daemon, and stops them.
AuditCost MeasureAuditCost(const std::string& vhsmd, const std::string& password, double seconds);

}  // namespace vhsm::bench

#endif  // TOOLS_BENCH_AUDIT_COST_H_
