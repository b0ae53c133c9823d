// The engine's VHSM-held keys: ECDSA (P-256, P-384) and RSA PKCS#1 v1.5
// signatures by vhsmd behind legacy EC_KEY and RSA methods. The EVP_PKEY an
// application gets holds only the public key; OpenSSL treats a key with a
// foreign method as legacy and calls the method to sign, never looking for a
// private part. RSA-PSS is not offered here: OpenSSL 3.0's legacy RSA path
// pads PSS itself and asks the method for a raw RSA operation, which vhsmd
// does not give (the provider signs PSS).
#include <openssl/ec.h>
#include <openssl/engine.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <string.h>

#include <memory>
#include <string>

#include "vhsm/engine/internal/engine_common.h"

namespace vhsm::engine::engine_internal {
namespace {

struct KeyRef {
  std::string key_id;
};

void FreeKeyRef(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
  delete static_cast<KeyRef*>(ptr);
}

// ---- ECDSA ---------------------------------------------------------------------

ECDSA_SIG* EcSignSig(const unsigned char* dgst, int dlen, const BIGNUM*, const BIGNUM*,
                     EC_KEY* eckey) {
  auto* ref = static_cast<KeyRef*>(EC_KEY_get_ex_data(eckey, g_state->ec_ex_index));
  if (ref == nullptr) {
    RaiseError("EC key is not a VHSM key");
    return nullptr;
  }
  const bool p384 = EC_GROUP_get_degree(EC_KEY_get0_group(eckey)) == 384;
  auto client = ClientOrRaise();
  if (!client) return nullptr;
  vhsm::SignOptions options;
  options.prehashed = true;
  options.hash = p384 ? "sha384" : "sha256";
  auto der = client->Sign(
      ref->key_id,
      vhsm::engine::EcdsaDigest(dgst, dlen < 0 ? 0 : static_cast<size_t>(dlen), p384 ? 48 : 32),
      options);
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

// ---- RSA -------------------------------------------------------------------------

int RsaSign(int type, const unsigned char* m, unsigned int m_length, unsigned char* sigret,
            unsigned int* siglen, const RSA* rsa) {
  auto* ref = static_cast<KeyRef*>(RSA_get_ex_data(rsa, g_state->rsa_ex_index));
  if (ref == nullptr) {
    RaiseError("RSA key is not a VHSM key");
    return 0;
  }
  vhsm::SignOptions options;
  options.scheme = "pkcs1";
  options.prehashed = true;
  options.hash = type == NID_sha256   ? "sha256"
                 : type == NID_sha384 ? "sha384"
                 : type == NID_sha512 ? "sha512"
                                      : "";
  if (options.hash.empty()) {
    RaiseError("VHSM signs RSA over SHA-256, SHA-384 or SHA-512 only");
    return 0;
  }
  auto client = ClientOrRaise();
  if (!client) return 0;
  auto sig =
      client->Sign(ref->key_id, std::string(reinterpret_cast<const char*>(m), m_length), options);
  if (!sig.ok()) {
    RaiseStatus(sig.status());
    return 0;
  }
  if (sig->size() > static_cast<size_t>(RSA_size(rsa))) return 0;
  memcpy(sigret, sig->data(), sig->size());
  *siglen = static_cast<unsigned int>(sig->size());
  return 1;
}

int RsaNoRawPrivate(int, const unsigned char*, unsigned char*, RSA*, int) {
  RaiseError(
      "VHSM RSA keys sign PKCS#1 v1.5 through the engine; PSS and decryption need the vhsm "
      "provider or the vhsm command");
  return -1;
}

// ---- loading -----------------------------------------------------------------------

EVP_PKEY* LoadPublic(const char* key_id_text, std::string* key_id) {
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

EVP_PKEY* WrapEc(EVP_PKEY* pub, const std::string& key_id) {
  vhsm::engine::EcKeyPtr ec(EC_KEY_dup(EVP_PKEY_get0_EC_KEY(pub)));
  vhsm::engine::EvpPkeyPtr pkey(EVP_PKEY_new());
  auto ref = std::make_unique<KeyRef>(KeyRef{key_id});
  if (!ec || !pkey || !EC_KEY_set_method(ec.get(), g_state->ec_method.get()) ||
      !EC_KEY_set_ex_data(ec.get(), g_state->ec_ex_index, ref.get())) {
    return nullptr;
  }
  ref.release();  // the EC_KEY's ex data owns it now (FreeKeyRef)
  if (!EVP_PKEY_assign_EC_KEY(pkey.get(), ec.get())) return nullptr;
  ec.release();  // the EVP_PKEY owns it now
  return pkey.release();
}

EVP_PKEY* WrapRsa(EVP_PKEY* pub, const std::string& key_id) {
  vhsm::engine::RsaPtr rsa(RSAPublicKey_dup(EVP_PKEY_get0_RSA(pub)));
  vhsm::engine::EvpPkeyPtr pkey(EVP_PKEY_new());
  auto ref = std::make_unique<KeyRef>(KeyRef{key_id});
  if (!rsa || !pkey || !RSA_set_method(rsa.get(), g_state->rsa_method.get()) ||
      !RSA_set_ex_data(rsa.get(), g_state->rsa_ex_index, ref.get())) {
    return nullptr;
  }
  ref.release();
  if (!EVP_PKEY_assign_RSA(pkey.get(), rsa.get())) return nullptr;
  rsa.release();
  return pkey.release();
}

}  // namespace

bool InitKeyMethods(EngineState* st) {
  st->ec_ex_index = EC_KEY_get_ex_new_index(0, nullptr, nullptr, nullptr, FreeKeyRef);
  st->rsa_ex_index = RSA_get_ex_new_index(0, nullptr, nullptr, nullptr, FreeKeyRef);
  st->ec_method.reset(EC_KEY_METHOD_new(EC_KEY_OpenSSL()));
  st->rsa_method.reset(RSA_meth_dup(RSA_PKCS1_OpenSSL()));
  if (!st->ec_method || !st->rsa_method || st->ec_ex_index < 0 || st->rsa_ex_index < 0) {
    return false;
  }
  EC_KEY_METHOD_set_sign(st->ec_method.get(), EcSign, EcSignSetup, EcSignSig);
  return RSA_meth_set1_name(st->rsa_method.get(), "VHSM RSA") == 1 &&
         RSA_meth_set_sign(st->rsa_method.get(), RsaSign) == 1 &&
         RSA_meth_set_priv_enc(st->rsa_method.get(), RsaNoRawPrivate) == 1 &&
         RSA_meth_set_priv_dec(st->rsa_method.get(), RsaNoRawPrivate) == 1;
}

EVP_PKEY* LoadPublicKey(ENGINE*, const char* id, UI_METHOD*, void*) {
  std::string key_id;
  return LoadPublic(id, &key_id);
}

EVP_PKEY* LoadPrivateKey(ENGINE*, const char* id, UI_METHOD*, void*) {
  std::string key_id;
  vhsm::engine::EvpPkeyPtr pub(LoadPublic(id, &key_id));
  if (!pub) return nullptr;
  int type = EVP_PKEY_get_base_id(pub.get());
  if (type != EVP_PKEY_EC && type != EVP_PKEY_RSA) {
    RaiseError("key '" + key_id +
               "' is not ec-p256, ec-p384 or rsa-*: the engine signs only with those "
               "(use the vhsm provider for ed25519)");
    return nullptr;
  }
  EVP_PKEY* pkey = type == EVP_PKEY_EC ? WrapEc(pub.get(), key_id) : WrapRsa(pub.get(), key_id);
  if (pkey == nullptr) RaiseError("cannot build a key for '" + key_id + "'");
  return pkey;
}

}  // namespace vhsm::engine::engine_internal
