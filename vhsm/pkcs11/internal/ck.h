// Internal to vhsm/pkcs11: the PKCS#11 headers (p11-kit's, version 2.40,
// with the CK_ names) and the few 3.0 definitions they lack (interfaces).
// Include it last: p11-kit's header defines short lower-case macros.
#ifndef VHSM_PKCS11_INTERNAL_CK_H_
#define VHSM_PKCS11_INTERNAL_CK_H_

#include <p11-kit/pkcs11.h>

#ifndef CKR_OPERATION_CANCEL_FAILED
struct VhsmCkInterface {  // PKCS#11 3.0 CK_INTERFACE
  CK_CHAR* pInterfaceName;
  CK_VOID_PTR pFunctionList;
  CK_FLAGS flags;
};
using VhsmCkInterfacePtr = VhsmCkInterface*;
#endif

#endif  // VHSM_PKCS11_INTERNAL_CK_H_
