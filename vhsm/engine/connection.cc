#include "vhsm/engine/connection.h"

#include <string.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "vhsm/api/credentials.h"
#include "vhsm/base/parse.h"

namespace vhsm::engine {

std::string KeyIdFrom(const std::string& text, bool allow_bare) {
  const std::string prefix = kKeyPrefix;
  if (text.compare(0, prefix.size(), prefix) == 0) return text.substr(prefix.size());
  return allow_bare ? text : "";
}

void Connection::SetUser(std::string user) {
  std::lock_guard<std::mutex> lock(mu_);
  user_ = std::move(user);
}

void Connection::SetPasswordFile(std::string path) {
  std::lock_guard<std::mutex> lock(mu_);
  password_file_ = std::move(path);
}

void Connection::SetPassword(std::string password) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!password_.empty()) explicit_bzero(password_.data(), password_.size());
  password_ = std::move(password);
}

std::string EcdsaDigest(const unsigned char* digest, size_t len, size_t n) {
  std::string out(n, '\0');
  if (len >= n) {
    memcpy(out.data(), digest, n);
  } else if (len > 0) {
    memcpy(out.data() + (n - len), digest, len);
  }
  return out;
}

Status Connection::SetPortId(const std::string& text) {
  std::optional<uint32_t> port = ParsePortId(text);
  if (!port) return InvalidArgument("invalid VHSM port id '" + text + "'");
  std::lock_guard<std::mutex> lock(mu_);
  port_id_ = *port;
  return Status::Ok();
}

void Connection::SetServerKey(std::string key_or_path) {
  std::lock_guard<std::mutex> lock(mu_);
  server_key_ = std::move(key_or_path);
}

void Connection::SetTimeoutMs(int ms) {
  std::lock_guard<std::mutex> lock(mu_);
  timeout_ms_ = ms;
}

Result<std::string> Connection::ReadPassword() {
  if (!password_.empty()) return password_;
  if (!password_file_.empty()) return ReadPasswordFile(password_file_);
  if (std::optional<Result<std::string>> env = PasswordFromEnvironment()) return *env;
  return Unauthenticated(
      "no VHSM password: set PASSWORD_FILE, VHSM_PASSWORD or "
      "VHSM_PASSWORD_FILE");
}

Result<std::shared_ptr<Client>> Connection::Get() {
  std::lock_guard<std::mutex> lock(mu_);
  if (client_) return client_;
  std::string user = user_;
  if (user.empty()) {
    if (const char* env = std::getenv("VHSM_USER"); env && *env) user = env;
  }
  if (user.empty()) return InvalidArgument("no VHSM user: set USER or VHSM_USER");
  ClientOptions options;
  options.port_id = port_id_;
  options.timeout_ms = timeout_ms_;
  options.server_key = server_key_;
  VHSM_ASSIGN_OR_RETURN(std::unique_ptr<Client> client, Client::Connect(options));
  VHSM_ASSIGN_OR_RETURN(std::string password, ReadPassword());
  Status s = client->Login(user, password);
  explicit_bzero(password.data(), password.size());
  if (!password_.empty()) {
    explicit_bzero(password_.data(), password_.size());
    password_.clear();
  }
  VHSM_RETURN_IF_ERROR(s);
  client_ = std::shared_ptr<Client>(std::move(client));
  return client_;
}

void Connection::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  client_.reset();
}

}  // namespace vhsm::engine
