// libvhsm-pkcs11.so: the function list (2.40), the interfaces (3.0), and
// every entry point the module does not offer, answering
// CKR_FUNCTION_NOT_SUPPORTED. The stubs' signatures are p11-kit's own
// declarations (the header declares every C_ function), so a mismatch does
// not compile.
#include <cstring>

#include "vhsm/pkcs11/internal/module.h"

extern "C" {
CK_RV C_WaitForSlotEvent(CK_FLAGS flags, CK_SLOT_ID *slot, void *reserved) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_InitToken(CK_SLOT_ID slot_id, unsigned char *pin, unsigned long pin_len,
                  unsigned char *label) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_InitPIN(CK_SESSION_HANDLE session, unsigned char *pin, unsigned long pin_len) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_GetOperationState(CK_SESSION_HANDLE session, unsigned char *operation_state,
                          unsigned long *operation_state_len) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_SetOperationState(CK_SESSION_HANDLE session, unsigned char *operation_state,
                          unsigned long operation_state_len, CK_OBJECT_HANDLE encryption_key,
                          CK_OBJECT_HANDLE authentiation_key) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_CopyObject(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object, struct _CK_ATTRIBUTE *templ,
                   unsigned long count, CK_OBJECT_HANDLE *new_object) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_GetObjectSize(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object, unsigned long *size) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_SetAttributeValue(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object,
                          struct _CK_ATTRIBUTE *templ, unsigned long count) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_DigestKey(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE key) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_SignRecoverInit(CK_SESSION_HANDLE session, struct _CK_MECHANISM *mechanism,
                        CK_OBJECT_HANDLE key) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_SignRecover(CK_SESSION_HANDLE session, unsigned char *data, unsigned long data_len,
                    unsigned char *signature, unsigned long *signature_len) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_VerifyRecoverInit(CK_SESSION_HANDLE session, struct _CK_MECHANISM *mechanism,
                          CK_OBJECT_HANDLE key) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_VerifyRecover(CK_SESSION_HANDLE session, unsigned char *signature,
                      unsigned long signature_len, unsigned char *data, unsigned long *data_len) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_DigestEncryptUpdate(CK_SESSION_HANDLE session, unsigned char *part, unsigned long part_len,
                            unsigned char *encrypted_part, unsigned long *encrypted_part_len) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_DecryptDigestUpdate(CK_SESSION_HANDLE session, unsigned char *encrypted_part,
                            unsigned long encrypted_part_len, unsigned char *part,
                            unsigned long *part_len) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_SignEncryptUpdate(CK_SESSION_HANDLE session, unsigned char *part, unsigned long part_len,
                          unsigned char *encrypted_part, unsigned long *encrypted_part_len) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_DecryptVerifyUpdate(CK_SESSION_HANDLE session, unsigned char *encrypted_part,
                            unsigned long encrypted_part_len, unsigned char *part,
                            unsigned long *part_len) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_WrapKey(CK_SESSION_HANDLE session, struct _CK_MECHANISM *mechanism,
                CK_OBJECT_HANDLE wrapping_key, CK_OBJECT_HANDLE key, unsigned char *wrapped_key,
                unsigned long *wrapped_key_len) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_UnwrapKey(CK_SESSION_HANDLE session, struct _CK_MECHANISM *mechanism,
                  CK_OBJECT_HANDLE unwrapping_key, unsigned char *wrapped_key,
                  unsigned long wrapped_key_len, struct _CK_ATTRIBUTE *templ,
                  unsigned long attribute_count, CK_OBJECT_HANDLE *key) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_GetFunctionStatus(CK_SESSION_HANDLE session) { return CKR_FUNCTION_NOT_SUPPORTED; }
CK_RV C_CancelFunction(CK_SESSION_HANDLE session) { return CKR_FUNCTION_NOT_SUPPORTED; }

namespace {

CK_FUNCTION_LIST *List() {
  static CK_FUNCTION_LIST list = [] {
    CK_FUNCTION_LIST l;
    std::memset(&l, 0, sizeof(l));
    l.version = {2, 40};
    l.C_Initialize = C_Initialize;
    l.C_Finalize = C_Finalize;
    l.C_GetInfo = C_GetInfo;
    l.C_GetFunctionList = C_GetFunctionList;
    l.C_GetSlotList = C_GetSlotList;
    l.C_GetSlotInfo = C_GetSlotInfo;
    l.C_GetTokenInfo = C_GetTokenInfo;
    l.C_GetMechanismList = C_GetMechanismList;
    l.C_GetMechanismInfo = C_GetMechanismInfo;
    l.C_InitToken = C_InitToken;
    l.C_InitPIN = C_InitPIN;
    l.C_SetPIN = C_SetPIN;
    l.C_OpenSession = C_OpenSession;
    l.C_CloseSession = C_CloseSession;
    l.C_CloseAllSessions = C_CloseAllSessions;
    l.C_GetSessionInfo = C_GetSessionInfo;
    l.C_GetOperationState = C_GetOperationState;
    l.C_SetOperationState = C_SetOperationState;
    l.C_Login = C_Login;
    l.C_Logout = C_Logout;
    l.C_CreateObject = C_CreateObject;
    l.C_CopyObject = C_CopyObject;
    l.C_DestroyObject = C_DestroyObject;
    l.C_GetObjectSize = C_GetObjectSize;
    l.C_GetAttributeValue = C_GetAttributeValue;
    l.C_SetAttributeValue = C_SetAttributeValue;
    l.C_FindObjectsInit = C_FindObjectsInit;
    l.C_FindObjects = C_FindObjects;
    l.C_FindObjectsFinal = C_FindObjectsFinal;
    l.C_EncryptInit = C_EncryptInit;
    l.C_Encrypt = C_Encrypt;
    l.C_EncryptUpdate = C_EncryptUpdate;
    l.C_EncryptFinal = C_EncryptFinal;
    l.C_DecryptInit = C_DecryptInit;
    l.C_Decrypt = C_Decrypt;
    l.C_DecryptUpdate = C_DecryptUpdate;
    l.C_DecryptFinal = C_DecryptFinal;
    l.C_DigestInit = C_DigestInit;
    l.C_Digest = C_Digest;
    l.C_DigestUpdate = C_DigestUpdate;
    l.C_DigestKey = C_DigestKey;
    l.C_DigestFinal = C_DigestFinal;
    l.C_SignInit = C_SignInit;
    l.C_Sign = C_Sign;
    l.C_SignUpdate = C_SignUpdate;
    l.C_SignFinal = C_SignFinal;
    l.C_SignRecoverInit = C_SignRecoverInit;
    l.C_SignRecover = C_SignRecover;
    l.C_VerifyInit = C_VerifyInit;
    l.C_Verify = C_Verify;
    l.C_VerifyUpdate = C_VerifyUpdate;
    l.C_VerifyFinal = C_VerifyFinal;
    l.C_VerifyRecoverInit = C_VerifyRecoverInit;
    l.C_VerifyRecover = C_VerifyRecover;
    l.C_DigestEncryptUpdate = C_DigestEncryptUpdate;
    l.C_DecryptDigestUpdate = C_DecryptDigestUpdate;
    l.C_SignEncryptUpdate = C_SignEncryptUpdate;
    l.C_DecryptVerifyUpdate = C_DecryptVerifyUpdate;
    l.C_GenerateKey = C_GenerateKey;
    l.C_GenerateKeyPair = C_GenerateKeyPair;
    l.C_WrapKey = C_WrapKey;
    l.C_UnwrapKey = C_UnwrapKey;
    l.C_DeriveKey = C_DeriveKey;
    l.C_SeedRandom = C_SeedRandom;
    l.C_GenerateRandom = C_GenerateRandom;
    l.C_GetFunctionStatus = C_GetFunctionStatus;
    l.C_CancelFunction = C_CancelFunction;
    l.C_WaitForSlotEvent = C_WaitForSlotEvent;
    return l;
  }();
  return &list;
}

char kInterfaceName[] = "PKCS 11";
VhsmCkInterface kInterface = {reinterpret_cast<CK_CHAR *>(kInterfaceName), nullptr, 0};

}  // namespace

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR out) {
  if (out == nullptr) return CKR_ARGUMENTS_BAD;
  *out = List();
  return CKR_OK;
}

// PKCS#11 3.0: one interface, "PKCS 11", whose function list is the 2.40
// one (version 2.40 in its header, as its entries are).
CK_RV C_GetInterfaceList(VhsmCkInterface *list, CK_ULONG_PTR count) {
  if (count == nullptr) return CKR_ARGUMENTS_BAD;
  if (list == nullptr) {
    *count = 1;
    return CKR_OK;
  }
  if (*count < 1) {
    *count = 1;
    return CKR_BUFFER_TOO_SMALL;
  }
  kInterface.pFunctionList = List();
  list[0] = kInterface;
  *count = 1;
  return CKR_OK;
}

CK_RV C_GetInterface(CK_UTF8CHAR_PTR name, CK_VERSION_PTR version, VhsmCkInterface **out,
                     CK_FLAGS flags) {
  if (out == nullptr) return CKR_ARGUMENTS_BAD;
  if (name != nullptr && std::strcmp(reinterpret_cast<const char *>(name), kInterfaceName) != 0) {
    return CKR_ARGUMENTS_BAD;
  }
  if (version != nullptr && (version->major != 2 || version->minor != 40)) {
    return CKR_ARGUMENTS_BAD;
  }
  if (flags != 0) return CKR_ARGUMENTS_BAD;
  kInterface.pFunctionList = List();
  *out = &kInterface;
  return CKR_OK;
}

}  // extern "C"
