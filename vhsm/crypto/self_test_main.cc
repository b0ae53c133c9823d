// vhsm-selftest: runs the crypto power-on self-test and reports the result.
#include <cstdio>

#include "vhsm/crypto/self_test.h"

int main() {
  vhsm::Status s = vhsm::crypto::RunSelfTest();
  if (!s.ok()) {
    std::fprintf(stderr, "vhsm-selftest: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("vhsm-selftest: all known-answer tests passed\n");
  return 0;
}
