// The container export file: what `vhsm-admin container export` writes and
// `container import` reads (format in vhsm.proto, ExportFileHeader). It
// holds a container's stored records, every secret still sealed under its
// user's master key; the file adds integrity, never confidentiality:
//
// - without a passphrase, a SHA-256 of the whole file catches damage and
//   truncation (and any edit to a sealed blob fails its AEAD check at use);
// - with one, an HMAC-SHA256 under PBKDF2(passphrase) also catches a
//   deliberate edit, such as a removed key.
//
// Thread-safe (pure).
#ifndef VHSM_API_CONTAINER_FILE_H_
#define VHSM_API_CONTAINER_FILE_H_

#include <string>
#include <string_view>
#include <vector>

#include "vhsm/base/status.h"

namespace vhsm {

inline constexpr uint32_t kExportKdfIterations = 600000;

struct ContainerFile {
  std::string container;
  int64_t created_unix = 0;
  std::vector<std::string> records;  // serialized proto::ExportRecord
};

// EncodeContainerFile returns the file's bytes (passphrase may be empty).
Result<std::string> EncodeContainerFile(const ContainerFile& file, std::string_view passphrase);
// DecodeContainerFile checks and parses a file: DataLoss for a damaged,
// truncated or edited one (or a wrong passphrase), InvalidArgument when a
// passphrase is given for a file without one or missing for one with one.
Result<ContainerFile> DecodeContainerFile(std::string_view data, std::string_view passphrase);

}  // namespace vhsm

#endif  // VHSM_API_CONTAINER_FILE_H_
