// The PKCS#11 entry points of objects: search, attributes, creation,
// generation, derivation and destruction (the work is in objects.cc,
// public_objects.cc, keygen.cc, key_import.cc and derive.cc), and random.
#include <sys/random.h>

#include "vhsm/pkcs11/internal/attrs.h"
#include "vhsm/pkcs11/internal/module.h"

using vhsm::pkcs11::State;

extern "C" {

CK_RV C_FindObjectsInit(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  return vhsm::pkcs11::FindInit(s, *session, tmpl, count);
}

CK_RV C_FindObjects(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE_PTR out, CK_ULONG max,
                    CK_ULONG_PTR count) {
  if (out == nullptr || count == nullptr) return CKR_ARGUMENTS_BAD;
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  if (!session->finding) return CKR_OPERATION_NOT_INITIALIZED;
  CK_ULONG n = 0;
  while (n < max && session->found_next < session->found.size()) {
    out[n++] = session->found[session->found_next++];
  }
  *count = n;
  return CKR_OK;
}

CK_RV C_FindObjectsFinal(CK_SESSION_HANDLE h) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  if (!session->finding) return CKR_OPERATION_NOT_INITIALIZED;
  session->finding = false;
  session->found.clear();
  return CKR_OK;
}

CK_RV C_GetAttributeValue(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_PTR tmpl,
                          CK_ULONG count) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  (void)session;
  return vhsm::pkcs11::GetAttributes(s, obj, tmpl, count);
}

CK_RV C_DestroyObject(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  if (!(session->flags & CKF_RW_SESSION)) return CKR_SESSION_READ_ONLY;
  if (!s.logged_in) return CKR_USER_NOT_LOGGED_IN;
  auto it = s.objects.find(obj);
  if (it == s.objects.end()) return CKR_OBJECT_HANDLE_INVALID;
  if (vhsm::pkcs11::IsPublicObject(it->second)) {
    return vhsm::pkcs11::DestroyPublicObject(s, it->second);
  }
  // A public key is the private key's public half: it goes with it.
  if (it->second.cls == vhsm::pkcs11::ObjClass::kPublic) return CKR_ACTION_PROHIBITED;
  vhsm::Status st = s.client->DeleteKey(it->second.key_id);
  s.ForgetKey(it->second.key_id);
  if (!st.ok()) return CKR_OBJECT_HANDLE_INVALID;
  return CKR_OK;
}

CK_RV C_GenerateRandom(CK_SESSION_HANDLE h, CK_BYTE_PTR out, CK_ULONG len) {
  if (out == nullptr && len > 0) return CKR_ARGUMENTS_BAD;
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  (void)session;
  for (CK_ULONG done = 0; done < len;) {
    ssize_t n = getrandom(out + done, len - done, 0);
    if (n <= 0) return CKR_FUNCTION_FAILED;
    done += static_cast<CK_ULONG>(n);
  }
  return CKR_OK;
}

CK_RV C_SeedRandom(CK_SESSION_HANDLE, CK_BYTE_PTR, CK_ULONG) {
  return CKR_RANDOM_SEED_NOT_SUPPORTED;
}

CK_RV C_GenerateKeyPair(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR pub,
                        CK_ULONG pub_count, CK_ATTRIBUTE_PTR priv, CK_ULONG priv_count,
                        CK_OBJECT_HANDLE_PTR pub_h, CK_OBJECT_HANDLE_PTR priv_h) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  (void)session;
  return vhsm::pkcs11::GenerateKeyPair(s, m, pub, pub_count, priv, priv_count, pub_h, priv_h);
}

CK_RV C_CreateObject(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count,
                     CK_OBJECT_HANDLE_PTR out) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  if (!(session->flags & CKF_RW_SESSION)) return CKR_SESSION_READ_ONLY;
  if (tmpl == nullptr && count > 0) return CKR_ARGUMENTS_BAD;
  const CK_ULONG cls = vhsm::pkcs11::UlongOf(vhsm::pkcs11::FindAttr(tmpl, count, CKA_CLASS));
  if (cls == CKO_CERTIFICATE || cls == CKO_DATA) {
    return vhsm::pkcs11::CreatePublicObject(s, tmpl, count, out);
  }
  if (cls == CKO_PRIVATE_KEY) return vhsm::pkcs11::CreatePrivateKey(s, tmpl, count, out);
  // A public key is derived from its private key in vhsmd, never stored.
  if (cls == CKO_PUBLIC_KEY) return CKR_TEMPLATE_INCONSISTENT;
  return vhsm::pkcs11::CreateSecret(s, tmpl, count, out);
}

CK_RV C_DeriveKey(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE base,
                  CK_ATTRIBUTE_PTR tmpl, CK_ULONG count, CK_OBJECT_HANDLE_PTR out) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  return vhsm::pkcs11::DeriveKey(s, *session, m, base, tmpl, count, out);
}

CK_RV C_GenerateKey(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count,
                    CK_OBJECT_HANDLE_PTR out) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  (void)session;
  return vhsm::pkcs11::GenerateKey(s, m, tmpl, count, out);
}

}  // extern "C"
