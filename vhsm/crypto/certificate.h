// X.509 certificates as PKCS#11 certificate objects need them: a check that
// bytes are exactly one DER certificate, and the DER fields PKCS#11 exposes
// as attributes (CKA_SUBJECT, CKA_ISSUER, CKA_SERIAL_NUMBER).
#ifndef VHSM_CRYPTO_CERTIFICATE_H_
#define VHSM_CRYPTO_CERTIFICATE_H_

#include "vhsm/base/status.h"
#include "vhsm/crypto/bytes.h"

namespace vhsm::crypto {

struct CertificateFields {
  Bytes subject;  // DER Name
  Bytes issuer;   // DER Name
  Bytes serial;   // DER INTEGER
};

// ParseDerCertificate: InvalidArgument unless der is one X.509 certificate
// in DER with nothing after it.
Result<CertificateFields> ParseDerCertificate(ByteView der);

// PemCertificateToDer: the first certificate of a PEM text ("-----BEGIN
// CERTIFICATE-----"), or InvalidArgument.
Result<Bytes> PemCertificateToDer(ByteView pem);

}  // namespace vhsm::crypto

#endif  // VHSM_CRYPTO_CERTIFICATE_H_
