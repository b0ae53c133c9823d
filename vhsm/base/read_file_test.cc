#include "vhsm/base/read_file.h"

#include <fcntl.h>
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
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
  close(fd);
}

TEST(ReadFileTest, RegularFilesComeBackByteForByte) {
  for (size_t size : {0u, 1u, 4095u, 65536u, 65537u, (1u << 20) + 3}) {
    const std::string path = TempPath("f" + std::to_string(size));
    const std::string data = RandomBytes(size, static_cast<unsigned>(size));
    WriteFile(path, data);
    Result<std::string> got = ReadWholeFile(path);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, data) << size;
  }
}

TEST(ReadFileTest, AProcFileThatSaysItIsEmptyIsReadWhole) {
  Result<std::string> got = ReadWholeFile("/proc/self/status");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->rfind("Name:", 0), 0u) << *got;
  EXPECT_NE(got->find("\nPid:"), std::string::npos);
}

TEST(ReadFileTest, APipeLargerThanTheFirstBufferIsReadToItsEnd) {
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

TEST(ReadFileTest, ErrorsNameThePathAndTheReason) {
  Result<std::string> missing = ReadWholeFile(TempPath("no-such-file"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("no-such-file: No such file or directory"),
            std::string::npos)
      << missing.status().message();
  // A directory opens but cannot be read.
  Result<std::string> dir = ReadWholeFile(TempPath(""));
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.status().message().find("Is a directory"), std::string::npos)
      << dir.status().message();
}

}  // namespace
}  // namespace vhsm
