#include "vhsm/server/session.h"

#include "vhsm/crypto/random.h"
#include "vhsm/server/request_validator.h"

namespace vhsm::server {

void Session::Logout() {
  user.reset();
  master_key.Wipe();
  contexts.clear();  // libcrypto wipes the HMAC keys inside the contexts
  key_cache.clear();
}

Result<std::string> SessionManager::Open(const ClientId& client, int64_t now_ms) {
  VHSM_ASSIGN_OR_RETURN(crypto::Bytes raw, crypto::RandomBytes(kSessionIdSize));
  std::string id(raw.begin(), raw.end());
  std::lock_guard<std::mutex> lock(mu_);
  size_t& count = per_container_[client.container];
  if (count >= limits_.max_sessions_per_container) {
    return ResourceExhausted("container '" + client.container + "' has " +
                             std::to_string(count) + " open sessions, the limit");
  }
  auto session = std::make_shared<Session>(id, client);
  session->last_used_ms = now_ms;
  sessions_[id] = std::move(session);
  ++count;
  return id;
}

Result<std::shared_ptr<Session>> SessionManager::Find(const ClientId& client,
                                                      const std::string& id,
                                                      int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end() || !(it->second->owner() == client)) {
    return NotFound("no such session (closed, expired, or not yours)");
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
      return NotFound("no such session (closed, expired, or not yours)");
    }
    session = std::move(it->second);
    sessions_.erase(it);
    --per_container_[client.container];
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

size_t SessionManager::ExpireIdle(int64_t now_ms) {
  std::vector<std::shared_ptr<Session>> expired;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      if (now_ms - it->second->last_used_ms > limits_.idle_timeout_ms) {
        --per_container_[it->second->owner().container];
        expired.push_back(std::move(it->second));
        it = sessions_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& s : expired) {
    std::lock_guard<std::mutex> lock(s->mu);
    s->Logout();
  }
  return expired.size();
}

void SessionManager::CloseContainer(const std::string& container) {
  std::vector<std::shared_ptr<Session>> closed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      if (it->second->owner().container == container) {
        closed.push_back(std::move(it->second));
        it = sessions_.erase(it);
      } else {
        ++it;
      }
    }
    per_container_.erase(container);
  }
  for (auto& s : closed) {
    std::lock_guard<std::mutex> lock(s->mu);
    s->Logout();
  }
}

void SessionManager::CloseAll() {
  std::unordered_map<std::string, std::shared_ptr<Session>> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    all.swap(sessions_);
    per_container_.clear();
  }
  for (auto& [id, s] : all) {
    std::lock_guard<std::mutex> lock(s->mu);
    s->Logout();
  }
}

size_t SessionManager::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sessions_.size();
}

}  // namespace vhsm::server
