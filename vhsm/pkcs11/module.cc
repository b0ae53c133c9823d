// libvhsm-pkcs11.so: the PKCS#11 entry points (2.40 C_GetFunctionList and
// 3.0 C_GetInterface[List]). One slot (0) holding the token of $VHSM_USER;
// vhsmd is found and trusted as by every libvhsm client ($VHSM_PORT_ID,
// $VHSM_SERVER_KEY or /etc/vhsm/vhsmd.pub). Locking is the module's own
// (CKF_OS_LOCKING_OK), plus the application's mutex when C_Initialize gives
// callbacks without that flag; a forked child must call C_Initialize again and gets
// a channel of its own. Entry points the module does not offer answer
// CKR_FUNCTION_NOT_SUPPORTED (function_list.cc).
#include "vhsm/pkcs11/internal/module.h"

#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

#include "vhsm/api/client.h"
#include "vhsm/pkcs11/internal/attrs.h"

namespace vhsm::pkcs11 {

void DropSessionKeys(State& s, Session& session) {
  for (const std::string& id : session.session_keys) {
    (void)s.client->DeleteKey(id);
    s.ForgetKey(id);
  }
  session.session_keys.clear();
}

State& TheState() {
  static State* s = new State();  // never destroyed: entry points may race exit
  return *s;
}

namespace {

constexpr CK_SLOT_ID kSlot = 0;

void Pad(unsigned char* field, size_t size, const std::string& text) {
  std::memset(field, ' ', size);
  std::memcpy(field, text.data(), std::min(size, text.size()));
}

// Serial: stable for a user and port (FNV-1a of both, 16 hex digits).
std::string Serial(const State& s) {
  std::string text = s.user + "@" + s.config.port_text;
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  char out[17];
  std::snprintf(out, sizeof(out), "%016llx", static_cast<unsigned long long>(h));
  return out;
}

}  // namespace
}  // namespace vhsm::pkcs11

using vhsm::pkcs11::State;
using vhsm::pkcs11::TheState;

extern "C" {

CK_RV C_Initialize(CK_VOID_PTR args) {
  State& s = TheState();
  std::lock_guard<std::mutex> lock(s.mu);
  auto* a = static_cast<CK_C_INITIALIZE_ARGS*>(args);
  bool callbacks = false;
  if (a != nullptr) {
    if (a->pReserved != nullptr) return CKR_ARGUMENTS_BAD;
    bool some = a->CreateMutex || a->DestroyMutex || a->LockMutex || a->UnlockMutex;
    bool all = a->CreateMutex && a->DestroyMutex && a->LockMutex && a->UnlockMutex;
    if (some && !all) return CKR_ARGUMENTS_BAD;
    callbacks = all && !(a->flags & CKF_OS_LOCKING_OK);
  }
  if (vhsm::pkcs11::Ready(s)) return CKR_CRYPTOKI_ALREADY_INITIALIZED;
  s.app_mutex = nullptr;  // a forked child's copy is its parent's
  if (callbacks) {
    // The application's own mutex guards every entry point from now on
    // (beside the module's: Linux threads are what the application runs).
    void* m = nullptr;
    if (a->CreateMutex(&m) != CKR_OK || m == nullptr) return CKR_CANT_LOCK;
    s.app_lock = a->LockMutex;
    s.app_unlock = a->UnlockMutex;
    s.app_destroy = a->DestroyMutex;
    s.app_mutex = m;
  }
  if (s.initialized) {
    // A forked child: the parent's channel is the parent's. Drop it without
    // closing its session (that would end the parent's).
    (void)s.client.release();
  }
  s.sessions.clear();
  s.objects.clear();
  s.handle_of.clear();
  s.logged_in = false;
  s.listing_login = false;
  s.client.reset();
  vhsm::Result<vhsm::pkcs11::Config> config = vhsm::pkcs11::LoadConfig();
  if (!config.ok()) {
    std::fprintf(stderr, "libvhsm-pkcs11: %s\n", config.status().message().c_str());
    return CKR_GENERAL_ERROR;
  }
  s.config = std::move(config).value();
  s.user = s.config.user;
  s.initialized = true;
  s.pid = getpid();
  return CKR_OK;
}

CK_RV C_Finalize(CK_VOID_PTR reserved) {
  if (reserved != nullptr) return CKR_ARGUMENTS_BAD;
  State& s = TheState();
  std::lock_guard<std::mutex> lock(s.mu);
  if (!vhsm::pkcs11::Ready(s)) return CKR_CRYPTOKI_NOT_INITIALIZED;
  void* app = s.app_mutex;
  if (app != nullptr) s.app_lock(app);
  s.sessions.clear();
  s.client.reset();  // closes the session: vhsmd forgets the login
  s.logged_in = false;
  s.initialized = false;
  s.app_mutex = nullptr;
  if (app != nullptr) {
    s.app_unlock(app);
    s.app_destroy(app);
  }
  return CKR_OK;
}

CK_RV C_GetInfo(CK_INFO_PTR info) {
  if (info == nullptr) return CKR_ARGUMENTS_BAD;
  VHSM_P11_ENTER(s);
  std::memset(info, 0, sizeof(*info));
  info->cryptokiVersion = {2, 40};
  vhsm::pkcs11::Pad(info->manufacturerID, sizeof(info->manufacturerID), "VHSM");
  vhsm::pkcs11::Pad(info->libraryDescription, sizeof(info->libraryDescription),
                    "VHSM PKCS#11 module (vhsmd keys)");
  info->libraryVersion = {1, 0};
  return CKR_OK;
}

CK_RV C_GetSlotList(CK_BBOOL, CK_SLOT_ID_PTR list, CK_ULONG_PTR count) {
  if (count == nullptr) return CKR_ARGUMENTS_BAD;
  VHSM_P11_ENTER(s);
  CK_ULONG n = s.user.empty() ? 0 : 1;
  if (list != nullptr) {
    if (*count < n) {
      *count = n;
      return CKR_BUFFER_TOO_SMALL;
    }
    if (n == 1) list[0] = vhsm::pkcs11::kSlot;
  }
  *count = n;
  return CKR_OK;
}

CK_RV C_GetSlotInfo(CK_SLOT_ID slot, CK_SLOT_INFO_PTR info) {
  if (info == nullptr) return CKR_ARGUMENTS_BAD;
  VHSM_P11_ENTER(s);
  if (slot != vhsm::pkcs11::kSlot || s.user.empty()) return CKR_SLOT_ID_INVALID;
  std::memset(info, 0, sizeof(*info));
  vhsm::pkcs11::Pad(info->slotDescription, sizeof(info->slotDescription), "vhsmd");
  vhsm::pkcs11::Pad(info->manufacturerID, sizeof(info->manufacturerID), "VHSM");
  info->flags = CKF_TOKEN_PRESENT;
  return CKR_OK;
}

CK_RV C_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info) {
  if (info == nullptr) return CKR_ARGUMENTS_BAD;
  VHSM_P11_ENTER(s);
  if (slot != vhsm::pkcs11::kSlot || s.user.empty()) return CKR_SLOT_ID_INVALID;
  std::memset(info, 0, sizeof(*info));
  vhsm::pkcs11::Pad(info->label, sizeof(info->label), s.user);
  vhsm::pkcs11::Pad(info->manufacturerID, sizeof(info->manufacturerID), "VHSM");
  vhsm::pkcs11::Pad(info->model, sizeof(info->model), "vhsmd");
  vhsm::pkcs11::Pad(info->serialNumber, sizeof(info->serialNumber), vhsm::pkcs11::Serial(s));
  info->flags = CKF_RNG | CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED | CKF_TOKEN_INITIALIZED;
  if (std::time(nullptr) < s.pin_locked_until) info->flags |= CKF_USER_PIN_LOCKED;
  info->ulMaxSessionCount = CK_EFFECTIVELY_INFINITE;
  info->ulSessionCount = s.sessions.size();
  info->ulMaxRwSessionCount = CK_EFFECTIVELY_INFINITE;
  info->ulMaxPinLen = 1024;
  info->ulMinPinLen = 1;
  info->ulTotalPublicMemory = info->ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
  info->ulTotalPrivateMemory = info->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
  info->hardwareVersion = {1, 0};
  info->firmwareVersion = {1, 0};
  return CKR_OK;
}

CK_RV C_GetMechanismList(CK_SLOT_ID slot, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR count) {
  if (count == nullptr) return CKR_ARGUMENTS_BAD;
  VHSM_P11_ENTER(s);
  if (slot != vhsm::pkcs11::kSlot || s.user.empty()) return CKR_SLOT_ID_INVALID;
  const auto& all = vhsm::pkcs11::Mechanisms();
  if (list != nullptr && *count < all.size()) {
    *count = all.size();
    return CKR_BUFFER_TOO_SMALL;
  }
  for (size_t i = 0; list != nullptr && i < all.size(); ++i) list[i] = all[i].first;
  *count = all.size();
  return CKR_OK;
}

CK_RV C_GetMechanismInfo(CK_SLOT_ID slot, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR info) {
  if (info == nullptr) return CKR_ARGUMENTS_BAD;
  VHSM_P11_ENTER(s);
  if (slot != vhsm::pkcs11::kSlot || s.user.empty()) return CKR_SLOT_ID_INVALID;
  for (const auto& [m, i] : vhsm::pkcs11::Mechanisms()) {
    if (m == type) {
      *info = i;
      return CKR_OK;
    }
  }
  return CKR_MECHANISM_INVALID;
}

CK_RV C_OpenSession(CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR, CK_NOTIFY,
                    CK_SESSION_HANDLE_PTR out) {
  if (out == nullptr) return CKR_ARGUMENTS_BAD;
  VHSM_P11_ENTER(s);
  if (slot != vhsm::pkcs11::kSlot || s.user.empty()) return CKR_SLOT_ID_INVALID;
  if (!(flags & CKF_SERIAL_SESSION)) return CKR_SESSION_PARALLEL_NOT_SUPPORTED;
  if (s.client == nullptr) {
    auto client = vhsm::Client::Connect(s.config.options);
    if (!client.ok()) return CKR_DEVICE_ERROR;
    s.client = std::move(client).value();
  }
  CK_SESSION_HANDLE h = s.next_session++;
  s.sessions[h].flags = flags;
  *out = h;
  return CKR_OK;
}

CK_RV C_CloseSession(CK_SESSION_HANDLE h) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  vhsm::pkcs11::DropSessionKeys(s, *session);
  s.sessions.erase(h);
  if (s.sessions.empty() && s.logged_in) {  // the last session ends the login
    (void)s.client->Logout();
    s.logged_in = false;
    s.listing_login = false;
    s.ForgetKeys();
  }
  return CKR_OK;
}

CK_RV C_CloseAllSessions(CK_SLOT_ID slot) {
  VHSM_P11_ENTER(s);
  if (slot != vhsm::pkcs11::kSlot) return CKR_SLOT_ID_INVALID;
  for (auto& [handle, session] : s.sessions) vhsm::pkcs11::DropSessionKeys(s, session);
  s.sessions.clear();
  if (s.logged_in || s.listing_login) (void)s.client->Logout();
  s.logged_in = false;
  s.listing_login = false;
  s.ForgetKeys();
  return CKR_OK;
}

CK_RV C_GetSessionInfo(CK_SESSION_HANDLE h, CK_SESSION_INFO_PTR info) {
  if (info == nullptr) return CKR_ARGUMENTS_BAD;
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  info->slotID = vhsm::pkcs11::kSlot;
  bool rw = session->flags & CKF_RW_SESSION;
  info->state = s.logged_in ? (rw ? CKS_RW_USER_FUNCTIONS : CKS_RO_USER_FUNCTIONS)
                            : (rw ? CKS_RW_PUBLIC_SESSION : CKS_RO_PUBLIC_SESSION);
  info->flags = session->flags;
  info->ulDeviceError = 0;
  return CKR_OK;
}

CK_RV C_Login(CK_SESSION_HANDLE h, CK_USER_TYPE type, CK_UTF8CHAR_PTR pin, CK_ULONG len) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  (void)session;
  if (type == CKU_SO || type == CKU_CONTEXT_SPECIFIC) return CKR_USER_TYPE_INVALID;
  if (type != CKU_USER) return CKR_USER_TYPE_INVALID;
  if (s.logged_in) return CKR_USER_ALREADY_LOGGED_IN;
  if (pin == nullptr) return CKR_ARGUMENTS_BAD;
  if (s.listing_login) {  // the PIN must prove itself, whatever listed before
    (void)s.client->Logout();
    s.listing_login = false;
  }
  vhsm::Status st = s.client->Login(s.user, std::string_view(reinterpret_cast<char*>(pin), len));
  if (!st.ok()) {
    if (st.code() == vhsm::StatusCode::kResourceExhausted) {
      // vhsmd throttles after failed logins: "... try again in N s". The
      // token says CKF_USER_PIN_LOCKED until then.
      size_t at = st.message().rfind("in ");
      long wait = at == std::string::npos ? 1 : std::atol(st.message().c_str() + at + 3);
      s.pin_locked_until = std::time(nullptr) + std::max(1L, wait);
      return CKR_PIN_LOCKED;
    }
    return st.code() == vhsm::StatusCode::kUnauthenticated ? CKR_PIN_INCORRECT : CKR_DEVICE_ERROR;
  }
  s.pin_locked_until = 0;
  s.logged_in = true;
  return CKR_OK;
}

CK_RV C_SetPIN(CK_SESSION_HANDLE h, CK_UTF8CHAR_PTR old_pin, CK_ULONG old_len,
               CK_UTF8CHAR_PTR new_pin, CK_ULONG new_len) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  if (!(session->flags & CKF_RW_SESSION)) return CKR_SESSION_READ_ONLY;
  if (old_pin == nullptr || new_pin == nullptr) return CKR_ARGUMENTS_BAD;
  if (new_len == 0 || new_len > 1024) return CKR_PIN_LEN_RANGE;
  std::string_view old_pw(reinterpret_cast<char*>(old_pin), old_len);
  std::string_view new_pw(reinterpret_cast<char*>(new_pin), new_len);
  // vhsmd changes a logged-in user's password: log in for it if need be.
  bool temporary = !s.logged_in && !s.listing_login;
  if (temporary && !s.client->Login(s.user, old_pw).ok()) return CKR_PIN_INCORRECT;
  vhsm::Status st = s.client->ChangePassword(old_pw, new_pw);
  if (temporary) (void)s.client->Logout();
  if (st.ok()) return CKR_OK;
  if (st.message().find("locked") != std::string::npos) return CKR_PIN_LOCKED;
  return st.code() == vhsm::StatusCode::kUnauthenticated ? CKR_PIN_INCORRECT : CKR_DEVICE_ERROR;
}

CK_RV C_Logout(CK_SESSION_HANDLE h) {
  VHSM_P11_ENTER(s);
  VHSM_P11_SESSION(s, h, session);
  (void)session;
  if (!s.logged_in) return CKR_USER_NOT_LOGGED_IN;
  (void)s.client->Logout();
  s.logged_in = false;
  s.listing_login = false;
  s.ForgetKeys();
  return CKR_OK;
}

}  // extern "C"
