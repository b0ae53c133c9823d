// The token's objects: the user's keys as PKCS#11 objects, their attributes
// (public parts from vhsmd's public key, never a secret), and C_FindObjects*
// and C_GetAttributeValue. A search asks vhsmd for one key (CKA_ID), the
// keys of one label, or all keys, and matches the rest of the template here.
#include <string.h>

#include <cstring>
#include <map>
#include <optional>
#include <string>

#include "vhsm/api/credentials.h"
#include "vhsm/crypto/asymmetric_key.h"
#include "vhsm/crypto/bytes.h"
#include "vhsm/pkcs11/internal/attrs.h"
#include "vhsm/pkcs11/internal/module.h"
#include "vhsm/proto/names.h"
// clang-format off
#include "vhsm/pkcs11/internal/ck.h"
// clang-format on

namespace vhsm::pkcs11 {
namespace {

std::string Str(const crypto::Bytes& b) { return std::string(b.begin(), b.end()); }

CK_KEY_TYPE KeyTypeOf(const std::string& type) {
  if (type == "aes-256") return CKK_AES;
  if (type == "ec-p256" || type == "ec-p384") return CKK_EC;
  if (type == "ed25519") return CKK_EC_EDWARDS;
  if (type == "x25519") return 0x41UL;  // CKK_EC_MONTGOMERY
  if (type.rfind("rsa-", 0) == 0) return CKK_RSA;
  return CKK_GENERIC_SECRET;
}

bool IsSensitive(CK_ATTRIBUTE_TYPE t) {
  return t == CKA_VALUE || t == CKA_PRIVATE_EXPONENT || t == CKA_PRIME_1 || t == CKA_PRIME_2 ||
         t == CKA_EXPONENT_1 || t == CKA_EXPONENT_2 || t == CKA_COEFFICIENT;
}

void AddPublicParts(State& s, const KeyInfo& k, Attrs* a) {
  Result<std::string> pem = s.client->PublicKeyPem(k.id);
  if (!pem.ok()) return;
  Result<crypto::PublicKey> pub = crypto::PublicKey::FromPem(*pem);
  if (!pub.ok()) return;
  Result<crypto::PublicParts> parts = pub->Parts();
  if (!parts.ok()) return;
  if (!parts->modulus.empty()) {
    (*a)[CKA_MODULUS] = Str(parts->modulus);
    (*a)[CKA_PUBLIC_EXPONENT] = Str(parts->exponent);
    (*a)[CKA_MODULUS_BITS] = Ulong(parts->modulus.size() * 8);
  } else {
    (*a)[CKA_EC_PARAMS] = Str(parts->ec_params);
    // CKA_EC_POINT is a DER OCTET STRING holding the point (or raw key).
    std::string point = Str(parts->ec_point);
    std::string der(1, '\x04');
    if (point.size() >= 0x80) der.push_back('\x81');
    der.push_back(static_cast<char>(point.size()));
    (*a)[CKA_EC_POINT] = der + point;
  }
  Result<crypto::Bytes> spki = pub->ToSpkiDer();
  if (spki.ok()) (*a)[0x129UL /* CKA_PUBLIC_KEY_INFO */] = Str(*spki);
}

bool NeedsPublicParts(CK_ATTRIBUTE_PTR tmpl, CK_ULONG count) {
  for (CK_ULONG i = 0; i < count; ++i) {
    CK_ATTRIBUTE_TYPE t = tmpl[i].type;
    if (t == CKA_MODULUS || t == CKA_PUBLIC_EXPONENT || t == CKA_MODULUS_BITS ||
        t == CKA_EC_PARAMS || t == CKA_EC_POINT || t == 0x129UL) {
      return true;
    }
  }
  return false;
}

// PublicAttrs: the public key's attributes, asked of vhsmd once per key
// (a failure is not remembered: the next call asks again).
Attrs PublicAttrs(State& s, const KeyInfo& k) {
  auto it = s.public_attrs.find(k.id);
  if (it != s.public_attrs.end()) return it->second;
  Attrs a;
  AddPublicParts(s, k, &a);
  if (!a.empty()) s.public_attrs[k.id] = a;
  return a;
}

// AttributesOf: an object's attributes; the public parts (one request to
// vhsmd per key, the first time) only when with_public.
Attrs AttributesOf(State& s, const ObjRef& o, const KeyInfo& k, bool with_public = true) {
  Attrs a;
  const bool priv = o.cls == ObjClass::kPrivate, secret = o.cls == ObjClass::kSecret;
  a[CKA_CLASS] = Ulong(priv ? CKO_PRIVATE_KEY : secret ? CKO_SECRET_KEY : CKO_PUBLIC_KEY);
  a[CKA_KEY_TYPE] = Ulong(KeyTypeOf(k.type));
  a[CKA_ID] = CkaIdOfKeyId(k.id);
  a[CKA_LABEL] = k.label.empty() ? k.id : k.label;
  a[CKA_TOKEN] = Bool(true);
  a[CKA_PRIVATE] = Bool(!(o.cls == ObjClass::kPublic));
  a[CKA_MODIFIABLE] = Bool(false);
  a[CKA_LOCAL] = Bool(!k.imported && !k.derived);  // generated in vhsmd
  uint32_t ops = k.allowed_ops;
  a[CKA_SIGN] =
      Bool(!(o.cls == ObjClass::kPublic) && (ops & (proto::KEY_OP_SIGN | proto::KEY_OP_MAC)));
  a[CKA_VERIFY] = Bool(!priv && (ops & (proto::KEY_OP_VERIFY | proto::KEY_OP_MAC)));
  a[CKA_ENCRYPT] = Bool(!priv && (ops & proto::KEY_OP_ENCRYPT));
  a[CKA_DECRYPT] = Bool(!(o.cls == ObjClass::kPublic) && (ops & proto::KEY_OP_DECRYPT));
  a[CKA_DERIVE] = Bool(priv && (ops & proto::KEY_OP_DERIVE));
  a[CKA_WRAP] = Bool(secret && (ops & proto::KEY_OP_WRAP));
  a[CKA_UNWRAP] = Bool(secret && (ops & proto::KEY_OP_UNWRAP));
  if (priv || secret) {
    a[CKA_SENSITIVE] = Bool(true);
    a[CKA_ALWAYS_SENSITIVE] = Bool(!k.imported);
    a[CKA_EXTRACTABLE] = Bool(false);
    a[CKA_NEVER_EXTRACTABLE] = Bool(!k.exportable_wrapped && !k.imported);
    a[CKA_ALWAYS_AUTHENTICATE] = Bool(false);
  }
  if (secret) {
    a[CKA_VALUE_LEN] = Ulong(k.type == "hmac-sha512" ? 64 : 32);
  } else if (with_public) {
    Attrs pub = PublicAttrs(s, k);
    a.insert(pub.begin(), pub.end());
  }
  return a;
}

}  // namespace

Result<KeyInfo> InfoOf(State& s, const std::string& key_id) {
  auto it = s.key_info.find(key_id);
  if (it != s.key_info.end()) return it->second;
  Result<KeyInfo> k = s.client->GetKeyInfo(key_id);
  if (k.ok()) s.key_info[key_id] = *k;
  return k;
}

unsigned long HandleFor(State& s, const std::string& key_id, ObjClass cls) {
  auto k = std::make_pair(key_id, static_cast<int>(cls));
  auto it = s.handle_of.find(k);
  if (it != s.handle_of.end()) return it->second;
  unsigned long h = s.next_object++;
  s.handle_of.emplace(k, h);
  s.objects.emplace(h, ObjRef{key_id, cls});
  return h;
}

unsigned long HandleForObject(State& s, uint64_t object, ObjClass cls) {
  auto k = std::make_pair("#" + std::to_string(object), static_cast<int>(cls));
  auto it = s.handle_of.find(k);
  if (it != s.handle_of.end()) return it->second;
  unsigned long h = s.next_object++;
  s.handle_of.emplace(k, h);
  s.objects.emplace(h, ObjRef{"", cls, object});
  return h;
}

std::string KeyIdOfCkaId(const std::string& cka_id) {
  return crypto::HexEncode(crypto::ByteView(cka_id));
}

std::string CkaIdOfKeyId(const std::string& key_id) {
  crypto::Bytes raw;
  if (!key_id.empty() && crypto::HexDecode(key_id, &raw)) return Str(raw);
  return key_id;
}

// ListingLogin: before C_Login, vhsmd lists keys only to a logged-in user,
// so public objects are found through a login with the password the
// environment names for this user (VHSM_PASSWORD, VHSM_PASSWORD_FILE), if
// any. PKCS#11's own state stays "not logged in": private objects stay
// hidden and unusable until C_Login.
bool ListingLogin(State& s) {
  if (s.logged_in || s.listing_login) return true;
  std::optional<Result<std::string>> pw = PasswordFromEnvironment();
  if (!pw && !s.config.password_file.empty()) pw = ReadPasswordFile(s.config.password_file);
  if (!pw || !pw->ok()) return false;
  std::string password = std::move(*pw).value();
  s.listing_login = s.client->Login(s.user, password).ok();
  explicit_bzero(password.data(), password.size());
  return s.listing_login;
}

// KeysFor: the keys a template can match, asked of vhsmd as narrowly as
// it allows: by id (CKA_ID names one key), by label (filtered in vhsmd;
// an unlabelled key's CKA_LABEL is its id), or all of them.
Result<std::vector<KeyInfo>> KeysFor(State& s, CK_ATTRIBUTE_PTR t, CK_ULONG n) {
  std::vector<KeyInfo> keys;
  auto one = [&](const std::string& key_id, bool unlabelled_only) -> Status {
    Result<KeyInfo> k = s.client->GetKeyInfo(key_id);
    if (k.ok() && (!unlabelled_only || k->label.empty())) keys.push_back(*k);
    if (k.ok() || k.status().code() == StatusCode::kNotFound ||
        k.status().code() == StatusCode::kInvalidArgument) {
      return Status::Ok();
    }
    return k.status();
  };
  if (const CK_ATTRIBUTE* id = FindAttr(t, n, CKA_ID)) {
    VHSM_RETURN_IF_ERROR(one(KeyIdOfCkaId(BytesOf(id)), false));
    return keys;
  }
  if (const CK_ATTRIBUTE* label = FindAttr(t, n, CKA_LABEL)) {
    VHSM_ASSIGN_OR_RETURN(keys, s.client->ListKeysLabelled(BytesOf(label)));
    VHSM_RETURN_IF_ERROR(one(BytesOf(label), true));  // unlabelled, known by its id
    return keys;
  }
  return s.client->ListKeys();
}

CK_RV ListObjects(State& s, CK_ATTRIBUTE_PTR t, CK_ULONG n,
                  std::vector<std::pair<unsigned long, KeyInfo>>* out) {
  if (!ListingLogin(s)) return CKR_OK;  // nothing is visible before a login
  Result<std::vector<KeyInfo>> keys = KeysFor(s, t, n);
  if (!keys.ok()) return CKR_DEVICE_ERROR;
  for (const KeyInfo& k : *keys) {
    s.key_info[k.id] = k;
    std::optional<proto::KeyType> type = ParseKeyTypeName(k.type);
    bool asym = type && *type != proto::HMAC_SHA256 && *type != proto::HMAC_SHA512 &&
                *type != proto::AES_256;
    if (asym && s.logged_in) out->emplace_back(HandleFor(s, k.id, ObjClass::kPrivate), k);
    if (asym) out->emplace_back(HandleFor(s, k.id, ObjClass::kPublic), k);
    if (!asym && s.logged_in) out->emplace_back(HandleFor(s, k.id, ObjClass::kSecret), k);
  }
  return CKR_OK;
}

CK_RV FindInit(State& s, Session& session, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count) {
  if (session.finding) return CKR_OPERATION_ACTIVE;
  if (tmpl == nullptr && count > 0) return CKR_ARGUMENTS_BAD;
  session.found.clear();
  // A class in the template says which of vhsmd's lists to ask.
  const CK_ATTRIBUTE* cls_attr = FindAttr(tmpl, count, CKA_CLASS);
  const CK_ULONG cls = UlongOf(cls_attr);
  const bool keys = cls_attr == nullptr || cls == CKO_PRIVATE_KEY || cls == CKO_PUBLIC_KEY ||
                    cls == CKO_SECRET_KEY;
  const bool objects = cls_attr == nullptr || cls == CKO_CERTIFICATE || cls == CKO_DATA;
  if (keys) {
    std::vector<std::pair<unsigned long, KeyInfo>> all;
    CK_RV rv = ListObjects(s, tmpl, count, &all);
    if (rv != CKR_OK) return rv;
    const bool with_public = NeedsPublicParts(tmpl, count);
    for (const auto& [h, k] : all) {
      if (count == 0 || Matches(AttributesOf(s, s.objects.at(h), k, with_public), tmpl, count)) {
        session.found.push_back(h);
      }
    }
  }
  if (objects) {
    CK_RV rv = FindPublicObjects(s, tmpl, count, &session.found);
    if (rv != CKR_OK) return rv;
  }
  session.found_next = 0;
  session.finding = true;
  return CKR_OK;
}

CK_RV GetAttributes(State& s, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count) {
  if (tmpl == nullptr && count > 0) return CKR_ARGUMENTS_BAD;
  auto it = s.objects.find(h);
  if (it != s.objects.end() && IsPublicObject(it->second)) {
    return PublicObjectAttributes(s, it->second, tmpl, count);
  }
  bool visible = s.logged_in ||
                 (it != s.objects.end() && it->second.cls == ObjClass::kPublic && ListingLogin(s));
  if (it == s.objects.end() || !visible) return CKR_OBJECT_HANDLE_INVALID;
  Result<KeyInfo> k = InfoOf(s, it->second.key_id);
  if (!k.ok()) return CKR_OBJECT_HANDLE_INVALID;
  Attrs a = AttributesOf(s, it->second, *k);
  const bool is_public = it->second.cls == ObjClass::kPublic;
  return CopyAttributes(a, tmpl, count,
                        [&](CK_ATTRIBUTE_TYPE t) { return IsSensitive(t) && !is_public; });
}

}  // namespace vhsm::pkcs11
