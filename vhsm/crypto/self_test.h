// Power-on self-test, as a FIPS 140 module runs before serving: known-answer
// tests of every algorithm VHSM uses, plus a sign/verify pairwise check.
// The daemon refuses to start when it fails. Thread-safe; takes milliseconds.
#ifndef VHSM_CRYPTO_SELF_TEST_H_
#define VHSM_CRYPTO_SELF_TEST_H_

#include "vhsm/base/status.h"

namespace vhsm::crypto {

// RunSelfTest returns OK, or Internal naming the first test that failed.
Status RunSelfTest();

}  // namespace vhsm::crypto

#endif  // VHSM_CRYPTO_SELF_TEST_H_
