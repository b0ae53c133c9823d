#include "vhsm/testing/namespaces.h"

#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace vhsm::testing {

bool RootAvailable() { return geteuid() == 0; }

bool RootRequired() {
  const char* v = std::getenv("VHSM_REQUIRE_ROOT_TESTS");
  return v != nullptr && v[0] != '\0' && v[0] != '0';
}

std::unique_ptr<NetnsChild> NetnsChild::Start(std::function<int(NetnsChild&)> body,
                                              bool new_netns) {
  std::unique_ptr<NetnsChild> c(new NetnsChild());
  if (pipe(c->to_child_) != 0 || pipe(c->to_parent_) != 0) std::abort();
  std::fflush(nullptr);
  c->pid_ = fork();
  if (c->pid_ < 0) std::abort();
  if (c->pid_ == 0) {
    close(c->to_child_[1]);
    close(c->to_parent_[0]);
    if (new_netns && unshare(CLONE_NEWNET) != 0) {
      std::perror("unshare(CLONE_NEWNET)");
      _exit(90);
    }
    c->Signal();     // ready: the namespace exists
    c->ChildWait();  // wait for Go()
    int rc = body(*c);
    std::fflush(nullptr);
    _exit(rc);
  }
  close(c->to_child_[0]);
  close(c->to_parent_[1]);
  if (!c->WaitFromChild()) std::abort();  // child died before ready
  return c;
}

NetnsChild::~NetnsChild() {
  if (pid_ > 0 && !waited_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  for (int fd : {to_child_[0], to_child_[1], to_parent_[0], to_parent_[1]}) {
    if (fd >= 0) close(fd);
  }
}

void NetnsChild::Go() {
  char b = 'g';
  if (write(to_child_[1], &b, 1) != 1) std::perror("NetnsChild::Go");
}

bool NetnsChild::WaitFromChild() {
  char b;
  return read(to_parent_[0], &b, 1) == 1;
}

int NetnsChild::Wait() {
  if (waited_) return exit_code_;
  int status = 0;
  waitpid(pid_, &status, 0);
  waited_ = true;
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return exit_code_;
}

void NetnsChild::Signal() {
  char b = 's';
  if (write(to_parent_[1], &b, 1) != 1) _exit(91);
}

void NetnsChild::ChildWait() {
  char b;
  if (read(to_child_[0], &b, 1) != 1) _exit(92);
}

}  // namespace vhsm::testing
