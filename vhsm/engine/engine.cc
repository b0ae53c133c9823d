// The VHSM OpenSSL engine (engine id "vhsm"), a dynamic engine for OpenSSL
// 3.0's deprecated-but-supported ENGINE API.
//
// - HMAC: an HMAC key of the form "vhsm:KEYID" names a VHSM key; the MAC is
//   computed by vhsmd over the data streamed to it. Any other HMAC key is
//   computed here with OpenSSL's own HMAC, so ordinary programs keep working
//   with the engine loaded. Plain digests are never touched.
// - ec-p256 private keys: ENGINE_load_private_key("KEYID" or "vhsm:KEYID")
//   returns an EVP_PKEY holding only the public key, whose ECDSA signing is
//   done by vhsmd. ENGINE_load_public_key returns the public key.
// - Control commands USER, PASSWORD_FILE, PORT_ID, SERVER_KEY (also from
//   openssl.cnf); unset, VHSM_USER, VHSM_PASSWORD(_FILE), VHSM_PORT_ID and
//   VHSM_SERVER_KEY (or /etc/vhsm/vhsmd.pub) apply.
// Ed25519 is not offered: OpenSSL 3.0's engine interface has no key method
// for EdDSA through which signing could be delegated (the provider has it).
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <string.h>

#include <memory>
#include <string>

#include "vhsm/engine/connection.h"
#include "vhsm/engine/internal/engine_common.h"
#include "vhsm/engine/ossl_ptr.h"

namespace vhsm::engine::engine_internal {

const char kEngineId[] = "vhsm";
const char kEngineName[] = "VHSM: keys held in the vhsmd virtual HSM";

// ---- errors -------------------------------------------------------------------

int g_err_lib = 0;  // set once in Bind, before any other call
constexpr int kReason = 100;

ERR_STRING_DATA g_err_reasons[] = {{ERR_PACK(0, 0, kReason), "vhsm"}, {0, nullptr}};
ERR_STRING_DATA g_err_lib_name[] = {{0, "vhsm engine"}, {0, nullptr}};

void RaiseError(const std::string& message) {
  ERR_raise_data(g_err_lib, kReason, "%s", message.c_str());
}

void RaiseStatus(const vhsm::Status& s) { RaiseError(s.message()); }

// ---- per-engine state ----------------------------------------------------------

EngineState* g_state = nullptr;

EngineState* State(ENGINE* e) { return static_cast<EngineState*>(ENGINE_get_ex_data(e, 0)); }

// ---- control commands ------------------------------------------------------------

enum { kCmdUser = ENGINE_CMD_BASE, kCmdPasswordFile, kCmdPortId, kCmdServerKey };

const ENGINE_CMD_DEFN kCommands[] = {
    {kCmdUser, "USER", "VHSM user name", ENGINE_CMD_FLAG_STRING},
    {kCmdPasswordFile, "PASSWORD_FILE", "file holding the VHSM password", ENGINE_CMD_FLAG_STRING},
    {kCmdPortId, "PORT_ID", "vhsmd netlink port id", ENGINE_CMD_FLAG_STRING},
    {kCmdServerKey, "SERVER_KEY", "vhsmd's public key, or its file", ENGINE_CMD_FLAG_STRING},
    {0, nullptr, nullptr, 0}};

int Ctrl(ENGINE* e, int cmd, long, void* p, void (*)(void)) {
  EngineState* st = State(e);
  const char* value = static_cast<const char*>(p);
  if (st == nullptr || value == nullptr) return 0;
  switch (cmd) {
    case kCmdUser:
      st->connection.SetUser(value);
      return 1;
    case kCmdPasswordFile:
      st->connection.SetPasswordFile(value);
      return 1;
    case kCmdServerKey:
      st->connection.SetServerKey(value);
      return 1;
    case kCmdPortId: {
      vhsm::Status s = st->connection.SetPortId(value);
      if (!s.ok()) RaiseStatus(s);
      return s.ok() ? 1 : 0;
    }
    default:
      return 0;
  }
}

std::shared_ptr<vhsm::Client> ClientOrRaise() {
  if (g_state == nullptr) {
    RaiseError("engine not initialised");
    return nullptr;
  }
  auto client = g_state->connection.Get();
  if (!client.ok()) {
    RaiseStatus(client.status());
    return nullptr;
  }
  return *client;
}

// ---- ECDSA with VHSM-held P-256 keys ---------------------------------------------

struct EcKeyRef {
  std::string key_id;
};

void FreeEcKeyRef(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
  delete static_cast<EcKeyRef*>(ptr);
}

ECDSA_SIG* EcSignSig(const unsigned char* dgst, int dlen, const BIGNUM*, const BIGNUM*,
                     EC_KEY* eckey) {
  auto* ref = static_cast<EcKeyRef*>(EC_KEY_get_ex_data(eckey, g_state->ec_ex_index));
  if (ref == nullptr) {
    RaiseError("EC key is not a VHSM key");
    return nullptr;
  }
  const std::string digest =
      vhsm::engine::EcdsaP256Digest(dgst, dlen < 0 ? 0 : static_cast<size_t>(dlen));
  auto client = ClientOrRaise();
  if (!client) return nullptr;
  auto der = client->Sign(ref->key_id, digest, /*prehashed=*/true);
  if (!der.ok()) {
    RaiseStatus(der.status());
    return nullptr;
  }
  const unsigned char* p = der->data();
  return d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der->size()));
}

int EcSign(int, const unsigned char* dgst, int dlen, unsigned char* sig, unsigned int* siglen,
           const BIGNUM* kinv, const BIGNUM* r, EC_KEY* eckey) {
  vhsm::engine::EcdsaSigPtr s(EcSignSig(dgst, dlen, kinv, r, eckey));
  if (!s) return 0;
  unsigned char* p = sig;
  int len = i2d_ECDSA_SIG(s.get(), &p);
  if (len <= 0) return 0;
  *siglen = static_cast<unsigned int>(len);
  return 1;
}

int EcSignSetup(EC_KEY*, BN_CTX*, BIGNUM**, BIGNUM**) { return 1; }

EVP_PKEY* LoadPublic(ENGINE*, const char* key_id_text, std::string* key_id) {
  *key_id = vhsm::engine::KeyIdFrom(key_id_text ? key_id_text : "", true);
  if (key_id->empty()) {
    RaiseError("no key id given");
    return nullptr;
  }
  auto client = ClientOrRaise();
  if (!client) return nullptr;
  auto pem = client->PublicKeyPem(*key_id);
  if (!pem.ok()) {
    RaiseStatus(pem.status());
    return nullptr;
  }
  vhsm::engine::BioPtr bio(BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size())));
  EVP_PKEY* pkey = bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (pkey == nullptr) RaiseError("vhsmd returned an unreadable public key");
  return pkey;
}

EVP_PKEY* LoadPublicKey(ENGINE* e, const char* id, UI_METHOD*, void*) {
  std::string key_id;
  return LoadPublic(e, id, &key_id);
}

EVP_PKEY* LoadPrivateKey(ENGINE* e, const char* id, UI_METHOD*, void*) {
  std::string key_id;
  vhsm::engine::EvpPkeyPtr pub(LoadPublic(e, id, &key_id));
  if (!pub) return nullptr;
  if (EVP_PKEY_get_base_id(pub.get()) != EVP_PKEY_EC) {
    RaiseError("key '" + key_id +
               "' is not ec-p256: the engine signs only with ec-p256 keys "
               "(use the vhsm provider for ed25519)");
    return nullptr;
  }
  // A legacy EC_KEY with only the public point, whose signing method calls
  // vhsmd: OpenSSL treats it as a foreign key and never looks for a private part.
  vhsm::engine::EcKeyPtr ec(EC_KEY_dup(EVP_PKEY_get0_EC_KEY(pub.get())));
  vhsm::engine::EvpPkeyPtr pkey(EVP_PKEY_new());
  auto ref = std::make_unique<EcKeyRef>(EcKeyRef{key_id});
  if (!ec || !pkey || !EC_KEY_set_method(ec.get(), g_state->ec_method.get()) ||
      !EC_KEY_set_ex_data(ec.get(), g_state->ec_ex_index, ref.get())) {
    RaiseError("cannot build an EC key for '" + key_id + "'");
    return nullptr;
  }
  ref.release();  // the EC_KEY's ex data owns it now (FreeEcKeyRef)
  if (!EVP_PKEY_assign_EC_KEY(pkey.get(), ec.get())) {
    RaiseError("cannot build an EC key for '" + key_id + "'");
    return nullptr;
  }
  ec.release();  // the EVP_PKEY owns it now
  return pkey.release();
}

// ---- engine lifecycle --------------------------------------------------------------

int PkeyMeths(ENGINE*, EVP_PKEY_METHOD** pmeth, const int** nids, int nid) {
  static const int kNids[] = {EVP_PKEY_HMAC};
  if (pmeth == nullptr) {
    *nids = kNids;
    return 1;
  }
  if (nid == EVP_PKEY_HMAC && g_state != nullptr) {
    *pmeth = g_state->hmac_pmeth.get();
    return 1;
  }
  *pmeth = nullptr;
  return 0;
}

int Asn1Meths(ENGINE*, EVP_PKEY_ASN1_METHOD** ameth, const int** nids, int nid) {
  static const int kNids[] = {EVP_PKEY_HMAC};
  if (ameth == nullptr) {
    *nids = kNids;
    return 1;
  }
  if (nid == EVP_PKEY_HMAC && g_state != nullptr) {
    *ameth = g_state->hmac_ameth.get();
    return 1;
  }
  *ameth = nullptr;
  return 0;
}

int Destroy(ENGINE* e) {
  EngineState* st = State(e);
  if (st != nullptr) {
    if (g_state == st) g_state = nullptr;
    (void)st->hmac_pmeth.release();  // already freed by OpenSSL (see EngineState)
    (void)st->hmac_ameth.release();
    delete st;  // frees the EC method
    ENGINE_set_ex_data(e, 0, nullptr);
  }
  return 1;
}

int Finish(ENGINE* e) {
  if (EngineState* st = State(e)) st->connection.Reset();  // closes the session
  return 1;
}

int Bind(ENGINE* e, const char* id) {
  if (id != nullptr && strcmp(id, kEngineId) != 0) return 0;
  if (g_err_lib == 0) {
    g_err_lib = ERR_get_next_error_library();
    ERR_load_strings(g_err_lib, g_err_reasons);
    g_err_lib_name[0].error = ERR_PACK(g_err_lib, 0, 0);
    ERR_load_strings(0, g_err_lib_name);
  }
  auto owned = std::make_unique<EngineState>();
  EngineState* st = owned.get();
  st->ec_ex_index = EC_KEY_get_ex_new_index(0, nullptr, nullptr, nullptr, FreeEcKeyRef);
  st->ec_method.reset(EC_KEY_METHOD_new(EC_KEY_OpenSSL()));
  st->hmac_ameth.reset(EVP_PKEY_asn1_new(EVP_PKEY_HMAC, 0, "HMAC", "VHSM HMAC"));
  st->hmac_pmeth.reset(EVP_PKEY_meth_new(EVP_PKEY_HMAC, EVP_PKEY_FLAG_SIGCTX_CUSTOM));
  if (!st->ec_method || !st->hmac_ameth || !st->hmac_pmeth) return 0;
  EC_KEY_METHOD_set_sign(st->ec_method.get(), EcSign, EcSignSetup, EcSignSig);

  EVP_PKEY_ASN1_METHOD* ameth = st->hmac_ameth.get();
  EVP_PKEY_asn1_set_set_priv_key(ameth, HmacSetPrivKey);
  EVP_PKEY_asn1_set_free(ameth, HmacFreeKey);
  EVP_PKEY_asn1_set_public(ameth, nullptr, nullptr, nullptr, nullptr, HmacKeySize, nullptr);

  EVP_PKEY_METHOD* pmeth = st->hmac_pmeth.get();
  EVP_PKEY_meth_set_init(pmeth, HmacInit);
  EVP_PKEY_meth_set_copy(pmeth, HmacCopy);
  EVP_PKEY_meth_set_cleanup(pmeth, HmacCleanup);
  EVP_PKEY_meth_set_signctx(pmeth, HmacSignctxInit, HmacSignctx);
  EVP_PKEY_meth_set_ctrl(pmeth, HmacCtrl, nullptr);

  if (!ENGINE_set_id(e, kEngineId) || !ENGINE_set_name(e, kEngineName) ||
      !ENGINE_set_ex_data(e, 0, st) || !ENGINE_set_destroy_function(e, Destroy) ||
      !ENGINE_set_finish_function(e, Finish) || !ENGINE_set_ctrl_function(e, Ctrl) ||
      !ENGINE_set_cmd_defns(e, kCommands) || !ENGINE_set_load_privkey_function(e, LoadPrivateKey) ||
      !ENGINE_set_load_pubkey_function(e, LoadPublicKey) || !ENGINE_set_pkey_meths(e, PkeyMeths) ||
      !ENGINE_set_pkey_asn1_meths(e, Asn1Meths)) {
    ENGINE_set_ex_data(e, 0, nullptr);
    return 0;  // owned frees the state and its three methods
  }
  owned.release();  // the ENGINE's ex data owns it now (Destroy)
  g_state = st;
  // OpenSSL 3.0's apps load a key from an engine through the engine's id
  // ("org.openssl.engine:vhsm:KEYID"), which finds only listed engines; an
  // engine loaded with "-engine /path/to/vhsm-engine.so" is not listed, so
  // list ourselves. Already listed (loaded by id): nothing to do.
  ERR_set_mark();
  if (!ENGINE_add(e))
    ERR_pop_to_mark();
  else
    ERR_clear_last_mark();
  return 1;
}

}  // namespace vhsm::engine::engine_internal

extern "C" {
IMPLEMENT_DYNAMIC_CHECK_FN()
IMPLEMENT_DYNAMIC_BIND_FN(vhsm::engine::engine_internal::Bind)
}
