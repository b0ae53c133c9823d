// SoftHSM2 as the peer for benchmarks: Debian's libsofthsm2.so loaded through
// PKCS#11, in-process, with a token in a temporary directory and token
// (stored) keys, so its figures are "an HSM library in your process".
#ifndef VHSM_TOOLS_BENCH_SOFTHSM_PEER_H_
#define VHSM_TOOLS_BENCH_SOFTHSM_PEER_H_

#include <functional>
#include <memory>
#include <string>

namespace vhsm::bench {

class SoftHsmPeer {
 public:
  // Open initialises a fresh token under dir and logs in. nullptr (with
  // *error set) when SoftHSM2 is not available.
  static std::unique_ptr<SoftHsmPeer> Open(const std::string& dir, std::string* error);
  ~SoftHsmPeer();

  // Each returns false on a PKCS#11 error.
  bool Hmac(const std::string& data);  // token HMAC-SHA256 key
  bool Sha256(const std::string& data);
  bool GcmEncrypt(const std::string& data);   // token AES-256 key
  bool EcdsaSign(const std::string& data);    // token P-256 key: SHA-256 + CKM_ECDSA
  bool Ed25519Sign(const std::string& data);  // token Ed25519 key, CKM_EDDSA
  bool RsaSign(const std::string& data);      // token RSA-2048 key, CKM_SHA256_RSA_PKCS
  bool GenerateEcKeyPair();                   // token keys
  bool LoginLogout();
  bool has_ed25519() const { return ed_priv_ != 0; }

 private:
  SoftHsmPeer() = default;
  bool Sign(unsigned long mechanism, unsigned long key, const std::string& data);
  // MakeKeys creates the token keys the figures use.
  bool MakeKeys(std::string* error);
  void* lib_ = nullptr;
  void* fl_ = nullptr;  // CK_FUNCTION_LIST_PTR
  unsigned long session_ = 0, slot_ = 0;
  unsigned long hmac_key_ = 0, aes_key_ = 0, ec_priv_ = 0, ed_priv_ = 0, rsa_priv_ = 0;
};

}  // namespace vhsm::bench

#endif  // VHSM_TOOLS_BENCH_SOFTHSM_PEER_H_
