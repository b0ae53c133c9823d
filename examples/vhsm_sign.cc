// vhsm_sign: sign standard input with a VHSM key through libvhsm's C++ API.
//
//   c++ -std=c++17 vhsm_sign.cc $(pkg-config --cflags --libs vhsm) -o vhsm_sign
//   VHSM_SERVER_KEY=/etc/vhsm/vhsmd.pub ./vhsm_sign USER PASSWORD KEY_ID < file > sig
//
// Writes the signature (DER for ECDSA) to standard output.
#include <vhsm/api/client.h>

#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: vhsm_sign USER PASSWORD KEY_ID < input > signature\n";
    return 2;
  }
  std::string message((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  auto client = vhsm::Client::Connect();
  if (!client.ok()) {
    std::cerr << "vhsm_sign: " << client.status().message() << "\n";
    return 1;
  }
  if (vhsm::Status s = (*client)->Login(argv[1], argv[2]); !s.ok()) {
    std::cerr << "vhsm_sign: " << s.message() << "\n";
    return 1;
  }
  vhsm::Result<vhsm::Bytes> sig = (*client)->Sign(argv[3], message);
  if (!sig.ok()) {
    std::cerr << "vhsm_sign: " << sig.status().message() << "\n";
    return 1;
  }
  std::fwrite(sig->data(), 1, sig->size(), stdout);
  return 0;
}
