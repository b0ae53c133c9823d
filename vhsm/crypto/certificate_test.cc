// Certificate fields against Python's cryptography (an independent parser)
// for a certificate the openssl command makes.
#include "vhsm/crypto/certificate.h"

#include "gtest/gtest.h"
#include "vhsm/testing/test_util.h"

namespace vhsm::crypto {
namespace {

using vhsm::testing::RunCommand;

TEST(CertificateTest, FieldsMatchAnIndependentParser) {
  std::string dir = vhsm::testing::MakeTempDir();
  auto made = RunCommand({"openssl",
                          "req",
                          "-x509",
                          "-newkey",
                          "ec",
                          "-pkeyopt",
                          "ec_paramgen_curve:P-256",
                          "-nodes",
                          "-keyout",
                          dir + "/k.pem",
                          "-subj",
                          "/CN=vhsm test/O=VHSM",
                          "-set_serial",
                          "0x00C0FFEE1234",
                          "-days",
                          "1",
                          "-outform",
                          "PEM",
                          "-out",
                          dir + "/c.pem"});
  ASSERT_EQ(made.exit_code, 0) << made.out;
  std::string pem = vhsm::testing::ReadFile(dir + "/c.pem");
  Result<Bytes> der = PemCertificateToDer(pem);
  ASSERT_TRUE(der.ok()) << der.status().ToString();
  Result<CertificateFields> f = ParseDerCertificate(*der);
  ASSERT_TRUE(f.ok()) << f.status().ToString();

  auto py = RunCommand({"/usr/bin/python3", "-c",
                        "import sys\n"
                        "from cryptography import x509\n"
                        "c = x509.load_pem_x509_certificate(open(sys.argv[1],'rb').read())\n"
                        "from cryptography.hazmat.primitives.serialization import Encoding\n"
                        "print(c.public_bytes(Encoding.DER).hex())\n"
                        "print(c.subject.public_bytes().hex())\n"
                        "print(c.issuer.public_bytes().hex())\n"
                        "print(c.serial_number)\n",
                        dir + "/c.pem"});
  ASSERT_EQ(py.exit_code, 0) << py.out;
  std::string want = vhsm::testing::ToHex(*der) + "\n" + vhsm::testing::ToHex(f->subject) + "\n" +
                     vhsm::testing::ToHex(f->issuer) + "\n" + std::to_string(0xC0FFEE1234LL) + "\n";
  EXPECT_EQ(py.out, want);
  // The serial number is a DER INTEGER (a leading 00: 0xC0 has its top bit set).
  EXPECT_EQ(vhsm::testing::ToHex(f->serial), "020600c0ffee1234");
}

TEST(CertificateTest, NotACertificateIsRefused) {
  EXPECT_EQ(ParseDerCertificate(ByteView("")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseDerCertificate(ByteView("\x30\x03\x02\x01\x01")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(PemCertificateToDer(ByteView("hello")).status().code(), StatusCode::kInvalidArgument);
}

TEST(CertificateTest, TrailingBytesAreRefused) {
  std::string dir = vhsm::testing::MakeTempDir();
  auto made = RunCommand({"openssl", "req", "-x509", "-newkey", "ed25519", "-nodes", "-keyout",
                          dir + "/k.pem", "-subj", "/CN=t", "-days", "1", "-outform", "DER", "-out",
                          dir + "/c.der"});
  ASSERT_EQ(made.exit_code, 0) << made.out;
  std::string der = vhsm::testing::ReadFile(dir + "/c.der");
  EXPECT_TRUE(ParseDerCertificate(ByteView(der)).ok());
  EXPECT_EQ(ParseDerCertificate(ByteView(der + "x")).status().code(), StatusCode::kInvalidArgument);
  // Every truncation is refused.
  for (size_t n = 0; n < der.size(); n += 7) {
    EXPECT_FALSE(ParseDerCertificate(ByteView(der.substr(0, n))).ok()) << n;
  }
}

}  // namespace
}  // namespace vhsm::crypto
