// vhsm: the tenant's command line (DESIGN.md section 5). Every command that
// touches keys logs in first; keys never come back, only results.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "tools/cli/audit_command.h"
#include "tools/cli/batch_command.h"
#include "tools/cli/cli_util.h"
#include "tools/cli/key_info_command.h"
#include "tools/cli/object_command.h"
#include "tools/cli/user_command.h"
#include "tools/cli/vhsm_words.h"
#include "vhsm/api/client.h"
#include "vhsm/base/parse.h"
#include "vhsm/crypto/bytes.h"
#include "vhsm/proto/names.h"

namespace {

using vhsm::cli::Args;
using vhsm::cli::Die;
using vhsm::cli::Must;
using vhsm::cli::Need;
using vhsm::cli::Word;

const char kProg[] = "vhsm";

// CheckCommand fails fast, before connecting, on an unknown command or a
// missing argument; returns whether the command reads input.
bool CheckCommand(const Args& args, const std::string& command, const std::string& sub) {
  vhsm::cli::CheckVhsmOptions(kProg, args, command, sub);
  if (command == "object") return vhsm::cli::CheckObjectCommand(kProg, args, sub);
  if (command == "user") {
    vhsm::cli::CheckUserCommand(kProg, args, sub);
    return false;
  }
  if (command == "audit") return vhsm::cli::CheckAuditCommand(kProg, args, sub);
  bool known = (command == "key" &&
                (sub == "generate" || sub == "import" || sub == "list" || sub == "delete" ||
                 sub == "public" || sub == "info" || sub == "derive" || sub == "rotate" ||
                 sub == "set" || sub == "export" || sub == "share" || sub == "unshare")) ||
               command == "rewrap" || command == "password" || command == "digest" ||
               command == "mac" || command == "sign" || command == "verify" ||
               command == "encrypt" || command == "decrypt";
  if (!known) {
    Die(kProg, "unknown command '" + command + (sub.empty() ? "" : " " + sub) + "' (try --help)");
  }
  if ((command != "key" && command != "digest" && command != "password") || sub == "derive") {
    Need(kProg, args, "key");
  }
  if (command == "verify") Need(kProg, args, "sig");
  const bool wrapped = args.options.count("wrapped") != 0;
  if (command == "key" && (sub == "generate" || (sub == "import" && !wrapped))) {
    Need(kProg, args, "type");
  }
  if (command == "key" && (sub == "export" || (sub == "import" && wrapped))) {
    Need(kProg, args, "wrap-with");
  }
  if (command == "key" && sub == "export") Word(kProg, args, 2, "key id");
  if (command == "key" &&
      (sub == "delete" || sub == "public" || sub == "info" || sub == "rotate" || sub == "set")) {
    Word(kProg, args, 2, "key id");
  }
  if (command == "key" && sub == "set") Need(kProg, args, "min-version");
  if (command == "key" && (sub == "share" || sub == "unshare")) {
    Word(kProg, args, 2, "key id");
    Need(kProg, args, "with");
    if (sub == "share") Need(kProg, args, "ops");
  }
  if (command == "key" && sub == "derive") Need(kProg, args, "peer");
  const bool takes_id = sub != "generate" && sub != "import" && sub != "list" && sub != "derive";
  vhsm::cli::NoMoreWords(kProg, args, command != "key" ? 1 : takes_id ? 3 : 2);
  if (command == "password") return false;
  return command != "key" || (sub == "import" && !wrapped);
}

vhsm::KeyOptions KeyOptionsOf(const Args& args) {
  return vhsm::KeyOptions{args.Get("label"), args.Get("ops"), args.Has("exportable-wrapped")};
}

void WrappedCommand(const Args& args, const std::string& sub, vhsm::Client* client) {
  const std::string kek = Need(kProg, args, "wrap-with");
  if (sub == "export") {
    vhsm::Bytes out = Must(kProg, client->ExportKeyWrapped(Word(kProg, args, 2, "key id"), kek));
    Must(kProg, vhsm::cli::WriteOutput(args.Get("out"), std::string(out.begin(), out.end())));
  } else {
    std::string wrapped = Must(kProg, vhsm::cli::ReadInput(args.Get("wrapped")));
    std::printf("%s\n",
                Must(kProg, client->ImportKeyWrapped(wrapped, kek, args.Get("id"))).c_str());
  }
}

vhsm::SignOptions SignOptionsOf(const Args& args) {
  vhsm::SignOptions o;
  o.scheme = args.Get("scheme");
  o.hash = args.Get("hash");
  return o;
}

void KeyDeriveCommand(const Args& args, vhsm::Client* client) {
  std::string peer = Must(kProg, vhsm::cli::ReadInput(Need(kProg, args, "peer")));
  vhsm::DeriveOptions o;
  o.type = args.Get("type", "aes-256");
  o.id = args.Get("id");
  if (args.options.count("salt") != 0) {
    vhsm::crypto::Bytes salt;
    if (!vhsm::crypto::HexDecode(args.Get("salt"), &salt)) Die(kProg, "--salt must be hex");
    o.salt.assign(salt.begin(), salt.end());
  }
  o.info = args.Get("info");
  o.key = KeyOptionsOf(args);
  o.raw = args.Has("raw");
  std::printf("%s\n", Must(kProg, client->DeriveKey(Need(kProg, args, "key"), peer, o)).c_str());
}

// LogIn logs in; for `password` it then changes the password to the one
// --new-password-file (or a prompt) gives. With keep, the password is
// handed there instead of wiped (the caller wipes it).
void LogIn(const Args& args, const std::string& command, vhsm::Client* client,
           std::string* keep = nullptr) {
  std::string user = args.Get("user");
  if (user.empty() && std::getenv("VHSM_USER")) user = std::getenv("VHSM_USER");
  if (user.empty()) Die(kProg, "--user (or VHSM_USER) is required");
  std::string password = Must(
      kProg, vhsm::cli::ReadPassword(args, "password-file", "VHSM password for " + user + ": "));
  vhsm::Status s = client->Login(user, password);
  if (s.ok() && command == "password") {
    Args new_args;
    new_args.options["password-file"] = args.Get("new-password-file");
    if (new_args.options["password-file"].empty()) new_args.options.clear();
    // The environment holds the current password, never the new one.
    std::string fresh = Must(
        kProg, vhsm::cli::ReadPassword(new_args, "password-file", "new VHSM password: ", false));
    s = client->ChangePassword(password, fresh);
    vhsm::cli::WipeString(&fresh);
  }
  if (keep != nullptr) {
    *keep = std::move(password);
  } else {
    vhsm::cli::WipeString(&password);
  }
  Must(kProg, s);
}

void KeyCommand(const Args& args, const std::string& sub, std::string& input,
                vhsm::Client* client) {
  if (sub == "generate") {
    std::printf("%s\n", Must(kProg, client->GenerateKey(Need(kProg, args, "type"), args.Get("id"),
                                                        KeyOptionsOf(args)))
                            .c_str());
  } else if (sub == "export" || (sub == "import" && args.options.count("wrapped") != 0)) {
    WrappedCommand(args, sub, client);
  } else if (sub == "import") {
    std::string id = Must(kProg, client->ImportKey(Need(kProg, args, "type"), args.Get("id"), input,
                                                   KeyOptionsOf(args)));
    vhsm::cli::WipeString(&input);
    std::printf("%s\n", id.c_str());
  } else if (sub == "list") {
    std::vector<vhsm::KeyInfo> keys = Must(kProg, client->ListKeys());
    if (args.Has("json")) {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& k : keys) list.push_back(vhsm::cli::KeyJson(k));
      std::printf("%s\n", list.dump().c_str());
    } else {
      for (const auto& k : keys) std::printf("%s\t%s\n", k.id.c_str(), k.type.c_str());
    }
  } else if (sub == "delete") {
    Must(kProg, client->DeleteKey(Word(kProg, args, 2, "key id")));
  } else if (sub == "share") {
    Must(kProg, client->ShareKey(Word(kProg, args, 2, "key id"), Need(kProg, args, "with"),
                                 Need(kProg, args, "ops")));
  } else if (sub == "unshare") {
    Must(kProg, client->UnshareKey(Word(kProg, args, 2, "key id"), Need(kProg, args, "with")));
  } else if (sub == "public" || sub == "info" || sub == "rotate" || sub == "set") {
    vhsm::cli::KeyVersionCommand(kProg, args, sub, client);
  } else if (sub == "derive") {
    KeyDeriveCommand(args, client);
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
    vhsm::Bytes sig =
        Must(kProg, client->Sign(Need(kProg, args, "key"), input, SignOptionsOf(args)));
    if (args.Get("out").empty()) {
      std::printf("%s\n", HexEncode(sig).c_str());
    } else {
      Must(kProg, vhsm::cli::WriteOutput(args.Get("out"), std::string(sig.begin(), sig.end())));
    }
  } else if (command == "verify") {
    std::string sig = Must(kProg, vhsm::cli::ReadInput(Need(kProg, args, "sig")));
    if (!Must(kProg, client->Verify(Need(kProg, args, "key"), input, sig, SignOptionsOf(args)))) {
      Die(kProg, "signature does not verify");
    }
    std::printf("signature ok\n");
  } else {
    const std::string& key = Need(kProg, args, "key");
    const std::string aad = args.Get("aad");
    vhsm::Bytes out = command == "encrypt"  ? Must(kProg, client->Encrypt(key, input, aad))
                      : command == "rewrap" ? Must(kProg, client->Rewrap(key, input, aad))
                                            : Must(kProg, client->Decrypt(key, input, aad));
    Must(kProg, vhsm::cli::WriteOutput(args.Get("out"), std::string(out.begin(), out.end())));
  }
}

// Run runs a command with a logged-in client (not user, password, batch),
// its data from --in (or standard input, outside a batch).
void Run(const Args& args, vhsm::Client* client, bool batch) {
  const std::string command = args.words[0];
  const std::string sub = args.words.size() > 1 ? args.words[1] : "";
  // Arguments and input first, so a mistake fails fast with its own message.
  std::string input;
  struct WipeOnReturn {  // the data (a plaintext, a key) is wiped however the command ends
    std::string* s;
    ~WipeOnReturn() { vhsm::cli::WipeString(s); }
  } wipe{&input};
  if (CheckCommand(args, command, sub)) {
    if (batch && args.Get("in").empty()) {
      Die(kProg, "in a batch, " + command + " takes its data from --in FILE");
    }
    input = Must(kProg, vhsm::cli::ReadInput(args.Get("in")));
  }
  if (command == "key") {
    KeyCommand(args, sub, input, client);
  } else if (command == "audit") {
    vhsm::cli::AuditCommand(kProg, args, sub, client);
  } else if (command == "object") {
    vhsm::cli::ObjectCommand(kProg, args, sub, input, client);
  } else {
    DataCommand(args, command, input, client);
  }
}

// BatchLine: a batch's line, checked for what only a whole batch may say.
void BatchLine(const Args& line, vhsm::Client* client) {
  const std::string& command = line.words[0];
  if (command == "user" || command == "password" || command == "batch") {
    Die(kProg, "'" + command + "' cannot run in a batch");
  }
  for (const char* whole : {"user", "password-file", "port-id", "server-key"}) {
    if (line.options.count(whole) != 0) Die(kProg, std::string("--") + whole + " is the batch's");
  }
  for (const char* file : {"in", "sig", "peer", "wrapped"}) {
    if (line.Get(file) == "-") {
      Die(kProg, std::string("in a batch, --") + file +
                     " takes a file (standard input is not the line's)");
    }
  }
  Run(line, client, /*batch=*/true);
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = vhsm::cli::Parse(argc, argv, vhsm::cli::kVhsmOptions, vhsm::cli::kVhsmFlags);
  if (!parsed.ok()) Die(kProg, parsed.status().message());
  Args args = std::move(parsed).value();
  if (args.Has("help") || args.words.empty()) {
    std::FILE* out = args.Has("help") ? stdout : stderr;
    std::fputs(vhsm::cli::kVhsmUsageHead, out);
    std::fputs(vhsm::cli::kObjectUsage, out);
    std::fputs(vhsm::cli::kUserUsage, out);
    std::fputs(vhsm::cli::kAuditUsage, out);
    std::fputs(vhsm::cli::kBatchUsage, out);
    std::fputs(vhsm::cli::kVhsmUsageTail, out);
    return args.Has("help") ? 0 : 2;
  }
  const std::string command = args.words[0];
  const std::string sub = args.words.size() > 1 ? args.words[1] : "";
  std::FILE* batch = nullptr;
  vhsm::cli::CheckVhsmOptions(kProg, args, command, sub);  // every command, before connecting
  if (command == "batch") {
    vhsm::cli::NoMoreWords(kProg, args, 2);
    batch = sub.empty() ? stdin : std::fopen(sub.c_str(), "r");
    if (batch == nullptr) Die(kProg, "cannot read " + sub + ": " + std::strerror(errno));
  } else if (command == "user") {
    vhsm::cli::CheckUserCommand(kProg, args, sub);  // mistakes fail before connecting
  } else if (command != "password") {
    CheckCommand(args, command, sub);
  }
  std::unique_ptr<vhsm::Client> client =
      Must(kProg, vhsm::Client::Connect(vhsm::cli::ClientOptionsOf(kProg, args)));
  if (command == "user") {
    std::string current;
    LogIn(vhsm::cli::LoginArgsForUser(args, sub), command, client.get(), &current);
    vhsm::cli::UserCommand(kProg, args, sub, current, client.get());
    vhsm::cli::WipeString(&current);
    return vhsm::cli::ExitStatus(kProg, 0);
  }
  if (command != "digest") LogIn(args, command, client.get());
  if (batch != nullptr) {
    int failed = vhsm::cli::RunBatch(kProg, batch, vhsm::cli::kVhsmOptions, vhsm::cli::kVhsmFlags,
                                     [&](const Args& line) { BatchLine(line, client.get()); });
    return vhsm::cli::ExitStatus(kProg, failed == 0 ? 0 : 1);
  }
  if (command == "password") {
    std::printf("password changed\n");
    return vhsm::cli::ExitStatus(kProg, 0);
  }
  Run(args, client.get(), /*batch=*/false);
  return vhsm::cli::ExitStatus(kProg, 0);
}
