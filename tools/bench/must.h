// The benchmark's way out: a failed step ends the run with a message on
// stderr, because a figure measured after a failure means nothing.
#ifndef TOOLS_BENCH_MUST_H_
#define TOOLS_BENCH_MUST_H_

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include "vhsm/base/status.h"

namespace vhsm::bench {

// Die prints "bench: message" and exits 1.
[[noreturn]] inline void Die(const std::string& m) {
  std::fprintf(stderr, "bench: %s\n", m.c_str());
  std::exit(1);
}

// Must returns r's value, or dies naming what failed.
template <typename T>
T Must(vhsm::Result<T> r, const char* what) {
  if (!r.ok()) Die(std::string(what) + ": " + r.status().ToString());
  return std::move(r).value();
}

}  // namespace vhsm::bench

#endif  // TOOLS_BENCH_MUST_H_
