#include "tools/cli/audit_command.h"

#include <cstdio>
#include <ctime>

namespace vhsm::cli {
namespace {

std::string Utc(int64_t ms) {
  char out[32] = "-";
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  if (gmtime_r(&t, &tm) != nullptr) std::strftime(out, sizeof(out), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return out;
}

// SinceMs: --since as unix seconds or an ISO 8601 UTC time; 0 when absent.
int64_t SinceMs(const char* prog, const Args& args) {
  std::string t = args.Get("since");
  if (t.empty()) return 0;
  std::tm tm{};
  const char* end = strptime(t.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (end != nullptr && *end == '\0') return static_cast<int64_t>(timegm(&tm)) * 1000;
  char* num_end = nullptr;
  long long s = std::strtoll(t.c_str(), &num_end, 10);
  if (num_end == t.c_str() || *num_end != '\0' || s < 0) {
    Die(prog, "--since takes unix seconds or YYYY-MM-DDTHH:MM:SSZ");
  }
  return s * 1000;
}

std::string Verdict(const std::string& container, const AuditVerdict& v) {
  std::string head = container + ": " + std::to_string(v.records) + " records, " +
                     std::to_string(v.checkpoints) + " checkpoints: ";
  return head + (v.intact ? "intact"
                          : "BROKEN at record " + std::to_string(v.bad_record) + ": " + v.problem);
}

}  // namespace

bool CheckAuditCommand(const char* prog, const Args& args, const std::string& sub) {
  NoMoreWords(prog, args, 2);
  if (sub == "list") {
    SinceMs(prog, args);
    return false;
  }
  if (sub == "verify") return false;
  Die(prog, "unknown command 'audit " + sub + "' (try --help)");
}

void AuditCommand(const char* prog, const Args& args, const std::string& sub, Client* client) {
  if (sub == "verify") {
    AuditVerdict v = Must(prog, client->VerifyAudit());
    std::printf("%s\n", Verdict("this container", v).c_str());
    if (!v.intact) std::exit(1);
    return;
  }
  const int64_t since = SinceMs(prog, args);
  AuditLogCopy log = Must(prog, client->ReadAudit());
  std::vector<AuditEntry> shown;
  for (AuditEntry& e : log.records) {
    if (e.time_ms >= since) shown.push_back(std::move(e));
  }
  if (args.Has("json")) {
    std::printf("%s\n", AuditRecordsJson(shown).c_str());
    return;
  }
  for (const AuditEntry& e : shown) {
    std::printf("%llu\t%s\t%s\t%s\t%s\t%s\t%s\n", static_cast<unsigned long long>(e.seq),
                Utc(e.time_ms).c_str(), e.user.empty() ? "-" : e.user.c_str(),
                e.role.empty() ? "-" : e.role.c_str(), e.op.c_str(),
                e.key_id.empty() ? "-" : e.key_id.c_str(), e.result.c_str());
  }
}

int AdminAuditCommand(const char* prog, const Args& args, const std::string& verb, Admin* admin) {
  if (verb == "export") {
    AuditLogCopy log = Must(prog, admin->ReadAudit(Need(prog, args, "container")));
    Must(prog, WriteFileAtomically(Need(prog, args, "out"), AuditExportJson(log), 0600));
    return 0;
  }
  std::vector<std::string> containers;
  if (!args.Get("container").empty()) {
    containers.push_back(args.Get("container"));
  } else {
    containers.push_back("host");
    for (const ContainerInfo& c : Must(prog, admin->ListContainers())) {
      if (c.name != "host") containers.push_back(c.name);
    }
  }
  int rc = 0;
  for (const std::string& c : containers) {
    AuditVerdict v = Must(prog, admin->VerifyAudit(c));
    std::printf("%s\n", Verdict(c, v).c_str());
    if (!v.intact) rc = 1;
  }
  return rc;
}

}  // namespace vhsm::cli
