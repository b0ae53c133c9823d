// Certificates (CKO_CERTIFICATE, X.509) and data objects (CKO_DATA): vhsmd
// keeps them per user, integrity-protected, and filters a search by class,
// CKA_ID and CKA_LABEL itself (one request per page of results, not one
// per object). Values are read once per object, and only when a template
// needs them (CKA_VALUE, or a certificate's subject, issuer, serial).
#include <string.h>

#include <string>
#include <vector>

#include "vhsm/crypto/bytes.h"
#include "vhsm/crypto/certificate.h"
#include "vhsm/crypto/digest.h"
#include "vhsm/pkcs11/internal/attrs.h"
#include "vhsm/pkcs11/internal/module.h"

namespace vhsm::pkcs11 {
namespace {

bool IsCertificate(const ObjectInfo& o) { return o.cls == "certificate"; }

bool ValueAttribute(CK_ATTRIBUTE_TYPE t) {
  return t == CKA_VALUE || t == CKA_SUBJECT || t == CKA_ISSUER || t == CKA_SERIAL_NUMBER ||
         t == CKA_CHECK_VALUE;
}

bool NeedsValue(CK_ATTRIBUTE_PTR tmpl, CK_ULONG count) {
  for (CK_ULONG i = 0; i < count; ++i) {
    if (ValueAttribute(tmpl[i].type)) return true;
  }
  return false;
}

// ValueOf: the object's value, read from vhsmd once (nullptr on failure).
const std::string* ValueOf(State& s, uint64_t object) {
  auto it = s.object_values.find(object);
  if (it != s.object_values.end()) return &it->second;
  Result<ObjectInfo> got = s.client->GetObject(object);
  if (!got.ok()) return nullptr;
  std::string value = std::move(got->value);
  got->value.clear();
  s.object_info[object] = *got;
  return &s.object_values.emplace(object, std::move(value)).first->second;
}

// InfoOfObject: what vhsmd listed of the object (asked again if forgotten).
const ObjectInfo* InfoOfObject(State& s, uint64_t object) {
  auto it = s.object_info.find(object);
  if (it != s.object_info.end()) return &it->second;
  if (ValueOf(s, object) == nullptr) return nullptr;
  return &s.object_info.at(object);
}

void AddValueAttributes(State& s, const ObjectInfo& o, Attrs* a) {
  const std::string* value = ValueOf(s, o.handle);
  if (value == nullptr) return;
  (*a)[CKA_VALUE] = *value;
  Result<crypto::Bytes> sha1 = crypto::ComputeDigest(crypto::DigestAlg::kSha1, *value);
  if (sha1.ok()) (*a)[CKA_CHECK_VALUE] = std::string(sha1->begin(), sha1->begin() + 3);
  if (!IsCertificate(o)) return;
  Result<crypto::CertificateFields> f = crypto::ParseDerCertificate(*value);
  if (!f.ok()) return;
  (*a)[CKA_SUBJECT] = std::string(f->subject.begin(), f->subject.end());
  (*a)[CKA_ISSUER] = std::string(f->issuer.begin(), f->issuer.end());
  (*a)[CKA_SERIAL_NUMBER] = std::string(f->serial.begin(), f->serial.end());
}

Attrs AttributesOf(State& s, const ObjectInfo& o, bool with_value) {
  Attrs a;
  const bool cert = IsCertificate(o);
  a[CKA_CLASS] = Ulong(cert ? CKO_CERTIFICATE : CKO_DATA);
  a[CKA_TOKEN] = Bool(true);
  a[CKA_PRIVATE] = Bool(o.is_private);
  a[CKA_MODIFIABLE] = Bool(false);
  a[CKA_LABEL] = o.label;
  a[0x170UL /* CKA_COPYABLE */] = Bool(false);
  a[0x172UL /* CKA_DESTROYABLE */] = Bool(true);
  if (cert) {
    a[CKA_ID] = o.id;
    a[CKA_CERTIFICATE_TYPE] = Ulong(CKC_X_509);
    a[CKA_TRUSTED] = Bool(false);
    a[CKA_CERTIFICATE_CATEGORY] = Ulong(0);  // unspecified
    a[CKA_START_DATE] = "";
    a[CKA_END_DATE] = "";
    a[CKA_URL] = "";
    a[CKA_HASH_OF_SUBJECT_PUBLIC_KEY] = "";
    a[CKA_HASH_OF_ISSUER_PUBLIC_KEY] = "";
    a[CKA_JAVA_MIDP_SECURITY_DOMAIN] = Ulong(0);
  } else {
    a[CKA_APPLICATION] = o.application;
    a[CKA_OBJECT_ID] = o.oid;
  }
  if (with_value) AddValueAttributes(s, o, &a);
  return a;
}

bool Visible(State& s, const ObjectInfo& o) {
  return s.logged_in || (!o.is_private && ListingLogin(s));
}

}  // namespace

bool IsPublicObject(const ObjRef& o) {
  return o.cls == ObjClass::kCertificate || o.cls == ObjClass::kData;
}

CK_RV CreatePublicObject(State& s, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR h) {
  if (h == nullptr || (t == nullptr && n > 0)) return CKR_ARGUMENTS_BAD;
  if (!s.logged_in) return CKR_USER_NOT_LOGGED_IN;
  const CK_ULONG cls = UlongOf(FindAttr(t, n, CKA_CLASS));
  const CK_ATTRIBUTE* value = FindAttr(t, n, CKA_VALUE);
  if (value == nullptr) return CKR_TEMPLATE_INCOMPLETE;
  // Every object here is a token object, never modifiable; trust is the
  // security officer's to give.
  if (IsFalse(t, n, CKA_TOKEN) || IsTrue(t, n, CKA_MODIFIABLE) || IsTrue(t, n, CKA_TRUSTED)) {
    return CKR_ATTRIBUTE_VALUE_INVALID;
  }
  ObjectInfo o;
  o.label = BytesOf(FindAttr(t, n, CKA_LABEL));
  o.is_private = IsTrue(t, n, CKA_PRIVATE);
  o.value = BytesOf(value);
  if (cls == CKO_CERTIFICATE) {
    const CK_ATTRIBUTE* type = FindAttr(t, n, CKA_CERTIFICATE_TYPE);
    if (type != nullptr && UlongOf(type) != CKC_X_509) return CKR_ATTRIBUTE_VALUE_INVALID;
    if (!crypto::ParseDerCertificate(crypto::ByteView(o.value)).ok()) {
      return CKR_ATTRIBUTE_VALUE_INVALID;
    }
    o.cls = "certificate";
    o.id = BytesOf(FindAttr(t, n, CKA_ID));
  } else {
    o.cls = "data";
    o.application = BytesOf(FindAttr(t, n, CKA_APPLICATION));
    o.oid = BytesOf(FindAttr(t, n, CKA_OBJECT_ID));
  }
  Result<ObjectInfo> made = s.client->CreateObject(o);
  if (!made.ok()) {
    return made.status().code() == StatusCode::kInvalidArgument ? CKR_ATTRIBUTE_VALUE_INVALID
                                                                : RvOfStatus(made.status());
  }
  s.object_info[made->handle] = *made;
  s.object_values[made->handle] = std::move(o.value);
  *h = HandleForObject(s, made->handle,
                       cls == CKO_CERTIFICATE ? ObjClass::kCertificate : ObjClass::kData);
  return CKR_OK;
}

CK_RV FindPublicObjects(State& s, CK_ATTRIBUTE_PTR t, CK_ULONG n,
                        std::vector<unsigned long>* found) {
  if (!ListingLogin(s)) return CKR_OK;  // nothing is visible before a login
  ObjectFilter filter;
  const CK_ATTRIBUTE* cls = FindAttr(t, n, CKA_CLASS);
  if (cls != nullptr) filter.cls = UlongOf(cls) == CKO_CERTIFICATE ? "certificate" : "data";
  if (const CK_ATTRIBUTE* id = FindAttr(t, n, CKA_ID)) {
    filter.match_id = true;
    filter.id = BytesOf(id);
  }
  if (const CK_ATTRIBUTE* label = FindAttr(t, n, CKA_LABEL)) {
    filter.match_label = true;
    filter.label = BytesOf(label);
  }
  Result<std::vector<ObjectInfo>> list = s.client->ListObjects(filter);
  if (!list.ok()) return CKR_DEVICE_ERROR;
  const bool with_value = NeedsValue(t, n);
  for (ObjectInfo& o : *list) {
    if (!Visible(s, o)) continue;
    s.object_info[o.handle] = o;
    if (n > 0 && !Matches(AttributesOf(s, o, with_value), t, n)) continue;
    found->push_back(
        HandleForObject(s, o.handle, IsCertificate(o) ? ObjClass::kCertificate : ObjClass::kData));
  }
  return CKR_OK;
}

CK_RV PublicObjectAttributes(State& s, const ObjRef& ref, CK_ATTRIBUTE_PTR t, CK_ULONG n) {
  if (!ListingLogin(s)) return CKR_OBJECT_HANDLE_INVALID;
  const ObjectInfo* o = InfoOfObject(s, ref.object);
  if (o == nullptr || !Visible(s, *o)) return CKR_OBJECT_HANDLE_INVALID;
  Attrs a = AttributesOf(s, *o, NeedsValue(t, n));
  return CopyAttributes(a, t, n, [](CK_ATTRIBUTE_TYPE) { return false; });
}

CK_RV DestroyPublicObject(State& s, const ObjRef& ref) {
  Status st = s.client->DeleteObject(ref.object);
  s.object_info.erase(ref.object);
  s.object_values.erase(ref.object);
  return st.ok() ? CKR_OK : CKR_OBJECT_HANDLE_INVALID;
}

}  // namespace vhsm::pkcs11
