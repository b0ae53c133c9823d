// vhsm-admin: the host administrator's command line (root on the host only;
// the daemon checks that from the kernel's credentials).
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>

#include "tools/cli/audit_command.h"
#include "tools/cli/cli_util.h"
#include "vhsm/api/admin.h"
#include "vhsm/api/client.h"
#include "vhsm/api/server_key.h"
#include "vhsm/base/parse.h"
#include "vhsm/crypto/bytes.h"

namespace {

using vhsm::cli::Args;
using vhsm::cli::Die;
using vhsm::cli::Must;
using vhsm::cli::Need;
using vhsm::cli::Word;

const char kProg[] = "vhsm-admin";

const char kUsage[] =
    "usage: vhsm-admin [--port-id N] [--server-key KEY|FILE] COMMAND ...\n"
    "\n"
    "  server-key [--data-dir DIR]\n"
    "                          print vhsmd's public key (from DIR/vhsmd.pub, default\n"
    "                          /var/lib/vhsm): give it to clients as VHSM_SERVER_KEY, or\n"
    "                          mount the file at /etc/vhsm/vhsmd.pub in containers\n"
    "  container attach NAME (--pid PID | --netns PATH)\n"
    "  container attach --from FILE   many at once: \"NAME PATH\" or \"NAME --pid PID\"\n"
    "                          per line (FILE - : standard input)\n"
    "                          serve the container whose network namespace is PID's\n"
    "                          (/proc/PID/ns/net) or PATH (e.g. /run/netns/NAME)\n"
    "  container detach NAME   stop serving it (its users and keys are kept)\n"
    "  container quota NAME --max-keys N\n"
    "                          at most N keys (and N objects) there (0: vhsmd's --max-keys)\n"
    "  container list          NAME, ATTACHED, NAMESPACE\n"
    "  container export NAME --out FILE [--passphrase-file F]\n"
    "                          write the container's users, keys and versions (all\n"
    "                          still sealed under the users' master keys) to FILE\n"
    "  container import NAME --in FILE [--passphrase-file F]\n"
    "                          restore it here (detached: attach it to serve it); users\n"
    "                          log in with the same passwords. A damaged, truncated or\n"
    "                          (with a passphrase) edited file is refused\n"
    "  user add --container NAME [--role user|admin] USER\n"
    "                                       (password: --password-file, VHSM_PASSWORD,\n"
    "                                        VHSM_PASSWORD_FILE or a prompt)\n"
    "  user delete --container NAME USER    deletes the user and all their keys\n"
    "  user list --container NAME\n"
    "  user password --container NAME USER --old-password-file F [--password-file F]\n"
    "  audit verify [--container NAME]      check the audit log of one container, or all\n"
    "  audit export --container NAME --out F\n"
    "                                       write it as JSON (tools/audit_verify.py checks\n"
    "                                       such a file offline)\n"
    "\n"
    "The host's own container is named 'host'. Every command but server-key talks to\n"
    "vhsmd over a secure channel pinned to its key (--server-key, VHSM_SERVER_KEY, or\n"
    "/etc/vhsm/vhsmd.pub).\n";

// PrintServerKey prints the key from the data directory: host root reads
// the daemon's own file, so no process on the port can substitute one.
int PrintServerKey(const Args& args) {
  std::string dir = args.Get("data-dir").empty() ? "/var/lib/vhsm" : args.Get("data-dir");
  vhsm::Result<vhsm::crypto::Bytes> key = vhsm::ParseServerKey(dir + "/vhsmd.pub");
  if (!key.ok()) {
    Die(kProg, "no vhsmd key in " + dir + " (has vhsmd started with --data-dir " + dir + "?)");
  }
  std::printf("%s\n", vhsm::crypto::Base64Encode(*key).c_str());
  return vhsm::cli::ExitStatus(kProg, 0);
}

// Passphrase: --passphrase-file (one trailing newline dropped), or none.
std::string Passphrase(const Args& args) {
  if (args.Get("passphrase-file").empty()) return "";
  std::string p = Must(kProg, vhsm::cli::ReadInput(args.Get("passphrase-file")));
  if (!p.empty() && p.back() == '\n') p.pop_back();
  if (p.empty()) Die(kProg, "the passphrase file is empty");
  return p;
}

void TransferCommand(const Args& args, const std::string& verb, vhsm::Admin* admin) {
  const std::string name = Word(kProg, args, 2, "container name");
  std::string passphrase = Passphrase(args);
  if (verb == "export") {
    const std::string out = Need(kProg, args, "out");
    std::string file = Must(kProg, admin->ExportContainer(name, passphrase));
    Must(kProg, vhsm::WriteFileAtomically(out, file, 0600));
  } else {
    std::string data = Must(kProg, vhsm::cli::ReadInput(Need(kProg, args, "in")));
    auto counts = Must(kProg, admin->ImportContainer(name, data, passphrase));
    std::printf("imported container %s: %u users, %u keys, %u objects\n", name.c_str(),
                counts.users, counts.keys, counts.objects);
  }
  vhsm::cli::WipeString(&passphrase);
}

// NetnsOfPid: /proc/PID/ns/net, or Dies on a PID that is not a number.
std::string NetnsOfPid(const std::string& pid) {
  if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) {
    Die(kProg, "invalid --pid '" + pid + "'");
  }
  return "/proc/" + pid + "/ns/net";
}

// AttachFrom attaches the containers a file lists, one per line: "NAME
// PATH" or "NAME --pid PID" (blank lines and # comments skipped).
void AttachFrom(const std::string& file, vhsm::Admin* admin) {
  std::string text = Must(kProg, vhsm::cli::ReadInput(file == "-" ? "" : file));
  std::vector<std::pair<std::string, std::string>> containers;
  size_t number = 0, start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    std::vector<std::string> w;
    for (size_t i = 0; i < line.size();) {
      size_t j = line.find_first_of(" \t\r", i);
      if (j == std::string::npos) j = line.size();
      if (j > i) w.push_back(line.substr(i, j - i));
      i = j + 1;
    }
    if (w.empty() || w[0][0] == '#') continue;
    if (w.size() == 2) {
      containers.emplace_back(w[0], w[1]);
    } else if (w.size() == 3 && w[1] == "--pid") {
      containers.emplace_back(w[0], NetnsOfPid(w[2]));
    } else {
      Die(kProg, file + ":" + std::to_string(number) + ": expected NAME PATH or NAME --pid PID");
    }
  }
  auto failed = Must(kProg, admin->AttachContainers(containers));
  for (const auto& f : failed) {
    std::fprintf(stderr, "%s: %s: %s\n", kProg, f.name.c_str(), f.message.c_str());
  }
  std::printf("attached %zu of %zu containers\n", containers.size() - failed.size(),
              containers.size());
  if (!failed.empty()) std::exit(1);
}

void ContainerCommand(const Args& args, const std::string& verb, vhsm::Admin* admin) {
  if (verb == "attach" && args.options.count("from") != 0) {
    AttachFrom(args.Get("from"), admin);
  } else if (verb == "attach") {
    std::string name = Word(kProg, args, 2, "container name");
    std::string pid = args.Get("pid"), netns = args.Get("netns");
    if (pid.empty() == netns.empty()) Die(kProg, "give exactly one of --pid and --netns");
    if (!pid.empty()) netns = NetnsOfPid(pid);
    Must(kProg, admin->AttachContainer(name, netns));
  } else if (verb == "detach") {
    Must(kProg, admin->DetachContainer(Word(kProg, args, 2, "container name")));
  } else if (verb == "export" || verb == "import") {
    TransferCommand(args, verb, admin);
  } else if (verb == "quota") {
    std::string n = Need(kProg, args, "max-keys");
    if (n.empty() || n.find_first_not_of("0123456789") != std::string::npos || n.size() > 12) {
      Die(kProg, "--max-keys takes a number (0: vhsmd's --max-keys)");
    }
    Must(kProg, admin->SetContainerQuota(Word(kProg, args, 2, "container name"),
                                         std::strtoull(n.c_str(), nullptr, 10)));
  } else {
    for (const auto& c : Must(kProg, admin->ListContainers())) {
      std::printf("%s\t%s\t%s\n", c.name.c_str(), c.attached ? "attached" : "detached",
                  c.netns_path.empty() ? "-" : c.netns_path.c_str());
    }
  }
}

void ChangePassword(const Args& args, vhsm::Admin* admin) {
  std::string container = Need(kProg, args, "container"), user = Word(kProg, args, 2, "user name");
  if (args.Get("old-password-file").empty()) Die(kProg, "--old-password-file is required");
  Args old_args;
  old_args.options["password-file"] = args.Get("old-password-file");
  std::string old_pw = Must(kProg, vhsm::cli::ReadPassword(old_args, "password-file", ""));
  std::string new_pw = Must(
      kProg, vhsm::cli::ReadPassword(args, "password-file", "new password for " + user + ": "));
  vhsm::Status s = admin->ChangePassword(container, user, old_pw, new_pw);
  vhsm::cli::WipeString(&old_pw);
  vhsm::cli::WipeString(&new_pw);
  Must(kProg, s);
}

void UserCommand(const Args& args, const std::string& verb, vhsm::Admin* admin) {
  if (verb == "add") {
    std::string container = Need(kProg, args, "container"),
                user = Word(kProg, args, 2, "user name");
    std::string pw = Must(kProg, vhsm::cli::ReadPassword(args, "password-file",
                                                         "password for new user " + user + ": "));
    vhsm::Status s = admin->AddUser(container, user, pw, args.Get("role", "user"));
    vhsm::cli::WipeString(&pw);
    Must(kProg, s);
  } else if (verb == "delete") {
    Must(kProg,
         admin->DeleteUser(Need(kProg, args, "container"), Word(kProg, args, 2, "user name")));
  } else if (verb == "list") {
    for (const auto& u : Must(kProg, admin->ListUsers(Need(kProg, args, "container")))) {
      std::printf("%s\n", u.c_str());
    }
  } else {
    ChangePassword(args, admin);
  }
}

// What each command reads besides --port-id, --server-key and --help.
void CheckOptions(const Args& args, const std::string& command) {
  static const std::map<std::string, std::set<std::string>> kOptions = {
      {"container attach", {"pid", "netns", "from"}},
      {"container detach", {}},
      {"container list", {}},
      {"container export", {"out", "passphrase-file"}},
      {"container import", {"in", "passphrase-file"}},
      {"container quota", {"max-keys"}},
      {"user add", {"container", "role", "password-file"}},
      {"user delete", {"container"}},
      {"user list", {"container"}},
      {"user password", {"container", "old-password-file", "password-file"}},
      {"audit verify", {"container"}},
      {"audit export", {"container", "out"}},
  };
  auto it = kOptions.find(command);
  if (it != kOptions.end()) {
    vhsm::cli::OnlyOptions(kProg, args, command, it->second, {"port-id", "server-key", "help"});
  }
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = vhsm::cli::Parse(
      argc, argv,
      {"port-id", "pid", "netns", "container", "password-file", "old-password-file", "data-dir",
       "server-key", "out", "in", "passphrase-file", "role", "max-keys", "from"},
      {"help"});
  if (!parsed.ok()) Die(kProg, parsed.status().message());
  Args args = std::move(parsed).value();
  if (!args.Has("help") && args.words.size() == 1 && args.words[0] == "server-key") {
    return PrintServerKey(args);
  }
  if (args.Has("help") || args.words.size() < 2) {
    std::fputs(kUsage, args.Has("help") ? stdout : stderr);
    return args.Has("help") ? 0 : 2;
  }
  std::string noun = args.words[0], verb = args.words[1];
  bool known = (noun == "container" && (verb == "attach" || verb == "detach" || verb == "list" ||
                                        verb == "export" || verb == "import" || verb == "quota")) ||
               (noun == "user" &&
                (verb == "add" || verb == "delete" || verb == "list" || verb == "password")) ||
               (noun == "audit" && (verb == "verify" || verb == "export"));
  if (!known) Die(kProg, "unknown command '" + noun + " " + verb + "' (try --help)");
  CheckOptions(args, noun + " " + verb);
  const bool named =
      verb != "list" && noun != "audit" && !(verb == "attach" && args.options.count("from") != 0);
  vhsm::cli::NoMoreWords(kProg, args, named ? 3 : 2);
  std::unique_ptr<vhsm::Admin> admin =
      Must(kProg, vhsm::Admin::Connect(vhsm::cli::ClientOptionsOf(kProg, args)));
  if (noun == "audit") {
    int status = vhsm::cli::AdminAuditCommand(kProg, args, verb, admin.get());
    return vhsm::cli::ExitStatus(kProg, status);
  }
  if (noun == "container") {
    ContainerCommand(args, verb, admin.get());
  } else {
    UserCommand(args, verb, admin.get());
  }
  return vhsm::cli::ExitStatus(kProg, 0);
}
