#include "vhsm/crypto/hkdf.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "vhsm/crypto/hmac.h"

namespace vhsm::crypto {

Result<SecretBytes> Hkdf(DigestAlg alg, ByteView ikm, ByteView salt, ByteView info, size_t length) {
  const size_t hash_len = DigestSize(alg);
  if (length == 0 || length > 255 * hash_len) {
    return InvalidArgument("HKDF output must be 1 to " + std::to_string(255 * hash_len) +
                           " bytes, not " + std::to_string(length));
  }
  Bytes zeros(hash_len, 0);
  VHSM_ASSIGN_OR_RETURN(Bytes prk_bytes,
                        ComputeHmac(alg, salt.empty() ? ByteView(zeros) : salt, ikm));
  SecretBytes prk{ByteView(prk_bytes)};
  OPENSSL_cleanse(prk_bytes.data(), prk_bytes.size());

  SecretBytes out(length);
  Bytes block;
  size_t done = 0;
  for (uint8_t counter = 1; done < length; ++counter) {
    VHSM_ASSIGN_OR_RETURN(Hmac h, Hmac::Create(alg, prk.view()));
    VHSM_RETURN_IF_ERROR(h.Update(block));
    VHSM_RETURN_IF_ERROR(h.Update(info));
    VHSM_RETURN_IF_ERROR(h.Update(ByteView(&counter, 1)));
    OPENSSL_cleanse(block.data(), block.size());
    VHSM_ASSIGN_OR_RETURN(block, h.Final());
    size_t n = std::min(block.size(), length - done);
    std::copy(block.begin(), block.begin() + n, out.data() + done);
    done += n;
  }
  OPENSSL_cleanse(block.data(), block.size());
  return out;
}

}  // namespace vhsm::crypto
