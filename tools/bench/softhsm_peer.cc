#include "tools/bench/softhsm_peer.h"

#include <dlfcn.h>
#include <p11-kit/pkcs11.h>

#include <cstdlib>
#include <fstream>
#include <vector>

namespace vhsm::bench {
namespace {

CK_FUNCTION_LIST_PTR F(void* fl) { return static_cast<CK_FUNCTION_LIST_PTR>(fl); }

const char kLib[] = "/usr/lib/softhsm/libsofthsm2.so";
const char kPin[] = "123456";

// DER OIDs of the curves (CKA_EC_PARAMS).
const unsigned char kP256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
const unsigned char kEd25519[] = {0x06, 0x03, 0x2b, 0x65, 0x70};

}  // namespace

std::unique_ptr<SoftHsmPeer> SoftHsmPeer::Open(const std::string& dir, std::string* error) {
  std::string conf = dir + "/softhsm2.conf";
  std::string tokens = dir + "/tokens";
  if (std::system(("mkdir -p " + tokens).c_str()) != 0) {
    *error = "cannot create " + tokens;
    return nullptr;
  }
  std::ofstream(conf) << "directories.tokendir = " << tokens << "\nobjectstore.backend = file\n";
  setenv("SOFTHSM2_CONF", conf.c_str(), 1);
  std::string init = "softhsm2-util --init-token --free --label bench --pin " + std::string(kPin) +
                     " --so-pin " + kPin + " >/dev/null 2>&1";
  if (std::system(init.c_str()) != 0) {
    *error = "softhsm2-util --init-token failed";
    return nullptr;
  }
  std::unique_ptr<SoftHsmPeer> p(new SoftHsmPeer());
  p->lib_ = dlopen(kLib, RTLD_NOW | RTLD_LOCAL);
  if (p->lib_ == nullptr) {
    *error = std::string("cannot load ") + kLib;
    return nullptr;
  }
  auto get =
      reinterpret_cast<CK_RV (*)(CK_FUNCTION_LIST_PTR_PTR)>(dlsym(p->lib_, "C_GetFunctionList"));
  CK_FUNCTION_LIST_PTR fl = nullptr;
  if (get == nullptr || get(&fl) != CKR_OK || fl->C_Initialize(nullptr) != CKR_OK) {
    *error = "PKCS#11 initialisation failed";
    return nullptr;
  }
  p->fl_ = fl;
  CK_SLOT_ID slots[8];
  CK_ULONG n = 8;
  if (fl->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK || n == 0) {
    *error = "no SoftHSM token";
    return nullptr;
  }
  p->slot_ = slots[0];
  CK_SESSION_HANDLE s;
  if (fl->C_OpenSession(p->slot_, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &s) !=
          CKR_OK ||
      fl->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)kPin, sizeof(kPin) - 1) != CKR_OK) {
    *error = "SoftHSM login failed";
    return nullptr;
  }
  p->session_ = s;
  if (!p->MakeKeys(error)) return nullptr;
  return p;
}

bool SoftHsmPeer::MakeKeys(std::string* error) {
  auto* fl = static_cast<CK_FUNCTION_LIST_PTR>(fl_);
  CK_SESSION_HANDLE s = session_;
  SoftHsmPeer* p = this;
  CK_BBOOL yes = CK_TRUE;
  // HMAC key: a stored generic secret.
  CK_OBJECT_CLASS secret = CKO_SECRET_KEY;
  CK_KEY_TYPE generic = CKK_GENERIC_SECRET, aes = CKK_AES;
  std::vector<unsigned char> value(32, 0x42);
  CK_ATTRIBUTE hmac_tpl[] = {{CKA_CLASS, &secret, sizeof(secret)},
                             {CKA_KEY_TYPE, &generic, sizeof(generic)},
                             {CKA_TOKEN, &yes, sizeof(yes)},
                             {CKA_SIGN, &yes, sizeof(yes)},
                             {CKA_VALUE, value.data(), value.size()}};
  CK_ATTRIBUTE aes_tpl[] = {{CKA_CLASS, &secret, sizeof(secret)},
                            {CKA_KEY_TYPE, &aes, sizeof(aes)},
                            {CKA_TOKEN, &yes, sizeof(yes)},
                            {CKA_ENCRYPT, &yes, sizeof(yes)},
                            {CKA_VALUE, value.data(), value.size()}};
  if (fl->C_CreateObject(s, hmac_tpl, 5, &p->hmac_key_) != CKR_OK ||
      fl->C_CreateObject(s, aes_tpl, 5, &p->aes_key_) != CKR_OK) {
    *error = "SoftHSM key creation failed";
    return false;
  }
  CK_OBJECT_HANDLE pub;
  CK_MECHANISM ec_gen = {CKM_EC_KEY_PAIR_GEN, nullptr, 0};
  CK_ATTRIBUTE ec_pub_tpl[] = {{CKA_TOKEN, &yes, sizeof(yes)},
                               {CKA_EC_PARAMS, (void*)kP256, sizeof(kP256)}};
  CK_ATTRIBUTE priv_tpl[] = {{CKA_TOKEN, &yes, sizeof(yes)},
                             {CKA_SIGN, &yes, sizeof(yes)},
                             {CKA_PRIVATE, &yes, sizeof(yes)}};
  if (fl->C_GenerateKeyPair(s, &ec_gen, ec_pub_tpl, 2, priv_tpl, 3, &pub, &p->ec_priv_) != CKR_OK) {
    *error = "SoftHSM EC key generation failed";
    return false;
  }
  CK_MECHANISM rsa_gen = {CKM_RSA_PKCS_KEY_PAIR_GEN, nullptr, 0};
  CK_ULONG bits = 2048;
  CK_ATTRIBUTE rsa_pub_tpl[] = {{CKA_TOKEN, &yes, sizeof(yes)},
                                {CKA_MODULUS_BITS, &bits, sizeof(bits)}};
  if (fl->C_GenerateKeyPair(s, &rsa_gen, rsa_pub_tpl, 2, priv_tpl, 3, &pub, &p->rsa_priv_) !=
      CKR_OK) {
    *error = "SoftHSM RSA key generation failed";
    return false;
  }
  CK_MECHANISM ed_gen = {CKM_EC_EDWARDS_KEY_PAIR_GEN, nullptr, 0};
  CK_ATTRIBUTE ed_pub_tpl[] = {{CKA_TOKEN, &yes, sizeof(yes)},
                               {CKA_EC_PARAMS, (void*)kEd25519, sizeof(kEd25519)}};
  if (fl->C_GenerateKeyPair(s, &ed_gen, ed_pub_tpl, 2, priv_tpl, 3, &pub, &p->ed_priv_) != CKR_OK) {
    p->ed_priv_ = 0;  // this SoftHSM build has no EdDSA
  }
  return true;
}

SoftHsmPeer::~SoftHsmPeer() {
  if (fl_ != nullptr) {
    F(fl_)->C_CloseAllSessions(slot_);
    F(fl_)->C_Finalize(nullptr);
  }
  if (lib_ != nullptr) dlclose(lib_);
}

bool SoftHsmPeer::Sign(unsigned long mechanism, unsigned long key, const std::string& data) {
  CK_MECHANISM m = {mechanism, nullptr, 0};
  unsigned char out[256];
  CK_ULONG len = sizeof(out);
  return F(fl_)->C_SignInit(session_, &m, key) == CKR_OK &&
         F(fl_)->C_Sign(session_, (CK_BYTE_PTR)data.data(), data.size(), out, &len) == CKR_OK;
}

bool SoftHsmPeer::Hmac(const std::string& data) { return Sign(CKM_SHA256_HMAC, hmac_key_, data); }
// SoftHSM2 2.6 has no CKM_ECDSA_SHA256: hash in-process, as its users do.
bool SoftHsmPeer::EcdsaSign(const std::string& data) {
  CK_MECHANISM m = {CKM_SHA256, nullptr, 0};
  unsigned char digest[32];
  CK_ULONG len = sizeof(digest);
  if (F(fl_)->C_DigestInit(session_, &m) != CKR_OK ||
      F(fl_)->C_Digest(session_, (CK_BYTE_PTR)data.data(), data.size(), digest, &len) != CKR_OK) {
    return false;
  }
  return Sign(CKM_ECDSA, ec_priv_, std::string(reinterpret_cast<char*>(digest), len));
}
bool SoftHsmPeer::Ed25519Sign(const std::string& data) { return Sign(CKM_EDDSA, ed_priv_, data); }
bool SoftHsmPeer::RsaSign(const std::string& data) {
  return Sign(CKM_SHA256_RSA_PKCS, rsa_priv_, data);
}

bool SoftHsmPeer::Sha256(const std::string& data) {
  CK_MECHANISM m = {CKM_SHA256, nullptr, 0};
  unsigned char out[32];
  CK_ULONG len = sizeof(out);
  return F(fl_)->C_DigestInit(session_, &m) == CKR_OK &&
         F(fl_)->C_Digest(session_, (CK_BYTE_PTR)data.data(), data.size(), out, &len) == CKR_OK;
}

bool SoftHsmPeer::GcmEncrypt(const std::string& data) {
  unsigned char iv[12] = {1};
  CK_GCM_PARAMS params{};
  params.pIv = iv;
  params.ulIvLen = 12;
  params.ulIvBits = 96;
  params.ulTagBits = 128;
  CK_MECHANISM m = {CKM_AES_GCM, &params, sizeof(params)};
  std::vector<unsigned char> out(data.size() + 16);
  CK_ULONG len = out.size();
  return F(fl_)->C_EncryptInit(session_, &m, aes_key_) == CKR_OK &&
         F(fl_)->C_Encrypt(session_, (CK_BYTE_PTR)data.data(), data.size(), out.data(), &len) ==
             CKR_OK;
}

bool SoftHsmPeer::GenerateEcKeyPair() {
  CK_BBOOL yes = CK_TRUE;
  CK_MECHANISM gen = {CKM_EC_KEY_PAIR_GEN, nullptr, 0};
  CK_ATTRIBUTE pub_tpl[] = {{CKA_TOKEN, &yes, sizeof(yes)},
                            {CKA_EC_PARAMS, (void*)kP256, sizeof(kP256)}};
  CK_ATTRIBUTE priv_tpl[] = {{CKA_TOKEN, &yes, sizeof(yes)},
                             {CKA_SIGN, &yes, sizeof(yes)},
                             {CKA_PRIVATE, &yes, sizeof(yes)}};
  CK_OBJECT_HANDLE pub, priv;
  return F(fl_)->C_GenerateKeyPair(session_, &gen, pub_tpl, 2, priv_tpl, 3, &pub, &priv) == CKR_OK;
}

bool SoftHsmPeer::LoginLogout() {
  return F(fl_)->C_Logout(session_) == CKR_OK &&
         F(fl_)->C_Login(session_, CKU_USER, (CK_UTF8CHAR_PTR)kPin, sizeof(kPin) - 1) == CKR_OK;
}

}  // namespace vhsm::bench
