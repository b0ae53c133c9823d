#include "tools/bench/cli_batch.h"

#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "tools/bench/must.h"

namespace vhsm::bench {

double CliBatchMac(const std::string& vhsm_cli, const std::string& key_id, int n) {
  char tmpl[] = "/tmp/vhsm-bench-batch-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  const std::string data = dir + "/data", script = dir + "/script";
  std::ofstream(data) << std::string(1024, 'd');
  {
    std::ofstream s(script);
    for (int i = 0; i < n; ++i) s << "mac --key " << key_id << " --in " << data << "\n";
  }
  auto start = std::chrono::steady_clock::now();
  FILE* p = popen((vhsm_cli + " batch " + script).c_str(), "r");
  if (p == nullptr) Die("cannot run " + vhsm_cli);
  int lines = 0, errors = 0;
  char buf[256];
  while (fgets(buf, sizeof buf, p)) {
    ++lines;
    if (std::string(buf).rfind("error", 0) == 0) ++errors;
  }
  int status = pclose(p);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  unlink(data.c_str());
  unlink(script.c_str());
  rmdir(dir.c_str());
  if (status != 0 || lines != n || errors != 0) {
    Die("vhsm batch failed (" + std::to_string(lines) + " lines, " + std::to_string(errors) +
        " errors)");
  }
  return n / seconds;
}

}  // namespace vhsm::bench
