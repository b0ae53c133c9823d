#include "vhsm/crypto/x25519.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#if defined(OPENSSL_IS_BORINGSSL)
#include <openssl/curve25519.h>
#endif

#include "vhsm/crypto/internal/openssl_util.h"
#include "vhsm/crypto/random.h"

namespace vhsm::crypto {

using internal::EvpPkeyCtxPtr;
using internal::EvpPkeyPtr;

namespace {

bool AllZero(const uint8_t* p, size_t n) {
  uint8_t acc = 0;
  for (size_t i = 0; i < n; ++i) acc |= p[i];
  return acc == 0;
}

}  // namespace

Result<X25519KeyPair> X25519KeyPair::Generate() {
  VHSM_ASSIGN_OR_RETURN(SecretBytes priv, RandomSecret(kX25519KeySize));
  return FromPrivate(priv.view());
}

Result<X25519KeyPair> X25519KeyPair::FromPrivate(ByteView private_key) {
  if (private_key.size() != kX25519KeySize) {
    return InvalidArgument("an X25519 private key has 32 bytes, not " +
                           std::to_string(private_key.size()));
  }
  Bytes pub(kX25519KeySize);
#if defined(OPENSSL_IS_BORINGSSL)
  X25519_public_from_private(pub.data(), private_key.data());
#else
  EvpPkeyPtr pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, private_key.data(),
                                               private_key.size()));
  if (!pkey) return internal::OpenSslError("X25519 private key");
  size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(pkey.get(), pub.data(), &len) != 1 || len != pub.size()) {
    return internal::OpenSslError("X25519 public key");
  }
#endif
  return X25519KeyPair(SecretBytes(private_key), std::move(pub));
}

Result<SecretBytes> X25519KeyPair::Dh(ByteView peer_public) const {
  if (peer_public.size() != kX25519KeySize) {
    return InvalidArgument("an X25519 public key has 32 bytes, not " +
                           std::to_string(peer_public.size()));
  }
  SecretBytes out(kX25519KeySize);
#if defined(OPENSSL_IS_BORINGSSL)
  if (X25519(out.data(), private_.data(), peer_public.data()) != 1) {
    return InvalidArgument("X25519 with a low-order public key");
  }
#else
  EvpPkeyPtr mine(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, private_.data(), private_.size()));
  EvpPkeyPtr peer(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, peer_public.data(),
                                              peer_public.size()));
  if (!mine || !peer) return internal::OpenSslError("X25519 keys");
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(mine.get(), nullptr));
  size_t len = out.size();
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) != 1 ||
      EVP_PKEY_derive(ctx.get(), out.data(), &len) != 1 || len != out.size()) {
    internal::ClearErrors();
    return InvalidArgument("X25519 with an invalid or low-order public key");
  }
#endif
  if (AllZero(out.data(), out.size())) {
    return InvalidArgument("X25519 with a low-order public key");
  }
  return out;
}

}  // namespace vhsm::crypto
