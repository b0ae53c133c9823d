// Fuzzes key import, the parser tenants feed directly: the first byte picks
// the key type (any of the ten), the rest is the material (raw bytes, or
// PKCS#8 / PKCS#1 / SEC1 DER or PEM).
// Invariant: what NormalizeImport accepts for a private key type is PKCS#8
// DER that parses again to the same key and re-encodes to the same bytes.
#include <cstdint>
#include <cstdlib>

#include "vhsm/crypto/asymmetric_key.h"
#include "vhsm/proto/vhsm.pb.h"
#include "vhsm/server/key_types.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  constexpr size_t kTypes = sizeof(vhsm::kAllKeyTypes) / sizeof(vhsm::kAllKeyTypes[0]);
  vhsm::proto::KeyType type = vhsm::kAllKeyTypes[data[0] % kTypes];
  auto stored = vhsm::server::NormalizeImport(type, vhsm::crypto::ByteView(data + 1, size - 1));
  if (!stored.ok()) return 0;
  if (!vhsm::server::AsymmetricAlg(type)) return 0;
  auto key = vhsm::crypto::PrivateKey::FromPkcs8Der(stored->view());
  if (!key.ok()) abort();
  auto again = key->ToPkcs8Der();
  if (!again.ok() || again->size() != stored->size()) abort();
  for (size_t i = 0; i < again->size(); ++i) {
    if (again->data()[i] != stored->data()[i]) abort();
  }
  return 0;
}
