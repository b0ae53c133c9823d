// The provider's shared pieces: errors through the core, the client, keys.
#include "vhsm/provider/internal/provider_common.h"

#include <stdarg.h>
#include <string.h>

#include <utility>

namespace vhsm::engine::provider {

// ---- errors: through the core's error functions --------------------------------

OSSL_FUNC_core_new_error_fn* c_new_error = nullptr;
OSSL_FUNC_core_set_error_debug_fn* c_set_error_debug = nullptr;
OSSL_FUNC_core_vset_error_fn* c_vset_error = nullptr;

void Raise(const ProvCtx* pc, const std::string& message) {
  if (c_new_error == nullptr || pc == nullptr) return;
  c_new_error(pc->handle);
  c_set_error_debug(pc->handle, "vhsm provider", 0, "vhsm");
  va_list none{};
  std::string fmt = "vhsm: " + message;
  // %% in the message must not be read as a conversion.
  std::string escaped;
  for (char c : fmt) {
    escaped += c;
    if (c == '%') escaped += '%';
  }
  c_vset_error(pc->handle, kReason, escaped.c_str(), none);
}

std::shared_ptr<vhsm::Client> ClientOf(ProvCtx* pc) {
  auto c = pc->connection.Get();
  if (!c.ok()) {
    Raise(pc, c.status().message());
    return nullptr;
  }
  return *c;
}

// ---- signing in vhsmd ------------------------------------------------------------

int SignInVhsm(ProvCtx* pc, const Key& key, const std::string& data, bool prehashed,
               const std::string& scheme, const std::string& hash, unsigned char* sig,
               size_t* siglen, size_t sigsize) {
  auto client = ClientOf(pc);
  if (!client) return 0;
  vhsm::SignOptions options;
  options.scheme = scheme;
  options.hash = hash;
  options.prehashed = prehashed;
  auto out = client->Sign(key.key_id, data, options);
  if (!out.ok()) {
    Raise(pc, out.status().message());
    return 0;
  }
  if (out->size() > sigsize) {
    Raise(pc, "signature buffer too small");
    return 0;
  }
  memcpy(sig, out->data(), out->size());
  *siglen = out->size();
  return 1;
}

std::string VhsmHashName(const std::string& mdname) {
  if (mdname == "SHA256" || mdname == "SHA2-256" || mdname == "sha256") return "sha256";
  if (mdname == "SHA384" || mdname == "SHA2-384" || mdname == "sha384") return "sha384";
  if (mdname == "SHA512" || mdname == "SHA2-512" || mdname == "sha512") return "sha512";
  return "";
}

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kEc:
      return "EC";
    case Kind::kEd:
      return "ED25519";
    case Kind::kRsa:
      return "RSA";
  }
  return "";
}

// ---- key objects -----------------------------------------------------------------

void* NewKeyData(KeyData key) { return new KeyData(std::move(key)); }

void FreeKeyData(void* keydata) { delete static_cast<KeyData*>(keydata); }

KeyData KeyDataOf(const void* keydata) {
  return keydata == nullptr ? KeyData() : *static_cast<const KeyData*>(keydata);
}

Key* KeyOf(const void* keydata) {
  return keydata == nullptr ? nullptr : static_cast<const KeyData*>(keydata)->get();
}

void SetOrdinary(Key* k, EVP_PKEY* pkey, bool has_private) {
  EVP_PKEY_up_ref(pkey);
  k->pub.reset(pkey);
  k->full.reset();
  if (has_private) {
    EVP_PKEY_up_ref(pkey);
    k->full.reset(pkey);
  }
  k->has_private = has_private;
}

}  // namespace vhsm::engine::provider
