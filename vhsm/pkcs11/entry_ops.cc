// The PKCS#11 entry points of signing, verification and digests: single-part
// and multi-part (parts are gathered here and sent once, at the end).
#include <unistd.h>

#include <mutex>
#include <string>

#include "vhsm/pkcs11/internal/module.h"

using vhsm::pkcs11::Operation;
using vhsm::pkcs11::State;

namespace {

constexpr size_t kMaxInput = 64 << 20;  // multi-part input held here

CK_RV Append(Operation& op, CK_BYTE_PTR data, CK_ULONG len) {
  if (data == nullptr && len > 0) return CKR_ARGUMENTS_BAD;
  if (op.mechanism == 0) return CKR_OPERATION_NOT_INITIALIZED;
  if (op.data.size() + len > kMaxInput) {
    op = Operation{};
    return CKR_DATA_LEN_RANGE;
  }
  op.data.append(reinterpret_cast<const char*>(data), len);
  return CKR_OK;
}

// Finish ends op unless the caller only asked the output's size (or gave a
// short buffer): PKCS#11 keeps the operation for the second call then.
template <typename F>
CK_RV Finish(Operation& op, CK_BYTE_PTR out, F run) {
  if (op.mechanism == 0) return CKR_OPERATION_NOT_INITIALIZED;
  CK_RV rv = run();
  if (!(rv == CKR_OK && out == nullptr) && rv != CKR_BUFFER_TOO_SMALL) op = Operation{};
  return rv;
}

using FinishFn = CK_RV (*)(State&, Operation&, CK_BYTE_PTR, CK_ULONG_PTR);

// SinglePart is C_Sign and C_Digest: the data (once, even across a size
// query) then the result.
CK_RV SinglePart(State& s, Operation& op, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR out,
                 CK_ULONG_PTR out_len, FinishFn finish) {
  if (out_len == nullptr) return CKR_ARGUMENTS_BAD;
  if (op.mechanism != 0 && op.data.empty()) {
    CK_RV rv = Append(op, data, len);
    if (rv != CKR_OK) return rv;
  }
  return Finish(op, out, [&] { return finish(s, op, out, out_len); });
}

// Final is C_SignFinal and C_DigestFinal.
CK_RV Final(State& s, Operation& op, CK_BYTE_PTR out, CK_ULONG_PTR out_len, FinishFn finish) {
  if (out_len == nullptr) return CKR_ARGUMENTS_BAD;
  return Finish(op, out, [&] { return finish(s, op, out, out_len); });
}

}  // namespace

extern "C" {

CK_RV C_SignInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE key) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  return vhsm::pkcs11::SignInit(s, *session, m, key, false);
}

CK_RV C_Sign(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig,
             CK_ULONG_PTR sig_len) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  return SinglePart(s, session->sign, data, len, sig, sig_len, vhsm::pkcs11::SignFinish);
}

CK_RV C_SignUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  return Append(session->sign, data, len);
}

CK_RV C_SignFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR sig, CK_ULONG_PTR sig_len) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  return Final(s, session->sign, sig, sig_len, vhsm::pkcs11::SignFinish);
}

CK_RV C_VerifyInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE key) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  return vhsm::pkcs11::SignInit(s, *session, m, key, true);
}

CK_RV C_Verify(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig,
               CK_ULONG sig_len) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  Operation& op = session->verify;
  if (sig == nullptr) return CKR_ARGUMENTS_BAD;
  CK_RV rv = Append(op, data, len);
  if (rv != CKR_OK) return rv;
  rv = vhsm::pkcs11::VerifyFinish(s, op, sig, sig_len);
  op = Operation{};
  return rv;
}

CK_RV C_VerifyUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  return Append(session->verify, data, len);
}

CK_RV C_VerifyFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR sig, CK_ULONG sig_len) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  Operation& op = session->verify;
  if (op.mechanism == 0) return CKR_OPERATION_NOT_INITIALIZED;
  if (sig == nullptr) return CKR_ARGUMENTS_BAD;
  CK_RV rv = vhsm::pkcs11::VerifyFinish(s, op, sig, sig_len);
  op = Operation{};
  return rv;
}

CK_RV C_DigestInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  if (m == nullptr) return CKR_ARGUMENTS_BAD;
  if (session->digest.mechanism != 0) return CKR_OPERATION_ACTIVE;
  if (m->mechanism != CKM_SHA_1 && m->mechanism != CKM_SHA256 && m->mechanism != CKM_SHA384 &&
      m->mechanism != CKM_SHA512) {
    return CKR_MECHANISM_INVALID;
  }
  session->digest = Operation{m->mechanism, 0, "", ""};
  return CKR_OK;
}

CK_RV C_Digest(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR out,
               CK_ULONG_PTR out_len) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  return SinglePart(s, session->digest, data, len, out, out_len, vhsm::pkcs11::DigestFinish);
}

CK_RV C_DigestUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  return Append(session->digest, data, len);
}

CK_RV C_DigestFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR out, CK_ULONG_PTR out_len) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  return Final(s, session->digest, out, out_len, vhsm::pkcs11::DigestFinish);
}

}  // extern "C"
