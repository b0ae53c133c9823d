// The provider's shared pieces: errors through the core, the client, keys.
#include "vhsm/provider/internal/provider_common.h"

#include <stdarg.h>

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
