// Test-only: real "containers" for end-to-end tests. A NetnsChild is a forked
// process that unshare(CLONE_NEWNET)s into a fresh network namespace (what
// every container runtime gives a container) and runs a test body there,
// in step with the parent through two pipes.
//
// Needs root. RequireRootOrSkip() skips a test when not root, unless
// VHSM_REQUIRE_ROOT_TESTS is set (CI), where it fails with a clear message.
#ifndef VHSM_TESTING_NAMESPACES_H_
#define VHSM_TESTING_NAMESPACES_H_

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>

namespace vhsm::testing {

// Returns true when the test may go on; otherwise it has already recorded a
// skip (not root, local run) or a failure (not root, CI).
bool RootAvailable();

#define VHSM_REQUIRE_ROOT()                                             \
  do {                                                                  \
    if (!::vhsm::testing::RootAvailable()) {                            \
      if (::vhsm::testing::RootRequired()) {                            \
        FAIL() << "this test needs root (network namespaces, setns); "  \
                  "VHSM_REQUIRE_ROOT_TESTS is set, so it may not skip"; \
      }                                                                 \
      GTEST_SKIP() << "needs root (network namespaces)";                \
    }                                                                   \
  } while (0)

bool RootRequired();

class NetnsChild {
 public:
  // Start forks; the child enters a new network namespace, signals ready,
  // waits for Go(), runs body and exits with its return value. When
  // new_netns is false the child stays in the parent's namespace.
  static std::unique_ptr<NetnsChild> Start(std::function<int(NetnsChild&)> body,
                                           bool new_netns = true);
  ~NetnsChild();

  pid_t pid() const { return pid_; }
  std::string netns_path() const { return "/proc/" + std::to_string(pid_) + "/ns/net"; }

  // Parent side.
  void Go();             // let the body start (or continue after ChildWait)
  bool WaitFromChild();  // block until the child calls Signal(); false on EOF
  int Wait();            // exit code of the child (-1 if killed)

  // Child side.
  void Signal();     // wake a WaitFromChild()
  void ChildWait();  // block until the parent's next Go()

 private:
  NetnsChild() = default;
  pid_t pid_ = -1;
  int to_child_[2] = {-1, -1};
  int to_parent_[2] = {-1, -1};
  bool waited_ = false;
  int exit_code_ = -1;
};

}  // namespace vhsm::testing

#endif  // VHSM_TESTING_NAMESPACES_H_
