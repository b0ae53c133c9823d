// vhsm: the tenant's command line (DESIGN.md section 5). Every command that
// touches keys logs in first; keys never come back, only results.
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "tools/cli/cli_util.h"
#include "vhsm/api/client.h"
#include "vhsm/base/parse.h"
#include "vhsm/crypto/bytes.h"

namespace {

using vhsm::cli::Args;
using vhsm::cli::Die;
using vhsm::cli::Must;
using vhsm::cli::Need;
using vhsm::cli::Word;

const char kProg[] = "vhsm";

const char kUsage[] =
    "usage: vhsm [--user USER] [--password-file FILE] [--port-id N] COMMAND ...\n"
    "\n"
    "  key generate --type T [--id ID]        generate a key; prints its id\n"
    "  key import --type T [--id ID] [--in FILE]\n"
    "                                         import raw bytes (hmac-*, aes-256) or a\n"
    "                                         PKCS#8 PEM/DER private key; prints its id\n"
    "  key list [--json]                      list your keys\n"
    "  key delete ID                          delete a key\n"
    "  key public ID                          print a signing key's public key (PEM)\n"
    "  digest --alg sha256 [--in FILE]        print the digest in hex\n"
    "  mac --key ID [--in FILE]               print the HMAC in hex\n"
    "  sign --key ID [--in FILE] [--out FILE] sign (hex on stdout, or raw to --out)\n"
    "  verify --key ID --sig FILE [--in FILE] exit 0 when the signature verifies\n"
    "  encrypt --key ID [--in FILE] [--out FILE] [--aad TEXT]\n"
    "  decrypt --key ID [--in FILE] [--out FILE] [--aad TEXT]\n"
    "                                         AES-256-GCM; ciphertext is nonce||ct||tag\n"
    "\n"
    "Key types: hmac-sha256, hmac-sha512, aes-256, ec-p256, ed25519.\n"
    "The password comes from --password-file, VHSM_PASSWORD, VHSM_PASSWORD_FILE,\n"
    "or a prompt. VHSM_USER and VHSM_PORT_ID stand in for --user and --port-id.\n"
    "vhsmd's public key (the channel is pinned to it): --server-key KEY|FILE,\n"
    "VHSM_SERVER_KEY, or /etc/vhsm/vhsmd.pub; without one vhsm refuses to connect,\n"
    "unless --trust-on-first-use (or VHSM_TRUST_ON_FIRST_USE=1) records the key\n"
    "vhsmd announces in ~/.vhsm/known_daemons.\n"
    "Input defaults to stdin.\n";

// CheckCommand fails fast, before connecting, on an unknown command or a
// missing argument; returns whether the command reads input.
bool CheckCommand(const Args& args, const std::string& command, const std::string& sub) {
  bool known = (command == "key" && (sub == "generate" || sub == "import" || sub == "list" ||
                                     sub == "delete" || sub == "public")) ||
               command == "digest" || command == "mac" || command == "sign" ||
               command == "verify" || command == "encrypt" || command == "decrypt";
  if (!known) {
    Die(kProg, "unknown command '" + command + (sub.empty() ? "" : " " + sub) + "' (try --help)");
  }
  if (command != "key" && command != "digest") Need(kProg, args, "key");
  if (command == "verify") Need(kProg, args, "sig");
  if (command == "key" && (sub == "generate" || sub == "import")) Need(kProg, args, "type");
  if (command == "key" && (sub == "delete" || sub == "public")) Word(kProg, args, 2, "key id");
  return command != "key" || sub == "import";
}

void LogIn(const Args& args, vhsm::Client* client) {
  std::string user = args.Get("user");
  if (user.empty() && std::getenv("VHSM_USER")) user = std::getenv("VHSM_USER");
  if (user.empty()) Die(kProg, "--user (or VHSM_USER) is required");
  std::string password = Must(
      kProg, vhsm::cli::ReadPassword(args, "password-file", "VHSM password for " + user + ": "));
  vhsm::Status s = client->Login(user, password);
  vhsm::cli::WipeString(&password);
  Must(kProg, s);
}

void KeyCommand(const Args& args, const std::string& sub, std::string& input,
                vhsm::Client* client) {
  if (sub == "generate") {
    std::printf(
        "%s\n",
        Must(kProg, client->GenerateKey(Need(kProg, args, "type"), args.Get("id"))).c_str());
  } else if (sub == "import") {
    std::string id =
        Must(kProg, client->ImportKey(Need(kProg, args, "type"), args.Get("id"), input));
    vhsm::cli::WipeString(&input);
    std::printf("%s\n", id.c_str());
  } else if (sub == "list") {
    std::vector<vhsm::KeyInfo> keys = Must(kProg, client->ListKeys());
    if (args.Has("json")) {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& k : keys) {
        list.push_back({{"id", k.id}, {"type", k.type}, {"created", k.created_unix}});
      }
      std::printf("%s\n", list.dump().c_str());
    } else {
      for (const auto& k : keys) std::printf("%s\t%s\n", k.id.c_str(), k.type.c_str());
    }
  } else if (sub == "delete") {
    Must(kProg, client->DeleteKey(Word(kProg, args, 2, "key id")));
  } else if (sub == "public") {
    std::fputs(Must(kProg, client->PublicKeyPem(Word(kProg, args, 2, "key id"))).c_str(), stdout);
  }
}

void DataCommand(const Args& args, const std::string& command, const std::string& input,
                 vhsm::Client* client) {
  using vhsm::crypto::HexEncode;
  if (command == "digest") {
    std::printf("%s\n",
                HexEncode(Must(kProg, client->Digest(args.Get("alg", "sha256"), input))).c_str());
  } else if (command == "mac") {
    std::printf("%s\n",
                HexEncode(Must(kProg, client->Mac(Need(kProg, args, "key"), input))).c_str());
  } else if (command == "sign") {
    vhsm::Bytes sig = Must(kProg, client->Sign(Need(kProg, args, "key"), input));
    if (args.Get("out").empty()) {
      std::printf("%s\n", HexEncode(sig).c_str());
    } else {
      Must(kProg, vhsm::cli::WriteOutput(args.Get("out"), std::string(sig.begin(), sig.end())));
    }
  } else if (command == "verify") {
    std::string sig = Must(kProg, vhsm::cli::ReadInput(Need(kProg, args, "sig")));
    if (!Must(kProg, client->Verify(Need(kProg, args, "key"), input, sig))) {
      Die(kProg, "signature does not verify");
    }
    std::printf("signature ok\n");
  } else {
    const std::string& key = Need(kProg, args, "key");
    vhsm::Bytes out = command == "encrypt"
                          ? Must(kProg, client->Encrypt(key, input, args.Get("aad")))
                          : Must(kProg, client->Decrypt(key, input, args.Get("aad")));
    Must(kProg, vhsm::cli::WriteOutput(args.Get("out"), std::string(out.begin(), out.end())));
  }
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = vhsm::cli::Parse(argc, argv,
                                 {"user", "password-file", "port-id", "type", "id", "in", "out",
                                  "alg", "key", "sig", "aad", "server-key"},
                                 {"help", "json", "trust-on-first-use"});
  if (!parsed.ok()) Die(kProg, parsed.status().message());
  Args args = std::move(parsed).value();
  if (args.Has("help") || args.words.empty()) {
    std::fputs(kUsage, args.Has("help") ? stdout : stderr);
    return args.Has("help") ? 0 : 2;
  }
  const std::string command = args.words[0];
  const std::string sub = args.words.size() > 1 ? args.words[1] : "";
  // Arguments and input first, so a mistake fails fast with its own message.
  std::string input;
  if (CheckCommand(args, command, sub)) input = Must(kProg, vhsm::cli::ReadInput(args.Get("in")));
  std::unique_ptr<vhsm::Client> client =
      Must(kProg, vhsm::Client::Connect(vhsm::cli::ClientOptionsOf(kProg, args)));
  if (command != "digest") LogIn(args, client.get());
  if (command == "key") {
    KeyCommand(args, sub, input, client.get());
  } else {
    DataCommand(args, command, input, client.get());
  }
  return 0;
}
