// Fuzzes the container export file reader (vhsm-admin container import reads
// files that crossed hosts). Invariants: it never crashes; a file it accepts
// encodes again (unkeyed) to one it accepts with the same records.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "vhsm/api/container_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto file = vhsm::DecodeContainerFile(in, "");
  if (!file.ok()) return 0;
  auto again = vhsm::EncodeContainerFile(*file, "");
  if (!again.ok()) abort();
  auto back = vhsm::DecodeContainerFile(*again, "");
  if (!back.ok() || back->records != file->records || back->container != file->container) abort();
  return 0;
}
