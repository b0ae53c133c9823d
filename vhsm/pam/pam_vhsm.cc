// pam_vhsm.so: PAM on VHSM logins, for the container the PAM application
// runs in (vhsmd knows the container by the network namespace the request
// comes from; the PAM user is the VHSM user).
//   auth      a VHSM login with the password (PAM_AUTH_ERR for a wrong
//             password and for an unknown user alike; PAM_MAXTRIES while
//             vhsmd throttles; PAM_AUTHINFO_UNAVAIL when vhsmd is away)
//   account   PAM_PERM_DENIED for a user locked out (for this uid) after
//             failed logins
//   password  changes the VHSM password: the old one, then the new one
//             through PAM's conversation (keys stay: the master key is
//             rewrapped)
// Options: port_id=N, server_key=KEY|FILE (else $VHSM_PORT_ID,
// $VHSM_SERVER_KEY, /etc/vhsm/vhsmd.pub as for every libvhsm client). The
// module logs user names and outcomes, never a password; it keeps no copy
// of one (PAM owns the tokens it hands out).
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <syslog.h>

#include <cstring>
#include <memory>
#include <string>

#include "vhsm/api/client.h"
#include "vhsm/base/parse.h"

namespace {

bool ParseOptions(pam_handle_t* pamh, int argc, const char** argv, vhsm::ClientOptions* o) {
  o->reconnect = false;  // one login, one answer
  o->timeout_ms = 10000;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("port_id=", 0) == 0) {
      std::optional<uint32_t> port = vhsm::ParsePortId(arg.substr(8));
      if (!port) {
        pam_syslog(pamh, LOG_ERR, "invalid option %s", argv[i]);
        return false;
      }
      o->port_id = *port;
    } else if (arg.rfind("server_key=", 0) == 0) {
      o->server_key = arg.substr(11);
    } else {
      pam_syslog(pamh, LOG_ERR, "unknown option %s (port_id=N, server_key=KEY|FILE)", argv[i]);
      return false;
    }
  }
  return true;
}

int PamCode(const vhsm::Status& s) {
  switch (s.code()) {
    case vhsm::StatusCode::kUnauthenticated:
    case vhsm::StatusCode::kInvalidArgument:  // e.g. a name VHSM would never have
      return PAM_AUTH_ERR;
    case vhsm::StatusCode::kResourceExhausted:
      return PAM_MAXTRIES;
    case vhsm::StatusCode::kUnavailable:
    case vhsm::StatusCode::kDeadlineExceeded:
    case vhsm::StatusCode::kFailedPrecondition:  // vhsmd's key not configured or not proven
      return PAM_AUTHINFO_UNAVAIL;
    default:
      return PAM_SERVICE_ERR;
  }
}

// Start: the options, the user and a connection to vhsmd, or a PAM code.
int Start(pam_handle_t* pamh, int argc, const char** argv, const char** user,
          std::unique_ptr<vhsm::Client>* client) {
  vhsm::ClientOptions options;
  if (!ParseOptions(pamh, argc, argv, &options)) return PAM_SERVICE_ERR;
  if (pam_get_user(pamh, user, nullptr) != PAM_SUCCESS || *user == nullptr || **user == '\0') {
    return PAM_USER_UNKNOWN;
  }
  vhsm::Result<std::unique_ptr<vhsm::Client>> c = vhsm::Client::Connect(options);
  if (!c.ok()) {
    pam_syslog(pamh, LOG_ERR, "cannot reach vhsmd: %s", c.status().message().c_str());
    return PAM_AUTHINFO_UNAVAIL;
  }
  *client = std::move(c).value();
  return PAM_SUCCESS;
}

}  // namespace

extern "C" {

PAM_EXTERN int pam_sm_authenticate(pam_handle_t* pamh, int, int argc, const char** argv) {
  const char* user = nullptr;
  std::unique_ptr<vhsm::Client> client;
  int rc = Start(pamh, argc, argv, &user, &client);
  if (rc != PAM_SUCCESS) return rc;
  const char* password = nullptr;
  rc = pam_get_authtok(pamh, PAM_AUTHTOK, &password, nullptr);
  if (rc != PAM_SUCCESS) return rc;
  if (password == nullptr) return PAM_AUTH_ERR;
  vhsm::Status s = client->Login(user, password);
  if (!s.ok()) {
    pam_syslog(pamh, LOG_NOTICE, "VHSM login of %s refused: %s", user, s.message().c_str());
    return PamCode(s);
  }
  return PAM_SUCCESS;
}

PAM_EXTERN int pam_sm_setcred(pam_handle_t*, int, int, const char**) { return PAM_SUCCESS; }

PAM_EXTERN int pam_sm_acct_mgmt(pam_handle_t* pamh, int, int argc, const char** argv) {
  const char* user = nullptr;
  std::unique_ptr<vhsm::Client> client;
  int rc = Start(pamh, argc, argv, &user, &client);
  if (rc != PAM_SUCCESS) return rc;
  vhsm::Result<bool> locked = client->LockedOut(user);
  if (!locked.ok()) return PamCode(locked.status());
  if (*locked) {
    pam_syslog(pamh, LOG_NOTICE, "VHSM user %s is locked out after failed logins", user);
    return PAM_PERM_DENIED;
  }
  return PAM_SUCCESS;
}

PAM_EXTERN int pam_sm_chauthtok(pam_handle_t* pamh, int flags, int argc, const char** argv) {
  const char* user = nullptr;
  std::unique_ptr<vhsm::Client> client;
  int rc = Start(pamh, argc, argv, &user, &client);
  if (rc != PAM_SUCCESS) return rc == PAM_AUTHINFO_UNAVAIL ? PAM_TRY_AGAIN : rc;
  if (flags & PAM_PRELIM_CHECK) return PAM_SUCCESS;  // vhsmd answers: go on
  const char* old_password = nullptr;
  rc = pam_get_authtok(pamh, PAM_OLDAUTHTOK, &old_password, "Current VHSM password: ");
  if (rc != PAM_SUCCESS) return rc;
  vhsm::Status s = client->Login(user, old_password != nullptr ? old_password : "");
  if (!s.ok()) {
    pam_syslog(pamh, LOG_NOTICE, "VHSM password change of %s refused: %s", user,
               s.message().c_str());
    return s.code() == vhsm::StatusCode::kResourceExhausted ? PAM_MAXTRIES : PAM_AUTHTOK_ERR;
  }
  const char* new_password = nullptr;
  rc = pam_get_authtok(pamh, PAM_AUTHTOK, &new_password, nullptr);  // asks twice
  if (rc != PAM_SUCCESS) return rc;
  if (new_password == nullptr || *new_password == '\0') return PAM_AUTHTOK_ERR;
  s = client->ChangePassword(old_password, new_password);
  if (!s.ok()) {
    pam_syslog(pamh, LOG_ERR, "VHSM password change of %s failed: %s", user, s.message().c_str());
    return PAM_AUTHTOK_ERR;
  }
  pam_syslog(pamh, LOG_INFO, "VHSM password of %s changed", user);
  return PAM_SUCCESS;
}

}  // extern "C"
