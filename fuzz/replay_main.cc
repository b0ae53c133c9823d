// Without libFuzzer (a plain `bazel test`), each fuzz target is a regression
// test: this main runs LLVMFuzzerTestOneInput on every file of the corpus
// directories (or files) named on the command line. Flags ("-runs=0", which
// libFuzzer builds use) are ignored.
#include <dirent.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

int RunFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  int files = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (!arg.empty() && arg[0] == '-') continue;
    struct stat st;
    if (stat(arg.c_str(), &st) != 0) {
      std::fprintf(stderr, "replay: no such corpus %s\n", arg.c_str());
      return 1;
    }
    if (S_ISDIR(st.st_mode)) {
      DIR* dir = opendir(arg.c_str());
      while (dirent* e = readdir(dir)) {
        if (e->d_name[0] == '.') continue;
        files += RunFile(arg + "/" + e->d_name);
      }
      closedir(dir);
    } else {
      files += RunFile(arg);
    }
  }
  if (files == 0) {
    std::fprintf(stderr, "replay: empty corpus\n");
    return 1;
  }
  std::printf("replayed %d inputs without a crash\n", files);
  return 0;
}
