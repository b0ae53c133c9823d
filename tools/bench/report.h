// The benchmark's report: each VHSM figure beside its references (raw
// netlink, libcrypto, SoftHSM2) with the ratios, then one line of JSON.
#ifndef TOOLS_BENCH_REPORT_H_
#define TOOLS_BENCH_REPORT_H_

#include <map>
#include <string>

namespace vhsm::bench {

// PrintReport prints results ("<op>.<who>" -> op/s) on stdout; login_share
// is a login's time spent in PBKDF2.
void PrintReport(const std::map<std::string, double>& results, double login_share);

}  // namespace vhsm::bench

#endif  // TOOLS_BENCH_REPORT_H_
