#include "tools/bench/report.h"

#include <cstdio>

namespace vhsm::bench {
namespace {

const std::map<std::string, double>* g_report = nullptr;

double Get(const std::string& k) {
  const auto& results = *g_report;
  auto it = results.find(k);
  return it == results.end() ? -1.0 : it->second;
}

std::string Cell(double x) {
  char b[32];
  if (x < 0) return "-";
  std::snprintf(b, sizeof b, "%.1f", x);
  return b;
}

// Ratios: each VHSM figure against its references.
std::string Ratios(const std::string& o, double v, double rtt, double ossl, double peer) {
  std::string ratios;
  char buf[64];
  if (rtt > 0) ratios += (std::snprintf(buf, sizeof buf, "rtt %.2f  ", v / rtt), buf);
  if (ossl > 0) ratios += (std::snprintf(buf, sizeof buf, "openssl %.3f  ", v / ossl), buf);
  if (peer > 0) ratios += (std::snprintf(buf, sizeof buf, "softhsm %.2f", v / peer), buf);
  if (o.rfind("hmac64_noisy", 0) == 0) {
    ratios +=
        (std::snprintf(buf, sizeof buf, "x%.2f of hmac64 alone", v / Get("hmac64.vhsm")), buf);
  }
  if (o == "hmac64_2c" || o == "hmac64_4c") {
    ratios += (std::snprintf(buf, sizeof buf, "x%.2f of one client", v / Get("hmac64.vhsm")), buf);
  }
  return ratios;
}

}  // namespace

void PrintReport(const std::map<std::string, double>& results, double login_share) {
  g_report = &results;
  std::printf("\n%-14s %12s %12s %12s %12s   %s\n", "operation", "vhsm op/s", "netlink_rtt",
              "openssl", "softhsm", "ratios (vhsm / reference)");
  for (const char* op : {"hmac64",
                         "hmac64_pipe",
                         "hmac1m",
                         "sha1m",
                         "gcm1k",
                         "ecdsa",
                         "ecdsa_pipe",
                         "ed25519",
                         "rsa2048_sign",
                         "keygen",
                         "login",
                         "cli_batch_mac",
                         "engine_hmac64",
                         "p11_hmac64",
                         "p11_ecdsa",
                         "p11_create_object",
                         "p11_find_label",
                         "hmac64_2c",
                         "hmac64_4c",
                         "hmac64_noisy_slowreader",
                         "hmac64_noisy_loginflood",
                         "hmac64_noisy_bigframes",
                         "hmac64_noisy"}) {
    std::string o = op;
    std::string base = o == "hmac64_pipe" ? "hmac64" : o == "ecdsa_pipe" ? "ecdsa" : o;
    double v = Get(o + ".vhsm");
    double rtt = Get((o == "engine_hmac64" ? "hmac64" : base) + ".netlink_rtt");
    double ossl = Get(base + ".openssl"), peer = Get(base + ".softhsm");
    std::printf("%-14s %12s %12s %12s %12s   %s\n", op, Cell(v).c_str(), Cell(rtt).c_str(),
                Cell(ossl).c_str(), Cell(peer).c_str(), Ratios(o, v, rtt, ossl, peer).c_str());
  }
  std::printf("login: PBKDF2 (600000 iterations) is %.0f%% of a login\n", 100.0 * login_share);
  std::printf("rss_flood_mb: vhsmd's peak RSS during the floods is %.1f MB\n",
              Get("rss_flood_mb.vhsm"));
  if (Get("tls_handshake.vhsm") > 0 && Get("tls_handshake.file") > 0) {
    std::printf(
        "tls_handshake: %.1f full handshakes/s with a vhsm: key, %.1f with the key file: "
        "x%.2f\n",
        Get("tls_handshake.vhsm"), Get("tls_handshake.file"),
        Get("tls_handshake.vhsm") / Get("tls_handshake.file"));
  }
  if (Get("rss_per_container_kb.vhsm") >= 0) {
    std::printf(
        "scale: 10,000 containers attached at %.0f per second; %.2f KB of RSS each "
        "(one request each); %.2f KB per open session\n",
        Get("attach_many.vhsm"), Get("rss_per_container_kb.vhsm"), Get("rss_per_session_kb.vhsm"));
  }
  for (const char* op : {"hmac64_audit", "keygen_audit"}) {
    double with = Get(std::string(op) + ".vhsm"), without = Get(std::string(op) + ".vhsm_noaudit");
    if (with > 0 && without > 0) {
      std::printf("%s: %.1f op/s audited, %.1f with --no-audit: the audit log costs %.1f%%\n", op,
                  with, without, 100.0 * (1.0 - with / without));
    }
  }
  for (const char* op : {"hmac64_pg", "keygen_pg", "login_pg"}) {
    double pg = Get(std::string(op) + ".vhsm"), sqlite = Get(std::string(op) + ".vhsm_sqlite");
    if (pg > 0 && sqlite > 0) {
      std::printf("%s: %.1f op/s with the store on PostgreSQL, %.1f on SQLite: x%.2f\n", op, pg,
                  sqlite, pg / sqlite);
    }
  }
  std::printf("{");
  bool first = true;
  for (const auto& [k, v] : results) {
    std::printf("%s\"%s\": %.1f", first ? "" : ", ", k.c_str(), v);
    first = false;
  }
  std::printf("}\n");
}

}  // namespace vhsm::bench
