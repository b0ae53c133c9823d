// vhsmd: the VHSM daemon, and the one composition root: it reads flags and
// the config file, runs the crypto self-test, opens the store, binds the
// VHSM port on the host, re-attaches recorded containers, and serves until
// SIGTERM or SIGINT, then wipes every session's secrets and exits.
#include <errno.h>
#include <google/protobuf/stubs/logging.h>
#include <malloc.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "vhsm/base/file_lock.h"
#include "vhsm/base/flags.h"
#include "vhsm/crypto/self_test.h"
#include "vhsm/server/audit_log.h"
#include "vhsm/server/daemon.h"
#include "vhsm/server/identity.h"
#include "vhsm/server/login_throttle.h"
#include "vhsm/server/presign_filler.h"
#include "vhsm/server/request_log.h"
#include "vhsm/server/request_scheduler.h"
#include "vhsm/server/resource_ledger.h"
#include "vhsm/server/service.h"
#include "vhsm/server/session.h"
#include "vhsm/storage/pg_record_store.h"
#include "vhsm/storage/sqlite_record_store.h"
#include "vhsm/storage/vault.h"
#include "vhsm/transport/frame.h"
#include "vhsm/transport/listener.h"

namespace {

const char kUsage[] =
    "usage: vhsmd --data-dir DIR [--port-id N] [--threads N]\n"
    "             [--pbkdf2-iterations N] [--config FILE] [--quiet] [LIMITS]\n"
    "\n"
    "Serves VHSM requests over netlink to the host and attached containers.\n"
    "  --data-dir DIR          vhsmd's keys, and the key store unless --store (created 0700)\n"
    "  --store SPEC            sqlite:PATH (default: sqlite:DIR/vhsm.db), or a PostgreSQL\n"
    "                          connection string or URI (postgresql://vhsm@db/vhsm?sslmode=\n"
    "                          verify-full; the password from a libpq passfile), shared by\n"
    "                          several vhsmd\n"
    "  --port-id N             the VHSM netlink port id (default $VHSM_PORT_ID or 1447580465)\n"
    "  --threads N             worker threads for slow requests (login, key generation,\n"
    "                          user and container changes; default 2); the rest is\n"
    "                          served on the polling thread\n"
    "  --spin-us N             after a request, look for the next one this long before\n"
    "                          sleeping (default 50; 0: sleep at once); saves a wake-up\n"
    "                          per request to clients that call back to back\n"
    "  --pbkdf2-iterations N   for new users and password changes (default 600000)\n"
    "  --config FILE           KEY=VALUE lines with the long option names (command line wins)\n"
    "  --run-dir DIR           where attached namespaces are pinned (default /run/vhsm)\n"
    "  --public-key-file PATH  also write vhsmd's public key there (e.g. /etc/vhsm/vhsmd.pub,\n"
    "                          to bind-mount into containers); always in DIR/vhsmd.pub\n"
    "  --quiet                 do not log one line per request\n"
    "  --audit-retention N     audit records kept per container (default 1000000); older\n"
    "                          ones go behind a signed truncation marker\n"
    "  --no-audit              keep no audit log (for measuring what it costs; audit\n"
    "                          requests then fail)\n"
    "Limits (what one tenant may hold; each refusal names its limit):\n"
    "  --max-sessions N        open sessions per container (default 256)\n"
    "  --max-keys N            stored keys per container (default 10000)\n"
    "  --max-contexts N        open digest/MAC contexts per container (default 1024)\n"
    "  --max-cached-keys N     opened keys kept in memory per container (default 256)\n"
    "  --max-locked-kb N       locked (unswappable) memory per container (default 4096)\n"
    "  --max-queued-kb N       requests waiting to be served, per container (default 8192)\n"
    "  --max-queued-requests N requests waiting per client (default 128)\n"
    "  --memory-budget-mb N    all of the above for all containers together (default 40)\n"
    "  --slow-per-container N  logins/key generations of one container run at once\n"
    "                          (default: threads - 1, at least 1)\n"
    "  --max-dropped-replies N replies a client may leave unread in a row before its\n"
    "                          sessions are closed (default 256)\n"
    "  --log-rate N            request log lines per second per container (default 50)\n"
    "  --idle-timeout-s N      sessions idle this long are closed, keys wiped (default 900)\n"
    "Failed logins (per container, user and sender uid):\n"
    "  --login-delay-ms N      wait after the second failure, doubling (default 250)\n"
    "  --lockout-failures N    failures that lock the user out for that uid (default 10)\n"
    "  --lockout-s N           how long a lock-out lasts (default 900)\n"
    "Prints 'vhsmd: ready' on stderr once it serves requests.\n";

[[noreturn]] void Fail(const std::string& message) {
  std::fprintf(stderr, "vhsmd: %s\n", message.c_str());
  std::exit(1);
}

bool ParseUint(const std::string& s, uint64_t max, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(s.c_str(), &end, 0);
  if (errno != 0 || *end != '\0' || v > max || s[0] == '-') return false;
  *out = v;
  return true;
}

void ReadConfig(const std::string& path, std::map<std::string, std::string>* opts) {
  std::ifstream in(path);
  if (!in) Fail("cannot read config file " + path);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos) Fail(path + ":" + std::to_string(n) + ": expected KEY=VALUE");
    std::string key = line.substr(start, eq - start);
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.pop_back();
    std::string value = line.substr(eq + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    opts->emplace(key, value);  // flags given on the command line win
  }
}

// Numeric options: name, lowest and highest accepted value, default.
struct Numeric {
  const char* name;
  uint64_t min, max, value;
};

struct Config {
  std::string data_dir;
  std::string store;
  std::string public_key_file;
  std::string run_dir;
  bool quiet = false;
  bool no_audit = false;
  std::map<std::string, uint64_t> n;
  uint64_t operator[](const char* name) const { return n.at(name); }
};

// The options vhsmd knows besides the numeric ones.
const char* const kTextOptions[] = {"data-dir", "run-dir", "public-key-file", "config", "store"};

// ReadFlags collects --name value / --name=value pairs (and the config
// file's, the command line winning) into opts.
std::map<std::string, std::string> ReadFlags(int argc, char** argv,
                                             const std::set<std::string>& numeric) {
  std::set<std::string> names(numeric);
  names.insert(std::begin(kTextOptions), std::end(kTextOptions));
  vhsm::Result<vhsm::Args> args =
      vhsm::ParseFlags(argc, argv, names, {"help", "quiet", "no-audit"});
  if (!args.ok()) Fail(args.status().message());
  if (args->Has("help")) {
    std::fputs(kUsage, stdout);
    std::exit(0);
  }
  if (!args->words.empty()) Fail("unexpected argument '" + args->words[0] + "' (try --help)");
  std::map<std::string, std::string> opts = args->options;
  if (args->Has("quiet")) opts["quiet"] = "1";
  if (args->Has("no-audit")) opts["no-audit"] = "1";
  if (opts.count("config")) {
    std::string config = opts["config"];
    opts.erase("config");
    ReadConfig(config, &opts);
  }
  if (!opts.count("port-id") && std::getenv("VHSM_PORT_ID")) {
    opts["port-id"] = std::getenv("VHSM_PORT_ID");
  }
  return opts;
}

Config ParseArgs(int argc, char** argv) {
  Numeric numeric[] = {
      {"port-id", 1, 0xffffffffu, vhsm::transport::kDefaultVhsmPort},
      {"threads", 1, 64, 2},
      {"spin-us", 0, 10000, 50},
      {"pbkdf2-iterations", 1, 100000000, vhsm::storage::kDefaultPbkdf2Iterations},
      {"max-sessions", 1, 1000000, 256},
      {"max-keys", 1, 100000000, 10000},
      {"max-contexts", 1, 1000000, 1024},
      {"max-cached-keys", 0, 1000000, 256},
      {"max-locked-kb", 4, 16u << 20, 4096},
      {"max-queued-kb", 64, 16u << 20, 8192},
      {"max-queued-requests", 1, 1000000, 128},
      {"memory-budget-mb", 1, 1u << 20, 40},
      {"slow-per-container", 0, 64, 0},
      {"max-dropped-replies", 1, 1000000, 256},
      {"log-rate", 1, 1000000, 50},
      {"idle-timeout-s", 1, 7 * 24 * 3600, 15 * 60},
      {"login-delay-ms", 1, 60 * 1000, 250},
      {"lockout-failures", 2, 1000, 10},
      {"lockout-s", 1, 7 * 24 * 3600, 15 * 60},
      {"audit-retention", 1000, 1000000000, 1000000},
  };
  std::set<std::string> numeric_names;
  for (const Numeric& o : numeric) numeric_names.insert(o.name);
  std::map<std::string, std::string> opts = ReadFlags(argc, argv, numeric_names);
  Config c;
  c.data_dir = opts["data-dir"];
  c.store = opts["store"];
  opts.erase("store");
  c.quiet = opts.count("quiet") != 0;
  c.no_audit = opts.count("no-audit") != 0;
  c.public_key_file = opts["public-key-file"];
  c.run_dir = opts.count("run-dir") ? opts["run-dir"] : "/run/vhsm";
  opts.erase("run-dir");
  opts.erase("data-dir");
  opts.erase("quiet");
  opts.erase("no-audit");
  opts.erase("public-key-file");
  for (Numeric& o : numeric) {
    auto it = opts.find(o.name);
    if (it != opts.end()) {
      if (!ParseUint(it->second, o.max, &o.value) || o.value < o.min) {
        Fail("invalid --" + std::string(o.name) + " '" + it->second + "' (" +
             std::to_string(o.min) + " to " + std::to_string(o.max) + ")");
      }
      opts.erase(it);
    }
    c.n[o.name] = o.value;
  }
  if (!opts.empty()) Fail("unknown option '" + opts.begin()->first + "' (try --help)");
  if (c.data_dir.empty()) Fail("--data-dir is required (try --help)");
  if (c["pbkdf2-iterations"] < 100000) {
    std::fprintf(stderr, "vhsmd: warning: %llu PBKDF2 iterations is weak (default 600000)\n",
                 static_cast<unsigned long long>(c["pbkdf2-iterations"]));
  }
  return c;
}

vhsm::server::ResourceLimits LimitsOf(const Config& c) {
  vhsm::server::ResourceLimits l;
  l.max_sessions = c["max-sessions"];
  l.max_contexts = c["max-contexts"];
  l.max_cached_keys = c["max-cached-keys"];
  l.max_locked_bytes = c["max-locked-kb"] << 10;
  l.max_queued_bytes = c["max-queued-kb"] << 10;
  l.memory_budget_bytes = c["memory-budget-mb"] << 20;
  return l;
}

vhsm::server::SchedulerOptions SchedulingOf(const Config& c) {
  vhsm::server::SchedulerOptions s;
  s.max_queued_per_client = c["max-queued-requests"];
  uint64_t slow = c["slow-per-container"];
  if (slow == 0) slow = c["threads"] > 1 ? c["threads"] - 1 : 1;
  s.slow_per_container = slow;
  s.max_dropped_replies = c["max-dropped-replies"];
  return s;
}

// HardenProcess keeps secrets out of core files, swap-outs of the
// allocator's arena and libprotobuf's own log lines.
void HardenProcess() {
  // A hostile client must not be able to fill our log through libprotobuf's
  // own warnings (e.g. invalid UTF-8 in a string field); the request is
  // rejected and logged once by the service instead.
  google::protobuf::SetLogHandler(nullptr);
  // Requests allocate and free buffers of up to 64 KiB at a high rate; keep
  // glibc from returning that memory to the kernel after every request (the
  // page faults to get it back cost more than the requests themselves).
  mallopt(M_TRIM_THRESHOLD, 16 << 20);
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  // No secret may reach a core file, and nobody but root may ptrace us.
  rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

// BlockSignals blocks SIGTERM, SIGINT and SIGHUP in every thread to come
// (one thread takes them with sigwait: each stops vhsmd cleanly, its audit
// records written and its keys wiped; SIGHUP's default would kill it
// outright) and ignores SIGPIPE; returns the set.
sigset_t BlockSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return signals;
}

vhsm::server::LogOptions LogOf(const Config& c) {
  vhsm::server::LogOptions o;
  o.lines_per_second = static_cast<double>(c["log-rate"]);
  o.burst = 4 * o.lines_per_second;
  return o;
}

// OpenStore makes the data directory (0700) and opens the store (in it, or
// the --store one), with the host as a container. A SQLite store is one
// vhsmd's alone: *lock holds DB.lock for as long as vhsmd runs (a second
// vhsmd would fork the audit chain and miss the first one's deletions).
std::unique_ptr<vhsm::storage::RecordStore> OpenStore(const std::string& dir,
                                                      const std::string& spec,
                                                      vhsm::UniqueFd* lock) {
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    Fail("cannot create data directory " + dir + ": " + std::strerror(errno));
  }
  std::unique_ptr<vhsm::storage::RecordStore> store;
  if (spec.empty() || spec.rfind("sqlite:", 0) == 0) {
    const std::string db = spec.empty() ? dir + "/vhsm.db" : spec.substr(7);
    auto locked = vhsm::LockFileExclusive(db + ".lock");
    if (locked.status().code() == vhsm::StatusCode::kFailedPrecondition) {
      Fail("the store " + db + " is in use by another vhsmd (" + locked.status().message() +
           "); a SQLite store serves one vhsmd at a time");
    }
    if (!locked.ok()) Fail("store: " + locked.status().message());
    *lock = std::move(locked).value();
    auto opened = vhsm::storage::SqliteRecordStore::Open(db);
    if (!opened.ok()) Fail(opened.status().message());
    store = std::move(opened).value();
  } else {
    auto opened = vhsm::storage::PgRecordStore::Open(spec);
    if (!opened.ok()) Fail("store: " + opened.status().message());
    store = std::move(opened).value();
  }
  vhsm::storage::ContainerRecord host_record;
  host_record.name = vhsm::transport::kHostContainer;
  vhsm::Status host = store->PutContainer(host_record);
  if (!host.ok()) Fail(host.message());
  return store;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace vhsm;
  const Config cfg = ParseArgs(argc, argv);
  const sigset_t signals = BlockSignals();
  HardenProcess();
  Status self_test = crypto::RunSelfTest();
  if (!self_test.ok()) Fail("crypto self-test failed, refusing to start: " + self_test.message());

  UniqueFd store_lock;
  std::unique_ptr<storage::RecordStore> store = OpenStore(cfg.data_dir, cfg.store, &store_lock);
  std::vector<std::string> public_copies;
  if (!cfg.public_key_file.empty()) public_copies.push_back(cfg.public_key_file);
  auto identity = server::LoadOrCreateIdentity(cfg.data_dir, public_copies);
  if (!identity.ok()) Fail("daemon key: " + identity.status().message());
  storage::VaultOptions vault_options;
  vault_options.pbkdf2_iterations = static_cast<uint32_t>(cfg["pbkdf2-iterations"]);
  storage::Vault vault(store.get(), vault_options);

  server::ResourceLedger ledger(LimitsOf(cfg));
  server::SessionManager::Limits session_limits;
  session_limits.idle_timeout_ms = static_cast<int64_t>(cfg["idle-timeout-s"]) * 1000;
  server::SessionManager sessions(session_limits, &ledger);
  server::ThrottleOptions throttle_options;
  throttle_options.base_delay_ms = static_cast<int64_t>(cfg["login-delay-ms"]);
  throttle_options.lockout_failures = static_cast<int32_t>(cfg["lockout-failures"]);
  throttle_options.lockout_ms = static_cast<int64_t>(cfg["lockout-s"]) * 1000;
  server::LoginThrottle throttle(throttle_options);
  server::RequestScheduler scheduler(SchedulingOf(cfg), &ledger);
  server::RequestLog log(stderr, LogOf(cfg));

  auto listener = transport::Listener::Create(static_cast<uint32_t>(cfg["port-id"]));
  if (!listener.ok()) Fail(listener.status().message());
  server::ServiceOptions service_options;
  service_options.max_keys_per_container = static_cast<int64_t>(cfg["max-keys"]);
  service_options.run_dir = cfg.run_dir;
  // Another vhsmd may change the shared store: opened keys are re-read
  // every 500 ms, so a change through it holds here within a second.
  const bool shared_store = !cfg.store.empty() && cfg.store.rfind("sqlite:", 0) != 0;
  if (shared_store) {
    service_options.recheck_keys_ms = 500;
    service_options.store_lockout_failures = static_cast<int32_t>(cfg["lockout-failures"]);
    service_options.store_lockout_ms = static_cast<int64_t>(cfg["lockout-s"]) * 1000;
  }
  std::unique_ptr<server::AuditLog> audit;
  if (!cfg.no_audit) {
    auto opened = server::AuditLog::Open(store.get(), cfg.data_dir, cfg["audit-retention"]);
    if (!opened.ok()) Fail("audit log: " + opened.status().message());
    audit = std::move(opened).value();
  }
  server::PresignFiller presign;  // P-256 nonces made ahead, on a thread of their own
  server::ServiceDeps deps{&*identity,
                           &vault,
                           &sessions,
                           listener->get(),
                           &ledger,
                           &throttle,
                           cfg.quiet ? nullptr : &log,
                           audit.get(),
                           &presign};
  server::Service service(deps, service_options);
  for (const std::string& problem : service.RestoreAttachments()) {
    std::fprintf(stderr, "vhsmd: warning: not re-attached: %s\n", problem.c_str());
  }

  server::Daemon daemon(listener->get(), &service, &sessions, &scheduler,
                        static_cast<int>(cfg["threads"]),
                        static_cast<int64_t>(cfg["spin-us"]) * 1000);
  std::thread signal_thread([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    std::fprintf(stderr, "vhsmd: %s, shutting down\n",
                 sig == SIGTERM  ? "SIGTERM"
                 : sig == SIGHUP ? "SIGHUP"
                                 : "SIGINT");
    daemon.Stop();
  });
  std::fprintf(stderr, "vhsmd: ready (port id %llu, %llu thread(s), data %s)\n",
               static_cast<unsigned long long>(cfg["port-id"]),
               static_cast<unsigned long long>(cfg["threads"]), cfg.data_dir.c_str());
  daemon.Run();
  signal_thread.join();
  sessions.CloseAll();  // wipes master keys and contexts
  std::fprintf(stderr, "vhsmd: stopped\n");
  return 0;
}
