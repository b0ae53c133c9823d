// The C API over vhsm::Client.
#include <cstring>
#include <memory>
#include <mutex>
#include <string>

#include "vhsm/api/client.h"
#include "vhsm/api/vhsm.h"

struct vhsm_session {
  std::unique_ptr<vhsm::Client> client;
  mutable std::mutex mu;
  std::string error;  // guarded by mu
};

namespace {

vhsm_status Code(const vhsm::Status& s) {
  return static_cast<vhsm_status>(static_cast<int>(s.code()));
}

vhsm_status Fail(vhsm_session* s, const vhsm::Status& st) {
  std::lock_guard<std::mutex> lock(s->mu);
  s->error = st.message();
  return Code(st);
}

vhsm_status Done(vhsm_session* s, const vhsm::Status& st) {
  return st.ok() ? VHSM_OK : Fail(s, st);
}

vhsm_status CopyOut(vhsm_session* s, const void* data, size_t n, uint8_t* out, size_t* out_len) {
  if (out_len == nullptr) return Fail(s, vhsm::InvalidArgument("out_len is NULL"));
  if (out == nullptr || *out_len < n) {
    *out_len = n;
    return Fail(
        s, vhsm::InvalidArgument("output buffer too small: need " + std::to_string(n) + " bytes"));
  }
  if (n) std::memcpy(out, data, n);
  *out_len = n;
  return VHSM_OK;
}

vhsm_status CopyString(vhsm_session* s, const std::string& v, char* out, size_t cap) {
  if (out == nullptr || cap < v.size() + 1) {
    return Fail(s, vhsm::InvalidArgument("output buffer too small: need " +
                                         std::to_string(v.size() + 1) + " bytes"));
  }
  std::memcpy(out, v.c_str(), v.size() + 1);
  return VHSM_OK;
}

std::string_view View(const void* p, size_t n) {
  return n ? std::string_view(static_cast<const char*>(p), n) : std::string_view();
}

bool Bad(vhsm_session* s) { return s == nullptr || !s->client; }

}  // namespace

extern "C" {

vhsm_status vhsm_open(uint32_t port_id, int timeout_ms, vhsm_session** out, char* err,
                      size_t err_len) {
  if (out == nullptr) return VHSM_E_INVALID_ARGUMENT;
  *out = nullptr;
  vhsm::ClientOptions o;
  o.port_id = port_id;
  if (timeout_ms > 0) o.timeout_ms = timeout_ms;
  auto c = vhsm::Client::Connect(o);
  if (!c.ok()) {
    if (err != nullptr && err_len > 0) {
      std::snprintf(err, err_len, "%s", c.status().message().c_str());
    }
    return Code(c.status());
  }
  auto* s = new vhsm_session;
  s->client = std::move(c).value();
  *out = s;
  return VHSM_OK;
}

void vhsm_close(vhsm_session* s) { delete s; }

const char* vhsm_error(const vhsm_session* s) {
  if (s == nullptr) return "no session";
  std::lock_guard<std::mutex> lock(s->mu);
  return s->error.c_str();
}

vhsm_status vhsm_login(vhsm_session* s, const char* user, const char* password,
                       size_t password_len) {
  if (Bad(s) || user == nullptr || password == nullptr) return VHSM_E_INVALID_ARGUMENT;
  return Done(s, s->client->Login(user, View(password, password_len)));
}

vhsm_status vhsm_logout(vhsm_session* s) {
  if (Bad(s)) return VHSM_E_INVALID_ARGUMENT;
  return Done(s, s->client->Logout());
}

vhsm_status vhsm_key_generate(vhsm_session* s, const char* type, const char* id, char* id_out,
                              size_t id_out_len) {
  if (Bad(s) || type == nullptr) return VHSM_E_INVALID_ARGUMENT;
  auto r = s->client->GenerateKey(type, id ? id : "");
  if (!r.ok()) return Fail(s, r.status());
  return id_out ? CopyString(s, *r, id_out, id_out_len) : VHSM_OK;
}

vhsm_status vhsm_key_import(vhsm_session* s, const char* type, const char* id, const void* material,
                            size_t material_len, char* id_out, size_t id_out_len) {
  if (Bad(s) || type == nullptr || material == nullptr) return VHSM_E_INVALID_ARGUMENT;
  auto r = s->client->ImportKey(type, id ? id : "", View(material, material_len));
  if (!r.ok()) return Fail(s, r.status());
  return id_out ? CopyString(s, *r, id_out, id_out_len) : VHSM_OK;
}

vhsm_status vhsm_key_delete(vhsm_session* s, const char* id) {
  if (Bad(s) || id == nullptr) return VHSM_E_INVALID_ARGUMENT;
  return Done(s, s->client->DeleteKey(id));
}

vhsm_status vhsm_key_type(vhsm_session* s, const char* id, char* type, size_t type_len) {
  if (Bad(s) || id == nullptr) return VHSM_E_INVALID_ARGUMENT;
  auto r = s->client->GetKeyInfo(id);
  if (!r.ok()) return Fail(s, r.status());
  return CopyString(s, r->type, type, type_len);
}

vhsm_status vhsm_key_public_pem(vhsm_session* s, const char* id, char* pem, size_t* pem_len) {
  if (Bad(s) || id == nullptr || pem_len == nullptr) return VHSM_E_INVALID_ARGUMENT;
  auto r = s->client->PublicKeyPem(id);
  if (!r.ok()) return Fail(s, r.status());
  if (pem == nullptr || *pem_len < r->size() + 1) {
    *pem_len = r->size() + 1;
    return Fail(s, vhsm::InvalidArgument("output buffer too small"));
  }
  std::memcpy(pem, r->c_str(), r->size() + 1);
  *pem_len = r->size();
  return VHSM_OK;
}

vhsm_status vhsm_digest(vhsm_session* s, const char* alg, const void* data, size_t len,
                        uint8_t* out, size_t* out_len) {
  if (Bad(s) || alg == nullptr || (data == nullptr && len)) return VHSM_E_INVALID_ARGUMENT;
  auto r = s->client->Digest(alg, View(data, len));
  if (!r.ok()) return Fail(s, r.status());
  return CopyOut(s, r->data(), r->size(), out, out_len);
}

vhsm_status vhsm_mac(vhsm_session* s, const char* key_id, const void* data, size_t len,
                     uint8_t* out, size_t* out_len) {
  if (Bad(s) || key_id == nullptr || (data == nullptr && len)) return VHSM_E_INVALID_ARGUMENT;
  auto r = s->client->Mac(key_id, View(data, len));
  if (!r.ok()) return Fail(s, r.status());
  return CopyOut(s, r->data(), r->size(), out, out_len);
}

vhsm_status vhsm_mac_init(vhsm_session* s, const char* key_id, uint32_t* ctx) {
  if (Bad(s) || key_id == nullptr || ctx == nullptr) return VHSM_E_INVALID_ARGUMENT;
  auto r = s->client->MacInit(key_id);
  if (!r.ok()) return Fail(s, r.status());
  *ctx = *r;
  return VHSM_OK;
}

vhsm_status vhsm_mac_update(vhsm_session* s, uint32_t ctx, const void* data, size_t len) {
  if (Bad(s) || (data == nullptr && len)) return VHSM_E_INVALID_ARGUMENT;
  return Done(s, s->client->MacUpdate(ctx, View(data, len)));
}

vhsm_status vhsm_mac_final(vhsm_session* s, uint32_t ctx, uint8_t* out, size_t* out_len) {
  if (Bad(s)) return VHSM_E_INVALID_ARGUMENT;
  auto r = s->client->MacFinal(ctx);
  if (!r.ok()) return Fail(s, r.status());
  return CopyOut(s, r->data(), r->size(), out, out_len);
}

vhsm_status vhsm_sign(vhsm_session* s, const char* key_id, const void* msg, size_t len,
                      int prehashed, uint8_t* sig, size_t* sig_len) {
  if (Bad(s) || key_id == nullptr || (msg == nullptr && len)) return VHSM_E_INVALID_ARGUMENT;
  auto r = s->client->Sign(key_id, View(msg, len), prehashed != 0);
  if (!r.ok()) return Fail(s, r.status());
  return CopyOut(s, r->data(), r->size(), sig, sig_len);
}

vhsm_status vhsm_verify(vhsm_session* s, const char* key_id, const void* msg, size_t len,
                        const void* sig, size_t sig_len, int prehashed, int* valid) {
  if (Bad(s) || key_id == nullptr || valid == nullptr || (msg == nullptr && len) ||
      (sig == nullptr && sig_len)) {
    return VHSM_E_INVALID_ARGUMENT;
  }
  auto r = s->client->Verify(key_id, View(msg, len), View(sig, sig_len), prehashed != 0);
  if (!r.ok()) return Fail(s, r.status());
  *valid = *r ? 1 : 0;
  return VHSM_OK;
}

}  // extern "C"
