// bench: VHSM's cost per operation beside its references, measured in one run.
//
//   bazel run --config=release //tools/bench [-- --seconds S]
//
// Starts a private vhsmd (temporary data directory, random port id, default
// PBKDF2 iterations), then measures each operation three ways where it can:
// through VHSM (`vhsm`), in-process with libcrypto (`openssl`), with SoftHSM2
// through PKCS#11 in-process with token keys (`softhsm`), plus the raw
// NETLINK_USERSOCK round trip between two processes (`netlink_rtt`). Prints a
// table, then one line of JSON {"<op>.<who>": ops per second, ...}.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tools/bench/audit_cost.h"
#include "tools/bench/cli_batch.h"
#include "tools/bench/concurrent_hmac.h"
#include "tools/bench/must.h"
#include "tools/bench/netlink_rtt.h"
#include "tools/bench/noisy.h"
#include "tools/bench/noisy_figures.h"
#include "tools/bench/pg_figures.h"
#include "tools/bench/private_daemon.h"
#include "tools/bench/report.h"
#include "tools/bench/scale_figures.h"
#include "tools/bench/softhsm_peer.h"
#include "tools/bench/tls_figures.h"
#include "vhsm/api/admin.h"
#include "vhsm/api/client.h"
#include "vhsm/crypto/aead.h"
#include "vhsm/crypto/asymmetric_key.h"
#include "vhsm/crypto/digest.h"
#include "vhsm/crypto/hmac.h"
#include "vhsm/crypto/pbkdf2.h"

namespace {

using Clock = std::chrono::steady_clock;
double g_seconds = 1.0;
std::vector<std::string> g_daemon_flags;  // --daemon-flag, for --only tls|sign
std::map<std::string, double> g_results;  // "<op>.<who>" -> ops/s

using vhsm::bench::Die;
using vhsm::bench::Must;

// Measure runs fn (which returns how many operations it did) for about
// g_seconds * scale and returns operations per second.
double Measure(const std::function<long()>& fn, double scale = 1.0) {
  fn();  // warm-up
  auto start = Clock::now();
  long ops = 0;
  double elapsed = 0;
  do {
    ops += fn();
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < g_seconds * scale);
  return ops / elapsed;
}

void Record(const std::string& op, const std::string& who, double rate) {
  g_results[op + "." + who] = rate;
  std::fprintf(stderr, "  %-16s %-12s %12.1f op/s\n", op.c_str(), who.c_str(), rate);
}

std::string RandomString(size_t n) {
  std::string s(n, '\0');
  std::mt19937 rng(n);
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

// ---- noisy neighbours (issue #11): tools/bench/noisy_figures.cc --------------------

void NoisyNeighbours(const vhsm::bench::Daemon& d, const std::string& password) {
  vhsm::bench::NoisyFigures f =
      vhsm::bench::MeasureNoisyNeighbours(d.pid, d.port, password, g_seconds);
  double lowest = -1;
  for (const auto& [mode, rate] : f.rates) {
    Record("hmac64_noisy_" + mode, "vhsm", rate);
    lowest = lowest < 0 ? rate : std::min(lowest, rate);
  }
  Record("hmac64_noisy", "vhsm", lowest);
  g_results["rss_flood_mb.vhsm"] = f.rss_peak_mb;
  std::fprintf(stderr, "  %-16s %-12s %12.1f MB\n", "rss_flood_mb", "vhsm", f.rss_peak_mb);
}

// ---- the engine, in an ordinary OpenSSL program ------------------------------
// A separate process: a program that loads the engine does not link libvhsm
// itself (two copies of vhsm.proto's descriptors in one process are fatal to
// libprotobuf), so neither does this measurement.

// P11 runs tools/bench/p11_bench against a PKCS#11 module (token keys, one
// C_SignInit + C_Sign per operation; then 10,000 data objects stored and
// searched by label) and records its figures as `who`.
void P11(const std::string& module, const std::string& pin, const std::string& who) {
  std::string cmd =
      "tools/bench/p11_bench " + module + " " + pin + " " + std::to_string(g_seconds) + " 10000";
  FILE* p = popen(cmd.c_str(), "r");
  char op[32];
  double rate = 0;
  while (p != nullptr && std::fscanf(p, "%31s %lf", op, &rate) == 2) Record(op, who, rate);
  if (p != nullptr) pclose(p);
}

double EngineHmac(const std::string& helper, const std::string& engine_path) {
  std::string cmd = helper + " " + engine_path + " h " + std::to_string(g_seconds);
  FILE* p = popen(cmd.c_str(), "r");
  double rate = -1;
  if (p == nullptr || std::fscanf(p, "%lf", &rate) != 1) Die("engine benchmark failed");
  pclose(p);
  return rate;
}

// ---- the figures ------------------------------------------------------------------

long Ok1(bool ok, const std::string& what) {
  if (!ok) Die(what + " failed");
  return 1L;
}

template <typename R>
long Ok(const R& r) {
  if (!r.ok()) Die(r.status().ToString());
  return 1L;
}

// Bench: the client, the SoftHSM peer, the inputs, and a method per family.
struct Bench {
  const vhsm::bench::Daemon& d;
  const std::string password = "bench-password";
  vhsm::ClientOptions options;
  std::unique_ptr<vhsm::Client> client;
  std::unique_ptr<vhsm::bench::SoftHsmPeer> softhsm;
  const std::string hmac_key = std::string(32, '\x42');
  const std::string m64 = RandomString(64), k1 = RandomString(1024), m1m = RandomString(1 << 20);

  explicit Bench(const vhsm::bench::Daemon& daemon) : d(daemon) {
    options.port_id = d.port;
    setenv("VHSM_PORT_ID", std::to_string(d.port).c_str(), 1);
    setenv("VHSM_USER", "bench", 1);
    setenv("VHSM_PASSWORD", password.c_str(), 1);
    {
      auto admin = Must(vhsm::Admin::Connect(options), "admin connect");
      if (!admin->AddUser("host", "bench", password).ok()) Die("user add");
    }
    client = Must(vhsm::Client::Connect(options), "connect");
    if (!client->Login("bench", password).ok()) Die("login");
    Must(client->ImportKey("hmac-sha256", "h", hmac_key), "import hmac");
    Must(client->ImportKey("aes-256", "a", std::string(32, '\x17')), "import aes");
    Must(client->GenerateKey("ec-p256", "e"), "generate ec");
    Must(client->GenerateKey("ed25519", "d"), "generate ed25519");
    Must(client->GenerateKey("rsa-2048", "r"), "generate rsa-2048");
    std::string error;
    softhsm = vhsm::bench::SoftHsmPeer::Open(d.dir, &error);
    if (!softhsm) std::fprintf(stderr, "bench: SoftHSM2 rows skipped: %s\n", error.c_str());
  }

  void Peer(const std::string& op, const std::function<bool()>& fn, double scale = 1.0) {
    if (softhsm) Record(op, "softhsm", Measure([&] { return fn() ? 1L : 0L; }, scale));
  }

  void Macs() {
    using vhsm::crypto::DigestAlg;
    Record("hmac64", "netlink_rtt", vhsm::bench::NetlinkRtt(64, g_seconds));
    Record("hmac64", "vhsm", Measure([&] { return Ok(client->Mac("h", m64)); }));
    std::vector<std::string> batch(256, m64);
    Record("hmac64_pipe", "vhsm", Measure([&] {
             Must(client->MacPipelined("h", batch), "pipelined mac");
             return static_cast<long>(batch.size());
           }));
    Record("hmac64", "openssl", Measure([&] {
             return Ok(vhsm::crypto::ComputeHmac(DigestAlg::kSha256, hmac_key, m64));
           }));
    Peer("hmac64", [&] { return softhsm->Hmac(m64); });
    Record("hmac1m", "netlink_rtt",
           vhsm::bench::NetlinkRtt(16 * 1024, g_seconds) * 16 * 1024 / (1 << 20));
    Record("hmac1m", "vhsm", Measure([&] { return Ok(client->Mac("h", m1m)); }));
    Record("hmac1m", "openssl", Measure([&] {
             return Ok(vhsm::crypto::ComputeHmac(DigestAlg::kSha256, hmac_key, m1m));
           }));
    Peer("hmac1m", [&] { return softhsm->Hmac(m1m); });
    Record("sha1m", "vhsm", Measure([&] { return Ok(client->Digest("sha256", m1m)); }));
    Record("sha1m", "openssl",
           Measure([&] { return Ok(vhsm::crypto::ComputeDigest(DigestAlg::kSha256, m1m)); }));
    Peer("sha1m", [&] { return softhsm->Sha256(m1m); });
  }

  void CiphersAndSignatures() {
    const vhsm::crypto::Bytes gcm_key(32, 0x17), nonce(12, 1);
    Record("gcm1k", "vhsm", Measure([&] { return Ok(client->Encrypt("a", k1)); }));
    Record("gcm1k", "openssl",
           Measure([&] { return Ok(vhsm::crypto::AesGcmSeal(gcm_key, nonce, k1, {})); }));
    Peer("gcm1k", [&] { return softhsm->GcmEncrypt(k1); });
    Signatures();
  }

  void Signatures() {
    auto ec_key = Must(vhsm::crypto::PrivateKey::Generate(vhsm::crypto::KeyAlg::kEcP256), "ec");
    auto ed_key = Must(vhsm::crypto::PrivateKey::Generate(vhsm::crypto::KeyAlg::kEd25519), "ed");
    Record("ecdsa", "vhsm", Measure([&] { return Ok(client->Sign("e", m64)); }));
    Record("ecdsa", "openssl", Measure([&] { return Ok(ec_key.Sign(m64)); }));
    Peer("ecdsa", [&] { return softhsm->EcdsaSign(m64); });
    Record("ecdsa_pipe", "vhsm",
           vhsm::bench::ConcurrentSign(options, 4, password, "e", 2 * g_seconds));
    Record("ed25519", "vhsm", Measure([&] { return Ok(client->Sign("d", m64)); }));
    Record("ed25519", "openssl", Measure([&] { return Ok(ed_key.Sign(m64)); }));
    if (softhsm && softhsm->has_ed25519())
      Peer("ed25519", [&] { return softhsm->Ed25519Sign(m64); });
    auto rsa_key = Must(vhsm::crypto::PrivateKey::Generate(vhsm::crypto::KeyAlg::kRsa2048), "rsa");
    Record("rsa2048_sign", "vhsm", Measure([&] { return Ok(client->Sign("r", m64)); }));
    Record("rsa2048_sign", "openssl", Measure([&] { return Ok(rsa_key.Sign(m64)); }));
    Peer("rsa2048_sign", [&] { return softhsm->RsaSign(m64); });
  }

  // Returns login's share of PBKDF2, for the table's footnote.
  double KeygenAndLogin() {
    int n = 0;
    Record("keygen", "vhsm",
           Measure([&] { return Ok(client->GenerateKey("ec-p256", "kg" + std::to_string(n++))); },
                   2.0));
    Record("keygen", "openssl", Measure([&] {
             return Ok(vhsm::crypto::PrivateKey::Generate(vhsm::crypto::KeyAlg::kEcP256));
           }));
    Peer(
        "keygen", [&] { return softhsm->GenerateEcKeyPair(); }, 2.0);
    double login = Measure(
        [&] {
          auto c = Must(vhsm::Client::Connect(options), "connect");
          return Ok1(c->Login("bench", password).ok(), "login");
        },
        2.0);
    Record("login", "vhsm", login);
    double pbkdf2 = Measure(
        [&] {
          return Ok(vhsm::crypto::Pbkdf2HmacSha256(password, "0123456789abcdef", 600000, 32));
        },
        2.0);
    Record("login", "openssl", pbkdf2);
    Peer("login", [&] { return softhsm->LoginLogout(); });
    return login / pbkdf2;
  }
};

// AuditFigures: the audit log's cost, two fresh daemons side by side.
void AuditFigures(const std::string& vhsmd) {
  auto audit = vhsm::bench::MeasureAuditCost(vhsmd, "bench-password", 4 * g_seconds);
  for (const auto& [op, r] : audit.rates) {
    Record(op, "vhsm", r.first);
    Record(op, "vhsm_noaudit", r.second);
  }
}

// PostgresFigures: vhsmd on PostgreSQL beside vhsmd on SQLite.
void PostgresFigures(const std::string& vhsmd, const std::string& pg_cluster) {
  auto pg = vhsm::bench::MeasurePg(vhsmd, pg_cluster, "bench-password", 2 * g_seconds);
  if (!pg.skipped.empty())
    std::fprintf(stderr, "bench: PostgreSQL rows skipped: %s\n", pg.skipped.c_str());
  for (const auto& [op, r] : pg.rates) {
    Record(op, "vhsm", r.first);
    Record(op, "vhsm_sqlite", r.second);
  }
}

// ScaleFiguresOf: 10,000 containers and 1,000 sessions on a fresh vhsmd.
void ScaleFiguresOf(const std::string& vhsmd) {
  auto f = vhsm::bench::MeasureScale(vhsmd, 10000, 1000);
  if (!f.skipped.empty()) {
    std::fprintf(stderr, "bench: scale rows skipped: %s\n", f.skipped.c_str());
    return;
  }
  Record("rss_per_container_kb", "vhsm", f.rss_per_container_kb);
  Record("attach_many", "vhsm", f.attach_per_s);
  Record("rss_per_session_kb", "vhsm", f.rss_per_session_kb);
}

// TlsRows: openssl s_server with a vhsm: key against one with a key file.
void TlsRows(Bench& b) {
  auto tls = vhsm::bench::MeasureTls(b.client.get(), "vhsm/provider", 4 * g_seconds);
  Record("tls_handshake", "vhsm", tls.first);
  Record("tls_handshake", "file", tls.second);
}

// SpeedOnly: issue 18's speed ratios alone (MACs against the raw round
// trip and libcrypto, ECDSA one and four at a time, TLS), on a fresh vhsmd.
void SpeedOnly(const std::string& vhsmd) {
  vhsm::bench::Daemon d = vhsm::bench::StartDaemon(vhsmd);
  vhsm::bench::ExportServerKey(d);
  {
    Bench b(d);
    b.Macs();
    b.Signatures();
    TlsRows(b);
  }
  vhsm::bench::StopDaemon(d);
}

// RowsOnly: the TLS, signature or MAC rows alone, on a fresh vhsmd
// (with --daemon-flag flags: for trying vhsmd's options).
void RowsOnly(const std::string& vhsmd, const std::string& which) {
  vhsm::bench::Daemon d = vhsm::bench::StartDaemon(vhsmd, g_daemon_flags);
  vhsm::bench::ExportServerKey(d);
  {
    Bench b(d);
    if (which == "tls") TlsRows(b);
    if (which == "sign") b.Signatures();
    if (which == "mac") b.Macs();
  }
  vhsm::bench::StopDaemon(d);
}

// AllFigures: everything but the audit's cost, on one daemon; returns
// login's share of PBKDF2.
double AllFigures(const std::string& vhsmd, const std::string& engine) {
  vhsm::bench::Daemon d = vhsm::bench::StartDaemon(vhsmd);
  vhsm::bench::ExportServerKey(d);
  double login_share = 0;
  {
    Bench b(d);
    std::fprintf(stderr, "measuring (%.1f s per figure)...\n", g_seconds);
    b.Macs();
    b.CiphersAndSignatures();
    login_share = b.KeygenAndLogin();
    TlsRows(b);
    Record("cli_batch_mac", "vhsm", vhsm::bench::CliBatchMac("tools/cli/vhsm", "h", 5000));
    Record("engine_hmac64", "vhsm", EngineHmac("tools/bench/engine_hmac_bench", engine));
    Record("engine_hmac64", "openssl", g_results["hmac64.openssl"]);
    P11("vhsm/pkcs11/libvhsm-pkcs11.so", b.password, "vhsm");
    if (b.softhsm) P11("/usr/lib/softhsm/libsofthsm2.so", "123456", "softhsm");
    Record("hmac64_2c", "vhsm", vhsm::bench::ConcurrentHmac(d.port, 2, b.password, 2 * g_seconds));
    Record("hmac64_4c", "vhsm", vhsm::bench::ConcurrentHmac(d.port, 4, b.password, 2 * g_seconds));
    NoisyNeighbours(d, b.password);
  }
  vhsm::bench::StopDaemon(d);
  return login_share;
}

}  // namespace

int main(int argc, char** argv) {
  std::string vhsmd = "vhsm/server/vhsmd", engine = "vhsm/engine/vhsm-engine.so",
              pg_cluster = "tools/pg-cluster", only;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--seconds" && i + 1 < argc) {
      g_seconds = std::atof(argv[++i]);
    } else if (a == "--vhsmd" && i + 1 < argc) {
      vhsmd = argv[++i];
    } else if (a == "--engine" && i + 1 < argc) {
      engine = argv[++i];
    } else if (a == "--pg-cluster" && i + 1 < argc) {
      pg_cluster = argv[++i];
    } else if (a == "--daemon-flag" && i + 1 < argc) {
      g_daemon_flags.push_back(argv[++i]);
    } else if (a == "--only" && i + 1 < argc &&
               std::set<std::string>{"main", "audit", "pg", "scale", "tls", "sign", "mac", "speed"}
                       .count(argv[i + 1]) != 0) {
      only = argv[++i];
    } else if (a == "--audit-only") {
      only = "audit";
    } else {
      std::fprintf(stderr,
                   "usage: bench [--seconds S] [--vhsmd PATH] [--engine PATH] "
                   "[--pg-cluster PATH] [--only main|audit|pg|scale|tls|sign|mac|speed] "
                   "[--daemon-flag F]...\n");
      return 2;
    }
  }
  signal(SIGPIPE, SIG_IGN);
  double login_share = only.empty() || only == "main" ? AllFigures(vhsmd, engine) : 0;
  if (only.empty() || only == "audit") AuditFigures(vhsmd);
  if (only.empty() || only == "pg") PostgresFigures(vhsmd, pg_cluster);
  if (only.empty() || only == "scale") ScaleFiguresOf(vhsmd);
  if (only == "tls" || only == "sign" || only == "mac") RowsOnly(vhsmd, only);
  if (only == "speed") SpeedOnly(vhsmd);
  vhsm::bench::PrintReport(g_results, login_share);
  return 0;
}
