// noise_peer: one side of a Noise_NK_25519_AESGCM_SHA256 exchange over
// stdin/stdout (one hex string per line), for the interoperability test
// with python3-dissononce (noise_interop_test.py). Test-only.
//
//   noise_peer initiator RESPONDER_PUBLIC_HEX PROLOGUE_HEX
//     out: message 1;  in: message 2;  out: its payload, the handshake hash,
//     then a transport message (nonce 0, "ping");  in: one (nonce 0);
//     out: its plaintext.
//   noise_peer responder STATIC_PRIVATE_HEX PROLOGUE_HEX
//     in: message 1;  out: its payload, message 2 (payload "session-id"),
//     the handshake hash;  in: a transport message;  out: its plaintext,
//     then one of its own (nonce 0, "pong").
#include <cstdio>
#include <iostream>
#include <string>

#include "vhsm/crypto/bytes.h"
#include "vhsm/noise/noise_nk.h"

using vhsm::crypto::Bytes;
using vhsm::crypto::ByteView;

namespace {

Bytes ReadHex() {
  std::string line;
  std::getline(std::cin, line);
  Bytes out;
  if (!vhsm::crypto::HexDecode(line, &out)) {
    std::fprintf(stderr, "noise_peer: bad hex input\n");
    std::exit(1);
  }
  return out;
}

void WriteHex(ByteView data) { std::cout << vhsm::crypto::HexEncode(data) << std::endl; }

template <typename T>
T Must(vhsm::Result<T> r) {
  if (!r.ok()) {
    std::fprintf(stderr, "noise_peer: %s\n", r.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  std::string mode = argv[1];
  Bytes key, prologue;
  if (!vhsm::crypto::HexDecode(argv[2], &key) || !vhsm::crypto::HexDecode(argv[3], &prologue)) {
    return 2;
  }
  if (mode == "initiator") {
    auto hs = Must(vhsm::noise::Handshake::Initiator(key, prologue));
    WriteHex(Must(hs.WriteMessage1(ByteView())));
    auto payload = Must(hs.ReadMessage2(ReadHex()));
    WriteHex(payload.view());
    WriteHex(hs.handshake_hash());
    auto keys = Must(hs.Split());
    WriteHex(Must(keys.send.Seal(0, ByteView(), "ping")));
    WriteHex(Must(keys.receive.Open(0, ByteView(), ReadHex())).view());
    return 0;
  }
  if (mode == "responder") {
    auto pair = Must(vhsm::crypto::X25519KeyPair::FromPrivate(key));
    auto hs = Must(vhsm::noise::Handshake::Responder(pair, prologue));
    WriteHex(Must(hs.ReadMessage1(ReadHex())).view());
    WriteHex(Must(hs.WriteMessage2("session-id")));
    WriteHex(hs.handshake_hash());
    auto keys = Must(hs.Split());
    WriteHex(Must(keys.receive.Open(0, ByteView(), ReadHex())).view());
    WriteHex(Must(keys.send.Seal(0, ByteView(), "pong")));
    return 0;
  }
  return 2;
}
