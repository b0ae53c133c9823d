#include "vhsm/server/idle_spin.h"

namespace vhsm::server {

int IdleSpin::NextTimeout(int64_t now_ns, int sleep_ms) {
  if (in_window_ && now_ns < window_end_ns_) return 0;
  if (in_window_) {
    // The window closed with nothing in it.
    in_window_ = false;
    if (++fruitless_ >= kFruitlessLimit) enabled_ = false;
  }
  sleep_start_ns_ = now_ns;
  return sleep_ms;
}

void IdleSpin::Waited(bool got_work, int64_t now_ns) {
  const bool slept = sleep_start_ns_ >= 0;
  if (slept && got_work && !enabled_ && now_ns - sleep_start_ns_ < spin_ns_) {
    enabled_ = true;  // a spin would have caught this one
    fruitless_ = 0;
  }
  sleep_start_ns_ = -1;
  if (!got_work) return;
  if (in_window_) fruitless_ = 0;  // the window caught it
  if (spin_ns_ == 0 || !enabled_) {
    in_window_ = false;
    return;
  }
  in_window_ = true;
  window_end_ns_ = now_ns + spin_ns_;
}

}  // namespace vhsm::server
