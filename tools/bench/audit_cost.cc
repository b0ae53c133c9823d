#include "tools/bench/audit_cost.h"

#include <string>
#include <vector>

#include "tools/bench/must.h"
#include "tools/bench/paired.h"

namespace vhsm::bench {

AuditCost MeasureAuditCost(const std::string& vhsmd, const std::string& password, double seconds) {
  // Room for the keys the slices generate.
  const std::vector<std::string> flags[2] = {{"--max-keys", "1000000"},
                                             {"--max-keys", "1000000", "--no-audit"}};
  Pair pair = StartPair(vhsmd, flags, password);
  Side* sides = pair.sides;
  const std::string m64(64, 'm');
  AuditCost cost;
  // A slice ends with a request that changes nothing but must be audited
  // before its answer (deleting a key that is not there): the audited
  // vhsmd writes every record still queued first, so the slice pays for
  // all its records, none left to its background writer during the other
  // vhsmd's slice (which made the audit look cheaper than it is). Slices
  // of a second keep that last write a small part of each.
  auto settle = [&](int i) {
    if (sides[i].client->DeleteKey("no-such-key").code() != StatusCode::kNotFound) Die("settle");
  };
  cost.rates["hmac64_audit"] =
      Slices([&](int i) { Must(sides[i].client->Mac("h", m64), "mac"); }, seconds, settle, 1.0);
  cost.rates["keygen_audit"] = Slices(
      [&](int i) {
        Side& s = sides[i];
        Must(s.client->GenerateKey("ec-p256", "ac" + std::to_string(s.generated++)), "keygen");
      },
      seconds);
  StopPair(pair);
  return cost;
}

}  // namespace vhsm::bench
