#include "vhsm/base/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <random>
#include <string>
#include <thread>

#include "gtest/gtest.h"

namespace vhsm {
namespace {

std::string RandomBytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

void WriteFile(const std::string& path, const std::string& data) {
  ASSERT_TRUE(WriteFileAtomically(path, data, 0600).ok());
}

TEST(FileIoTest, RegularFilesComeBackByteForByte) {
  for (size_t size : {0u, 1u, 4095u, 65536u, 65537u, (1u << 20) + 3}) {
    const std::string path = TempPath("f" + std::to_string(size));
    const std::string data = RandomBytes(size, static_cast<unsigned>(size));
    WriteFile(path, data);
    Result<std::string> got = ReadWholeFile(path);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, data) << size;
  }
}

TEST(FileIoTest, AProcFileThatSaysItIsEmptyIsReadWhole) {
  Result<std::string> got = ReadWholeFile("/proc/self/status");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->rfind("Name:", 0), 0u) << *got;
  EXPECT_NE(got->find("\nPid:"), std::string::npos);
}

TEST(FileIoTest, APipeLargerThanTheFirstBufferIsReadToItsEnd) {
  // A pipe has no size: the buffer starts at 64 KiB and grows (twice here).
  const std::string data = RandomBytes(200 * 1024 + 7, 7);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::thread writer([&] {
    size_t off = 0;
    while (off < data.size()) {
      ssize_t n = write(fds[1], data.data() + off, std::min<size_t>(5000, data.size() - off));
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    close(fds[1]);
  });
  Result<std::string> got = ReadWholeFd(fds[0], "the pipe");
  writer.join();
  close(fds[0]);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, data);
}

TEST(FileIoTest, ErrorsNameThePathAndTheReason) {
  Result<std::string> missing = ReadWholeFile(TempPath("no-such-file"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("no-such-file: No such file or directory"),
            std::string::npos)
      << missing.status().message();
  // A directory opens but cannot be read: not "not found".
  Result<std::string> dir = ReadWholeFile(TempPath(""));
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(dir.status().message().find("Is a directory"), std::string::npos)
      << dir.status().message();
}

TEST(FileIoTest, AnAtomicWriteReplacesTheFileWholeWithExactlyItsMode) {
  const std::string path = TempPath("atomic");
  ASSERT_TRUE(WriteFileAtomically(path, "old contents, longer", 0644).ok());
  ASSERT_TRUE(WriteFileAtomically(path, "new", 0600).ok());
  EXPECT_EQ(*ReadWholeFile(path), "new");
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);  // not masked by the umask, not the old mode
  // Into a directory that is not there: an error naming the path, no file.
  Status s = WriteFileAtomically(TempPath("no-such-dir/f"), "x", 0600);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("no-such-dir"), std::string::npos) << s.message();
}

TEST(FileIoTest, AFailedRenameLeavesNoTemporaryFile) {
  // Renaming a file over a non-empty directory fails after the write.
  const std::string dir = TempPath("occupied");
  mkdir(dir.c_str(), 0700);
  WriteFile(dir + "/inside", "x");
  Status s = WriteFileAtomically(dir, "data", 0600);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(access((dir + ".tmp." + std::to_string(getpid())).c_str(), F_OK), 0);
}

}  // namespace
}  // namespace vhsm
