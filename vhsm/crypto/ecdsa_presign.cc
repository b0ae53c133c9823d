// OpenSSL's ECDSA_sign_setup / ECDSA_do_sign_ex (deprecated in OpenSSL 3,
// still there; no provider interface takes a precomputed nonce).
#define OPENSSL_SUPPRESS_DEPRECATED
#include "vhsm/crypto/ecdsa_presign.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include <mutex>
#include <utility>
#include <vector>

#include "vhsm/crypto/internal/pkey.h"

namespace vhsm::crypto {

#if defined(OPENSSL_IS_BORINGSSL)

struct EcdsaPresigs::Impl {};
std::unique_ptr<EcdsaPresigs> EcdsaPresigs::Create(KeyAlg, size_t) { return nullptr; }
EcdsaPresigs::EcdsaPresigs(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EcdsaPresigs::~EcdsaPresigs() = default;
KeyAlg EcdsaPresigs::curve() const { return KeyAlg::kEcP256; }
size_t EcdsaPresigs::capacity() const { return 0; }
size_t EcdsaPresigs::size() const { return 0; }
bool EcdsaPresigs::Low() const { return false; }
size_t EcdsaPresigs::Refill(size_t) { return 0; }
std::optional<Bytes> EcdsaPresigs::SignDigest(const PrivateKey&, ByteView) { return std::nullopt; }

#else

namespace {

struct Pair {
  BIGNUM* kinv = nullptr;
  BIGNUM* r = nullptr;
};

void Wipe(Pair& p) {
  BN_clear_free(p.kinv);
  BN_clear_free(p.r);
  p = Pair{};
}

}  // namespace

struct EcdsaPresigs::Impl {
  KeyAlg curve = KeyAlg::kEcP256;
  size_t capacity = 0;
  // ECDSA_sign_setup wants a key with a private part (it ignores it when
  // given no digest): one throwaway key of the curve, used by Refill only.
  EC_KEY* setup_key = nullptr;
  std::mutex refill_mu;  // one refiller at a time uses setup_key and bn_ctx
  BN_CTX* bn_ctx = nullptr;
  mutable std::mutex mu;
  std::vector<Pair> pairs;  // guarded by mu

  ~Impl() {
    for (Pair& p : pairs) Wipe(p);
    BN_CTX_free(bn_ctx);
    EC_KEY_free(setup_key);
  }
};

std::unique_ptr<EcdsaPresigs> EcdsaPresigs::Create(KeyAlg curve, size_t capacity) {
  int nid = curve == KeyAlg::kEcP256   ? NID_X9_62_prime256v1
            : curve == KeyAlg::kEcP384 ? NID_secp384r1
                                       : NID_undef;
  if (nid == NID_undef || capacity == 0) return nullptr;
  auto impl = std::make_unique<Impl>();
  impl->curve = curve;
  impl->capacity = capacity;
  impl->setup_key = EC_KEY_new_by_curve_name(nid);
  impl->bn_ctx = BN_CTX_secure_new();
  if (impl->setup_key == nullptr || impl->bn_ctx == nullptr ||
      EC_KEY_generate_key(impl->setup_key) != 1) {
    return nullptr;
  }
  impl->pairs.reserve(capacity);
  return std::unique_ptr<EcdsaPresigs>(new EcdsaPresigs(std::move(impl)));
}

EcdsaPresigs::EcdsaPresigs(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EcdsaPresigs::~EcdsaPresigs() = default;

KeyAlg EcdsaPresigs::curve() const { return impl_->curve; }
size_t EcdsaPresigs::capacity() const { return impl_->capacity; }

size_t EcdsaPresigs::size() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->pairs.size();
}

bool EcdsaPresigs::Low() const { return size() < impl_->capacity / 2 + 1; }

size_t EcdsaPresigs::Refill(size_t max_new) {
  std::lock_guard<std::mutex> refill(impl_->refill_mu);
  size_t added = 0;
  while (added < max_new && size() < impl_->capacity) {
    Pair p;
    if (ECDSA_sign_setup(impl_->setup_key, impl_->bn_ctx, &p.kinv, &p.r) != 1) {
      Wipe(p);
      break;
    }
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->pairs.push_back(p);
    ++added;
  }
  return added;
}

std::optional<Bytes> EcdsaPresigs::SignDigest(const PrivateKey& key, ByteView digest) {
  if (key.alg() != impl_->curve) return std::nullopt;
  // The key's EC_KEY view (made once by libcrypto and kept with the key).
  const EC_KEY* ec = EVP_PKEY_get0_EC_KEY(key.impl_->pkey.get());
  if (ec == nullptr) return std::nullopt;
  Pair p;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (impl_->pairs.empty()) return std::nullopt;
    p = impl_->pairs.back();
    impl_->pairs.pop_back();
  }
  // ECDSA_do_sign_ex only reads the key; it takes a non-const pointer.
  ECDSA_SIG* sig = ECDSA_do_sign_ex(digest.data(), static_cast<int>(digest.size()), p.kinv, p.r,
                                    const_cast<EC_KEY*>(ec));
  Wipe(p);
  if (sig == nullptr) return std::nullopt;  // s == 0 (negligible): sign anew
  int len = i2d_ECDSA_SIG(sig, nullptr);
  Bytes der(len > 0 ? static_cast<size_t>(len) : 0);
  unsigned char* out = der.data();
  bool ok = len > 0 && i2d_ECDSA_SIG(sig, &out) == len;
  ECDSA_SIG_free(sig);
  if (!ok) return std::nullopt;
  return der;
}

#endif

}  // namespace vhsm::crypto
