// Connection: the client side shared by the OpenSSL engine and provider. It
// holds the credentials (set explicitly, or from VHSM_USER, VHSM_PASSWORD,
// VHSM_PASSWORD_FILE and VHSM_PORT_ID), opens one session lazily on first use,
// logs in once, and hands out the shared vhsm::Client (whose calls are
// serialized, so any thread may use it). A failed connect or login is not
// cached: the next use tries again. The password is read from its file only at login and wiped
// right after.
#ifndef VHSM_ENGINE_CONNECTION_H_
#define VHSM_ENGINE_CONNECTION_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "vhsm/api/client.h"
#include "vhsm/base/status.h"

namespace vhsm::engine {

// The "vhsm:" prefix that names a VHSM key wherever OpenSSL expects a key.
inline constexpr char kKeyPrefix[] = "vhsm:";

// StripKeyPrefix returns the key id of "vhsm:ID" (or of a bare "ID" when
// allow_bare), or "" when the text does not name a VHSM key.
std::string KeyIdFrom(const std::string& text, bool allow_bare);

// EcdsaDigest returns the n bytes vhsmd signs for a digest of any length on
// a curve of n-byte order (32 for P-256, 48 for P-384): ECDSA uses the
// leftmost 8n bits; a shorter digest is a number of fewer bits, i.e.
// left-padded with zeros.
std::string EcdsaDigest(const unsigned char* digest, size_t len, size_t n);

class Connection {
 public:
  Connection() = default;

  // Setters for explicit configuration (engine ctrls, provider params);
  // each overrides the matching environment variable. Not for use once
  // connected.
  void SetUser(std::string user);
  void SetPasswordFile(std::string path);
  void SetPassword(std::string password);  // wiped after login
  Status SetPortId(const std::string& text);
  // SetServerKey: vhsmd's public key, or the path of its file.
  void SetServerKey(std::string key_or_path);
  void SetTimeoutMs(int ms);

  // Get returns the logged-in client, connecting on first use.
  Result<std::shared_ptr<Client>> Get();
  // Reset drops the session (e.g. after the daemon restarted).
  void Reset();

 private:
  Result<std::string> ReadPassword();

  std::mutex mu_;
  std::string user_, password_file_, password_;
  uint32_t port_id_ = 0;
  std::string server_key_;
  int timeout_ms_ = 10000;
  std::shared_ptr<Client> client_;
};

}  // namespace vhsm::engine

#endif  // VHSM_ENGINE_CONNECTION_H_
