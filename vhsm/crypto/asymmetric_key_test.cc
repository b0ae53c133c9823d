#include "vhsm/crypto/asymmetric_key.h"

#include "gtest/gtest.h"
#include "vhsm/crypto/random.h"
#include "vhsm/testing/test_util.h"

namespace vhsm::crypto {
namespace {

using testing::Hex;
using testing::Must;

// The RFC 8410 PKCS#8 prefix for a raw Ed25519 seed.
Bytes Ed25519Pkcs8(const Bytes& seed) {
  Bytes der = Hex("302e020100300506032b657004220420");
  der.insert(der.end(), seed.begin(), seed.end());
  return der;
}

TEST(SigningKeyTest, Rfc8032Ed25519) {
  auto doc = testing::LoadJson("vhsm/crypto/testdata/rfc8032_ed25519.json");
  for (const auto& t : doc["tests"]) {
    Result<PrivateKey> key = PrivateKey::FromPkcs8Der(Ed25519Pkcs8(Hex(t["secretKey"])));
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_EQ(key->alg(), KeyAlg::kEd25519);
    Result<Bytes> sig = key->Sign(Hex(t["message"]));
    ASSERT_TRUE(sig.ok());
    EXPECT_EQ(HexEncode(*sig), t["signature"].get<std::string>());
    // The public key: SPKI DER ends with the 32 raw bytes.
    Bytes spki = *key->GetPublicKey()->ToSpkiDer();
    EXPECT_EQ(HexEncode(ByteView(spki).substr(spki.size() - 32)),
              t["publicKey"].get<std::string>());
  }
}

// Wycheproof signature files: valid signatures verify, invalid ones never do.
void RunWycheproofVerify(const std::string& file, KeyAlg alg, int want_valid) {
  auto doc = testing::LoadJson(file);
  int valid = 0, invalid = 0;
  for (const auto& group : doc["testGroups"]) {
    Result<PublicKey> pub = PublicKey::FromSpkiDer(Hex(group["publicKeyDer"]));
    ASSERT_TRUE(pub.ok()) << pub.status().ToString();
    ASSERT_EQ(pub->alg(), alg);
    for (const auto& t : group["tests"]) {
      Result<bool> ok = pub->Verify(Hex(t["msg"]), Hex(t["sig"]));
      ASSERT_TRUE(ok.ok());
      if (t["result"] == "valid") {
        EXPECT_TRUE(*ok) << "rejected valid tcId " << t["tcId"];
        ++valid;
      } else if (t["result"] == "invalid") {
        EXPECT_FALSE(*ok) << "accepted invalid tcId " << t["tcId"] << " " << t["comment"];
        ++invalid;
      }
    }
  }
  EXPECT_EQ(valid, want_valid);
  EXPECT_GT(invalid, 50);
}

TEST(SigningKeyTest, WycheproofEcdsaP256Sha256Der) {
  RunWycheproofVerify("vhsm/crypto/testdata/ecdsa_secp256r1_sha256_test.json", KeyAlg::kEcP256,
                      174);
}

TEST(SigningKeyTest, WycheproofEd25519) {
  RunWycheproofVerify("vhsm/crypto/testdata/ed25519_test.json", KeyAlg::kEd25519, 88);
}

TEST(SigningKeyTest, GeneratePkcs8RoundTripAndSign) {
  for (KeyAlg alg : {KeyAlg::kEcP256, KeyAlg::kEd25519}) {
    Result<PrivateKey> key = PrivateKey::Generate(alg);
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    Result<SecretBytes> der = key->ToPkcs8Der();
    ASSERT_TRUE(der.ok());
    Result<PrivateKey> back = PrivateKey::FromPkcs8Der(der->view());
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->alg(), alg);
    Bytes msg = *RandomBytes(100);
    Bytes sig = *back->Sign(msg);
    PublicKey pub = Must(key->GetPublicKey());
    EXPECT_TRUE(*pub.Verify(msg, sig));
    msg[0] ^= 1;
    EXPECT_FALSE(*pub.Verify(msg, sig));
    Result<PublicKey> pem_back = PublicKey::FromPem(*pub.ToPem());
    ASSERT_TRUE(pem_back.ok());
    EXPECT_EQ(*pem_back->ToSpkiDer(), *pub.ToSpkiDer());
  }
}

TEST(SigningKeyTest, SignDigestMatchesSign) {
  PrivateKey key = Must(PrivateKey::Generate(KeyAlg::kEcP256));
  PublicKey pub = Must(key.GetPublicKey());
  Bytes digest = Hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Bytes sig = *key.SignDigest(digest);
  EXPECT_TRUE(*pub.Verify("abc", sig));  // SHA-256("abc") is the digest
  EXPECT_TRUE(*pub.VerifyDigest(digest, sig));
  EXPECT_EQ(key.SignDigest(Bytes(20)).status().code(), StatusCode::kInvalidArgument);
  PrivateKey ed = Must(PrivateKey::Generate(KeyAlg::kEd25519));
  EXPECT_EQ(ed.SignDigest(digest).status().code(), StatusCode::kInvalidArgument);
}

// Keys and signatures interoperate with the openssl command both ways.
TEST(SigningKeyTest, InteroperatesWithOpensslCommand) {
  std::string dir = testing::MakeTempDir();
  Bytes msg = *RandomBytes(5000);
  testing::WriteFile(dir + "/msg", std::string(msg.begin(), msg.end()));
  struct Case {
    KeyAlg alg;
    std::vector<std::string> genpkey;
    std::vector<std::string> verify;
  };
  const Case cases[] = {
      {KeyAlg::kEcP256,
       {"openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
        dir + "/key.pem"},
       {"openssl", "dgst", "-sha256", "-verify", dir + "/pub.pem", "-signature", dir + "/sig",
        dir + "/msg"}},
      {KeyAlg::kEd25519,
       {"openssl", "genpkey", "-algorithm", "ED25519", "-out", dir + "/key.pem"},
       {"openssl", "pkeyutl", "-verify", "-pubin", "-inkey", dir + "/pub.pem", "-rawin", "-in",
        dir + "/msg", "-sigfile", dir + "/sig"}},
  };
  for (const Case& c : cases) {
    // openssl makes the key; we import it, sign, and openssl verifies.
    ASSERT_EQ(testing::RunCommand(c.genpkey).exit_code, 0);
    Result<PrivateKey> key = PrivateKey::FromEncoded(testing::ReadFile(dir + "/key.pem"));
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_EQ(key->alg(), c.alg);
    testing::WriteFile(dir + "/pub.pem", *key->GetPublicKey()->ToPem());
    Bytes sig = *key->Sign(msg);
    testing::WriteFile(dir + "/sig", std::string(sig.begin(), sig.end()));
    testing::CommandResult ok = testing::RunCommand(c.verify);
    EXPECT_EQ(ok.exit_code, 0) << ok.out;
    // A tampered signature fails under openssl too.
    sig[sig.size() / 2] ^= 0x10;
    testing::WriteFile(dir + "/sig", std::string(sig.begin(), sig.end()));
    EXPECT_NE(testing::RunCommand(c.verify).exit_code, 0);
    // The public key matches what openssl derives from the private key.
    testing::CommandResult pub =
        testing::RunCommand({"openssl", "pkey", "-in", dir + "/key.pem", "-pubout"});
    ASSERT_EQ(pub.exit_code, 0);
    EXPECT_EQ(pub.out, *key->GetPublicKey()->ToPem());
  }
}

TEST(SigningKeyTest, RejectsUnsupportedAndMalformedKeys) {
  std::string dir = testing::MakeTempDir();
  ASSERT_EQ(testing::RunCommand({"openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                                 "ec_paramgen_curve:P-521", "-out", dir + "/p384.pem"})
                .exit_code,
            0);
  Result<PrivateKey> p384 = PrivateKey::FromEncoded(testing::ReadFile(dir + "/p384.pem"));
  EXPECT_EQ(p384.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PrivateKey::FromEncoded("garbage").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(
      PrivateKey::FromEncoded("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
          .status()
          .code(),
      StatusCode::kInvalidArgument);
  ASSERT_EQ(testing::RunCommand({"openssl", "genpkey", "-algorithm", "ED25519", "-aes256", "-pass",
                                 "pass:x", "-out", dir + "/enc.pem"})
                .exit_code,
            0);
  EXPECT_EQ(PrivateKey::FromEncoded(testing::ReadFile(dir + "/enc.pem")).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vhsm::crypto
