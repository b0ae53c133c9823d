#include "vhsm/api/server_key.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace vhsm {
namespace {

bool Truthy(const char* v) { return v != nullptr && *v != '\0' && std::string(v) != "0"; }

std::string Trim(std::string s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  size_t e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

bool DecodeKey(const std::string& text, crypto::Bytes* out) {
  std::string t = Trim(text);
  if (t.size() == 64 && crypto::HexDecode(t, out) && out->size() == 32) return true;
  return crypto::Base64Decode(t, out) && out->size() == 32;
}

std::string KnownDaemonsPath(const ServerKeySource& source) {
  if (!source.known_daemons_file.empty()) return source.known_daemons_file;
  if (const char* env = std::getenv("VHSM_KNOWN_DAEMONS"); env != nullptr && *env != '\0') {
    return env;
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr && *home != '\0' ? home : "/root") + "/.vhsm/known_daemons";
}

const char kHowToGetIt[] =
    "vhsmd's public key is not configured: set VHSM_SERVER_KEY to the key or to its file "
    "(on the host, `vhsm-admin server-key` prints it; operators mount it at "
    "/etc/vhsm/vhsmd.pub), or opt in to trust on first use with VHSM_TRUST_ON_FIRST_USE=1";

}  // namespace

Result<crypto::Bytes> ParseServerKey(const std::string& key_or_path) {
  crypto::Bytes key;
  if (DecodeKey(key_or_path, &key)) return key;
  std::ifstream in(key_or_path);
  if (!in) {
    return InvalidArgument(
        "VHSM_SERVER_KEY is neither a 32-byte key (base64 or hex) nor a "
        "readable file: '" +
        key_or_path + "'");
  }
  std::stringstream text;
  text << in.rdbuf();
  if (!DecodeKey(text.str(), &key)) {
    return InvalidArgument(key_or_path + " does not hold a vhsmd public key (one base64 line)");
  }
  return key;
}

Result<crypto::Bytes> ResolveServerKey(const ServerKeySource& source, uint32_t port,
                                       const std::function<Result<crypto::Bytes>()>& announce) {
  std::string configured = source.configured;
  if (configured.empty()) {
    const char* env = std::getenv("VHSM_SERVER_KEY");
    if (env != nullptr) configured = env;
  }
  if (!configured.empty()) return ParseServerKey(configured);
  if (access(kDefaultServerKeyPath, R_OK) == 0) return ParseServerKey(kDefaultServerKeyPath);
  if (!source.trust_on_first_use && !Truthy(std::getenv("VHSM_TRUST_ON_FIRST_USE"))) {
    return FailedPrecondition(kHowToGetIt);
  }
  const std::string known = KnownDaemonsPath(source);
  const std::string port_text = std::to_string(port);
  {
    std::ifstream in(known);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string p, k;
      crypto::Bytes key;
      if (fields >> p >> k && p == port_text && DecodeKey(k, &key)) return key;
    }
  }
  VHSM_ASSIGN_OR_RETURN(crypto::Bytes key, announce());
  if (key.size() != 32) return Internal("vhsmd announced a key of the wrong size");
  std::string dir = known.substr(0, known.rfind('/'));
  if (!dir.empty()) mkdir(dir.c_str(), 0700);
  std::ofstream out(known, std::ios::app);
  out << port_text << " " << crypto::Base64Encode(key) << "\n";
  if (!out) return Internal("cannot record vhsmd's key in " + known);
  return key;
}

}  // namespace vhsm
