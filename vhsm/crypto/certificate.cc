#include "vhsm/crypto/certificate.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <limits>
#include <memory>

namespace vhsm::crypto {
namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

// Der encodes v with i2d (its pointer as the library's i2d takes it: const
// in OpenSSL 3, not always in BoringSSL).
template <typename P, typename F>
Result<Bytes> Der(P v, F i2d) {
  int n = i2d(v, nullptr);
  if (n <= 0) return InvalidArgument("certificate field does not encode");
  Bytes out(static_cast<size_t>(n));
  unsigned char* p = out.data();
  if (i2d(v, &p) != n) return InvalidArgument("certificate field does not encode");
  return out;
}

}  // namespace

Result<CertificateFields> ParseDerCertificate(ByteView der) {
  if (der.empty() || der.size() > static_cast<size_t>(std::numeric_limits<long>::max())) {
    return InvalidArgument("not a DER X.509 certificate");
  }
  const unsigned char* p = der.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) return InvalidArgument("not a DER X.509 certificate");
  if (p != der.data() + der.size()) {
    return InvalidArgument("bytes follow the DER X.509 certificate");
  }
  CertificateFields f;
  VHSM_ASSIGN_OR_RETURN(f.subject, Der(X509_get_subject_name(cert.get()), i2d_X509_NAME));
  VHSM_ASSIGN_OR_RETURN(f.issuer, Der(X509_get_issuer_name(cert.get()), i2d_X509_NAME));
  VHSM_ASSIGN_OR_RETURN(f.serial, Der(X509_get0_serialNumber(cert.get()), i2d_ASN1_INTEGER));
  return f;
}

Result<Bytes> PemCertificateToDer(ByteView pem) {
  if (pem.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return InvalidArgument("PEM text too long");
  }
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  if (!bio) return Internal("out of memory");
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return InvalidArgument("no PEM certificate found");
  return Der(cert.get(), i2d_X509);
}

}  // namespace vhsm::crypto
