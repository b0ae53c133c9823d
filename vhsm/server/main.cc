// vhsmd: the VHSM daemon, and the one composition root: it reads flags and
// the config file, runs the crypto self-test, opens the store, binds the
// VHSM port on the host, re-attaches recorded containers, and serves until
// SIGTERM or SIGINT, then wipes every session's secrets and exits.
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <thread>

#include <google/protobuf/stubs/logging.h>

#include "vhsm/crypto/self_test.h"
#include "vhsm/server/daemon.h"
#include "vhsm/server/service.h"
#include "vhsm/server/session.h"
#include "vhsm/storage/sqlite_record_store.h"
#include "vhsm/storage/vault.h"
#include "vhsm/transport/client_channel.h"
#include "vhsm/transport/listener.h"

namespace {

const char kUsage[] =
    "usage: vhsmd --data-dir DIR [--port-id N] [--threads N]\n"
    "             [--pbkdf2-iterations N] [--config FILE] [--quiet]\n"
    "\n"
    "Serves VHSM requests over netlink to the host and attached containers.\n"
    "  --data-dir DIR          where the encrypted key store lives (created 0700)\n"
    "  --port-id N             the VHSM netlink port id (default $VHSM_PORT_ID or 1447580465)\n"
    "  --threads N             worker threads for slow requests (login, key generation,\n"
    "                          user and container changes; default 2); the rest is\n"
    "                          served on the polling thread\n"
    "  --pbkdf2-iterations N   for new users and password changes (default 600000)\n"
    "  --max-sessions N        open sessions per container (default 256)\n"
    "  --max-keys N            keys per container (default 10000)\n"
    "  --config FILE           KEY=VALUE lines with the long option names above\n"
    "  --quiet                 do not log one line per request\n"
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

}  // namespace

int main(int argc, char** argv) {
  using namespace vhsm;
  std::map<std::string, std::string> opts;
  std::string config;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (a == "--quiet") {
      opts["quiet"] = "1";
      continue;
    }
    if (a.rfind("--", 0) != 0) Fail("unexpected argument '" + a + "' (try --help)");
    std::string key = a.substr(2), value;
    size_t eq = key.find('=');
    if (eq != std::string::npos) {
      value = key.substr(eq + 1);
      key = key.substr(0, eq);
    } else {
      if (i + 1 >= argc) Fail("--" + key + " needs a value");
      value = argv[++i];
    }
    if (key == "config") {
      config = value;
    } else {
      opts[key] = value;
    }
  }
  if (!config.empty()) ReadConfig(config, &opts);
  static const char* const kKnown[] = {"data-dir", "port-id", "threads", "pbkdf2-iterations",
                                       "max-sessions", "max-keys", "quiet"};
  for (const auto& [k, v] : opts) {
    bool known = false;
    for (const char* name : kKnown) known = known || k == name;
    if (!known) Fail("unknown option '" + k + "' (try --help)");
  }
  if (opts["data-dir"].empty()) Fail("--data-dir is required (try --help)");

  uint64_t port = transport::kDefaultVhsmPort, threads = 2,
           iterations = storage::kDefaultPbkdf2Iterations, max_sessions = 256,
           max_keys = 10000;
  std::string port_text = opts.count("port-id") ? opts["port-id"]
                          : std::getenv("VHSM_PORT_ID") ? std::getenv("VHSM_PORT_ID")
                                                        : "";
  if (!port_text.empty() && (!ParseUint(port_text, 0xffffffffu, &port) || port == 0)) {
    Fail("invalid port id '" + port_text + "'");
  }
  if (opts.count("threads") && (!ParseUint(opts["threads"], 64, &threads) || threads == 0)) {
    Fail("--threads must be 1 to 64");
  }
  if (opts.count("pbkdf2-iterations") &&
      (!ParseUint(opts["pbkdf2-iterations"], 100000000, &iterations) || iterations == 0)) {
    Fail("--pbkdf2-iterations must be 1 to 100000000");
  }
  if (opts.count("max-sessions") && !ParseUint(opts["max-sessions"], 1000000, &max_sessions)) {
    Fail("invalid --max-sessions");
  }
  if (opts.count("max-keys") && !ParseUint(opts["max-keys"], 100000000, &max_keys)) {
    Fail("invalid --max-keys");
  }
  if (iterations < 100000) {
    std::fprintf(stderr, "vhsmd: warning: %llu PBKDF2 iterations is weak (default 600000)\n",
                 static_cast<unsigned long long>(iterations));
  }

  // A hostile client must not be able to fill our log through libprotobuf's
  // own warnings (e.g. invalid UTF-8 in a string field); the request is
  // rejected and logged once by the service instead.
  google::protobuf::SetLogHandler(nullptr);

  // Requests allocate and free buffers of up to 64 KiB at a high rate; keep
  // glibc from returning that memory to the kernel after every request (the
  // page faults to get it back cost more than the requests themselves).
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_MMAP_THRESHOLD, 4 << 20);

  // No secret may reach a core file, and nobody but root may ptrace us.
  rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

  Status self_test = crypto::RunSelfTest();
  if (!self_test.ok()) Fail("crypto self-test failed, refusing to start: " + self_test.message());

  std::string dir = opts["data-dir"];
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    Fail("cannot create data directory " + dir + ": " + std::strerror(errno));
  }
  auto store = storage::SqliteRecordStore::Open(dir + "/vhsm.db");
  if (!store.ok()) Fail(store.status().message());
  Status host = (*store)->PutContainer({transport::kHostContainer, "", 0});
  if (!host.ok()) Fail(host.message());

  storage::VaultOptions vault_options;
  vault_options.pbkdf2_iterations = static_cast<uint32_t>(iterations);
  storage::Vault vault(store->get(), vault_options);

  server::SessionManager::Limits limits;
  limits.max_sessions_per_container = max_sessions;
  server::SessionManager sessions(limits);

  // Signals are taken by one thread with sigwait; block them everywhere else
  // before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto listener = transport::Listener::Create(static_cast<uint32_t>(port));
  if (!listener.ok()) Fail(listener.status().message());

  server::ServiceOptions service_options;
  service_options.max_keys_per_container = static_cast<int64_t>(max_keys);
  service_options.log_requests = opts.count("quiet") == 0;
  server::Service service(&vault, &sessions, listener->get(), service_options);
  for (const std::string& problem : service.RestoreAttachments()) {
    std::fprintf(stderr, "vhsmd: warning: not re-attached: %s\n", problem.c_str());
  }

  server::Daemon daemon(listener->get(), &service, &sessions, static_cast<int>(threads));
  std::thread signal_thread([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    std::fprintf(stderr, "vhsmd: %s, shutting down\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    daemon.Stop();
  });

  std::fprintf(stderr, "vhsmd: ready (port id %llu, %llu thread(s), data %s)\n",
               static_cast<unsigned long long>(port), static_cast<unsigned long long>(threads),
               dir.c_str());
  daemon.Run();
  signal_thread.join();
  sessions.CloseAll();  // wipes master keys and contexts
  std::fprintf(stderr, "vhsmd: stopped\n");
  return 0;
}
