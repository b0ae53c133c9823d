// vhsm-flood: the noisy-neighbour attacks and victims of tools/bench/noisy.h
// as a command, for the end-to-end tests (run it inside a container with
// nsenter). Prints one line of JSON for the victim modes.
//
//   vhsm-flood --port-id N --mode slowreader|loginflood|bigframes --seconds S
//   vhsm-flood --port-id N --mode signflood --user U --password P --key K --seconds S
//   vhsm-flood --port-id N --mode victim-hmac --user U --password P --key K --seconds S
//   vhsm-flood --port-id N --mode victim-login --user U --password P --seconds S
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "tools/bench/noisy.h"

int main(int argc, char** argv) {
  std::map<std::string, std::string> a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k.rfind("--", 0) != 0) break;
    a[k.substr(2)] = argv[i + 1];
  }
  if (!a.count("port-id") || !a.count("mode")) {
    std::fprintf(stderr, "usage: vhsm-flood --port-id N --mode MODE [--seconds S] ...\n");
    return 2;
  }
  uint32_t port = static_cast<uint32_t>(std::strtoul(a["port-id"].c_str(), nullptr, 0));
  double seconds = a.count("seconds") ? std::atof(a["seconds"].c_str()) : 2.0;
  const std::string& mode = a["mode"];
  using namespace vhsm::bench;
  if (mode == "slowreader") {
    SlowReaderFlood(port, seconds);
  } else if (mode == "loginflood") {
    LoginFlood(port, seconds, 4);
  } else if (mode == "bigframes") {
    BigFrameFlood(port, seconds);
  } else if (mode == "signflood") {
    SignFlood(port, a["user"], a["password"], a["key"], seconds, 4);
  } else if (mode == "victim-hmac" || mode == "victim-login") {
    VictimStats s = mode == "victim-hmac"
                        ? VictimHmac(port, a["user"], a["password"], a["key"], seconds)
                        : VictimLogin(port, a["user"], a["password"], seconds);
    std::printf("%s\n", ToJson(s).c_str());
    return s.error.empty() ? 0 : 1;
  } else {
    std::fprintf(stderr, "vhsm-flood: unknown mode '%s'\n", mode.c_str());
    return 2;
  }
  return 0;
}
