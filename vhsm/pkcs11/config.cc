// The token's configuration: the environment (VHSM_USER, VHSM_PORT_ID,
// VHSM_SERVER_KEY, VHSM_PASSWORD_FILE) and, for what it leaves unsaid, the
// file VHSM_PKCS11_CONF names (for applications that load the module
// through p11-kit and set no environment of their own).
#include <cstdlib>
#include <fstream>
#include <string>

#include "vhsm/base/parse.h"
#include "vhsm/pkcs11/internal/module.h"

namespace vhsm::pkcs11 {
namespace {

std::string Trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r");
  size_t b = s.find_last_not_of(" \t\r");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

}  // namespace

Result<Config> LoadConfig() {
  Config c;
  std::string server_key, port;
  if (const char* path = std::getenv("VHSM_PKCS11_CONF"); path != nullptr && *path != '\0') {
    std::ifstream in(path);
    if (!in) return NotFound(std::string("cannot read VHSM_PKCS11_CONF ") + path);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      line = Trim(line.substr(0, line.find('#')));
      if (line.empty()) continue;
      size_t eq = line.find('=');
      std::string name = eq == std::string::npos ? "" : Trim(line.substr(0, eq));
      std::string value = eq == std::string::npos ? "" : Trim(line.substr(eq + 1));
      if (name == "user") {
        c.user = value;
      } else if (name == "port_id") {
        port = value;
      } else if (name == "server_key") {
        server_key = value;
      } else if (name == "password_file") {
        c.password_file = value;
      } else {
        return InvalidArgument(std::string(path) + ":" + std::to_string(n) +
                               ": expected user, port_id, server_key or password_file = VALUE");
      }
    }
  }
  // The environment wins over the file.
  if (!Env("VHSM_USER").empty()) c.user = Env("VHSM_USER");
  if (!Env("VHSM_PASSWORD_FILE").empty()) c.password_file = Env("VHSM_PASSWORD_FILE");
  if (!Env("VHSM_PORT_ID").empty()) port = Env("VHSM_PORT_ID");
  c.port_text = port;
  if (Env("VHSM_PORT_ID").empty() && !port.empty()) {
    std::optional<uint32_t> id = ParsePortId(port);
    if (!id) return InvalidArgument("invalid port_id '" + port + "'");
    c.options.port_id = *id;
  }
  if (Env("VHSM_SERVER_KEY").empty()) c.options.server_key = server_key;
  return c;
}

}  // namespace vhsm::pkcs11
