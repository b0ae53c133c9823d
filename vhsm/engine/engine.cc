// The VHSM OpenSSL engine (engine id "vhsm"), a dynamic engine for OpenSSL
// 3.0's deprecated-but-supported ENGINE API.
//
// - HMAC: an HMAC key of the form "vhsm:KEYID" names a VHSM key; the MAC is
//   computed by vhsmd over the data streamed to it. Any other HMAC key is
//   computed here with OpenSSL's own HMAC, so ordinary programs keep working
//   with the engine loaded. Plain digests are never touched.
// - ec-p256, ec-p384 and RSA private keys (engine_keys.cc):
//   ENGINE_load_private_key("KEYID" or "vhsm:KEYID") returns an EVP_PKEY
//   holding only the public key, whose ECDSA or RSA PKCS#1 v1.5 signing is
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

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

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
// Every bound engine's state, oldest first; g_state is the oldest. A program
// whose configuration is loaded twice (`openssl req` loads openssl.cnf again)
// binds the library a second time for an engine that then fails to be
// listed: the first, configured (USER, PASSWORD_FILE ...), stays the one.
std::vector<EngineState*>* g_live = nullptr;

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

// ---- engine lifecycle --------------------------------------------------------------

// ListOnce: OpenSSL 3.0's apps load a key from an engine through the
// engine's id ("org.openssl.engine:vhsm:KEYID"), which finds only listed
// engines, and an engine loaded with "-engine /path/to/vhsm-engine.so" is
// not listed. Not in Bind: a loader that lists the engine itself right
// after (openssl.cnf's dynamic_path, which insists) would then find the id
// taken and give up before applying USER, PASSWORD_FILE, ... So here, when
// OpenSSL first asks which methods the engine has (ENGINE_set_default,
// outside its lock), once the loader is done: listed already, nothing to do.
void ListOnce(ENGINE* e) {
  for (ENGINE* it = ENGINE_get_first(); it != nullptr; it = ENGINE_get_next(it)) {
    if (it == e) {
      ENGINE_free(it);
      return;
    }
  }
  ERR_set_mark();
  if (!ENGINE_add(e)) {
    ERR_pop_to_mark();
  } else {
    ERR_clear_last_mark();
  }
}

int PkeyMeths(ENGINE* e, EVP_PKEY_METHOD** pmeth, const int** nids, int nid) {
  static const int kNids[] = {EVP_PKEY_HMAC};
  if (pmeth == nullptr) {
    ListOnce(e);
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
    if (g_live != nullptr) {
      g_live->erase(std::remove(g_live->begin(), g_live->end(), st), g_live->end());
      g_state = g_live->empty() ? nullptr : g_live->front();
    }
    (void)st->hmac_pmeth.release();  // already freed by OpenSSL (see EngineState)
    (void)st->hmac_ameth.release();
    delete st;  // frees the EC and RSA methods
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
  st->hmac_ameth.reset(EVP_PKEY_asn1_new(EVP_PKEY_HMAC, 0, "HMAC", "VHSM HMAC"));
  st->hmac_pmeth.reset(EVP_PKEY_meth_new(EVP_PKEY_HMAC, EVP_PKEY_FLAG_SIGCTX_CUSTOM));
  if (!InitKeyMethods(st) || !st->hmac_ameth || !st->hmac_pmeth) return 0;

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
  if (g_live == nullptr) g_live = new std::vector<EngineState*>();
  g_live->push_back(st);
  g_state = g_live->front();
  return 1;
}

}  // namespace vhsm::engine::engine_internal

extern "C" {
IMPLEMENT_DYNAMIC_CHECK_FN()
IMPLEMENT_DYNAMIC_BIND_FN(vhsm::engine::engine_internal::Bind)
}
