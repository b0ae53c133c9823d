#include "vhsm/server/session.h"

#include "vhsm/crypto/random.h"
#include "vhsm/proto/status_mapping.h"

namespace vhsm::server {

void Session::Logout() {
  // The channel stays: logging out is a request answered through it.
  user.reset();
  role.clear();
  master_key.Wipe();
  master_key_locked.Release();
  contexts.clear();  // libcrypto wipes the HMAC keys inside the contexts
  key_cache.clear();
}

Result<std::shared_ptr<Session>> SessionManager::Open(const ClientId& client, int64_t now_ms) {
  VHSM_ASSIGN_OR_RETURN(
      ResourceLedger::Token held,
      ledger_->Take(client.container, Resource::kSessions, 1, sizeof(Session) + 256));
  VHSM_ASSIGN_OR_RETURN(crypto::Bytes raw, crypto::RandomBytes(kSessionIdSize));
  std::string id(raw.begin(), raw.end());
  auto session = std::make_shared<Session>(id, client, std::move(held));
  session->last_used_ms = now_ms;
  std::lock_guard<std::mutex> lock(mu_);
  sessions_[id] = session;
  return session;
}

Result<std::shared_ptr<Session>> SessionManager::Find(const ClientId& client, const std::string& id,
                                                      int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end() || !(it->second->owner() == client)) {
    return NotFound(kNoSuchSession);
  }
  it->second->last_used_ms = now_ms;  // atomic enough: read only by ExpireIdle under mu_
  return it->second;
}

Status SessionManager::Close(const ClientId& client, const std::string& id) {
  std::shared_ptr<Session> session;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sessions_.find(id);
    if (it == sessions_.end() || !(it->second->owner() == client)) {
      return NotFound(kNoSuchSession);
    }
    session = std::move(it->second);
    sessions_.erase(it);
  }
  std::lock_guard<std::mutex> lock(session->mu);
  session->Logout();
  return Status::Ok();
}

namespace {
std::string UserKey(const std::string& container, const std::string& user) {
  return container + '\0' + user;
}
}  // namespace

void SessionManager::KeysChanged(const std::string& container, const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  ++key_generation_[UserKey(container, user)];
}

uint64_t SessionManager::KeyGeneration(const std::string& container,
                                       const std::string& user) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = key_generation_.find(UserKey(container, user));
  return it == key_generation_.end() ? 0 : it->second;
}

template <typename Pred>
size_t SessionManager::CloseIf(Pred pred) {
  std::vector<std::shared_ptr<Session>> closed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      if (pred(*it->second)) {
        closed.push_back(std::move(it->second));
        it = sessions_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& s : closed) {
    std::lock_guard<std::mutex> lock(s->mu);
    s->Logout();
  }
  return closed.size();
}

size_t SessionManager::ExpireIdle(int64_t now_ms) {
  return CloseIf(
      [&](const Session& s) { return now_ms - s.last_used_ms > limits_.idle_timeout_ms; });
}

void SessionManager::CloseContainer(const std::string& container) {
  CloseIf([&](const Session& s) { return s.owner().container == container; });
}

void SessionManager::CloseClient(const ClientId& client) {
  CloseIf([&](const Session& s) { return s.owner() == client; });
}

void SessionManager::SetLoggedIn(Session& session, const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  session.logged_in_as_ = user;
}

size_t SessionManager::CloseUser(const std::string& container, const std::string& user) {
  // Chosen by what the manager knows (never by taking session locks while
  // holding mu_: the caller, an admin request, holds its own session's).
  size_t n = CloseIf([&](const Session& s) {
    return s.owner().container == container && s.logged_in_as_ == user;
  });
  std::lock_guard<std::mutex> lock(mu_);
  ++key_generation_[UserKey(container, user)];
  return n;
}

void SessionManager::CloseAll() {
  CloseIf([](const Session&) { return true; });
}

size_t SessionManager::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sessions_.size();
}

}  // namespace vhsm::server
