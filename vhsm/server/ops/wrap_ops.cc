// Wrapped export and import of single keys (format in vhsm.proto,
// KeyExportRequest): a key created exportable leaves vhsmd only wrapped with
// AES-KWP under another aes-256 key of the same user, and comes back into
// any vhsmd whose user holds that KEY-encryption key. KWP output is not an
// AES-GCM ciphertext, so a KEK's encrypt/decrypt can never stand in for
// wrap/unwrap (and a KEK must be allowed to wrap or unwrap besides).
#include <algorithm>
#include <string>
#include <string_view>

#include "vhsm/crypto/key_wrap.h"
#include "vhsm/server/key_types.h"
#include "vhsm/server/ops/key_access.h"
#include "vhsm/server/ops/ops.h"

namespace vhsm::server::ops {
namespace {

constexpr std::string_view kMagic = "VHSM wrapped key 1\n";
constexpr std::string_view kLabel = "vhsm-wrapped-key";

void PutField(crypto::SecretBytes* out, size_t* at, crypto::ByteView field) {
  uint32_t n = static_cast<uint32_t>(field.size());
  for (int shift = 24; shift >= 0; shift -= 8)
    out->data()[(*at)++] = static_cast<uint8_t>(n >> shift);
  std::copy(field.begin(), field.end(), out->data() + *at);
  *at += field.size();
}

void PutU32(crypto::SecretBytes* out, size_t* at, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out->data()[(*at)++] = static_cast<uint8_t>(v >> shift);
}

// Inner: the fields wrapped, built straight into locked memory.
crypto::SecretBytes Inner(const storage::OpenedKey& k) {
  size_t size = 4 * 4 + kLabel.size() + k.type.size() + k.label.size() + k.material.size() + 8;
  crypto::SecretBytes out(size);
  size_t at = 0;
  PutField(&out, &at, kLabel);
  PutField(&out, &at, k.type);
  PutU32(&out, &at, k.allowed_ops);
  PutU32(&out, &at, k.flags & proto::KEY_FLAG_EXPORTABLE_WRAPPED);  // not its origin
  PutField(&out, &at, k.label);
  PutField(&out, &at, k.material.view());
  return out;
}

// Parser reads the inner fields back; any inconsistency fails.
class Parser {
 public:
  explicit Parser(crypto::ByteView in) : in_(in) {}
  bool U32(uint32_t* v) {
    if (in_.size() < 4) return false;
    const uint8_t* b = in_.data();
    *v = (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
    in_ = in_.substr(4);
    return true;
  }
  bool Field(crypto::ByteView* out) {
    uint32_t n = 0;
    if (!U32(&n) || in_.size() < n) return false;
    *out = in_.substr(0, n);
    in_ = in_.substr(n);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  crypto::ByteView in_;
};

Result<std::shared_ptr<const LoadedKey>> LoadKek(Env& env, Call& call, const std::string& id,
                                                 uint32_t op) {
  VHSM_ASSIGN_OR_RETURN(auto kek, LoadKey(env, call, id, op));
  if (kek->opened.type != "aes-256") {
    return InvalidArgument("a key-wrapping key is aes-256, not " + kek->opened.type);
  }
  return kek;
}

}  // namespace

Status KeyExport(Env& env, Call& call) {
  const auto& r = call.req.key_export();
  if (r.id() == r.wrap_with()) return InvalidArgument("a key cannot wrap itself");
  if (r.id().find('/') != std::string::npos) {
    return PermissionDenied("key '" + r.id() + "' is shared with you: only its owner exports it");
  }
  VHSM_ASSIGN_OR_RETURN(auto kek, LoadKek(env, call, r.wrap_with(), proto::KEY_OP_WRAP));
  VHSM_ASSIGN_OR_RETURN(auto key, LoadKey(env, call, r.id(), ~0u));
  if ((key->opened.flags & proto::KEY_FLAG_EXPORTABLE_WRAPPED) == 0) {
    return PermissionDenied("key '" + r.id() +
                            "' is not exportable: only keys created with --exportable-wrapped "
                            "leave vhsmd, and only wrapped");
  }
  crypto::SecretBytes inner = Inner(key->opened);
  VHSM_ASSIGN_OR_RETURN(
      crypto::Bytes wrapped,
      crypto::AesKeyWrap(crypto::WrapMode::kKwp, kek->opened.material.view(), inner.view()));
  std::string out(kMagic);
  out.append(wrapped.begin(), wrapped.end());
  call.resp->mutable_bytes()->set_data(std::move(out));
  call.resp->mutable_bytes()->set_key_version(key->opened.version);
  return Status::Ok();
}

Status KeyImportWrapped(Env& env, Call& call) {
  const auto& r = call.req.key_import_wrapped();
  std::string_view wrapped = r.wrapped();
  if (wrapped.substr(0, kMagic.size()) != kMagic) {
    return InvalidArgument("not a VHSM wrapped key");
  }
  wrapped.remove_prefix(kMagic.size());
  VHSM_ASSIGN_OR_RETURN(auto kek, LoadKek(env, call, r.wrap_with(), proto::KEY_OP_UNWRAP));
  VHSM_ASSIGN_OR_RETURN(
      crypto::SecretBytes inner,
      crypto::AesKeyUnwrap(crypto::WrapMode::kKwp, kek->opened.material.view(), wrapped));
  Parser p(inner.view());
  crypto::ByteView label_field, type, label, material;
  uint32_t ops = 0, flags = 0;
  if (!p.Field(&label_field) ||
      !std::equal(label_field.begin(), label_field.end(), kLabel.begin(), kLabel.end()) ||
      !p.Field(&type) || !p.U32(&ops) || !p.U32(&flags) || !p.Field(&label) ||
      !p.Field(&material) || !p.done()) {
    return InvalidArgument("the wrapped key is malformed");
  }
  std::optional<proto::KeyType> t =
      ParseKeyTypeName(std::string(reinterpret_cast<const char*>(type.data()), type.size()));
  if (!t || ops == 0) return InvalidArgument("the wrapped key is malformed");
  VHSM_ASSIGN_OR_RETURN(crypto::SecretBytes stored, NormalizeImport(*t, material));
  return StoreNewKey(
      env, call,
      {*t, r.id(), std::string(reinterpret_cast<const char*>(label.data()), label.size()), ops,
       (flags & proto::KEY_FLAG_EXPORTABLE_WRAPPED) | proto::KEY_FLAG_IMPORTED},
      stored);
}

}  // namespace vhsm::server::ops
