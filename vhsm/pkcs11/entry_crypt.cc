// The PKCS#11 entry points of encryption:
//  - RSA-OAEP with SHA-256 and MGF1-SHA-256 and no label (what vhsmd does):
//    decryption in vhsmd with the private key, encryption with the public.
//  - AES-256-GCM (CKM_AES_GCM) with the application's 12-byte IV, its AAD
//    and a 128-bit tag: ciphertext || tag, as PKCS#11 has it. The key's
//    latest version encrypts and decrypts through PKCS#11.
// Multi-part input is gathered here (at most what one request carries) and
// sent once at the end: GCM releases no plaintext before its tag checks.
#include <string.h>
#include <unistd.h>

#include <mutex>
#include <string>

#include "vhsm/pkcs11/internal/module.h"

using vhsm::pkcs11::ObjClass;
using vhsm::pkcs11::Operation;
using vhsm::pkcs11::Session;
using vhsm::pkcs11::State;

namespace {

// What one request carries (libvhsm's frame less room for the rest).
constexpr size_t kMaxData = 60 * 1024;
constexpr size_t kTag = 16, kIv = 12;

CK_RV CheckOaep(CK_MECHANISM_PTR m) {
  auto* p = static_cast<CK_RSA_PKCS_OAEP_PARAMS*>(m->pParameter);
  if (p == nullptr || m->ulParameterLen != sizeof(*p) || p->hashAlg != CKM_SHA256 ||
      p->mgf != CKG_MGF1_SHA256 || (p->source != 0 && p->source != CKZ_DATA_SPECIFIED) ||
      p->ulSourceDataLen != 0) {
    return CKR_MECHANISM_PARAM_INVALID;  // vhsmd: SHA-256, MGF1-SHA-256, no label
  }
  return CKR_OK;
}

CK_RV ReadGcm(CK_MECHANISM_PTR m, Operation* op) {
  auto* p = static_cast<CK_GCM_PARAMS*>(m->pParameter);
  if (p == nullptr || m->ulParameterLen != sizeof(*p) || p->pIv == nullptr || p->ulIvLen != kIv ||
      p->ulTagBits != kTag * 8 || (p->pAAD == nullptr && p->ulAADLen > 0) ||
      p->ulAADLen > kMaxData) {
    return CKR_MECHANISM_PARAM_INVALID;  // vhsmd: 96-bit IV, 128-bit tag
  }
  op->iv.assign(reinterpret_cast<const char*>(p->pIv), kIv);
  if (p->ulAADLen > 0) op->aad.assign(reinterpret_cast<const char*>(p->pAAD), p->ulAADLen);
  return CKR_OK;
}

CK_RV Init(State& s, Session& session, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE key, bool decrypt) {
  Operation& op = decrypt ? session.decrypt : session.encrypt;
  if (m == nullptr) return CKR_ARGUMENTS_BAD;
  if (op.mechanism != 0) return CKR_OPERATION_ACTIVE;
  if (!s.logged_in) return CKR_USER_NOT_LOGGED_IN;
  const bool gcm = m->mechanism == CKM_AES_GCM;
  if (!gcm && m->mechanism != CKM_RSA_PKCS_OAEP) return CKR_MECHANISM_INVALID;
  Operation next{m->mechanism, key, "", ""};
  CK_RV rv = gcm ? ReadGcm(m, &next) : CheckOaep(m);
  if (rv != CKR_OK) return rv;
  auto it = s.objects.find(key);
  if (it == s.objects.end()) return CKR_KEY_HANDLE_INVALID;
  ObjClass want = gcm ? ObjClass::kSecret : decrypt ? ObjClass::kPrivate : ObjClass::kPublic;
  if (it->second.cls != want) return CKR_KEY_TYPE_INCONSISTENT;
  vhsm::Result<vhsm::KeyInfo> k = vhsm::pkcs11::InfoOf(s, it->second.key_id);
  if (!k.ok()) return CKR_KEY_HANDLE_INVALID;
  if (gcm ? k->type != "aes-256" : k->type.rfind("rsa-", 0) != 0) {
    return CKR_KEY_TYPE_INCONSISTENT;
  }
  op = std::move(next);
  return CKR_OK;
}

// Wipe clears an operation, its gathered input first (it may be plaintext).
void Wipe(Operation& op) {
  explicit_bzero(op.data.data(), op.data.size());
  op = Operation{};
}

CK_RV Failed(Operation& op, CK_RV rv) {
  Wipe(op);
  return rv;
}

// Compute does the operation in vhsmd on the gathered input.
vhsm::Result<vhsm::Bytes> Compute(State& s, Operation& op, const std::string& key_id,
                                  bool decrypt) {
  if (op.mechanism != CKM_AES_GCM) {
    return decrypt ? s.client->Decrypt(key_id, op.data) : s.client->Encrypt(key_id, op.data);
  }
  vhsm::Result<vhsm::KeyInfo> k = vhsm::pkcs11::InfoOf(s, key_id);
  const uint32_t version = k.ok() ? k->latest_version : 1;
  const std::string prefix = version > 1 ? "vhsm:v" + std::to_string(version) + ":" : "";
  if (decrypt) return s.client->Decrypt(key_id, prefix + op.iv + op.data, op.aad);
  vhsm::Result<vhsm::Bytes> r = s.client->EncryptWithIv(key_id, op.iv, op.data, op.aad);
  if (!r.ok()) return r;
  // vhsmd answers [prefix] iv || ciphertext || tag; PKCS#11 wants the last two.
  const size_t skip = prefix.size() + kIv;
  if (r->size() < skip + kTag) return vhsm::Internal("short answer from vhsmd");
  return vhsm::Bytes(r->begin() + static_cast<std::ptrdiff_t>(skip), r->end());
}

// Finish answers the size query (an upper bound, keeping the operation) or
// computes and hands out the result.
CK_RV Finish(State& s, Operation& op, bool decrypt, CK_BYTE_PTR out, CK_ULONG_PTR out_len) {
  const std::string& key_id = s.objects.at(op.key).key_id;
  if (out == nullptr) {
    if (op.mechanism == CKM_AES_GCM) {
      *out_len =
          decrypt ? (op.data.size() > kTag ? op.data.size() - kTag : 0) : op.data.size() + kTag;
    } else {
      vhsm::Result<vhsm::KeyInfo> k = vhsm::pkcs11::InfoOf(s, key_id);
      *out_len = k.ok() ? std::stoul(k->type.substr(4)) / 8 : 512;
    }
    return CKR_OK;
  }
  if (decrypt && op.mechanism == CKM_AES_GCM && op.data.size() < kTag) {
    return Failed(op, CKR_ENCRYPTED_DATA_LEN_RANGE);
  }
  vhsm::Result<vhsm::Bytes> r = Compute(s, op, key_id, decrypt);
  if (!r.ok()) {
    if (r.status().code() == vhsm::StatusCode::kPermissionDenied) {
      return Failed(op, CKR_KEY_FUNCTION_NOT_PERMITTED);
    }
    return Failed(op, decrypt ? CKR_ENCRYPTED_DATA_INVALID : CKR_DATA_LEN_RANGE);
  }
  std::string result(r->begin(), r->end());
  CK_RV rv = vhsm::pkcs11::Output(result, out, out_len);
  // A decryption's plaintext is the application's now: no copy stays here.
  explicit_bzero(result.data(), result.size());
  explicit_bzero(r->data(), r->size());
  if (rv != CKR_BUFFER_TOO_SMALL) Wipe(op);
  return rv;
}

CK_RV Gather(Operation& op, CK_BYTE_PTR in, CK_ULONG in_len) {
  if (op.data.size() + in_len > kMaxData) return Failed(op, CKR_DATA_LEN_RANGE);
  op.data.append(reinterpret_cast<const char*>(in), in_len);
  return CKR_OK;
}

CK_RV SinglePart(State& s, Operation& op, bool decrypt, CK_BYTE_PTR in, CK_ULONG in_len,
                 CK_BYTE_PTR out, CK_ULONG_PTR out_len) {
  if (op.mechanism == 0) return CKR_OPERATION_NOT_INITIALIZED;
  if (out_len == nullptr || (in == nullptr && in_len > 0)) return CKR_ARGUMENTS_BAD;
  // A size query leaves the operation (and nothing gathered) for the call
  // that follows with a buffer.
  Operation saved_query = op;
  CK_RV rv = Gather(op, in, in_len);
  if (rv != CKR_OK) return rv;
  rv = Finish(s, op, decrypt, out, out_len);
  if (out == nullptr || rv == CKR_BUFFER_TOO_SMALL) {
    explicit_bzero(op.data.data(), op.data.size());
    op = saved_query;
  }
  return rv;
}

CK_RV Update(Operation& op, CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR, CK_ULONG_PTR out_len) {
  if (op.mechanism == 0) return CKR_OPERATION_NOT_INITIALIZED;
  if (out_len == nullptr || (in == nullptr && in_len > 0)) return CKR_ARGUMENTS_BAD;
  CK_RV rv = Gather(op, in, in_len);
  if (rv == CKR_OK) *out_len = 0;  // everything comes out at the end
  return rv;
}

CK_RV Final(State& s, Operation& op, bool decrypt, CK_BYTE_PTR out, CK_ULONG_PTR out_len) {
  if (op.mechanism == 0) return CKR_OPERATION_NOT_INITIALIZED;
  if (out_len == nullptr) return CKR_ARGUMENTS_BAD;
  return Finish(s, op, decrypt, out, out_len);
}

}  // namespace

extern "C" {

CK_RV C_EncryptInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE key) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  return Init(s, *session, m, key, false);
}

CK_RV C_Encrypt(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR out,
                CK_ULONG_PTR out_len) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  return SinglePart(s, session->encrypt, false, in, in_len, out, out_len);
}

CK_RV C_EncryptUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR out,
                      CK_ULONG_PTR out_len) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  return Update(session->encrypt, in, in_len, out, out_len);
}

CK_RV C_EncryptFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR out, CK_ULONG_PTR out_len) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  return Final(s, session->encrypt, false, out, out_len);
}

CK_RV C_DecryptInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE key) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  return Init(s, *session, m, key, true);
}

CK_RV C_Decrypt(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR out,
                CK_ULONG_PTR out_len) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  return SinglePart(s, session->decrypt, true, in, in_len, out, out_len);
}

CK_RV C_DecryptUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR out,
                      CK_ULONG_PTR out_len) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  return Update(session->decrypt, in, in_len, out, out_len);
}

CK_RV C_DecryptFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR out, CK_ULONG_PTR out_len) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  return Final(s, session->decrypt, true, out, out_len);
}

}  // extern "C"
