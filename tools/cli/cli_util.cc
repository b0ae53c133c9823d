#include "tools/cli/cli_util.h"

#include <fcntl.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "vhsm/api/credentials.h"
#include "vhsm/base/file_io.h"
#include "vhsm/base/parse.h"
#include "vhsm/crypto/bytes.h"

namespace vhsm::cli {
namespace {
bool g_batch = false;  // SetBatchMode
}  // namespace

ClientOptions ClientOptionsOf(const char* prog, const Args& a) {
  ClientOptions options;
  if (!a.Get("port-id").empty()) {
    std::optional<uint32_t> port = ParsePortId(a.Get("port-id"));
    if (!port) Die(prog, "invalid --port-id '" + a.Get("port-id") + "'");
    options.port_id = *port;
  }
  options.server_key = a.Get("server-key");
  options.trust_on_first_use = a.Has("trust-on-first-use");
  return options;
}

void WipeString(std::string* s) {
  if (!s->empty()) explicit_bzero(s->data(), s->size());
  s->clear();
}

Result<std::string> ReadPassword(const Args& args, const std::string& file_option,
                                 const std::string& prompt, bool use_environment) {
  std::string file = args.Get(file_option);
  if (!file.empty()) return ReadPasswordFile(file);
  if (use_environment) {
    if (std::optional<Result<std::string>> env = PasswordFromEnvironment()) return *env;
  }
  int tty = open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (tty < 0 || !isatty(tty)) {
    if (tty >= 0) close(tty);
    return InvalidArgument("no password: use --" + file_option +
                           (use_environment ? ", VHSM_PASSWORD or VHSM_PASSWORD_FILE," : "") +
                           " or run on a terminal");
  }
  termios old{}, quiet{};
  tcgetattr(tty, &old);
  quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  ssize_t ignored = write(tty, prompt.data(), prompt.size());
  tcsetattr(tty, TCSAFLUSH, &quiet);
  std::string pw;
  pw.reserve(1024);  // no reallocation, no copy of a partial password left behind
  char c;
  while (read(tty, &c, 1) == 1 && c != '\n') pw.push_back(c);
  tcsetattr(tty, TCSAFLUSH, &old);
  ignored = write(tty, "\n", 1);
  (void)ignored;
  close(tty);
  if (pw.empty()) return InvalidArgument("empty password");
  return pw;
}

Result<std::string> ReadInput(const std::string& path) {
  if (path.empty() || path == "-") return ReadWholeFd(STDIN_FILENO, "standard input");
  return ReadWholeFile(path);
}

Status WriteOutput(const std::string& path, const std::string& data) {
  if (path.empty() || path == "-") {
    std::fflush(stdout);  // what was printed before comes first
    std::string line;
    if (g_batch) {
      line = crypto::HexEncode(crypto::ByteView(data)) + "\n";
    }
    bool wrote = WriteAllFd(STDOUT_FILENO, g_batch ? line : data);
    WipeString(&line);  // a plaintext, when decrypted
    if (!wrote) {
      return Unavailable(std::string("cannot write to standard output: ") + std::strerror(errno));
    }
    return Status::Ok();
  }
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return Unavailable("cannot write " + path + ": " + std::strerror(errno));
  bool wrote = WriteAllFd(fd, data);
  int err = errno;
  if (close(fd) != 0 && wrote) {
    wrote = false;  // a full disk may only say so here
    err = errno;
  }
  if (!wrote) return Unavailable("cannot write " + path + ": " + std::strerror(err));
  return Status::Ok();
}

int ExitStatus(const char* prog, int status) {
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    std::fprintf(stderr, "%s: cannot write to standard output: %s\n", prog, std::strerror(errno));
    return 1;
  }
  return status;
}

std::string Word(const char* prog, const Args& a, size_t i, const char* what) {
  if (a.words.size() <= i) Die(prog, std::string("missing ") + what + " (try --help)");
  return a.words[i];
}

void NoMoreWords(const char* prog, const Args& a, size_t allowed) {
  if (a.words.size() > allowed) {
    Die(prog, "unexpected argument '" + a.words[allowed] + "' (try --help)");
  }
}

void OnlyOptions(const char* prog, const Args& a, const std::string& command,
                 const std::set<std::string>& allowed, const std::set<std::string>& global) {
  auto check = [&](const std::string& name) {
    if (allowed.count(name) == 0 && global.count(name) == 0) {
      Die(prog, "--" + name + " does not apply to '" + command + "' (try --help)");
    }
  };
  for (const auto& [name, value] : a.options) check(name);
  for (const auto& name : a.flags) check(name);
}

std::string Need(const char* prog, const Args& a, const std::string& name) {
  std::string v = a.Get(name);
  if (v.empty()) Die(prog, "--" + name + " is required (try --help)");
  return v;
}

void SetBatchMode(bool on) { g_batch = on; }

void Die(const char* prog, const std::string& message) {
  if (g_batch) throw LineFailed{message};
  std::fprintf(stderr, "%s: %s\n", prog, message.c_str());
  std::exit(1);
}

}  // namespace vhsm::cli
