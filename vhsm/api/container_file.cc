#include "vhsm/api/container_file.h"

#include "vhsm/crypto/constant_time.h"
#include "vhsm/crypto/digest.h"
#include "vhsm/crypto/hmac.h"
#include "vhsm/crypto/pbkdf2.h"
#include "vhsm/crypto/random.h"
#include "vhsm/proto/vhsm.pb.h"

namespace vhsm {
namespace {

constexpr std::string_view kMagic = "VHSM container export 1\n";
constexpr size_t kTagSize = 32;
constexpr uint32_t kMaxFrame = 1u << 20;

void PutFrame(std::string* out, std::string_view frame) {
  uint32_t n = static_cast<uint32_t>(frame.size());
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(n >> shift));
  out->append(frame);
}

// Tag: SHA-256 of body, or HMAC-SHA256 under the passphrase's key.
Result<crypto::Bytes> Tag(std::string_view body, const proto::ExportFileHeader& h,
                          std::string_view passphrase) {
  if (h.kdf_salt().empty()) return crypto::ComputeDigest(crypto::DigestAlg::kSha256, body);
  VHSM_ASSIGN_OR_RETURN(crypto::SecretBytes key,
                        crypto::Pbkdf2HmacSha256(passphrase, h.kdf_salt(), h.kdf_iterations(), 32));
  return crypto::ComputeHmac(crypto::DigestAlg::kSha256, key.view(), body);
}

// Reader walks the frames of a file whose tag has been checked.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  Result<std::string_view> Next() {
    if (data_.size() < 4) return DataLoss("the export file is truncated");
    uint32_t n = 0;
    for (int i = 0; i < 4; ++i) n = (n << 8) | static_cast<uint8_t>(data_[i]);
    if (n > kMaxFrame || data_.size() - 4 < n) return DataLoss("the export file is truncated");
    std::string_view frame = data_.substr(4, n);
    data_.remove_prefix(4 + n);
    return frame;
  }
  bool empty() const { return data_.empty(); }

 private:
  std::string_view data_;
};

}  // namespace

Result<std::string> EncodeContainerFile(const ContainerFile& file, std::string_view passphrase) {
  proto::ExportFileHeader h;
  h.set_container(file.container);
  h.set_created_unix(file.created_unix);
  if (!passphrase.empty()) {
    VHSM_ASSIGN_OR_RETURN(crypto::Bytes salt, crypto::RandomBytes(16));
    h.set_kdf_salt(salt.data(), salt.size());
    h.set_kdf_iterations(kExportKdfIterations);
  }
  std::string out(kMagic);
  PutFrame(&out, h.SerializeAsString());
  for (const std::string& r : file.records) PutFrame(&out, r);
  PutFrame(&out, "");
  VHSM_ASSIGN_OR_RETURN(crypto::Bytes tag, Tag(out, h, passphrase));
  out.append(tag.begin(), tag.end());
  return out;
}

Result<ContainerFile> DecodeContainerFile(std::string_view data, std::string_view passphrase) {
  if (data.substr(0, kMagic.size()) != kMagic) {
    return InvalidArgument("not a VHSM container export file");
  }
  if (data.size() < kMagic.size() + 4 + kTagSize) return DataLoss("the export file is truncated");
  Reader header_reader(data.substr(kMagic.size()));
  VHSM_ASSIGN_OR_RETURN(std::string_view header_bytes, header_reader.Next());
  proto::ExportFileHeader h;
  if (!h.ParseFromArray(header_bytes.data(), static_cast<int>(header_bytes.size()))) {
    return DataLoss("the export file's header is damaged");
  }
  const bool keyed = !h.kdf_salt().empty();
  if (keyed && passphrase.empty()) {
    return InvalidArgument("this export file is protected by a passphrase: give it");
  }
  if (!keyed && !passphrase.empty()) {
    return InvalidArgument("this export file has no passphrase; import it without one");
  }
  if (keyed && (h.kdf_iterations() < 10000 || h.kdf_iterations() > 10000000)) {
    return DataLoss("the export file's header is damaged");
  }
  std::string_view body = data.substr(0, data.size() - kTagSize);
  VHSM_ASSIGN_OR_RETURN(crypto::Bytes tag, Tag(body, h, passphrase));
  if (!crypto::ConstantTimeEquals(tag, data.substr(data.size() - kTagSize))) {
    return DataLoss(keyed ? "the export file was changed, damaged or truncated, or the passphrase "
                            "is wrong"
                          : "the export file was changed, damaged or truncated");
  }
  ContainerFile out;
  out.container = h.container();
  out.created_unix = h.created_unix();
  Reader reader(body.substr(kMagic.size() + 4 + header_bytes.size()));
  while (true) {
    VHSM_ASSIGN_OR_RETURN(std::string_view frame, reader.Next());
    if (frame.empty()) break;
    out.records.emplace_back(frame);
  }
  if (!reader.empty()) return DataLoss("the export file has data after its end");
  return out;
}

}  // namespace vhsm
