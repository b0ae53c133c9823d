// Internal to vhsm/pkcs11: what the module's files share beside the state
// (token.h): objects (objects.cc) and cryptographic operations (ops.cc).
// Callers hold State::mu.
#ifndef VHSM_PKCS11_INTERNAL_MODULE_H_
#define VHSM_PKCS11_INTERNAL_MODULE_H_

#include <unistd.h>

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "vhsm/pkcs11/internal/token.h"
// clang-format off
#include "vhsm/pkcs11/internal/ck.h"
// clang-format on

namespace vhsm::pkcs11 {

// Ready: initialised, and in this process (a forked child must initialise
// again).
inline bool Ready(const State& s) { return s.initialized && s.pid == getpid(); }

// SessionOf: the session behind a handle, or nullptr.
inline Session* SessionOf(State& s, CK_SESSION_HANDLE h) {
  auto it = s.sessions.find(h);
  return it == s.sessions.end() ? nullptr : &it->second;
}

// EntryLock holds the state's mutex and, when the application gave its own
// mutex callbacks, the application's mutex too.
class EntryLock {
 public:
  explicit EntryLock(State& s) : s_(s), lock_(s.mu) {
    if (s.app_mutex != nullptr) s.app_lock(s.app_mutex);
    held_ = s.app_mutex;
  }
  ~EntryLock() {
    if (held_ != nullptr) s_.app_unlock(held_);
  }
  EntryLock(const EntryLock&) = delete;
  EntryLock& operator=(const EntryLock&) = delete;

 private:
  State& s_;
  std::lock_guard<std::mutex> lock_;
  void* held_ = nullptr;
};

// Every entry point starts with VHSM_P11_ENTER (the state, locked, and
// CKR_CRYPTOKI_NOT_INITIALIZED unless Ready) and, when it takes a session,
// VHSM_P11_SESSION (CKR_SESSION_HANDLE_INVALID for an unknown handle).
#define VHSM_P11_ENTER(s)                                \
  ::vhsm::pkcs11::State& s = ::vhsm::pkcs11::TheState(); \
  ::vhsm::pkcs11::EntryLock lock_(s);                    \
  if (!::vhsm::pkcs11::Ready(s)) return CKR_CRYPTOKI_NOT_INITIALIZED
#define VHSM_P11_SESSION(s, h, var)                               \
  ::vhsm::pkcs11::Session* var = ::vhsm::pkcs11::SessionOf(s, h); \
  if (var == nullptr) return CKR_SESSION_HANDLE_INVALID

// LoadConfig: the environment, and the file VHSM_PKCS11_CONF names
// ("name = value" lines: user, port_id, server_key, password_file; the
// environment wins).
Result<Config> LoadConfig();

// Objects.
// ListingLogin: a login for what PKCS#11 shows before C_Login (objects.cc).
bool ListingLogin(State& s);
// ListObjects: the key objects a template can match (asked of vhsmd by
// CKA_ID or CKA_LABEL when the template has them), before matching.
CK_RV ListObjects(State& s, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count,
                  std::vector<std::pair<unsigned long, KeyInfo>>* out);
CK_RV FindInit(State& s, Session& session, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count);
CK_RV GetAttributes(State& s, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count);

// Operations (ops.cc).
CK_RV SignInit(State& s, Session& session, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE key, bool verify);
CK_RV SignFinish(State& s, Operation& op, CK_BYTE_PTR out, CK_ULONG_PTR out_len);
CK_RV VerifyFinish(State& s, Operation& op, CK_BYTE_PTR sig, CK_ULONG sig_len);
CK_RV DigestFinish(State& s, Operation& op, CK_BYTE_PTR out, CK_ULONG_PTR out_len);
CK_RV GenerateKeyPair(State& s, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR pub, CK_ULONG pub_count,
                      CK_ATTRIBUTE_PTR priv, CK_ULONG priv_count, CK_OBJECT_HANDLE_PTR pub_h,
                      CK_OBJECT_HANDLE_PTR priv_h);
CK_RV GenerateKey(State& s, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count,
                  CK_OBJECT_HANDLE_PTR h);
// What a new key gets from its templates (keygen.cc): label, operations
// from the usage flags (among those `can` lists), and the VHSM key id of
// CKA_ID (a's or b's; "" when neither has one: vhsmd picks).
KeyOptions OptionsOf(CK_ATTRIBUTE_PTR a, CK_ULONG an, CK_ATTRIBUTE_PTR b, CK_ULONG bn,
                     const std::string& can);
std::string IdOf(CK_ATTRIBUTE_PTR a, CK_ULONG an, CK_ATTRIBUTE_PTR b, CK_ULONG bn);

// C_CreateObject of keys (key_import.cc): CreateSecret imports a secret key
// (CKA_VALUE), CreatePrivateKey an EC, Ed25519 or RSA private key from its
// components; the module's copies are wiped.
CK_RV CreateSecret(State& s, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count, CK_OBJECT_HANDLE_PTR h);
CK_RV CreatePrivateKey(State& s, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count, CK_OBJECT_HANDLE_PTR h);

// Certificates and data objects (public_objects.cc): C_CreateObject of
// CKO_CERTIFICATE / CKO_DATA, the search (filtered by vhsmd on class, id
// and label), attributes, C_DestroyObject.
bool IsPublicObject(const ObjRef& o);
CK_RV CreatePublicObject(State& s, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count, CK_OBJECT_HANDLE_PTR h);
CK_RV FindPublicObjects(State& s, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count,
                        std::vector<unsigned long>* found);
CK_RV PublicObjectAttributes(State& s, const ObjRef& o, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count);
CK_RV DestroyPublicObject(State& s, const ObjRef& o);

// C_DeriveKey (derive.cc): CKM_ECDH1_DERIVE with CKD_NULL.
CK_RV DeriveKey(State& s, Session& session, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE base,
                CK_ATTRIBUTE_PTR tmpl, CK_ULONG count, CK_OBJECT_HANDLE_PTR h);
// DropSessionKeys deletes the keys a session made with CKA_TOKEN false.
void DropSessionKeys(State& s, Session& session);

// RvOfStatus: the CKR_ code for a failure vhsmd reported (keygen.cc).
CK_RV RvOfStatus(const Status& s);

// The mechanisms the token offers, and their info.
const std::vector<std::pair<CK_MECHANISM_TYPE, CK_MECHANISM_INFO>>& Mechanisms();

// Output writes data under the size-query protocol: a null buffer asks the
// length; a short one is CKR_BUFFER_TOO_SMALL with the length set.
CK_RV Output(const std::string& data, CK_BYTE_PTR out, CK_ULONG_PTR out_len);

}  // namespace vhsm::pkcs11

#endif  // VHSM_PKCS11_INTERNAL_MODULE_H_
