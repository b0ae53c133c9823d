#include "vhsm/base/file_lock.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace vhsm {
namespace {

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  std::string path = std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
  unlink(path.c_str());
  return path;
}

std::string Contents(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(FileLock, FirstHolderWinsAndWritesItsPid) {
  std::string path = TempPath("store.lock");
  Result<UniqueFd> first = LockFileExclusive(path);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(Contents(path), std::to_string(getpid()) + "\n");
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // A second open file (here in the same process) is refused, naming the holder.
  Result<UniqueFd> second = LockFileExclusive(path);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find(path), std::string::npos);
  EXPECT_NE(second.status().message().find("locked by process " + std::to_string(getpid())),
            std::string::npos)
      << second.status().message();
  // The refused attempt left the holder's pid in place.
  EXPECT_EQ(Contents(path), std::to_string(getpid()) + "\n");
}

TEST(FileLock, ReleasedWhenClosedOrWhenTheHolderDies) {
  std::string path = TempPath("released.lock");
  {
    Result<UniqueFd> held = LockFileExclusive(path);
    ASSERT_TRUE(held.ok());
  }
  Result<UniqueFd> again = LockFileExclusive(path);
  ASSERT_TRUE(again.ok()) << again.status().message();
  again.value().reset();

  // A child takes the lock and is killed without cleaning up.
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    Result<UniqueFd> held = LockFileExclusive(path);  // held until killed
    bool ok = held.ok();
    char c = ok ? 'y' : 'n';
    (void)!write(ready[1], &c, 1);
    if (ok) pause();
    _exit(1);
  }
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  ASSERT_EQ(c, 'y');
  Result<UniqueFd> while_child = LockFileExclusive(path);
  ASSERT_FALSE(while_child.ok());
  EXPECT_NE(while_child.status().message().find("locked by process " + std::to_string(child)),
            std::string::npos)
      << while_child.status().message();
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  close(ready[0]);
  close(ready[1]);
  Result<UniqueFd> after = LockFileExclusive(path);
  EXPECT_TRUE(after.ok()) << after.status().message();
}

TEST(FileLock, UnopenableIsUnavailable) {
  Result<UniqueFd> r = LockFileExclusive("/nonexistent-dir/x.lock");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("No such file or directory"), std::string::npos);
}

}  // namespace
}  // namespace vhsm
