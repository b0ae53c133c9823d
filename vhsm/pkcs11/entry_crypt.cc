// The PKCS#11 entry points of encryption: RSA-OAEP with SHA-256 and
// MGF1-SHA-256 and no label (what vhsmd does); decryption in vhsmd with the
// private key, encryption with the public key.
#include <string.h>
#include <unistd.h>

#include <mutex>
#include <string>

#include "vhsm/pkcs11/internal/module.h"

using vhsm::pkcs11::ObjClass;
using vhsm::pkcs11::Operation;
using vhsm::pkcs11::Session;
using vhsm::pkcs11::State;

namespace {

CK_RV Init(State& s, Session& session, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE key, bool decrypt) {
  Operation& op = decrypt ? session.decrypt : session.encrypt;
  if (m == nullptr) return CKR_ARGUMENTS_BAD;
  if (op.mechanism != 0) return CKR_OPERATION_ACTIVE;
  if (!s.logged_in) return CKR_USER_NOT_LOGGED_IN;
  if (m->mechanism != CKM_RSA_PKCS_OAEP) return CKR_MECHANISM_INVALID;
  auto* p = static_cast<CK_RSA_PKCS_OAEP_PARAMS*>(m->pParameter);
  if (p == nullptr || m->ulParameterLen != sizeof(*p) || p->hashAlg != CKM_SHA256 ||
      p->mgf != CKG_MGF1_SHA256 || (p->source != 0 && p->source != CKZ_DATA_SPECIFIED) ||
      p->ulSourceDataLen != 0) {
    return CKR_MECHANISM_PARAM_INVALID;  // vhsmd: SHA-256, MGF1-SHA-256, no label
  }
  auto it = s.objects.find(key);
  if (it == s.objects.end()) return CKR_KEY_HANDLE_INVALID;
  if (it->second.cls != (decrypt ? ObjClass::kPrivate : ObjClass::kPublic)) {
    return CKR_KEY_TYPE_INCONSISTENT;
  }
  vhsm::Result<vhsm::KeyInfo> k = vhsm::pkcs11::InfoOf(s, it->second.key_id);
  if (!k.ok()) return CKR_KEY_HANDLE_INVALID;
  if (k->type.rfind("rsa-", 0) != 0) return CKR_KEY_TYPE_INCONSISTENT;
  op = Operation{m->mechanism, key, "", ""};
  return CKR_OK;
}

// Run does the operation in vhsmd; a size query answers the modulus size
// (an upper bound) and keeps the operation for the second call.
CK_RV Run(State& s, Operation& op, bool decrypt, CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR out,
          CK_ULONG_PTR out_len) {
  if (op.mechanism == 0) return CKR_OPERATION_NOT_INITIALIZED;
  if (out_len == nullptr || (in == nullptr && in_len > 0)) return CKR_ARGUMENTS_BAD;
  const std::string& key_id = s.objects.at(op.key).key_id;
  vhsm::Result<vhsm::KeyInfo> k = vhsm::pkcs11::InfoOf(s, key_id);
  CK_ULONG modulus = k.ok() ? std::stoul(k->type.substr(4)) / 8 : 512;
  if (out == nullptr) {
    *out_len = modulus;
    return CKR_OK;
  }
  std::string_view data(reinterpret_cast<const char*>(in), in_len);
  vhsm::Result<vhsm::Bytes> r =
      decrypt ? s.client->Decrypt(key_id, data) : s.client->Encrypt(key_id, data);
  if (!r.ok()) {
    op = Operation{};
    return decrypt ? CKR_ENCRYPTED_DATA_INVALID : CKR_DATA_LEN_RANGE;
  }
  std::string result(r->begin(), r->end());
  CK_RV rv = vhsm::pkcs11::Output(result, out, out_len);
  // A decryption's plaintext is the application's now: no copy stays here.
  explicit_bzero(result.data(), result.size());
  explicit_bzero(r->data(), r->size());
  if (rv != CKR_BUFFER_TOO_SMALL) op = Operation{};
  return rv;
}

}  // namespace

extern "C" {

CK_RV C_EncryptInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE key) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  return Init(s, *session, m, key, false);
}

CK_RV C_Encrypt(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR out,
                CK_ULONG_PTR out_len) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  return Run(s, session->encrypt, false, in, in_len, out, out_len);
}

CK_RV C_DecryptInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE key) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  return Init(s, *session, m, key, true);
}

CK_RV C_Decrypt(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR out,
                CK_ULONG_PTR out_len) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  return Run(s, session->decrypt, true, in, in_len, out, out_len);
}

}  // extern "C"
