// Internal to vhsm/engine's provider: what its parts share (the provider
// context, errors through the core, the key objects of its keymgmt) and the
// dispatch tables each part defines. Not for use outside the provider.
#ifndef VHSM_PROVIDER_INTERNAL_PROVIDER_COMMON_H_
#define VHSM_PROVIDER_INTERNAL_PROVIDER_COMMON_H_

#include <openssl/core_dispatch.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include <memory>
#include <string>

#include "vhsm/engine/connection.h"
#include "vhsm/engine/ossl_ptr.h"

namespace vhsm::engine::provider {

using ::vhsm::engine::BioPtr;
using ::vhsm::engine::EvpMacCtxPtr;
using ::vhsm::engine::EvpMacPtr;
using ::vhsm::engine::EvpMdCtxPtr;
using ::vhsm::engine::EvpMdPtr;
using ::vhsm::engine::EvpPkeyCtxPtr;
using ::vhsm::engine::EvpPkeyPtr;
using ::vhsm::engine::OsslLibCtxPtr;

struct ProvCtx {
  const OSSL_CORE_HANDLE* handle = nullptr;
  OSSL_LIB_CTX* libctx = nullptr;             // our own library context (owned by `owned_libctx`)
  OsslLibCtxPtr owned_libctx;                 // for the default provider; freed with the context
  OSSL_PROVIDER* default_provider = nullptr;  // loaded into libctx; unloaded first
  // libctx's HMAC, fetched once: TLS computes its own HMACs (keys that are
  // not vhsm:) through ours, ~8 per handshake, and a fetch each cost more
  // than the HMAC.
  EvpMacPtr local_hmac;
  Connection connection;
  ~ProvCtx() {
    local_hmac.reset();
    if (default_provider != nullptr) OSSL_PROVIDER_unload(default_provider);
  }
};

// The core's error functions, set once by OSSL_provider_init.
extern OSSL_FUNC_core_new_error_fn* c_new_error;
extern OSSL_FUNC_core_set_error_debug_fn* c_set_error_debug;
extern OSSL_FUNC_core_vset_error_fn* c_vset_error;
inline constexpr int kReason = 1;

// Raise puts "vhsm: message" on OpenSSL's error queue.
void Raise(const ProvCtx* pc, const std::string& message);
// ClientOf returns the logged-in client, or nullptr with an error raised.
std::shared_ptr<vhsm::Client> ClientOf(ProvCtx* pc);

// The key types this provider manages.
enum class Kind { kEc, kEd, kRsa };

// KindName: the keymgmt name of a kind ("EC", "ED25519", "RSA").
const char* KindName(Kind kind);

// A key this keymgmt holds: either a VHSM key (key_id set; only its public
// part is here) or an ordinary key (full set), which happens when an
// application that loaded this provider first generates or imports an EC,
// Ed25519 or RSA key: those are delegated to the default provider in our own
// library context, so ordinary operations keep working unchanged.
struct Key {
  ProvCtx* pc = nullptr;
  std::string key_id;  // a VHSM key's id; empty for ordinary keys
  Kind kind = Kind::kEc;
  bool has_private = false;
  EvpPkeyPtr pub;   // public part (or domain parameters), our libctx
  EvpPkeyPtr full;  // ordinary keys only: the whole key, our libctx
};

// The keydata pointer OpenSSL holds for a key is a KeyData: one shared
// reference to the Key, owned by whoever holds that pointer (the keymgmt's
// free drops it). A signature context that outlives the EVP_PKEY keeps the Key
// alive with a shared_ptr of its own, so no count is kept by hand.
using KeyData = std::shared_ptr<Key>;

// NewKeyData returns a new keydata pointer holding a reference to key.
void* NewKeyData(KeyData key);
// FreeKeyData drops the reference a keydata pointer holds (nullptr is fine).
void FreeKeyData(void* keydata);
// KeyDataOf returns the reference a keydata pointer holds (empty for nullptr).
KeyData KeyDataOf(const void* keydata);
// KeyOf returns the Key a keydata pointer refers to (nullptr for nullptr).
Key* KeyOf(const void* keydata);
// SetOrdinary makes k hold the ordinary key pkey (taking references of its
// own; the caller keeps its reference).
void SetOrdinary(Key* k, EVP_PKEY* pkey, bool has_private);

// SignInVhsm has vhsmd sign data (a digest made with `hash` when prehashed)
// with key, under scheme ("", "pkcs1" or "pss"); writes at most sigsize
// bytes. Returns 1, or 0 with an error raised.
int SignInVhsm(ProvCtx* pc, const Key& key, const std::string& data, bool prehashed,
               const std::string& scheme, const std::string& hash, unsigned char* sig,
               size_t* siglen, size_t sigsize);
// VhsmHashName maps an OpenSSL digest name to VHSM's ("sha256", "sha384",
// "sha512"); empty for any other.
std::string VhsmHashName(const std::string& mdname);

#define FN(id, f) \
  { id, reinterpret_cast<void (*)(void)>(f) }

extern const OSSL_DISPATCH kStoreFunctions[];
extern const OSSL_DISPATCH* const kEcKeymgmt;
extern const OSSL_DISPATCH* const kEdKeymgmt;
extern const OSSL_DISPATCH* const kRsaKeymgmt;
extern const OSSL_DISPATCH kRsaSignature[];
extern const OSSL_DISPATCH kEcdsa[];
extern const OSSL_DISPATCH kEdDsa[];
extern const OSSL_DISPATCH kEcdh[];
extern const OSSL_DISPATCH kHmac[];

}  // namespace vhsm::engine::provider

#endif  // VHSM_PROVIDER_INTERNAL_PROVIDER_COMMON_H_
