// Internal to vhsm/pkcs11: what the module's files share beside the state
// (token.h): objects (objects.cc) and cryptographic operations (ops.cc).
// Callers hold State::mu.
#ifndef VHSM_PKCS11_INTERNAL_MODULE_H_
#define VHSM_PKCS11_INTERNAL_MODULE_H_

#include <string>
#include <utility>
#include <vector>

#include "vhsm/pkcs11/internal/token.h"
// clang-format off
#include "vhsm/pkcs11/internal/ck.h"
// clang-format on

namespace vhsm::pkcs11 {

// Objects.
CK_RV ListObjects(State& s, std::vector<std::pair<unsigned long, KeyInfo>>* out);
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
// CreateSecret imports a secret key (CKA_VALUE) as a VHSM key.
CK_RV CreateSecret(State& s, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count, CK_OBJECT_HANDLE_PTR h);

// The mechanisms the token offers, and their info.
const std::vector<std::pair<CK_MECHANISM_TYPE, CK_MECHANISM_INFO>>& Mechanisms();

// Output writes data under the size-query protocol: a null buffer asks the
// length; a short one is CKR_BUFFER_TOO_SMALL with the length set.
CK_RV Output(const std::string& data, CK_BYTE_PTR out, CK_ULONG_PTR out_len);

}  // namespace vhsm::pkcs11

#endif  // VHSM_PKCS11_INTERNAL_MODULE_H_
