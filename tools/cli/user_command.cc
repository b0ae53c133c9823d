#include "tools/cli/user_command.h"

#include <cstdio>
#include <cstdlib>

namespace vhsm::cli {
namespace {

uint64_t ParseCount(const char* prog, const std::string& text) {
  char* end = nullptr;
  unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || text[0] < '0' || text[0] > '9' || *end != '\0') {
    Die(prog, "--max-keys takes a number");
  }
  return v;
}

}  // namespace

void CheckUserCommand(const char* prog, const Args& args, const std::string& sub) {
  NoMoreWords(prog, args, sub == "password" ? 2 : 3);  // list [USER]: the contract's words
  std::string role = args.Get("role", "user");
  if (role != "user" && role != "admin") Die(prog, "unknown role '" + role + "' (user, admin)");
  if (sub == "add" || sub == "delete") {
    Word(prog, args, 2, "user name");
    return;
  }
  if (sub == "quota") {
    Word(prog, args, 2, "user name");
    Need(prog, args, "max-keys");
    return;
  }
  if (sub == "list" || sub == "password") return;
  Die(prog, "unknown command 'user " + sub + "' (try --help)");
}

Args LoginArgsForUser(const Args& args, const std::string& sub) {
  Args login = args;
  login.options.erase("password-file");
  if (sub == "password" && args.options.count("old-password-file") != 0) {
    login.options["password-file"] = args.Get("old-password-file");
  }
  return login;
}

void UserCommand(const char* prog, const Args& args, const std::string& sub,
                 const std::string& current, Client* client) {
  if (sub == "add") {
    const std::string user = Word(prog, args, 2, "user name");
    std::string pw = Must(
        prog, ReadPassword(args, "password-file", "password for new user " + user + ": ", false));
    Status s = client->AddMember(user, pw, args.Get("role", "user"));
    WipeString(&pw);
    Must(prog, s);
  } else if (sub == "delete") {
    Must(prog, client->DeleteMember(Word(prog, args, 2, "user name")));
  } else if (sub == "quota") {
    Must(prog, client->SetMemberQuota(Word(prog, args, 2, "user name"),
                                      ParseCount(prog, Need(prog, args, "max-keys"))));
  } else if (sub == "list") {
    const std::string only = args.Get("role");  // --role R: only R's
    for (const auto& [name, role] : Must(prog, client->ListMembers())) {
      if (only.empty() || role == only) std::printf("%s\t%s\n", name.c_str(), role.c_str());
    }
  } else if (sub == "password") {
    std::string fresh =
        Must(prog, ReadPassword(args, "password-file", "new VHSM password: ", false));
    Status s = client->ChangePassword(current, fresh);
    WipeString(&fresh);
    Must(prog, s);
    std::printf("password changed\n");
  }
}

}  // namespace vhsm::cli
