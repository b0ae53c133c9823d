// Sessions: open, close, login, logout.
#include <algorithm>
#include <string>

#include "vhsm/noise/noise_nk.h"
#include "vhsm/server/ops/key_access.h"
#include "vhsm/server/ops/ops.h"

namespace vhsm::server::ops {

Status OpenSession(Env& env, Call& call) {
  const std::string& first = call.req.open_session().handshake();
  if (first.empty()) {
    return FailedPrecondition(
        "open_session needs a secure-channel handshake (this client predates it; upgrade it)");
  }
  VHSM_ASSIGN_OR_RETURN(noise::Handshake hs,
                        noise::Handshake::Responder(*env.identity, noise::kVhsmPrologue));
  if (!hs.ReadMessage1(first).ok()) {
    return Unauthenticated(
        "secure channel handshake failed: the client expects another "
        "vhsmd key than this daemon's");
  }
  VHSM_ASSIGN_OR_RETURN(std::shared_ptr<Session> session,
                        env.sessions->Open(call.caller.client, env.now_ms));
  Result<crypto::Bytes> second = hs.WriteMessage2(session->id());
  Result<noise::TransportKeys> keys = second.ok() ? hs.Split() : second.status();
  if (!keys.ok()) {
    (void)env.sessions->Close(call.caller.client, session->id());
    return keys.status();
  }
  {
    std::lock_guard<std::mutex> lock(session->mu);
    session->channel = std::move(keys).value();
    session->request_ad = noise::kRequestAd + session->id();
    session->response_ad = noise::kResponseAd + session->id();
  }
  call.resp->mutable_open_session()->set_handshake(second->data(), second->size());
  return Status::Ok();
}

Status ServerKey(Env& env, Call& call) {
  const crypto::Bytes& pub = env.identity->public_key();
  call.resp->mutable_server_key()->set_public_key(pub.data(), pub.size());
  return Status::Ok();
}

Status CloseSession(Env& env, Call& call) {
  // The Service ends the session once the answer is on its way (it holds
  // the session's lock while a handler runs).
  return Status::Ok();
}

namespace {

// StoreLockout: refused while the store says the user is locked out
// (failures counted by every vhsmd on a shared store).
Status StoreLockout(Env& env, const std::string& container, const std::string& user) {
  Result<storage::UserRecord> u = env.store->GetUser(container, user);
  if (!u.ok() || u->locked_until_ms <= env.now_ms) return Status::Ok();
  int64_t wait_s = std::max<int64_t>(1, (u->locked_until_ms - env.now_ms + 999) / 1000);
  return ResourceExhausted("login locked after failed logins; try again in " +
                           std::to_string(wait_s) + " s");
}

}  // namespace

Status Login(Env& env, Call& call) {
  Session& s = *call.session;
  const proto::LoginRequest& login = call.req.login();
  if (s.user) {
    // The 2013 VHSM skipped the password check here. Never.
    return FailedPrecondition("session is already logged in as '" + *s.user + "'; log out first");
  }
  const std::string& container = call.caller.client.container;
  // The throttle's key is the kernel's word on the sender, never the request.
  uid_t uid = call.caller.has_creds ? call.caller.uid : static_cast<uid_t>(-1);
  // A name that cannot exist is throttled like any unknown user (and costs
  // the same PBKDF2), so nothing tells names that exist from those that do not.
  bool valid = storage::ValidUserName(login.user());
  const std::string user = valid ? login.user() : std::string();
  const std::string throttle_name = valid ? user : std::string("\x01invalid");
  if (valid) call.user_for_log = user;  // the name tried, for the audit trail
  VHSM_RETURN_IF_ERROR(env.throttle->Begin(container, throttle_name, uid, env.now_ms));
  VHSM_ASSIGN_OR_RETURN(ResourceLedger::Token locked,
                        env.ledger->Take(container, Resource::kLockedBytes, kPage, kPage));
  const bool shared = env.options->store_lockout_failures > 0 && valid;
  if (shared) VHSM_RETURN_IF_ERROR(StoreLockout(env, container, user));
  Result<crypto::SecretBytes> master = env.vault->Login(container, user, login.password());
  if (!master.ok()) {
    if (master.status().code() == StatusCode::kUnauthenticated) {
      env.throttle->Failed(container, throttle_name, uid, env.now_ms);
      if (shared) {
        (void)env.store->RecordLoginFailure(container, user, env.options->store_lockout_failures,
                                            env.options->store_lockout_ms, env.now_ms);
      }
    }
    return master.status();
  }
  env.throttle->Succeeded(container, throttle_name, uid, env.now_ms);
  if (shared) (void)env.store->ResetLoginFailures(container, user);
  s.Logout();  // start from nothing: no context survives a login either
  env.sessions->SetLoggedIn(s, user);
  s.user = user;
  Result<storage::UserRecord> record = env.store->GetUser(container, user);
  s.role = record.ok() ? record->role : "user";
  s.master_key = std::move(master).value();
  s.master_key_locked = std::move(locked);
  // Users from before sharing get their share key pair at their next login
  // (best effort: a login does not fail for it; sharing with them waits).
  (void)env.vault->EnsureShareKeys(s.owner_of_keys(), s.master_key);
  return Status::Ok();
}

Status Logout(Env& env, Call& call) {
  call.session->Logout();
  env.sessions->SetLoggedIn(*call.session, "");
  return Status::Ok();
}

Status PasswordChange(Env& env, Call& call) {
  Session& s = *call.session;
  VHSM_RETURN_IF_ERROR(NeedLogin(s));
  const auto& r = call.req.password_change();
  const std::string& container = call.caller.client.container;
  const std::string& user = *s.user;
  uid_t uid = call.caller.has_creds ? call.caller.uid : static_cast<uid_t>(-1);
  VHSM_RETURN_IF_ERROR(env.throttle->Begin(container, user, uid, env.now_ms));
  Status st = env.vault->ChangePassword(container, user, r.old_password(), r.new_password());
  if (st.code() == StatusCode::kUnauthenticated) {
    env.throttle->Failed(container, user, uid, env.now_ms);
    return Unauthenticated("the old password is wrong");
  }
  if (st.ok()) env.throttle->Succeeded(container, user, uid, env.now_ms);
  return st;
}

Status UserStatus(Env& env, Call& call) {
  const std::string& user = call.req.user_status().user();
  uid_t uid = call.caller.has_creds ? call.caller.uid : static_cast<uid_t>(-1);
  int64_t until =
      storage::ValidUserName(user)
          ? env.throttle->LockedUntil(call.caller.client.container, user, uid, env.now_ms)
          : 0;
  if (env.options->store_lockout_failures > 0 && storage::ValidUserName(user)) {
    Result<storage::UserRecord> u = env.store->GetUser(call.caller.client.container, user);
    if (u.ok() && u->locked_until_ms > env.now_ms) until = std::max(until, u->locked_until_ms);
  }
  call.resp->mutable_user_status()->set_locked(until != 0);
  call.resp->mutable_user_status()->set_locked_until_unix_ms(until);
  return Status::Ok();
}

}  // namespace vhsm::server::ops
