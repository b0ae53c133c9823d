// The provider's shared pieces: errors through the core, the client, keys.
#include "vhsm/provider/internal/provider_common.h"

#include <stdarg.h>

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

Key* KeyRef(Key* k) {
  k->refs++;
  return k;
}

void KeyUnref(Key* k) {
  if (k != nullptr && --k->refs == 0) {
    EVP_PKEY_free(k->pub);
    EVP_PKEY_free(k->full);
    delete k;
  }
}

void SetOrdinary(Key* k, EVP_PKEY* pkey, bool has_private) {
  EVP_PKEY_free(k->pub);
  EVP_PKEY_free(k->full);
  EVP_PKEY_up_ref(pkey);
  k->pub = pkey;
  k->full = nullptr;
  if (has_private) {
    EVP_PKEY_up_ref(pkey);
    k->full = pkey;
  }
  k->has_private = has_private;
}

}  // namespace vhsm::engine::provider
