// C_CreateObject of keys: a secret key's CKA_VALUE, or a private key's
// components (EC P-256/P-384 and Ed25519: CKA_EC_PARAMS and CKA_VALUE; RSA:
// the modulus, exponents, primes and CRT values) assembled here into a
// PKCS#8 DER private key that vhsmd imports and checks. Every copy of
// secret material here is wiped once handed over.
#include <string.h>

#include <string>

#include "vhsm/crypto/bytes.h"
#include "vhsm/pkcs11/internal/attrs.h"
#include "vhsm/pkcs11/internal/module.h"

namespace vhsm::pkcs11 {
namespace {

// Secret: a string wiped when it goes.
struct Secret {
  std::string v;
  ~Secret() { explicit_bzero(v.data(), v.size()); }
};

// Append adds n bytes to s, wiping the buffer it outgrows (std::string
// would free it as it is).
void Append(Secret* s, const char* p, size_t n) {
  if (s->v.size() + n > s->v.capacity()) {
    std::string bigger;
    bigger.reserve(2 * (s->v.size() + n));
    bigger.assign(s->v);
    explicit_bzero(s->v.data(), s->v.size());
    s->v.swap(bigger);
  }
  s->v.append(p, n);
}

// Tlv appends a DER tag, length and content to out.
void Tlv(unsigned char tag, const std::string& content, Secret* out) {
  char header[2 + sizeof(size_t)];
  size_t h = 0;
  header[h++] = static_cast<char>(tag);
  size_t n = content.size();
  if (n < 0x80) {
    header[h++] = static_cast<char>(n);
  } else {
    size_t bytes = 0;
    for (size_t m = n; m > 0; m >>= 8) ++bytes;
    header[h++] = static_cast<char>(0x80 | bytes);
    for (size_t b = bytes; b-- > 0;) header[h++] = static_cast<char>((n >> (8 * b)) & 0xff);
  }
  Append(out, header, h);
  Append(out, content.data(), content.size());
}

// Integer appends a DER INTEGER of an unsigned big-endian number to out.
void Integer(const std::string& be, Secret* out) {
  size_t i = 0;
  while (i + 1 < be.size() && be[i] == 0) ++i;
  Secret v;
  if (be.empty() || static_cast<unsigned char>(be[i]) & 0x80) Append(&v, "\0", 1);
  if (!be.empty()) Append(&v, be.data() + i, be.size() - i);
  Tlv(0x02, v.v, out);
}

// Pkcs8 wraps a private key structure under its algorithm identifier.
void Pkcs8(const std::string& algorithm, const std::string& inner, Secret* out) {
  Secret body, alg;
  Integer(std::string(1, '\0'), &body);
  Tlv(0x30, algorithm, &alg);
  Append(&body, alg.v.data(), alg.v.size());
  Tlv(0x04, inner, &body);
  Tlv(0x30, body.v, out);
}

const char kP256[] = "\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07";
const char kP384[] = "\x06\x05\x2b\x81\x04\x00\x22";
const char kEcPublicKey[] = "\x06\x07\x2a\x86\x48\xce\x3d\x02\x01";
const char kEd25519[] = "\x06\x03\x2b\x65\x70";
const char kEd25519Name[] =
    "\x13\x0c"
    "edwards25519";  // PKCS#11 3.0 allows the name
const char kRsaEncryption[] = "\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01\x05\x00";

// EcKey: SEC1 without parameters inside PKCS#8 (the curve is in the
// algorithm identifier); the scalar padded to the field size.
CK_RV EcKey(const std::string& params, const std::string& d, std::string* type, Secret* der) {
  size_t size;
  if (params == std::string(kP256, sizeof(kP256) - 1)) {
    *type = "ec-p256";
    size = 32;
  } else if (params == std::string(kP384, sizeof(kP384) - 1)) {
    *type = "ec-p384";
    size = 48;
  } else {
    return 0x140UL;  // CKR_CURVE_NOT_SUPPORTED
  }
  if (d.empty() || d.size() > size) return CKR_ATTRIBUTE_VALUE_INVALID;
  Secret scalar, fields, inner;
  Append(&scalar, std::string(size - d.size(), '\0').data(), size - d.size());
  Append(&scalar, d.data(), d.size());
  Integer(std::string(1, '\1'), &fields);
  Tlv(0x04, scalar.v, &fields);
  Tlv(0x30, fields.v, &inner);
  Pkcs8(std::string(kEcPublicKey, sizeof(kEcPublicKey) - 1) + params, inner.v, der);
  return CKR_OK;
}

CK_RV RsaKey(CK_ATTRIBUTE_PTR t, CK_ULONG n, std::string* type, Secret* der) {
  const CK_ATTRIBUTE_TYPE parts[] = {CKA_MODULUS,    CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT,
                                     CKA_PRIME_1,    CKA_PRIME_2,         CKA_EXPONENT_1,
                                     CKA_EXPONENT_2, CKA_COEFFICIENT};
  Secret body;
  Integer(std::string(1, '\0'), &body);  // version 0
  for (CK_ATTRIBUTE_TYPE p : parts) {
    const CK_ATTRIBUTE* a = FindAttr(t, n, p);
    if (a == nullptr) return CKR_TEMPLATE_INCOMPLETE;  // vhsmd keeps the CRT form
    Secret v{BytesOf(a)};
    Integer(v.v, &body);
  }
  const CK_ATTRIBUTE* modulus = FindAttr(t, n, CKA_MODULUS);
  std::string m = BytesOf(modulus);
  size_t i = 0;
  while (i < m.size() && m[i] == 0) ++i;
  size_t bits = (m.size() - i) * 8;
  if (bits != 2048 && bits != 3072 && bits != 4096) return CKR_KEY_SIZE_RANGE;
  *type = "rsa-" + std::to_string(bits);
  Secret inner;
  Tlv(0x30, body.v, &inner);
  Pkcs8(std::string(kRsaEncryption, sizeof(kRsaEncryption) - 1), inner.v, der);
  return CKR_OK;
}

}  // namespace

CK_RV CreatePrivateKey(State& s, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR h) {
  if (h == nullptr || (t == nullptr && n > 0)) return CKR_ARGUMENTS_BAD;
  if (!s.logged_in) return CKR_USER_NOT_LOGGED_IN;
  if (UlongOf(FindAttr(t, n, CKA_CLASS)) != CKO_PRIVATE_KEY) return CKR_TEMPLATE_INCONSISTENT;
  // Keys here are sensitive and never extractable, whatever is asked.
  if (IsFalse(t, n, CKA_SENSITIVE) || IsTrue(t, n, CKA_EXTRACTABLE) || IsFalse(t, n, CKA_TOKEN)) {
    return CKR_ATTRIBUTE_VALUE_INVALID;
  }
  const CK_ATTRIBUTE* key_type = FindAttr(t, n, CKA_KEY_TYPE);
  if (key_type == nullptr) return CKR_TEMPLATE_INCOMPLETE;
  std::string type, can;
  Secret der;
  CK_RV rv;
  if (UlongOf(key_type) == CKK_RSA) {
    rv = RsaKey(t, n, &type, &der);
    can = "sign,verify,decrypt,encrypt";
  } else if (UlongOf(key_type) == CKK_EC || UlongOf(key_type) == CKK_EC_EDWARDS) {
    const CK_ATTRIBUTE* value = FindAttr(t, n, CKA_VALUE);
    const std::string params = BytesOf(FindAttr(t, n, CKA_EC_PARAMS));
    if (value == nullptr || params.empty()) return CKR_TEMPLATE_INCOMPLETE;
    Secret d{BytesOf(value)};
    if (UlongOf(key_type) == CKK_EC) {
      rv = EcKey(params, d.v, &type, &der);
      can = "sign,verify,derive";
    } else if (params != std::string(kEd25519, sizeof(kEd25519) - 1) &&
               params != std::string(kEd25519Name, sizeof(kEd25519Name) - 1)) {
      rv = 0x140UL;  // CKR_CURVE_NOT_SUPPORTED
    } else if (d.v.size() != 32) {
      rv = CKR_ATTRIBUTE_VALUE_INVALID;
    } else {
      type = "ed25519";
      can = "sign,verify";
      Secret seed;
      Tlv(0x04, d.v, &seed);
      Pkcs8(std::string(kEd25519, sizeof(kEd25519) - 1), seed.v, &der);
      rv = CKR_OK;
    }
  } else {
    rv = CKR_ATTRIBUTE_VALUE_INVALID;
  }
  if (rv != CKR_OK) return rv;
  Result<std::string> id =
      s.client->ImportKey(type, IdOf(t, n, nullptr, 0), der.v, OptionsOf(t, n, nullptr, 0, can));
  if (!id.ok()) {
    return id.status().code() == StatusCode::kInvalidArgument ? CKR_ATTRIBUTE_VALUE_INVALID
                                                              : RvOfStatus(id.status());
  }
  *h = HandleFor(s, *id, ObjClass::kPrivate);
  return CKR_OK;
}

CK_RV CreateSecret(State& s, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR h) {
  if (h == nullptr || (t == nullptr && n > 0)) return CKR_ARGUMENTS_BAD;
  if (!s.logged_in) return CKR_USER_NOT_LOGGED_IN;
  CK_ULONG cls = UlongOf(FindAttr(t, n, CKA_CLASS)),
           key_type = UlongOf(FindAttr(t, n, CKA_KEY_TYPE));
  if (cls != CKO_SECRET_KEY) return CKR_TEMPLATE_INCONSISTENT;  // secret keys only, for now
  const CK_ATTRIBUTE* value = FindAttr(t, n, CKA_VALUE);
  if (value == nullptr) return CKR_TEMPLATE_INCOMPLETE;
  std::string type;
  if (key_type == CKK_AES) {
    if (value->ulValueLen != 32) return CKR_ATTRIBUTE_VALUE_INVALID;
    type = "aes-256";
  } else if (key_type == CKK_GENERIC_SECRET || key_type == CKK_SHA256_HMAC) {
    type = "hmac-sha256";
  } else if (key_type == CKK_SHA512_HMAC) {
    type = "hmac-sha512";
  } else {
    return CKR_ATTRIBUTE_VALUE_INVALID;
  }
  KeyOptions o;
  o.label = BytesOf(FindAttr(t, n, CKA_LABEL));
  std::string material = BytesOf(value);
  Result<std::string> id = s.client->ImportKey(type, IdOf(t, n, nullptr, 0), material, o);
  explicit_bzero(material.data(), material.size());
  if (!id.ok()) return RvOfStatus(id.status());
  *h = HandleFor(s, *id, ObjClass::kSecret);
  return CKR_OK;
}

}  // namespace vhsm::pkcs11
