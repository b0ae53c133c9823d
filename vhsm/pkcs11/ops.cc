// The token's cryptographic operations, each one request to vhsmd: digests,
// HMAC, ECDSA (raw r || s as PKCS#11 wants), EdDSA, RSA PKCS#1 v1.5 and
// PSS; key and key-pair generation. Multi-part input is gathered here and
// sent once at the end (vhsmd hashes messages itself).
#include <cstring>
#include <string>
#include <vector>

#include "vhsm/crypto/bytes.h"
#include "vhsm/crypto/constant_time.h"
#include "vhsm/crypto/ecdsa_sig.h"
#include "vhsm/pkcs11/internal/module.h"

namespace vhsm::pkcs11 {
namespace {

constexpr CK_ULONG kRsaMin = 2048, kRsaMax = 4096;
constexpr CK_FLAGS kSignFlags = CKF_SIGN | CKF_VERIFY;

const char* HashOfMech(CK_MECHANISM_TYPE m) {
  switch (m) {
    case CKM_ECDSA_SHA256:
    case CKM_SHA256_RSA_PKCS:
    case CKM_SHA256_RSA_PKCS_PSS:
    case CKM_SHA256:
      return "sha256";
    case CKM_ECDSA_SHA384:
    case CKM_SHA384_RSA_PKCS:
    case CKM_SHA384_RSA_PKCS_PSS:
    case CKM_SHA384:
      return "sha384";
    case CKM_ECDSA_SHA512:
    case CKM_SHA512_RSA_PKCS:
    case CKM_SHA512_RSA_PKCS_PSS:
    case CKM_SHA512:
      return "sha512";
    case CKM_SHA_1:
      return "sha1";
    default:
      return "";
  }
}

bool IsPss(CK_MECHANISM_TYPE m) {
  return m == CKM_RSA_PKCS_PSS || m == CKM_SHA256_RSA_PKCS_PSS || m == CKM_SHA384_RSA_PKCS_PSS ||
         m == CKM_SHA512_RSA_PKCS_PSS;
}
bool IsRsaMech(CK_MECHANISM_TYPE m) {
  return IsPss(m) || m == CKM_RSA_PKCS || m == CKM_SHA256_RSA_PKCS || m == CKM_SHA384_RSA_PKCS ||
         m == CKM_SHA512_RSA_PKCS;
}
bool IsEcdsaMech(CK_MECHANISM_TYPE m) {
  return m == CKM_ECDSA || m == CKM_ECDSA_SHA256 || m == CKM_ECDSA_SHA384 || m == CKM_ECDSA_SHA512;
}
bool IsHmacMech(CK_MECHANISM_TYPE m) {
  return m == CKM_SHA256_HMAC || m == CKM_SHA512_HMAC || m == CKM_SHA256_HMAC_GENERAL ||
         m == CKM_SHA512_HMAC_GENERAL;
}
bool IsGeneral(CK_MECHANISM_TYPE m) {
  return m == CKM_SHA256_HMAC_GENERAL || m == CKM_SHA512_HMAC_GENERAL;
}

// Fits: does a key of `type` take mechanism m?
bool Fits(const std::string& type, CK_MECHANISM_TYPE m) {
  if (IsRsaMech(m)) return type.rfind("rsa-", 0) == 0;
  if (IsEcdsaMech(m)) return type == "ec-p256" || type == "ec-p384";
  if (m == CKM_EDDSA) return type == "ed25519";
  if (m == CKM_SHA256_HMAC || m == CKM_SHA256_HMAC_GENERAL) return type == "hmac-sha256";
  if (m == CKM_SHA512_HMAC || m == CKM_SHA512_HMAC_GENERAL) return type == "hmac-sha512";
  return false;
}

std::string HashOfPssParams(CK_MECHANISM_PTR m) {
  if (m->pParameter == nullptr || m->ulParameterLen != sizeof(CK_RSA_PKCS_PSS_PARAMS)) return "";
  auto* p = static_cast<CK_RSA_PKCS_PSS_PARAMS*>(m->pParameter);
  std::string hash = p->hashAlg == CKM_SHA256   ? "sha256"
                     : p->hashAlg == CKM_SHA384 ? "sha384"
                     : p->hashAlg == CKM_SHA512 ? "sha512"
                                                : "";
  CK_RSA_PKCS_MGF_TYPE mgf = hash == "sha256"   ? CKG_MGF1_SHA256
                             : hash == "sha384" ? CKG_MGF1_SHA384
                                                : CKG_MGF1_SHA512;
  CK_ULONG len = hash == "sha256" ? 32 : hash == "sha384" ? 48 : 64;
  if (hash.empty() || p->mgf != mgf || p->sLen != len) return "";  // VHSM: salt = hash length
  return hash;
}

// SignOptionsOf: what vhsmd is asked for; data may be replaced (DigestInfo
// stripped, an ECDSA digest fitted to the curve).
Result<vhsm::SignOptions> SignOptionsOf(const Operation& op, const KeyInfo& k, std::string* data) {
  vhsm::SignOptions o;
  CK_MECHANISM_TYPE m = op.mechanism;
  o.hash = HashOfMech(m);
  if (IsRsaMech(m)) o.scheme = IsPss(m) ? "pss" : "pkcs1";
  if (m == CKM_RSA_PKCS) {  // the caller's DigestInfo (or any prepared bytes)
    o.scheme = "pkcs1-raw";
    o.hash.clear();
    o.prehashed = true;
    return o;
  }
  if (m == CKM_RSA_PKCS_PSS) {
    o.hash = op.pss_hash;
    o.prehashed = true;
  }
  if (m == CKM_ECDSA) {
    size_t n = k.type == "ec-p384" ? 48 : 32;
    std::string fitted(n, '\0');
    if (data->size() >= n) {
      fitted = data->substr(0, n);
    } else {
      fitted.replace(n - data->size(), data->size(), *data);
    }
    *data = fitted;
    o.hash = n == 48 ? "sha384" : "sha256";
    o.prehashed = true;
  }
  return o;
}

CK_RV RvOf(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      return CKR_DATA_INVALID;
    case StatusCode::kUnauthenticated:
      return CKR_USER_NOT_LOGGED_IN;
    case StatusCode::kPermissionDenied:
      return CKR_KEY_FUNCTION_NOT_PERMITTED;
    case StatusCode::kNotFound:
      return CKR_KEY_HANDLE_INVALID;
    default:
      return CKR_DEVICE_ERROR;
  }
}

}  // namespace

CK_RV Output(const std::string& data, CK_BYTE_PTR out, CK_ULONG_PTR out_len) {
  if (out_len == nullptr) return CKR_ARGUMENTS_BAD;
  if (out == nullptr) {
    *out_len = data.size();
    return CKR_OK;
  }
  if (*out_len < data.size()) {
    *out_len = data.size();
    return CKR_BUFFER_TOO_SMALL;
  }
  std::memcpy(out, data.data(), data.size());
  *out_len = data.size();
  return CKR_OK;
}

const std::vector<std::pair<CK_MECHANISM_TYPE, CK_MECHANISM_INFO>>& Mechanisms() {
  static const auto* list = new std::vector<std::pair<CK_MECHANISM_TYPE, CK_MECHANISM_INFO>>{
      {CKM_SHA_1, {0, 0, CKF_DIGEST}},
      {CKM_SHA256, {0, 0, CKF_DIGEST}},
      {CKM_SHA384, {0, 0, CKF_DIGEST}},
      {CKM_SHA512, {0, 0, CKF_DIGEST}},
      {CKM_SHA256_HMAC, {1, 1024, kSignFlags}},
      {CKM_SHA512_HMAC, {1, 1024, kSignFlags}},
      {CKM_SHA256_HMAC_GENERAL, {1, 1024, kSignFlags}},
      {CKM_SHA512_HMAC_GENERAL, {1, 1024, kSignFlags}},
      {CKM_AES_GCM, {32, 32, CKF_ENCRYPT | CKF_DECRYPT}},
      {CKM_ECDH1_DERIVE, {255, 384, CKF_DERIVE | CKF_EC_F_P | CKF_EC_NAMEDCURVE}},
      {CKM_GENERIC_SECRET_KEY_GEN, {32, 64, CKF_GENERATE}},
      {CKM_AES_KEY_GEN, {32, 32, CKF_GENERATE}},
      {CKM_EC_KEY_PAIR_GEN, {256, 384, CKF_GENERATE_KEY_PAIR | CKF_EC_F_P | CKF_EC_NAMEDCURVE}},
      {CKM_ECDSA, {256, 384, kSignFlags | CKF_EC_F_P | CKF_EC_NAMEDCURVE}},
      {CKM_ECDSA_SHA256, {256, 384, kSignFlags | CKF_EC_F_P | CKF_EC_NAMEDCURVE}},
      {CKM_ECDSA_SHA384, {256, 384, kSignFlags | CKF_EC_F_P | CKF_EC_NAMEDCURVE}},
      {CKM_ECDSA_SHA512, {256, 384, kSignFlags | CKF_EC_F_P | CKF_EC_NAMEDCURVE}},
      {CKM_EC_EDWARDS_KEY_PAIR_GEN, {255, 255, CKF_GENERATE_KEY_PAIR}},
      {CKM_EDDSA, {255, 255, kSignFlags}},
      {CKM_RSA_PKCS_KEY_PAIR_GEN, {kRsaMin, kRsaMax, CKF_GENERATE_KEY_PAIR}},
      {CKM_RSA_PKCS, {kRsaMin, kRsaMax, kSignFlags}},
      {CKM_SHA256_RSA_PKCS, {kRsaMin, kRsaMax, kSignFlags}},
      {CKM_SHA384_RSA_PKCS, {kRsaMin, kRsaMax, kSignFlags}},
      {CKM_SHA512_RSA_PKCS, {kRsaMin, kRsaMax, kSignFlags}},
      {CKM_RSA_PKCS_PSS, {kRsaMin, kRsaMax, kSignFlags}},
      {CKM_SHA256_RSA_PKCS_PSS, {kRsaMin, kRsaMax, kSignFlags}},
      {CKM_SHA384_RSA_PKCS_PSS, {kRsaMin, kRsaMax, kSignFlags}},
      {CKM_SHA512_RSA_PKCS_PSS, {kRsaMin, kRsaMax, kSignFlags}},
      {CKM_RSA_PKCS_OAEP, {kRsaMin, kRsaMax, CKF_ENCRYPT | CKF_DECRYPT}},
  };
  return *list;
}

CK_RV SignInit(State& s, Session& session, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE key, bool verify) {
  Operation& op = verify ? session.verify : session.sign;
  if (m == nullptr) return CKR_ARGUMENTS_BAD;
  if (op.mechanism != 0) return CKR_OPERATION_ACTIVE;
  if (!s.logged_in) return CKR_USER_NOT_LOGGED_IN;
  auto it = s.objects.find(key);
  if (it == s.objects.end()) return CKR_KEY_HANDLE_INVALID;
  ObjClass want_asym = verify ? ObjClass::kPublic : ObjClass::kPrivate;
  if (it->second.cls != want_asym && it->second.cls != ObjClass::kSecret) {
    return CKR_KEY_TYPE_INCONSISTENT;
  }
  Result<KeyInfo> k = InfoOf(s, it->second.key_id);
  if (!k.ok()) return CKR_KEY_HANDLE_INVALID;
  bool known = false;
  for (const auto& [type, info] : Mechanisms()) known = known || type == m->mechanism;
  if (!known) return CKR_MECHANISM_INVALID;
  if (!Fits(k->type, m->mechanism)) return CKR_KEY_TYPE_INCONSISTENT;
  op = Operation{m->mechanism, key, "", ""};
  if (IsGeneral(m->mechanism)) {
    // CK_MAC_GENERAL_PARAMS: the length wanted, at most the full MAC.
    CK_ULONG full = k->type == "hmac-sha512" ? 64 : 32;
    if (m->pParameter == nullptr || m->ulParameterLen != sizeof(CK_ULONG)) {
      op = Operation{};
      return CKR_MECHANISM_PARAM_INVALID;
    }
    std::memcpy(&op.mac_len, m->pParameter, sizeof(CK_ULONG));
    if (op.mac_len == 0 || op.mac_len > full) {
      op = Operation{};
      return CKR_MECHANISM_PARAM_INVALID;
    }
  }
  if (IsPss(m->mechanism)) {
    op.pss_hash = HashOfPssParams(m);
    if (op.pss_hash.empty() ||
        (m->mechanism != CKM_RSA_PKCS_PSS && op.pss_hash != HashOfMech(m->mechanism))) {
      op = Operation{};
      return CKR_MECHANISM_PARAM_INVALID;
    }
  }
  return CKR_OK;
}

CK_RV SignFinish(State& s, Operation& op, CK_BYTE_PTR out, CK_ULONG_PTR out_len) {
  const ObjRef& ref = s.objects.at(op.key);
  Result<KeyInfo> k = InfoOf(s, ref.key_id);
  if (!k.ok()) return RvOf(k.status());
  std::string sig;
  if (IsHmacMech(op.mechanism)) {
    Result<Bytes> mac = s.client->Mac(ref.key_id, op.data);
    if (!mac.ok()) return RvOf(mac.status());
    sig.assign(mac->begin(), mac->end());
    if (op.mac_len != 0) sig.resize(op.mac_len);
  } else {
    std::string data = op.data;
    Result<vhsm::SignOptions> o = SignOptionsOf(op, *k, &data);
    if (!o.ok()) return CKR_DATA_INVALID;
    Result<Bytes> out_sig = s.client->Sign(ref.key_id, data, *o);
    if (!out_sig.ok()) return RvOf(out_sig.status());
    if (IsEcdsaMech(op.mechanism)) {
      Result<crypto::Bytes> raw = crypto::EcdsaDerToRaw(*out_sig, k->type == "ec-p384" ? 48 : 32);
      if (!raw.ok()) return CKR_DEVICE_ERROR;
      sig.assign(raw->begin(), raw->end());
    } else {
      sig.assign(out_sig->begin(), out_sig->end());
    }
  }
  return Output(sig, out, out_len);
}

CK_RV VerifyFinish(State& s, Operation& op, CK_BYTE_PTR sig_in, CK_ULONG sig_len) {
  const ObjRef& ref = s.objects.at(op.key);
  std::string sig(reinterpret_cast<const char*>(sig_in), sig_len);
  Result<KeyInfo> k = InfoOf(s, ref.key_id);
  if (!k.ok()) return RvOf(k.status());
  if (IsHmacMech(op.mechanism)) {
    Result<Bytes> mac = s.client->Mac(ref.key_id, op.data);
    if (!mac.ok()) return RvOf(mac.status());
    if (op.mac_len != 0) mac->resize(op.mac_len);
    if (sig.size() != mac->size()) return CKR_SIGNATURE_LEN_RANGE;
    return crypto::ConstantTimeEquals(*mac, crypto::ByteView(sig)) ? CKR_OK : CKR_SIGNATURE_INVALID;
  }
  std::string data = op.data;
  Result<vhsm::SignOptions> o = SignOptionsOf(op, *k, &data);
  if (!o.ok()) return CKR_DATA_INVALID;
  if (IsEcdsaMech(op.mechanism)) {
    Result<crypto::Bytes> der = crypto::EcdsaRawToDer(crypto::ByteView(sig));
    if (!der.ok()) return CKR_SIGNATURE_LEN_RANGE;
    sig.assign(der->begin(), der->end());
  }
  Result<bool> ok = s.client->Verify(ref.key_id, data, sig, *o);
  if (!ok.ok()) return RvOf(ok.status());
  return *ok ? CKR_OK : CKR_SIGNATURE_INVALID;
}

CK_RV DigestFinish(State& s, Operation& op, CK_BYTE_PTR out, CK_ULONG_PTR out_len) {
  Result<Bytes> d = s.client->Digest(HashOfMech(op.mechanism), op.data);
  if (!d.ok()) return RvOf(d.status());
  return Output(std::string(d->begin(), d->end()), out, out_len);
}

}  // namespace vhsm::pkcs11
