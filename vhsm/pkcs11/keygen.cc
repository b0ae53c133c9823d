// C_GenerateKeyPair and C_GenerateKey: keys are made inside vhsmd; CKA_ID
// becomes the VHSM key id (hex), CKA_LABEL its label, and the usage flags
// the application asks for its allowed operations.
#include <string.h>

#include <cstring>
#include <string>

#include "vhsm/crypto/bytes.h"
#include "vhsm/pkcs11/internal/attrs.h"
#include "vhsm/pkcs11/internal/module.h"

namespace vhsm::pkcs11 {
namespace {

// Ops maps usage flags to VHSM operations ("" when none are given: all).
std::string Ops(CK_ATTRIBUTE_PTR a, CK_ULONG an, CK_ATTRIBUTE_PTR b, CK_ULONG bn,
                const std::string& can) {
  std::string ops;
  auto add = [&](const char* op) {
    if (can.find(op) != std::string::npos) ops += (ops.empty() ? "" : ",") + std::string(op);
  };
  if (IsTrue(a, an, CKA_SIGN) || IsTrue(b, bn, CKA_SIGN)) add("sign");
  if (IsTrue(a, an, CKA_VERIFY) || IsTrue(b, bn, CKA_VERIFY)) add("verify");
  if (IsTrue(a, an, CKA_DECRYPT) || IsTrue(b, bn, CKA_DECRYPT)) add("decrypt");
  if (IsTrue(a, an, CKA_ENCRYPT) || IsTrue(b, bn, CKA_ENCRYPT)) add("encrypt");
  if (IsTrue(a, an, CKA_DERIVE) || IsTrue(b, bn, CKA_DERIVE)) add("derive");
  return ops;
}

}  // namespace

KeyOptions OptionsOf(CK_ATTRIBUTE_PTR a, CK_ULONG an, CK_ATTRIBUTE_PTR b, CK_ULONG bn,
                     const std::string& can) {
  KeyOptions o;
  o.label = BytesOf(FindAttr(b, bn, CKA_LABEL));
  if (o.label.empty()) o.label = BytesOf(FindAttr(a, an, CKA_LABEL));
  o.ops = Ops(a, an, b, bn, can);
  if (o.ops.find("sign") != std::string::npos && can.find("verify") != std::string::npos &&
      o.ops.find("verify") == std::string::npos) {
    o.ops += ",verify";  // the public half of a signing key verifies
  }
  return o;
}

std::string IdOf(CK_ATTRIBUTE_PTR a, CK_ULONG an, CK_ATTRIBUTE_PTR b, CK_ULONG bn) {
  std::string id = BytesOf(FindAttr(b, bn, CKA_ID));
  if (id.empty()) id = BytesOf(FindAttr(a, an, CKA_ID));
  return id.empty() ? "" : KeyIdOfCkaId(id);
}

CK_RV RvOfStatus(const Status& s) {
  switch (s.code()) {
    case StatusCode::kAlreadyExists:
      return CKR_ATTRIBUTE_VALUE_INVALID;  // CKA_ID taken
    case StatusCode::kInvalidArgument:
      return CKR_TEMPLATE_INCONSISTENT;
    case StatusCode::kResourceExhausted:
      return CKR_DEVICE_MEMORY;
    case StatusCode::kUnauthenticated:
      return CKR_USER_NOT_LOGGED_IN;
    default:
      return CKR_DEVICE_ERROR;
  }
}

CK_RV GenerateKeyPair(State& s, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR pub, CK_ULONG pub_count,
                      CK_ATTRIBUTE_PTR priv, CK_ULONG priv_count, CK_OBJECT_HANDLE_PTR pub_h,
                      CK_OBJECT_HANDLE_PTR priv_h) {
  if (m == nullptr || pub_h == nullptr || priv_h == nullptr) return CKR_ARGUMENTS_BAD;
  if ((pub == nullptr && pub_count > 0) || (priv == nullptr && priv_count > 0)) {
    return CKR_ARGUMENTS_BAD;
  }
  if (!s.logged_in) return CKR_USER_NOT_LOGGED_IN;
  std::string type;
  if (m->mechanism == CKM_EC_KEY_PAIR_GEN) {
    std::string params =
        crypto::HexEncode(crypto::ByteView(BytesOf(FindAttr(pub, pub_count, CKA_EC_PARAMS))));
    if (params == "06082a8648ce3d030107") type = "ec-p256";
    if (params == "06052b81040022") type = "ec-p384";
    if (type.empty()) return 0x140UL;  // CKR_CURVE_NOT_SUPPORTED
  } else if (m->mechanism == CKM_EC_EDWARDS_KEY_PAIR_GEN) {
    type = "ed25519";
  } else if (m->mechanism == CKM_RSA_PKCS_KEY_PAIR_GEN) {
    CK_ULONG bits = UlongOf(FindAttr(pub, pub_count, CKA_MODULUS_BITS));
    std::string e =
        crypto::HexEncode(crypto::ByteView(BytesOf(FindAttr(pub, pub_count, CKA_PUBLIC_EXPONENT))));
    if (bits != 2048 && bits != 3072 && bits != 4096) return CKR_KEY_SIZE_RANGE;
    if (!e.empty() && e != "010001") return CKR_ATTRIBUTE_VALUE_INVALID;
    type = "rsa-" + std::to_string(bits);
  } else {
    return CKR_MECHANISM_INVALID;
  }
  const std::string can = type == "ed25519"            ? "sign,verify"
                          : type.rfind("rsa-", 0) == 0 ? "sign,verify,decrypt,encrypt"
                                                       : "sign,verify,derive";
  Result<std::string> id = s.client->GenerateKey(type, IdOf(pub, pub_count, priv, priv_count),
                                                 OptionsOf(pub, pub_count, priv, priv_count, can));
  if (!id.ok()) return RvOfStatus(id.status());
  *priv_h = HandleFor(s, *id, ObjClass::kPrivate);
  *pub_h = HandleFor(s, *id, ObjClass::kPublic);
  return CKR_OK;
}

CK_RV GenerateKey(State& s, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR t, CK_ULONG n,
                  CK_OBJECT_HANDLE_PTR h) {
  if (m == nullptr || h == nullptr || (t == nullptr && n > 0)) return CKR_ARGUMENTS_BAD;
  if (!s.logged_in) return CKR_USER_NOT_LOGGED_IN;
  CK_ULONG len = UlongOf(FindAttr(t, n, CKA_VALUE_LEN));
  std::string type;
  if (m->mechanism == CKM_AES_KEY_GEN) {
    if (len != 0 && len != 32) return CKR_KEY_SIZE_RANGE;
    type = "aes-256";
  } else if (m->mechanism == CKM_GENERIC_SECRET_KEY_GEN) {
    if (len != 0 && len != 32 && len != 64) return CKR_KEY_SIZE_RANGE;
    type = len == 64 ? "hmac-sha512" : "hmac-sha256";
  } else {
    return CKR_MECHANISM_INVALID;
  }
  KeyOptions o;
  o.label = BytesOf(FindAttr(t, n, CKA_LABEL));
  Result<std::string> id = s.client->GenerateKey(type, IdOf(t, n, nullptr, 0), o);
  if (!id.ok()) return RvOfStatus(id.status());
  *h = HandleFor(s, *id, ObjClass::kSecret);
  return CKR_OK;
}

}  // namespace vhsm::pkcs11
