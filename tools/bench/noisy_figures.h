// The noisy-neighbour figures of tools/bench: container A's client MACs 64
// bytes while container B floods vhsmd (noisy.h), one attack at a time,
// and vhsmd's peak RSS over all of them. Needs root (namespaces).
#ifndef TOOLS_BENCH_NOISY_FIGURES_H_
#define TOOLS_BENCH_NOISY_FIGURES_H_

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>

namespace vhsm::bench {

struct NoisyFigures {
  std::map<std::string, double> rates;  // attack -> the victim's op/s
  double rss_peak_mb = 0;
};

// MeasureNoisyNeighbours attaches two containers to the vhsmd at port (its
// pid: daemon_pid), measures for `seconds` per attack, and detaches them.
NoisyFigures MeasureNoisyNeighbours(pid_t daemon_pid, uint32_t port, const std::string& password,
                                    double seconds);

}  // namespace vhsm::bench

#endif  // TOOLS_BENCH_NOISY_FIGURES_H_
