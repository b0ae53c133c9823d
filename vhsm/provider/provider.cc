// The VHSM OpenSSL 3 provider ("vhsm", built as vhsm.so).
//
// - store: the "vhsm" URI scheme. "vhsm:KEYID" loads a private key object
//   whose operations go to vhsmd; "vhsm:KEYID?type=public" its public key.
// - keymgmt EC (P-256) and ED25519 for those objects: public parts only
//   (export, get_params, match); the private key never leaves vhsmd.
// - signature ECDSA (raw digest and digest-sign with any digest OpenSSL
//   computes here, signed in vhsmd as a SHA-256-sized digest) and ED25519.
// - mac HMAC: key "vhsm:KEYID" is computed in vhsmd; every other key is
//   handed to the default provider's HMAC.
// Every algorithm carries "provider=vhsm". Credentials: provider parameters
// vhsm-user, vhsm-password-file, vhsm-port-id, vhsm-server-key (openssl.cnf),
// else VHSM_USER, VHSM_PASSWORD, VHSM_PASSWORD_FILE, VHSM_PORT_ID,
// VHSM_SERVER_KEY (or /etc/vhsm/vhsmd.pub), else the store asks for the
// password through OpenSSL's passphrase callback.
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <string.h>

#include "vhsm/provider/internal/provider_common.h"

namespace vhsm::engine::provider {
namespace {

// ---- the provider ------------------------------------------------------------------------

const OSSL_ALGORITHM kStores[] = {
    {"vhsm", "provider=vhsm", kStoreFunctions, "VHSM keys (vhsm:KEYID)"},
    {nullptr, nullptr, nullptr, nullptr}};
const OSSL_ALGORITHM kKeymgmts[] = {
    {"EC:id-ecPublicKey:1.2.840.10045.2.1", "provider=vhsm", kEcKeymgmt, "VHSM P-256/384 keys"},
    {"ED25519:1.3.101.112", "provider=vhsm", kEdKeymgmt, "VHSM Ed25519 keys"},
    {"RSA:rsaEncryption:1.2.840.113549.1.1.1", "provider=vhsm", kRsaKeymgmt, "VHSM RSA keys"},
    {nullptr, nullptr, nullptr, nullptr}};
const OSSL_ALGORITHM kSignatures[] = {
    {"ECDSA", "provider=vhsm", kEcdsa, "ECDSA in VHSM"},
    {"ED25519:1.3.101.112", "provider=vhsm", kEdDsa, "Ed25519 in VHSM"},
    {"RSA:rsaEncryption:1.2.840.113549.1.1.1", "provider=vhsm", kRsaSignature,
     "RSA PKCS#1 v1.5 and PSS in VHSM"},
    {nullptr, nullptr, nullptr, nullptr}};
const OSSL_ALGORITHM kKeyExchanges[] = {
    {"ECDH", "provider=vhsm", kEcdh, "ECDH on ordinary EC keys (default provider)"},
    {nullptr, nullptr, nullptr, nullptr}};
const OSSL_ALGORITHM kMacs[] = {
    {"HMAC", "provider=vhsm", kHmac, "HMAC with vhsm:KEYID keys in VHSM"},
    {nullptr, nullptr, nullptr, nullptr}};

const OSSL_ALGORITHM* QueryOperation(void*, int operation_id, int* no_cache) {
  *no_cache = 0;
  switch (operation_id) {
    case OSSL_OP_STORE:
      return kStores;
    case OSSL_OP_KEYMGMT:
      return kKeymgmts;
    case OSSL_OP_SIGNATURE:
      return kSignatures;
    case OSSL_OP_KEYEXCH:
      return kKeyExchanges;
    case OSSL_OP_MAC:
      return kMacs;
    default:
      return nullptr;
  }
}

const OSSL_ITEM* ReasonStrings(void*) {
  static const OSSL_ITEM kReasons[] = {{kReason, const_cast<char*>("vhsm")}, {0, nullptr}};
  return kReasons;
}

int GetParams(void*, OSSL_PARAM params[]) {
  OSSL_PARAM* p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_NAME);
  if (p != nullptr && !OSSL_PARAM_set_utf8_ptr(p, "VHSM provider")) return 0;
  p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_STATUS);
  if (p != nullptr && !OSSL_PARAM_set_int(p, 1)) return 0;
  return 1;
}

void Teardown(void* provctx) {
  auto* pc = static_cast<ProvCtx*>(provctx);
  pc->connection.Reset();
  delete pc;  // and its library context
}

// TLS groups on EC keys. The TLS library uses a group only when the "EC"
// keymgmt it fetches belongs to the provider that announced the group; with
// this provider loaded first that keymgmt is ours (it delegates ordinary keys
// to the default provider), so we announce the NIST curves too.
struct TlsGroup {
  const char* name;
  const char* internal;
  unsigned int id;
  unsigned int security_bits;
};
const TlsGroup kTlsGroups[] = {
    {"secp256r1", "prime256v1", 23, 128}, {"P-256", "prime256v1", 23, 128},
    {"secp384r1", "secp384r1", 24, 192},  {"P-384", "secp384r1", 24, 192},
    {"secp521r1", "secp521r1", 25, 256},  {"P-521", "secp521r1", 25, 256}};

int GetCapabilities(void*, const char* capability, OSSL_CALLBACK* cb, void* arg) {
  if (strcmp(capability, "TLS-GROUP") != 0) return 0;
  for (const TlsGroup& g : kTlsGroups) {
    unsigned int id = g.id, bits = g.security_bits;
    int min_tls = 0x0301 /* TLS 1.0 */, max_tls = 0, min_dtls = 0xFEFF /* DTLS 1.0 */, max_dtls = 0;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_CAPABILITY_TLS_GROUP_NAME, const_cast<char*>(g.name),
                                         0),
        OSSL_PARAM_construct_utf8_string(OSSL_CAPABILITY_TLS_GROUP_NAME_INTERNAL,
                                         const_cast<char*>(g.internal), 0),
        OSSL_PARAM_construct_utf8_string(OSSL_CAPABILITY_TLS_GROUP_ALG, const_cast<char*>("EC"), 0),
        OSSL_PARAM_construct_uint(OSSL_CAPABILITY_TLS_GROUP_ID, &id),
        OSSL_PARAM_construct_uint(OSSL_CAPABILITY_TLS_GROUP_SECURITY_BITS, &bits),
        OSSL_PARAM_construct_int(OSSL_CAPABILITY_TLS_GROUP_MIN_TLS, &min_tls),
        OSSL_PARAM_construct_int(OSSL_CAPABILITY_TLS_GROUP_MAX_TLS, &max_tls),
        OSSL_PARAM_construct_int(OSSL_CAPABILITY_TLS_GROUP_MIN_DTLS, &min_dtls),
        OSSL_PARAM_construct_int(OSSL_CAPABILITY_TLS_GROUP_MAX_DTLS, &max_dtls),
        OSSL_PARAM_construct_end()};
    if (!cb(params, arg)) return 0;
  }
  return 1;
}

const OSSL_DISPATCH kProviderFunctions[] = {
    FN(OSSL_FUNC_PROVIDER_GET_CAPABILITIES, GetCapabilities),
    FN(OSSL_FUNC_PROVIDER_TEARDOWN, Teardown),
    FN(OSSL_FUNC_PROVIDER_QUERY_OPERATION, QueryOperation),
    FN(OSSL_FUNC_PROVIDER_GET_REASON_STRINGS, ReasonStrings),
    FN(OSSL_FUNC_PROVIDER_GET_PARAMS, GetParams),
    {0, nullptr}};

}  // namespace
}  // namespace vhsm::engine::provider

using namespace vhsm::engine::provider;  // NOLINT: the C entry point below

extern "C" __attribute__((visibility("default"))) int OSSL_provider_init(
    const OSSL_CORE_HANDLE* handle, const OSSL_DISPATCH* in, const OSSL_DISPATCH** out,
    void** provctx) {
  OSSL_FUNC_core_get_params_fn* get_params = nullptr;
  for (; in->function_id != 0; ++in) {
    switch (in->function_id) {
      case OSSL_FUNC_CORE_GET_PARAMS:
        get_params = OSSL_FUNC_core_get_params(in);
        break;
      case OSSL_FUNC_CORE_NEW_ERROR:
        c_new_error = OSSL_FUNC_core_new_error(in);
        break;
      case OSSL_FUNC_CORE_SET_ERROR_DEBUG:
        c_set_error_debug = OSSL_FUNC_core_set_error_debug(in);
        break;
      case OSSL_FUNC_CORE_VSET_ERROR:
        c_vset_error = OSSL_FUNC_core_vset_error(in);
        break;
      default:
        break;
    }
  }
  auto owned = std::make_unique<ProvCtx>();
  ProvCtx* pc = owned.get();
  pc->handle = handle;
  // Our own library context with the default provider: public-key work and
  // ordinary HMAC keys are done there, never by recursion into ourselves.
  pc->owned_libctx.reset(OSSL_LIB_CTX_new());
  pc->libctx = pc->owned_libctx.get();
  if (pc->libctx != nullptr) pc->default_provider = OSSL_PROVIDER_load(pc->libctx, "default");
  if (pc->default_provider != nullptr)
    pc->local_hmac.reset(EVP_MAC_fetch(pc->libctx, "HMAC", nullptr));
  if (pc->local_hmac == nullptr) {
    return 0;  // owned frees the context and the library context
  }
  if (get_params != nullptr) {
    char* user = nullptr;
    char* password_file = nullptr;
    char* port = nullptr;
    char* server_key = nullptr;
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_ptr("vhsm-user", &user, 0),
                           OSSL_PARAM_construct_utf8_ptr("vhsm-password-file", &password_file, 0),
                           OSSL_PARAM_construct_utf8_ptr("vhsm-port-id", &port, 0),
                           OSSL_PARAM_construct_utf8_ptr("vhsm-server-key", &server_key, 0),
                           OSSL_PARAM_construct_end()};
    if (get_params(handle, params)) {
      if (user != nullptr && *user) pc->connection.SetUser(user);
      if (password_file != nullptr && *password_file) pc->connection.SetPasswordFile(password_file);
      if (port != nullptr && *port) (void)pc->connection.SetPortId(port);
      if (server_key != nullptr && *server_key) pc->connection.SetServerKey(server_key);
    }
  }
  *out = kProviderFunctions;
  *provctx = owned.release();  // Teardown deletes it
  return 1;
}
