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
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "tools/bench/noisy.h"
#include "tools/bench/softhsm_peer.h"
#include "vhsm/api/admin.h"
#include "vhsm/api/client.h"
#include "vhsm/crypto/aead.h"
#include "vhsm/crypto/digest.h"
#include "vhsm/crypto/hmac.h"
#include "vhsm/crypto/pbkdf2.h"
#include "vhsm/crypto/signing_key.h"
#include "vhsm/transport/frame.h"
#include "vhsm/transport/netlink_socket.h"

namespace {

using Clock = std::chrono::steady_clock;
double g_seconds = 1.0;
std::map<std::string, double> g_results;  // "<op>.<who>" -> ops/s

[[noreturn]] void Die(const std::string& m) {
  std::fprintf(stderr, "bench: %s\n", m.c_str());
  std::exit(1);
}

template <typename T>
T Must(vhsm::Result<T> r, const char* what) {
  if (!r.ok()) Die(std::string(what) + ": " + r.status().ToString());
  return std::move(r).value();
}

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

uint32_t RandomPort() { return 0x50000000u | (std::random_device{}() & 0x0fffffffu); }

// ---- the private daemon -------------------------------------------------------

struct Daemon {
  pid_t pid = -1;
  std::string dir;
  uint32_t port = 0;
};

Daemon StartDaemon(const std::string& vhsmd) {
  Daemon d;
  char tmpl[] = "/tmp/vhsm-bench-XXXXXX";
  d.dir = mkdtemp(tmpl);
  d.port = RandomPort();
  int fds[2];
  if (pipe(fds) != 0) Die("pipe");
  d.pid = fork();
  if (d.pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive the benchmark, even if it dies
    dup2(fds[1], 2);
    close(fds[0]);
    std::string port = std::to_string(d.port), data = d.dir + "/data", run = d.dir + "/run";
    execl(vhsmd.c_str(), vhsmd.c_str(), "--data-dir", data.c_str(), "--run-dir", run.c_str(),
          "--port-id", port.c_str(), "--quiet", "--threads", "2", nullptr);
    _exit(127);
  }
  close(fds[1]);
  std::string log;
  char buf[256];
  ssize_t n;
  while (log.find("vhsmd: ready") == std::string::npos && (n = read(fds[0], buf, sizeof buf)) > 0) {
    log.append(buf, n);
  }
  if (log.find("vhsmd: ready") == std::string::npos) Die("vhsmd did not start: " + log);
  // Clients pin the daemon's key, as the README tells users to.
  setenv("VHSM_SERVER_KEY", (d.dir + "/data/vhsmd.pub").c_str(), 1);
  // Keep reading the pipe in the background is not needed: --quiet.
  return d;
}

// ---- raw netlink round trips -----------------------------------------------------

double NetlinkRtt(size_t payload) {
  uint32_t port = RandomPort();
  int ready[2];
  if (pipe(ready) != 0) Die("pipe");
  pid_t echo = fork();
  if (echo == 0) {
    auto s = vhsm::transport::NetlinkSocket::Create(port, false);
    if (!s.ok()) _exit(1);
    (*s)->SetBufferSizes(4 << 20);
    char ok = 1;
    if (write(ready[1], &ok, 1) != 1) _exit(1);
    for (;;) {
      auto d = (*s)->Receive(1 << 17, -1);
      if (!d.ok()) continue;
      (void)(*s)->SendTo(d->sender_port, d->data.data(), d->data.size());
    }
  }
  char ok;
  if (read(ready[0], &ok, 1) != 1) Die("echo process");
  auto s = Must(vhsm::transport::NetlinkSocket::Create(0, false), "netlink socket");
  s->SetBufferSizes(4 << 20);
  std::string data = RandomString(payload);
  double rate = Measure([&] {
    if (!s->SendTo(port, reinterpret_cast<const uint8_t*>(data.data()), data.size()).ok()) {
      Die("raw send");
    }
    if (!s->Receive(1 << 17, 5000).ok()) Die("raw receive");
    return 1L;
  });
  kill(echo, SIGKILL);
  waitpid(echo, nullptr, 0);
  return rate;
}

// ---- several client processes --------------------------------------------------

double ConcurrentHmac(uint32_t port, int clients, const std::string& password) {
  std::vector<int> reports;
  std::vector<pid_t> pids;
  int go[2];
  if (pipe(go) != 0) Die("pipe");
  for (int i = 0; i < clients; ++i) {
    int r[2];
    if (pipe(r) != 0) Die("pipe");
    pid_t pid = fork();
    if (pid == 0) {
      close(r[0]);
      close(go[1]);
      vhsm::ClientOptions o;
      o.port_id = port;
      auto c = vhsm::Client::Connect(o);
      if (!c.ok()) {
        std::fprintf(stderr, "bench client: %s\n", c.status().ToString().c_str());
        _exit(1);
      }
      if (vhsm::Status s = (*c)->Login("bench", password); !s.ok()) {
        std::fprintf(stderr, "bench client: %s\n", s.ToString().c_str());
        _exit(1);
      }
      std::string msg = RandomString(64);
      long ready = -1;
      if (write(r[1], &ready, sizeof ready) != sizeof ready) _exit(1);
      char g;
      if (read(go[0], &g, 1) < 0) _exit(1);  // EOF (the parent closed it) means go
      auto start = Clock::now();
      long ops = 0;
      while (std::chrono::duration<double>(Clock::now() - start).count() < 2 * g_seconds) {
        auto mac = (*c)->Mac("h", msg);
        if (!mac.ok()) {
          std::fprintf(stderr, "bench client: %s\n", mac.status().ToString().c_str());
          _exit(1);
        }
        ++ops;
      }
      if (write(r[1], &ops, sizeof ops) != sizeof ops) _exit(1);
      _exit(0);
    }
    close(r[1]);
    reports.push_back(r[0]);
    pids.push_back(pid);
  }
  for (int fd : reports) {
    long ready;
    if (read(fd, &ready, sizeof ready) != sizeof ready) Die("client did not log in");
  }
  close(go[1]);  // everyone starts
  close(go[0]);
  long total = 0;
  for (int fd : reports) {
    long ops = 0;
    if (read(fd, &ops, sizeof ops) == sizeof ops) total += ops;
    close(fd);
  }
  for (pid_t p : pids) {
    int status = 0;
    waitpid(p, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      Die("a client process failed (status " + std::to_string(status) + ")");
    }
  }
  return total / (2 * g_seconds);
}

// ---- noisy neighbours (issue #11) ------------------------------------------------
// Container A's client MACs 64 bytes while container B attacks; each attack
// is its own figure, their minimum is hmac64_noisy, and the daemon's peak
// RSS over all of them is rss_flood_mb.

// Container: a process in a fresh network namespace, attached to vhsmd.
pid_t StartContainer() {
  int ready[2];
  if (pipe(ready) != 0) Die("pipe");
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (unshare(CLONE_NEWNET) != 0) _exit(1);
    char c = 1;
    if (write(ready[1], &c, 1) != 1) _exit(1);
    for (;;) pause();
  }
  char c;
  if (read(ready[0], &c, 1) != 1) Die("unshare(CLONE_NEWNET) failed (needs root)");
  close(ready[0]);
  close(ready[1]);
  return pid;
}

// InContainer runs fn in a child inside pid's network namespace and returns
// what it wrote to its pipe.
std::string InContainer(pid_t container, const std::function<std::string()>& fn) {
  int out[2];
  if (pipe(out) != 0) Die("pipe");
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int ns = open(("/proc/" + std::to_string(container) + "/ns/net").c_str(), O_RDONLY);
    if (ns < 0 || setns(ns, CLONE_NEWNET) != 0) _exit(1);
    std::string r = fn();
    if (write(out[1], r.data(), r.size()) < 0) _exit(1);
    _exit(0);
  }
  close(out[1]);
  std::string r;
  char buf[512];
  ssize_t n;
  while ((n = read(out[0], buf, sizeof buf)) > 0) r.append(buf, n);
  close(out[0]);
  waitpid(pid, nullptr, 0);
  return r;
}

long StatusKb(pid_t pid, const std::string& field) {
  FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/status").c_str(), "r");
  if (f == nullptr) return -1;
  char line[256];
  long kb = -1;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::strncmp(line, field.c_str(), field.size()) == 0 && line[field.size()] == ':') {
      kb = std::atol(line + field.size() + 1);
    }
  }
  std::fclose(f);
  return kb;
}

void NoisyNeighbours(const Daemon& d, const std::string& password) {
  vhsm::ClientOptions options;
  options.port_id = d.port;
  pid_t a = StartContainer(), b = StartContainer();
  {
    auto admin = Must(vhsm::Admin::Connect(options), "admin connect");
    for (auto [name, pid] : {std::pair{"bench-a", a}, std::pair{"bench-b", b}}) {
      vhsm::Status s = admin->AttachContainer(name, "/proc/" + std::to_string(pid) + "/ns/net");
      if (!s.ok()) Die("attach: " + s.ToString());
    }
    if (!admin->AddUser("bench-a", "victim", password).ok()) Die("user add");
  }
  std::string imported = InContainer(a, [&] {
    auto c = vhsm::Client::Connect(options);
    if (!c.ok() || !(*c)->Login("victim", password).ok()) return std::string("login failed");
    return (*c)->ImportKey("hmac-sha256", "h", std::string(32, 'v')).ok() ? std::string("ok")
                                                                          : std::string("import");
  });
  if (imported != "ok") Die("victim setup: " + imported);
  {
    std::FILE* f = std::fopen(("/proc/" + std::to_string(d.pid) + "/clear_refs").c_str(), "w");
    if (f != nullptr) {
      std::fputs("5", f);  // the peak RSS (VmHWM) starts again from now
      std::fclose(f);
    }
  }
  double lowest = -1;
  for (const char* mode : {"slowreader", "loginflood", "bigframes"}) {
    std::string m = mode;
    double flood_seconds = g_seconds + 2.5;
    pid_t attacker = fork();
    if (attacker == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      InContainer(b, [&] {
        if (m == "slowreader") vhsm::bench::SlowReaderFlood(d.port, flood_seconds);
        if (m == "loginflood") vhsm::bench::LoginFlood(d.port, flood_seconds, 4);
        if (m == "bigframes") vhsm::bench::BigFrameFlood(d.port, flood_seconds);
        return std::string();
      });
      _exit(0);
    }
    usleep(1000 * 1000);  // the flood is in full swing
    std::string r = InContainer(a, [&] {
      vhsm::bench::VictimStats v =
          vhsm::bench::VictimHmac(d.port, "victim", password, "h", g_seconds);
      return v.error.empty() ? std::to_string(v.ops_per_s) : "error " + v.error;
    });
    kill(attacker, SIGKILL);
    waitpid(attacker, nullptr, 0);
    if (r.rfind("error", 0) == 0 || r.empty()) Die("victim under " + m + ": " + r);
    double rate = std::atof(r.c_str());
    Record("hmac64_noisy_" + m, "vhsm", rate);
    lowest = lowest < 0 ? rate : std::min(lowest, rate);
    usleep(300 * 1000);  // let the attacker's leftovers drain
  }
  Record("hmac64_noisy", "vhsm", lowest);
  double peak_mb = StatusKb(d.pid, "VmHWM") / 1024.0;
  g_results["rss_flood_mb.vhsm"] = peak_mb;
  std::fprintf(stderr, "  %-16s %-12s %12.1f MB\n", "rss_flood_mb", "vhsm", peak_mb);
  {
    // Detaching unpins the namespaces vhsmd pinned.
    auto admin = Must(vhsm::Admin::Connect(options), "admin connect");
    (void)admin->DetachContainer("bench-a");
    (void)admin->DetachContainer("bench-b");
  }
  kill(a, SIGKILL);
  kill(b, SIGKILL);
  waitpid(a, nullptr, 0);
  waitpid(b, nullptr, 0);
}

// ---- the engine, in an ordinary OpenSSL program ------------------------------
// A separate process: a program that loads the engine does not link libvhsm
// itself (two copies of vhsm.proto's descriptors in one process are fatal to
// libprotobuf), so neither does this measurement.

double EngineHmac(const std::string& helper, const std::string& engine_path) {
  std::string cmd = helper + " " + engine_path + " h " + std::to_string(g_seconds);
  FILE* p = popen(cmd.c_str(), "r");
  double rate = -1;
  if (p == nullptr || std::fscanf(p, "%lf", &rate) != 1) Die("engine benchmark failed");
  pclose(p);
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  std::string vhsmd = "vhsm/server/vhsmd", engine = "vhsm/engine/vhsm-engine.so",
              engine_helper = "tools/bench/engine_hmac_bench";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--seconds" && i + 1 < argc) {
      g_seconds = std::atof(argv[++i]);
    } else if (a == "--vhsmd" && i + 1 < argc) {
      vhsmd = argv[++i];
    } else if (a == "--engine" && i + 1 < argc) {
      engine = argv[++i];
    } else {
      std::fprintf(stderr, "usage: bench [--seconds S] [--vhsmd PATH] [--engine PATH]\n");
      return 2;
    }
  }
  signal(SIGPIPE, SIG_IGN);
  Daemon d = StartDaemon(vhsmd);
  const std::string password = "bench-password";
  vhsm::ClientOptions options;
  options.port_id = d.port;
  setenv("VHSM_PORT_ID", std::to_string(d.port).c_str(), 1);
  setenv("VHSM_USER", "bench", 1);
  setenv("VHSM_PASSWORD", password.c_str(), 1);
  {
    auto admin = Must(vhsm::Admin::Connect(options), "admin connect");
    if (!admin->AddUser("host", "bench", password).ok()) Die("user add");
  }
  auto client = Must(vhsm::Client::Connect(options), "connect");
  if (!client->Login("bench", password).ok()) Die("login");
  const std::string hmac_key(32, '\x42');
  Must(client->ImportKey("hmac-sha256", "h", hmac_key), "import hmac");
  Must(client->ImportKey("aes-256", "a", std::string(32, '\x17')), "import aes");
  Must(client->GenerateKey("ec-p256", "e"), "generate ec");
  Must(client->GenerateKey("ed25519", "d"), "generate ed25519");

  std::string softhsm_error;
  auto softhsm = vhsm::bench::SoftHsmPeer::Open(d.dir, &softhsm_error);
  if (!softhsm) std::fprintf(stderr, "bench: SoftHSM2 rows skipped: %s\n", softhsm_error.c_str());

  const std::string m64 = RandomString(64), k1 = RandomString(1024), m1m = RandomString(1 << 20);
  auto ec_key = Must(vhsm::crypto::PrivateKey::Generate(vhsm::crypto::KeyAlg::kEcP256), "ec");
  auto ed_key = Must(vhsm::crypto::PrivateKey::Generate(vhsm::crypto::KeyAlg::kEd25519), "ed");
  const vhsm::crypto::Bytes gcm_key(32, 0x17), nonce(12, 1);
  auto hmac_ok = [](auto r) {
    if (!r.ok()) Die(r.status().ToString());
    return 1L;
  };

  std::fprintf(stderr, "measuring (%.1f s per figure)...\n", g_seconds);
  Record("hmac64", "netlink_rtt", NetlinkRtt(64));
  Record("hmac64", "vhsm", Measure([&] { return hmac_ok(client->Mac("h", m64)); }));
  std::vector<std::string> batch(256, m64);
  Record("hmac64_pipe", "vhsm", Measure([&] {
           Must(client->MacPipelined("h", batch), "pipelined mac");
           return static_cast<long>(batch.size());
         }));
  Record(
      "hmac64", "openssl", Measure([&] {
        return hmac_ok(vhsm::crypto::ComputeHmac(vhsm::crypto::DigestAlg::kSha256, hmac_key, m64));
      }));
  if (softhsm) Record("hmac64", "softhsm", Measure([&] { return softhsm->Hmac(m64) ? 1L : 0L; }));

  Record("hmac1m", "netlink_rtt", NetlinkRtt(16 * 1024) * 16 * 1024 / (1 << 20));
  Record("hmac1m", "vhsm", Measure([&] { return hmac_ok(client->Mac("h", m1m)); }));
  Record(
      "hmac1m", "openssl", Measure([&] {
        return hmac_ok(vhsm::crypto::ComputeHmac(vhsm::crypto::DigestAlg::kSha256, hmac_key, m1m));
      }));
  if (softhsm) Record("hmac1m", "softhsm", Measure([&] { return softhsm->Hmac(m1m) ? 1L : 0L; }));

  Record("sha1m", "vhsm", Measure([&] { return hmac_ok(client->Digest("sha256", m1m)); }));
  Record("sha1m", "openssl", Measure([&] {
           return hmac_ok(vhsm::crypto::ComputeDigest(vhsm::crypto::DigestAlg::kSha256, m1m));
         }));
  if (softhsm) Record("sha1m", "softhsm", Measure([&] { return softhsm->Sha256(m1m) ? 1L : 0L; }));

  Record("gcm1k", "vhsm", Measure([&] { return hmac_ok(client->Encrypt("a", k1)); }));
  Record("gcm1k", "openssl",
         Measure([&] { return hmac_ok(vhsm::crypto::AesGcmSeal(gcm_key, nonce, k1, {})); }));
  if (softhsm)
    Record("gcm1k", "softhsm", Measure([&] { return softhsm->GcmEncrypt(k1) ? 1L : 0L; }));

  Record("ecdsa", "vhsm", Measure([&] { return hmac_ok(client->Sign("e", m64)); }));
  Record("ecdsa", "openssl", Measure([&] { return hmac_ok(ec_key.Sign(m64)); }));
  if (softhsm)
    Record("ecdsa", "softhsm", Measure([&] { return softhsm->EcdsaSign(m64) ? 1L : 0L; }));

  Record("ed25519", "vhsm", Measure([&] { return hmac_ok(client->Sign("d", m64)); }));
  Record("ed25519", "openssl", Measure([&] { return hmac_ok(ed_key.Sign(m64)); }));
  if (softhsm && softhsm->has_ed25519()) {
    Record("ed25519", "softhsm", Measure([&] { return softhsm->Ed25519Sign(m64) ? 1L : 0L; }));
  }

  int n = 0;
  Record(
      "keygen", "vhsm",
      Measure([&] { return hmac_ok(client->GenerateKey("ec-p256", "kg" + std::to_string(n++))); },
              2.0));
  Record("keygen", "openssl", Measure([&] {
           return hmac_ok(vhsm::crypto::PrivateKey::Generate(vhsm::crypto::KeyAlg::kEcP256));
         }));
  if (softhsm)
    Record("keygen", "softhsm",
           Measure([&] { return softhsm->GenerateEcKeyPair() ? 1L : 0L; }, 2.0));

  double login = Measure(
      [&] {
        auto c = Must(vhsm::Client::Connect(options), "connect");
        if (!c->Login("bench", password).ok()) Die("login");
        return 1L;
      },
      2.0);
  Record("login", "vhsm", login);
  double pbkdf2 = Measure(
      [&] {
        return hmac_ok(vhsm::crypto::Pbkdf2HmacSha256(password, "0123456789abcdef", 600000, 32));
      },
      2.0);
  Record("login", "openssl", pbkdf2);
  if (softhsm)
    Record("login", "softhsm", Measure([&] { return softhsm->LoginLogout() ? 1L : 0L; }));

  Record("engine_hmac64", "vhsm", EngineHmac(engine_helper, engine));
  Record("engine_hmac64", "openssl", g_results["hmac64.openssl"]);

  Record("hmac64_2c", "vhsm", ConcurrentHmac(d.port, 2, password));
  Record("hmac64_4c", "vhsm", ConcurrentHmac(d.port, 4, password));
  NoisyNeighbours(d, password);

  client.reset();
  softhsm.reset();
  kill(d.pid, SIGTERM);
  waitpid(d.pid, nullptr, 0);
  std::system(("rm -rf " + d.dir).c_str());

  // The table: each VHSM figure beside its references, with the ratio.
  auto get = [](const std::string& k) {
    auto it = g_results.find(k);
    return it == g_results.end() ? -1.0 : it->second;
  };
  std::printf("\n%-14s %12s %12s %12s %12s   %s\n", "operation", "vhsm op/s", "netlink_rtt",
              "openssl", "softhsm", "ratios (vhsm / reference)");
  for (const char* op :
       {"hmac64", "hmac64_pipe", "hmac1m", "sha1m", "gcm1k", "ecdsa", "ed25519", "keygen", "login",
        "engine_hmac64", "hmac64_2c", "hmac64_4c", "hmac64_noisy_slowreader",
        "hmac64_noisy_loginflood", "hmac64_noisy_bigframes", "hmac64_noisy"}) {
    std::string o = op;
    double v = get(o + ".vhsm");
    double rtt = get((o == "hmac64_pipe" || o == "engine_hmac64" ? "hmac64" : o) + ".netlink_rtt");
    double ossl = get((o == "hmac64_pipe" ? "hmac64" : o) + ".openssl");
    double peer = get((o == "hmac64_pipe" ? "hmac64" : o) + ".softhsm");
    std::string ratios;
    char buf[64];
    if (rtt > 0) {
      std::snprintf(buf, sizeof buf, "rtt %.2f  ", v / rtt);
      ratios += buf;
    }
    if (ossl > 0) {
      std::snprintf(buf, sizeof buf, "openssl %.3f  ", v / ossl);
      ratios += buf;
    }
    if (peer > 0) {
      std::snprintf(buf, sizeof buf, "softhsm %.2f", v / peer);
      ratios += buf;
    }
    if (o.rfind("hmac64_noisy", 0) == 0) {
      std::snprintf(buf, sizeof buf, "x%.2f of hmac64 alone", v / get("hmac64.vhsm"));
      ratios += buf;
    }
    if (o == "hmac64_2c" || o == "hmac64_4c") {
      std::snprintf(buf, sizeof buf, "x%.2f of one client", v / get("hmac64.vhsm"));
      ratios += buf;
    }
    auto cell = [](double x) {
      char b[32];
      if (x < 0) return std::string("-");
      std::snprintf(b, sizeof b, "%.1f", x);
      return std::string(b);
    };
    std::printf("%-14s %12s %12s %12s %12s   %s\n", op, cell(v).c_str(), cell(rtt).c_str(),
                cell(ossl).c_str(), cell(peer).c_str(), ratios.c_str());
  }
  std::printf("login: PBKDF2 (600000 iterations) is %.0f%% of a login\n", 100.0 * login / pbkdf2);
  std::printf("rss_flood_mb: vhsmd's peak RSS during the floods is %.1f MB\n",
              get("rss_flood_mb.vhsm"));
  std::printf("{");
  bool first = true;
  for (const auto& [k, v] : g_results) {
    std::printf("%s\"%s\": %.1f", first ? "" : ", ", k.c_str(), v);
    first = false;
  }
  std::printf("}\n");
  return 0;
}
