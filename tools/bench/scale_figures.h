// tools/bench's scale rows (issue 18): a vhsmd with 10,000 containers
// (network namespaces kept by bind mounts, attached with one AttachContainers
// call), one request from each; its RSS per container, attaches per second,
// and its RSS per open session. Needs root.
#ifndef TOOLS_BENCH_SCALE_FIGURES_H_
#define TOOLS_BENCH_SCALE_FIGURES_H_

#include <string>

namespace vhsm::bench {

struct ScaleFigures {
  double rss_per_container_kb = -1;
  double attach_per_s = -1;
  double rss_per_session_kb = -1;
  std::string skipped;  // why there are none
};

ScaleFigures MeasureScale(const std::string& vhsmd, int containers, int sessions);

}  // namespace vhsm::bench

#endif  // TOOLS_BENCH_SCALE_FIGURES_H_
