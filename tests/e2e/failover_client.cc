// failover_client PORT USER PASSWORD
//
// One long-lived libvhsm client for tests/e2e/many_hosts_test.py: logs in
// once, then reads lines from stdin, "mac KEY HEXDATA" or "keygen ID", and
// answers each with one line: the MAC in hex, "ok", or "error CODE MESSAGE".
// The client re-opens its session by itself (ClientOptions::reconnect) when
// the vhsmd it talks to changes, as after a container's move.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>

#include "vhsm/api/client.h"
#include "vhsm/crypto/bytes.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: failover_client PORT USER PASSWORD\n");
    return 2;
  }
  vhsm::ClientOptions options;
  options.port_id = static_cast<uint32_t>(std::strtoul(argv[1], nullptr, 0));
  options.timeout_ms = 5000;
  auto client = vhsm::Client::Connect(options);
  if (!client.ok()) {
    std::printf("error %s\n", client.status().ToString().c_str());
    return 1;
  }
  vhsm::Status login = (*client)->Login(argv[2], argv[3]);
  std::printf("%s\n", login.ok() ? "ready" : ("error " + login.ToString()).c_str());
  std::fflush(stdout);
  if (!login.ok()) return 1;
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream words(line);
    std::string op, a, b;
    words >> op >> a >> b;
    std::string answer;
    if (op == "mac") {
      vhsm::crypto::Bytes data;
      if (!vhsm::crypto::HexDecode(b, &data)) data.clear();
      auto mac = (*client)->Mac(a, std::string(data.begin(), data.end()));
      answer = mac.ok() ? vhsm::crypto::HexEncode(*mac) : "error " + mac.status().ToString();
    } else if (op == "keygen") {
      auto id = (*client)->GenerateKey("aes-256", a);
      answer = id.ok() ? "ok" : "error " + id.status().ToString();
    } else {
      answer = "error unknown command";
    }
    std::printf("%s\n", answer.c_str());
    std::fflush(stdout);
  }
  return 0;
}
