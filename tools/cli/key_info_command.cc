// vhsm key info|rotate|set|public, and a key's description (text or JSON).
#include "tools/cli/key_info_command.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "vhsm/proto/names.h"

namespace vhsm::cli {
namespace {

// Origin: where a key's material came from.
const char* Origin(const KeyInfo& k) {
  return k.imported ? "imported" : k.derived ? "derived" : "generated";
}

}  // namespace

nlohmann::json KeyJson(const KeyInfo& k) {
  nlohmann::json j = {{"id", k.id},
                      {"type", k.type},
                      {"created", k.created_unix},
                      {"label", k.label},
                      {"ops", KeyOpsString(k.allowed_ops)},
                      {"latest_version", k.latest_version},
                      {"min_version", k.min_version},
                      {"origin", Origin(k)}};
  if (!k.versions.empty()) {
    nlohmann::json versions = nlohmann::json::array();
    for (const auto& [v, created] : k.versions) {
      versions.push_back({{"version", v}, {"created", created}});
    }
    j["versions"] = versions;
  }
  return j;
}

namespace {

// PrintKeyInfo: one "name<TAB>value" line each; a line per version held.
void PrintKeyInfo(const Args& args, const KeyInfo& k) {
  if (args.Has("json")) {
    std::printf("%s\n", KeyJson(k).dump().c_str());
    return;
  }
  std::printf(
      "id\t%s\ntype\t%s\nops\t%s\nlabel\t%s\ncreated\t%lld\nlatest_version\t%u\n"
      "min_version\t%u\norigin\t%s\n",
      k.id.c_str(), k.type.c_str(), KeyOpsString(k.allowed_ops).c_str(), k.label.c_str(),
      static_cast<long long>(k.created_unix), k.latest_version, k.min_version, Origin(k));
  for (const auto& [v, created] : k.versions) {
    // "version <N> <unix seconds> <UTC date>"
    char date[32] = "-";
    std::time_t t = static_cast<std::time_t>(created);
    std::tm tm{};
    if (gmtime_r(&t, &tm) != nullptr) std::strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
    std::printf("version\t%u\t%lld\t%s\n", v, static_cast<long long>(created), date);
  }
}

uint32_t VersionArg(const char* prog, const Args& args, const std::string& name) {
  const std::string text = args.Get(name);
  char* end = nullptr;
  unsigned long v =
      text.empty() || text[0] < '0' || text[0] > '9' ? 0 : std::strtoul(text.c_str(), &end, 10);
  if (v == 0 || v > UINT32_MAX || end == nullptr || *end != '\0') {
    Die(prog, "--" + name + " must be a positive number");
  }
  return static_cast<uint32_t>(v);
}

}  // namespace

void KeyVersionCommand(const char* prog, const Args& args, const std::string& sub, Client* client) {
  const std::string id = Word(prog, args, 2, "key id");
  if (sub == "info") {
    PrintKeyInfo(args, Must(prog, client->GetKeyInfo(id)));
  } else if (sub == "rotate") {
    PrintKeyInfo(args, Must(prog, client->RotateKey(id)));
  } else if (sub == "set") {
    PrintKeyInfo(args,
                 Must(prog, client->SetMinVersion(id, VersionArg(prog, args, "min-version"))));
  } else if (sub == "public") {
    uint32_t version = args.options.count("version") != 0 ? VersionArg(prog, args, "version") : 0;
    Must(prog, WriteOutput(args.Get("out"), Must(prog, client->PublicKeyPem(id, version))));
  }
}

}  // namespace vhsm::cli
