// stress_client PORT USER PASSWORD HMAC_KEY_HEX SECONDS THREADS
//
// THREADS threads, each with its own session, run a mix of operations for
// SECONDS against vhsmd and check every result locally: HMACs against the
// key (given in hex, imported beforehand as "stress-hmac"), digests against
// libcrypto, signatures with the exported public key ("stress-ec"), and
// AES-GCM ("stress-aes") by decrypting through the daemon again. Prints
// "ops=N errors=M" and exits 0 only when there were no errors.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "vhsm/api/client.h"
#include "vhsm/crypto/asymmetric_key.h"
#include "vhsm/crypto/bytes.h"
#include "vhsm/crypto/digest.h"
#include "vhsm/crypto/hmac.h"

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr, "usage: stress_client PORT USER PASSWORD HMAC_KEY_HEX SECONDS THREADS\n");
    return 2;
  }
  vhsm::ClientOptions options;
  options.port_id = static_cast<uint32_t>(std::strtoul(argv[1], nullptr, 0));
  std::string user = argv[2], password = argv[3];
  vhsm::crypto::Bytes hmac_key;
  if (!vhsm::crypto::HexDecode(argv[4], &hmac_key)) return 2;
  int seconds = std::atoi(argv[5]), threads = std::atoi(argv[6]);

  std::atomic<long> ops{0}, errors{0};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  auto fail = [&](const std::string& what) {
    if (errors++ < 10) std::fprintf(stderr, "error: %s\n", what.c_str());
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      auto client = vhsm::Client::Connect(options);
      if (!client.ok()) return fail(client.status().ToString());
      if (vhsm::Status s = (*client)->Login(user, password); !s.ok()) return fail(s.ToString());
      auto pem = (*client)->PublicKeyPem("stress-ec");
      if (!pem.ok()) return fail(pem.status().ToString());
      auto pub = vhsm::crypto::PublicKey::FromPem(*pem);
      if (!pub.ok()) return fail(pub.status().ToString());
      std::mt19937 rng(t * 7919 + 1);
      while (std::chrono::steady_clock::now() < deadline) {
        std::string data(rng() % 5000 + (rng() % 20 == 0 ? 70000 : 0), '\0');
        for (char& c : data) c = static_cast<char>(rng());
        switch (rng() % 5) {
          case 0: {
            auto mac = (*client)->Mac("stress-hmac", data);
            auto want = vhsm::crypto::ComputeHmac(vhsm::crypto::DigestAlg::kSha256, hmac_key, data);
            if (!mac.ok() || *mac != *want) fail("mac mismatch");
            break;
          }
          case 1: {
            auto d = (*client)->Digest("sha512", data);
            if (!d.ok() ||
                *d != *vhsm::crypto::ComputeDigest(vhsm::crypto::DigestAlg::kSha512, data)) {
              fail("digest mismatch");
            }
            break;
          }
          case 2: {
            auto sig = (*client)->Sign("stress-ec", data);
            if (!sig.ok() || !*pub->Verify(data, *sig)) fail("signature does not verify");
            break;
          }
          case 3: {
            if (data.size() > 60000) {  // one call takes one frame
              auto too_big = (*client)->Encrypt("stress-aes", data, "aad");
              if (too_big.ok() || too_big.status().code() != vhsm::StatusCode::kInvalidArgument) {
                fail("oversized encrypt was not refused");
              }
              data.resize(60000);
            }
            auto ct = (*client)->Encrypt("stress-aes", data, "aad");
            if (!ct.ok()) {
              fail(ct.status().ToString());
              break;
            }
            auto pt = (*client)->Decrypt("stress-aes", std::string(ct->begin(), ct->end()), "aad");
            if (!pt.ok() || std::string(pt->begin(), pt->end()) != data) fail("gcm round trip");
            break;
          }
          case 4: {
            std::vector<std::string> msgs(16, data.substr(0, 64));
            auto macs = (*client)->MacPipelined("stress-hmac", msgs);
            auto want =
                vhsm::crypto::ComputeHmac(vhsm::crypto::DigestAlg::kSha256, hmac_key, msgs[0]);
            if (!macs.ok() || macs->size() != 16 || (*macs)[15] != *want) fail("pipelined mac");
            break;
          }
        }
        ++ops;
      }
    });
  }
  for (auto& th : pool) th.join();
  std::printf("ops=%ld errors=%ld\n", ops.load(), errors.load());
  return errors == 0 && ops > 0 ? 0 : 1;
}
