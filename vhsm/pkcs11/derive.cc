// C_DeriveKey: CKM_ECDH1_DERIVE with CKD_NULL (the raw shared secret's
// first 32 bytes) from an ec-p256, ec-p384 or x25519 private key and the
// peer's public point, made in vhsmd into a new aes-256 or generic
// (hmac-sha256) secret key; the secret never enters this process. A key
// asked for with CKA_TOKEN false is deleted when its session closes.
#include <string>

#include "vhsm/pkcs11/internal/attrs.h"
#include "vhsm/pkcs11/internal/module.h"

namespace vhsm::pkcs11 {
namespace {

// The SubjectPublicKeyInfo DER of each curve's public key, up to the point.
const char kP256Spki[] =
    "\x30\x59\x30\x13\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07"
    "\x03\x42\x00";
const char kP384Spki[] =
    "\x30\x76\x30\x10\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x05\x2b\x81\x04\x00\x22\x03\x62\x00";
const char kX25519Spki[] = "\x30\x2a\x30\x05\x06\x03\x2b\x65\x6e\x03\x21\x00";

// PeerSpki: the peer's point (raw, or in a DER OCTET STRING as some
// applications pass it) as an SPKI for the base key's curve; "" if it
// cannot be one.
std::string PeerSpki(const std::string& type, std::string point) {
  size_t want = type == "ec-p256" ? 65 : type == "ec-p384" ? 97 : 32;
  if (point.size() == want + 2 && point[0] == '\x04' &&
      static_cast<unsigned char>(point[1]) == want) {
    point = point.substr(2);
  } else if (point.size() == want + 3 && point[0] == '\x04' && point[1] == '\x81' &&
             static_cast<unsigned char>(point[2]) == want) {
    point = point.substr(3);
  }
  if (point.size() != want) return "";
  if (type == "ec-p256") return std::string(kP256Spki, sizeof(kP256Spki) - 1) + point;
  if (type == "ec-p384") return std::string(kP384Spki, sizeof(kP384Spki) - 1) + point;
  return std::string(kX25519Spki, sizeof(kX25519Spki) - 1) + point;
}

// NewType: what the template asks for (aes-256 or hmac-sha256, 32 bytes).
CK_RV NewType(CK_ATTRIBUTE_PTR t, CK_ULONG n, std::string* type) {
  const CK_ATTRIBUTE* cls = FindAttr(t, n, CKA_CLASS);
  if (cls != nullptr && UlongOf(cls) != CKO_SECRET_KEY) return CKR_TEMPLATE_INCONSISTENT;
  const CK_ATTRIBUTE* kt = FindAttr(t, n, CKA_KEY_TYPE);
  if (kt == nullptr || UlongOf(kt) == CKK_GENERIC_SECRET) {
    *type = "hmac-sha256";
  } else if (UlongOf(kt) == CKK_AES) {
    *type = "aes-256";
  } else {
    return CKR_TEMPLATE_INCONSISTENT;
  }
  const CK_ATTRIBUTE* len = FindAttr(t, n, CKA_VALUE_LEN);
  if (len != nullptr && UlongOf(len) != 32) return CKR_TEMPLATE_INCONSISTENT;
  // Derived keys stay in vhsmd like every other.
  if (IsFalse(t, n, CKA_SENSITIVE) || IsTrue(t, n, CKA_EXTRACTABLE)) {
    return CKR_ATTRIBUTE_VALUE_INVALID;
  }
  return CKR_OK;
}

}  // namespace

CK_RV DeriveKey(State& s, Session& session, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE base,
                CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR h) {
  if (m == nullptr || h == nullptr || (t == nullptr && n > 0)) return CKR_ARGUMENTS_BAD;
  if (!s.logged_in) return CKR_USER_NOT_LOGGED_IN;
  if (m->mechanism != CKM_ECDH1_DERIVE) return CKR_MECHANISM_INVALID;
  auto* p = static_cast<CK_ECDH1_DERIVE_PARAMS*>(m->pParameter);
  if (p == nullptr || m->ulParameterLen != sizeof(*p) || p->kdf != CKD_NULL ||
      p->ulSharedDataLen != 0 || p->pPublicData == nullptr) {
    return CKR_MECHANISM_PARAM_INVALID;  // raw ECDH only: no KDF, no shared data
  }
  auto it = s.objects.find(base);
  if (it == s.objects.end()) return CKR_KEY_HANDLE_INVALID;
  if (it->second.cls != ObjClass::kPrivate) return CKR_KEY_TYPE_INCONSISTENT;
  Result<KeyInfo> k = InfoOf(s, it->second.key_id);
  if (!k.ok()) return CKR_KEY_HANDLE_INVALID;
  if (k->type != "ec-p256" && k->type != "ec-p384" && k->type != "x25519") {
    return CKR_KEY_TYPE_INCONSISTENT;
  }
  std::string spki =
      PeerSpki(k->type, std::string(static_cast<const char*>(static_cast<void*>(p->pPublicData)),
                                    p->ulPublicDataLen));
  if (spki.empty()) return CKR_MECHANISM_PARAM_INVALID;
  DeriveOptions o;
  CK_RV rv = NewType(t, n, &o.type);
  if (rv != CKR_OK) return rv;
  o.id = IdOf(t, n, nullptr, 0);
  o.key.label = BytesOf(FindAttr(t, n, CKA_LABEL));
  o.raw = true;
  Result<std::string> id = s.client->DeriveKey(it->second.key_id, spki, o);
  if (!id.ok()) {
    if (id.status().code() == StatusCode::kPermissionDenied) return CKR_KEY_FUNCTION_NOT_PERMITTED;
    if (id.status().code() == StatusCode::kInvalidArgument) return CKR_MECHANISM_PARAM_INVALID;
    return RvOfStatus(id.status());
  }
  if (IsFalse(t, n, CKA_TOKEN)) session.session_keys.push_back(*id);
  *h = HandleFor(s, *id, ObjClass::kSecret);
  return CKR_OK;
}

}  // namespace vhsm::pkcs11
