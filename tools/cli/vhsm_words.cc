#include "tools/cli/vhsm_words.h"

namespace vhsm::cli {

const char kVhsmUsageHead[] =
    "usage: vhsm [--user USER] [--password-file FILE] [--port-id N] COMMAND ...\n"
    "\n"
    "  key generate --type T [--id ID] [--label L] [--ops OP,...] [--exportable-wrapped]\n"
    "                                         generate a key; prints its id\n"
    "  key import --type T [--id ID] [--label L] [--ops OP,...] [--in FILE]\n"
    "                                         import raw bytes (hmac-*, aes-256) or a\n"
    "                                         PKCS#8 PEM/DER private key; prints its id\n"
    "  key export ID --wrap-with KEK [--out FILE]\n"
    "                                         a key created --exportable-wrapped, wrapped\n"
    "                                         (AES-KWP) under your aes-256 key KEK\n"
    "  key import --wrapped FILE --wrap-with KEK [--id ID]\n"
    "                                         store a wrapped key; prints its id\n"
    "  key derive --key K --peer PEER.pem [--id NEW] [--type aes-256|hmac-sha256]\n"
    "             [--salt HEX] [--info TEXT] [--label L] [--ops OP,...] [--raw]\n"
    "                                         ECDH/X25519 + HKDF-SHA256 into a new key\n"
    "                                         (--raw: no HKDF, the secret's first 32 bytes)\n"
    "  key list [--json]                      list your keys\n"
    "  key info ID [--json]                   type, operations, label, versions\n"
    "  key rotate ID                          add a version; it signs, MACs, encrypts\n"
    "  key set ID --min-version N             retire (wipe) every version below N\n"
    "  key delete ID                          delete a key\n"
    "  key share ID --with USER --ops OP,...  let USER (this container) use it as\n"
    "                                         YOU/ID for OP (mac, encrypt, decrypt,\n"
    "                                         sign, verify, derive)\n"
    "  key unshare ID --with USER             end that\n"
    "  key public ID [--version N] [--out F]  print a key's public key (SPKI PEM)\n"
    "  password [--new-password-file F]       change your password (the current one\n"
    "                                         from the usual sources; the new one\n"
    "                                         from F or a prompt)\n"
    "  digest --alg sha256 [--in FILE]        print the digest in hex\n"
    "  mac --key ID [--in FILE]               print the HMAC in hex\n"
    "  sign --key ID [--in FILE] [--out FILE] [--scheme pkcs1|pss] [--hash H]\n"
    "                                         sign (hex on stdout, or raw to --out)\n"
    "  verify --key ID --sig FILE [--in FILE] [--scheme pkcs1|pss] [--hash H]\n"
    "                                         exit 0 when the signature verifies\n"
    "  encrypt --key ID [--in FILE] [--out FILE] [--aad TEXT]\n"
    "  decrypt --key ID [--in FILE] [--out FILE] [--aad TEXT]\n"
    "                                         AES-256-GCM (nonce||ct||tag), or\n"
    "                                         RSA-OAEP-SHA256 with an RSA key\n"
    "  rewrap --key ID [--in FILE] [--out FILE] [--aad TEXT]\n"
    "                                         re-encrypt under the key's latest version\n";
const char kVhsmUsageTail[] =
    "\n"
    "Key types: hmac-sha256, hmac-sha512, aes-256, ec-p256, ec-p384, ed25519,\n"
    "rsa-2048, rsa-3072, rsa-4096, x25519. Operations (--ops): mac, encrypt,\n"
    "decrypt, sign, verify, derive; default: all the type can. Hashes (--hash):\n"
    "sha256 (default; sha384 for ec-p384), sha384, sha512. A ciphertext made by\n"
    "version N >= 2 of a key starts with \"vhsm:vN:\"; decrypt reads it.\n"
    "The password comes from --password-file, VHSM_PASSWORD, VHSM_PASSWORD_FILE,\n"
    "or a prompt. VHSM_USER and VHSM_PORT_ID stand in for --user and --port-id.\n"
    "vhsmd's public key (the channel is pinned to it): --server-key KEY|FILE,\n"
    "VHSM_SERVER_KEY, or /etc/vhsm/vhsmd.pub; without one vhsm refuses to connect,\n"
    "unless --trust-on-first-use (or VHSM_TRUST_ON_FIRST_USE=1) records the key\n"
    "vhsmd announces in ~/.vhsm/known_daemons.\n"
    "Input defaults to stdin.\n";

namespace {

// What each command reads, besides kGlobalOptions: any other option is a
// mistake (OnlyOptions).
const std::set<std::string> kGlobalOptions = {"user",       "password-file",      "port-id",
                                              "server-key", "trust-on-first-use", "help"};
const std::map<std::string, std::set<std::string>> kCommandOptions = {
    {"key generate", {"type", "id", "label", "ops", "exportable-wrapped"}},
    {"key import",
     {"type", "id", "label", "ops", "exportable-wrapped", "in", "wrapped", "wrap-with"}},
    {"key export", {"wrap-with", "out"}},
    {"key list", {"json"}},
    {"key info", {"json"}},
    {"key rotate", {"json"}},
    {"key set", {"min-version", "json"}},
    {"key public", {"version", "out"}},
    {"key delete", {}},
    {"key share", {"with", "ops"}},
    {"key unshare", {"with"}},
    {"key derive",
     {"key", "peer", "type", "id", "salt", "info", "raw", "label", "ops", "exportable-wrapped"}},
    {"password", {"new-password-file"}},
    {"digest", {"alg", "in"}},
    {"mac", {"key", "in"}},
    {"sign", {"key", "in", "out", "scheme", "hash"}},
    {"verify", {"key", "sig", "in", "scheme", "hash"}},
    {"encrypt", {"key", "in", "out", "aad"}},
    {"decrypt", {"key", "in", "out", "aad"}},
    {"rewrap", {"key", "in", "out", "aad"}},
    {"object put", {"class", "in", "id", "label", "private", "application"}},
    {"object list", {"class", "json"}},
    {"object get", {"out"}},
    {"object delete", {}},
    {"user add", {"role"}},
    {"user delete", {"role"}},  // the contract's grammar allows it; it changes nothing
    {"user list", {"role"}},    // only the users with that role
    {"user quota", {"max-keys"}},
    {"user password", {"old-password-file"}},
    {"audit list", {"since", "json"}},
    {"audit verify", {}},
    {"batch", {}},
};

}  // namespace

void CheckVhsmOptions(const char* prog, const Args& args, const std::string& command,
                      const std::string& sub) {
  const bool has_sub =
      command == "key" || command == "object" || command == "user" || command == "audit";
  const std::string name = has_sub ? command + " " + sub : command;
  auto it = kCommandOptions.find(name);
  if (it != kCommandOptions.end()) {
    vhsm::cli::OnlyOptions(prog, args, name, it->second, kGlobalOptions);
  }
}

// The options and flags of every command (and of a batch's lines).
const std::set<std::string> kVhsmOptions = {"user",      "password-file",
                                            "port-id",   "type",
                                            "id",        "in",
                                            "out",       "alg",
                                            "key",       "sig",
                                            "aad",       "server-key",
                                            "label",     "ops",
                                            "scheme",    "hash",
                                            "peer",      "salt",
                                            "info",      "min-version",
                                            "version",   "wrapped",
                                            "wrap-with", "new-password-file",
                                            "class",     "application",
                                            "role",      "old-password-file",
                                            "with",      "since",
                                            "max-keys"};
const std::set<std::string> kVhsmFlags = {
    "help", "json", "trust-on-first-use", "exportable-wrapped", "private", "raw"};

}  // namespace vhsm::cli
