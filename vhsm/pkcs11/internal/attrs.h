// Internal to vhsm/pkcs11: attribute values as the module answers them
// (CK_ATTRIBUTE_TYPE -> bytes), template matching, and the copy-out of
// C_GetAttributeValue with its size-query protocol.
#ifndef VHSM_PKCS11_INTERNAL_ATTRS_H_
#define VHSM_PKCS11_INTERNAL_ATTRS_H_

#include <cstring>
#include <map>
#include <string>

// clang-format off
#include "vhsm/pkcs11/internal/ck.h"
// clang-format on

namespace vhsm::pkcs11 {

using Attrs = std::map<CK_ATTRIBUTE_TYPE, std::string>;

inline std::string Bool(bool v) { return std::string(1, v ? CK_TRUE : CK_FALSE); }
inline std::string Ulong(CK_ULONG v) {
  return std::string(reinterpret_cast<const char*>(&v), sizeof(v));
}

// Reading an application's template: FindAttr (null when absent or
// without a value), its bytes, a CK_BBOOL that is true, a CK_ULONG (0 when
// absent or of the wrong size).
inline const CK_ATTRIBUTE* FindAttr(CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_ATTRIBUTE_TYPE type) {
  for (CK_ULONG i = 0; t != nullptr && i < n; ++i) {
    if (t[i].type == type && t[i].pValue != nullptr) return &t[i];
  }
  return nullptr;
}
inline std::string BytesOf(const CK_ATTRIBUTE* a) {
  return a == nullptr ? "" : std::string(static_cast<const char*>(a->pValue), a->ulValueLen);
}
inline bool IsTrue(CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_ATTRIBUTE_TYPE type) {
  const CK_ATTRIBUTE* a = FindAttr(t, n, type);
  return a != nullptr && a->ulValueLen == 1 && *static_cast<CK_BBOOL*>(a->pValue) == CK_TRUE;
}
inline bool IsFalse(CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_ATTRIBUTE_TYPE type) {
  const CK_ATTRIBUTE* a = FindAttr(t, n, type);
  return a != nullptr && a->ulValueLen == 1 && *static_cast<CK_BBOOL*>(a->pValue) == CK_FALSE;
}
inline CK_ULONG UlongOf(const CK_ATTRIBUTE* a) {
  CK_ULONG v = 0;
  if (a != nullptr && a->ulValueLen == sizeof(v)) std::memcpy(&v, a->pValue, sizeof(v));
  return v;
}

// Matches: every attribute of the template is present with equal bytes.
inline bool Matches(const Attrs& a, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count) {
  for (CK_ULONG i = 0; i < count; ++i) {
    auto it = a.find(tmpl[i].type);
    if (it == a.end() || tmpl[i].pValue == nullptr || it->second.size() != tmpl[i].ulValueLen ||
        std::memcmp(it->second.data(), tmpl[i].pValue, tmpl[i].ulValueLen) != 0) {
      return false;
    }
  }
  return true;
}

// CopyAttributes answers a C_GetAttributeValue template from a: lengths
// for null buffers, CKR_BUFFER_TOO_SMALL for short ones,
// CKR_ATTRIBUTE_TYPE_INVALID for absent types and CKR_ATTRIBUTE_SENSITIVE
// where sensitive(type) (each with CK_UNAVAILABLE_INFORMATION), the rest
// filled in.
template <typename Sensitive>
CK_RV CopyAttributes(const Attrs& a, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count, Sensitive sensitive) {
  CK_RV rv = CKR_OK;
  for (CK_ULONG i = 0; i < count; ++i) {
    CK_ATTRIBUTE& t = tmpl[i];
    auto found = a.find(t.type);
    if (sensitive(t.type)) {
      t.ulValueLen = CK_UNAVAILABLE_INFORMATION;
      rv = CKR_ATTRIBUTE_SENSITIVE;
    } else if (found == a.end()) {
      t.ulValueLen = CK_UNAVAILABLE_INFORMATION;
      if (rv == CKR_OK) rv = CKR_ATTRIBUTE_TYPE_INVALID;
    } else if (t.pValue == nullptr) {
      t.ulValueLen = found->second.size();
    } else if (t.ulValueLen < found->second.size()) {
      t.ulValueLen = CK_UNAVAILABLE_INFORMATION;
      if (rv == CKR_OK) rv = CKR_BUFFER_TOO_SMALL;
    } else {
      std::memcpy(t.pValue, found->second.data(), found->second.size());
      t.ulValueLen = found->second.size();
    }
  }
  return rv;
}

}  // namespace vhsm::pkcs11

#endif  // VHSM_PKCS11_INTERNAL_ATTRS_H_
