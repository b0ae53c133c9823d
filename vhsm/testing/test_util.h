// Test-only helpers: test-vector files, temporary directories and running
// independent reference tools (the openssl command, Python) as subprocesses.
// Never linked into a product binary (testonly in BUILD).
#ifndef VHSM_TESTING_TEST_UTIL_H_
#define VHSM_TESTING_TEST_UTIL_H_

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "vhsm/base/status.h"

namespace vhsm::testing {

// ReadFile returns the contents of path (relative to the runfiles root,
// e.g. "vhsm/crypto/testdata/x.json"), aborting the test binary if missing.
std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& data);

// LoadJson parses a JSON file through ReadFile.
nlohmann::json LoadJson(const std::string& path);

// Hex decodes a hex string, aborting on bad input (test data is trusted).
std::vector<uint8_t> Hex(const std::string& hex);
std::string ToHex(const std::vector<uint8_t>& data);

// MakeTempDir creates a fresh directory under $TEST_TMPDIR (or /tmp).
std::string MakeTempDir();

struct CommandResult {
  int exit_code = -1;  // -1 when the command could not be run
  std::string out;     // stdout and stderr, interleaved
};

// RunCommand runs argv (no shell), feeding stdin_data, and returns its exit
// code and combined output.
CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& stdin_data = "");

// Must returns r's value, or fails the test (with the status) and aborts:
// for setup steps a test cannot go on without.
template <typename T>
T Must(Result<T> r) {
  if (!r.ok()) {
    std::fprintf(stderr, "Must: %s\n", r.status().ToString().c_str());
    std::abort();
  }
  return std::move(r).value();
}

// Python is Debian's /usr/bin/python3, which has python3-cryptography.
inline const char kPython[] = "/usr/bin/python3";

}  // namespace vhsm::testing

#endif  // VHSM_TESTING_TEST_UTIL_H_
