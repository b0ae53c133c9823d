// Signatures, RSA-OAEP and key agreement against Wycheproof, and against the
// openssl command for what Wycheproof does not cover (signing, SHA-384/512,
// freshly generated keys).
#include <algorithm>
#include <cctype>

#include "gtest/gtest.h"
#include "vhsm/crypto/asymmetric_key.h"
#include "vhsm/crypto/constant_time.h"
#include "vhsm/crypto/random.h"
#include "vhsm/testing/test_util.h"

namespace vhsm::crypto {
namespace {

using testing::Hex;
using testing::Must;

const char kData[] = "vhsm/crypto/testdata/";

// Der builds one DER TLV (short or long form length).
Bytes Der(uint8_t tag, const Bytes& content) {
  Bytes out{tag};
  size_t n = content.size();
  if (n < 128) {
    out.push_back(static_cast<uint8_t>(n));
  } else if (n < 256) {
    out.insert(out.end(), {0x81, static_cast<uint8_t>(n)});
  } else {
    out.insert(out.end(), {0x82, static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)});
  }
  out.insert(out.end(), content.begin(), content.end());
  return out;
}

Bytes Cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// EcPkcs8 wraps a raw scalar (Wycheproof's "private", maybe with a leading
// zero) as PKCS#8 for the curve whose OID is curve_oid; the library works
// out the public point.
Bytes EcPkcs8(const Bytes& curve_oid, Bytes scalar, size_t field_bytes) {
  while (scalar.size() > field_bytes && scalar[0] == 0) scalar.erase(scalar.begin());
  while (scalar.size() < field_bytes) scalar.insert(scalar.begin(), 0);
  Bytes sec1 = Der(0x30, Cat({Hex("020101"), Der(0x04, scalar)}));
  Bytes alg = Der(0x30, Cat({Hex("06072a8648ce3d0201"), curve_oid}));
  return Der(0x30, Cat({Hex("020100"), alg, Der(0x04, sec1)}));
}

PublicKey MustPublic(const Bytes& spki) {
  Result<PublicKey> k = PublicKey::FromSpkiDer(spki);
  if (!k.ok()) {
    ADD_FAILURE() << k.status().ToString();
    std::abort();
  }
  return std::move(k).value();
}

// Verify files: valid signatures verify, invalid ones never do; acceptable
// ones may go either way. Returns the number of valid vectors seen.
int RunVerify(const std::string& file, KeyAlg alg, SignParams params) {
  auto doc = testing::LoadJson(kData + file);
  int valid = 0, invalid = 0;
  for (const auto& group : doc["testGroups"]) {
    PublicKey pub = MustPublic(Hex(group["publicKeyDer"]));
    EXPECT_EQ(pub.alg(), alg);
    for (const auto& t : group["tests"]) {
      Result<bool> ok = pub.Verify(Hex(t["msg"]), Hex(t["sig"]), params);
      EXPECT_TRUE(ok.ok()) << ok.status().ToString();
      if (!ok.ok()) continue;
      if (t["result"] == "valid") {
        EXPECT_TRUE(*ok) << file << ": rejected valid tcId " << t["tcId"];
        ++valid;
      } else if (t["result"] == "invalid") {
        EXPECT_FALSE(*ok) << file << ": accepted invalid tcId " << t["tcId"];
        ++invalid;
      }
    }
  }
  EXPECT_GT(invalid, 40) << file;
  return valid;
}

TEST(AsymmetricOpsTest, WycheproofEcdsaP384Sha384) {
  EXPECT_EQ(RunVerify("ecdsa_secp384r1_sha384_test.json", KeyAlg::kEcP384, {}), 194);
}

TEST(AsymmetricOpsTest, WycheproofRsaPkcs1) {
  SignParams pkcs1{SigScheme::kPkcs1, DigestAlg::kSha256};
  EXPECT_EQ(RunVerify("rsa_signature_2048_sha256_test.json", KeyAlg::kRsa2048, pkcs1), 9);
  EXPECT_GT(RunVerify("rsa_signature_3072_sha256_test.json", KeyAlg::kRsa3072, pkcs1), 0);
  // The default scheme of an RSA key is PKCS#1 v1.5 over SHA-256.
  EXPECT_EQ(RunVerify("rsa_signature_2048_sha256_test.json", KeyAlg::kRsa2048, {}), 9);
}

TEST(AsymmetricOpsTest, WycheproofRsaPss) {
  SignParams pss{SigScheme::kPss, DigestAlg::kSha256};
  EXPECT_EQ(RunVerify("rsa_pss_2048_sha256_mgf1_32_test.json", KeyAlg::kRsa2048, pss), 63);
  EXPECT_GT(RunVerify("rsa_pss_3072_sha256_mgf1_32_test.json", KeyAlg::kRsa3072, pss), 0);
}

// OAEP with an empty label (the only one VHSM uses): valid vectors decrypt to
// their message, invalid ones are refused with one message.
TEST(AsymmetricOpsTest, WycheproofRsaOaepSha256) {
  auto doc = testing::LoadJson(std::string(kData) + "rsa_oaep_2048_sha256_mgf1sha256_test.json");
  int valid = 0, invalid = 0;
  for (const auto& group : doc["testGroups"]) {
    Result<PrivateKey> key = PrivateKey::FromPkcs8Der(Hex(group["privateKeyPkcs8"]));
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    for (const auto& t : group["tests"]) {
      if (t["label"] != "") continue;
      Result<SecretBytes> pt = key->Decrypt(Hex(t["ct"]));
      if (t["result"] == "valid") {
        ASSERT_TRUE(pt.ok()) << "tcId " << t["tcId"] << ": " << pt.status().ToString();
        EXPECT_TRUE(ConstantTimeEquals(pt->view(), Hex(t["msg"]))) << "tcId " << t["tcId"];
        ++valid;
      } else {
        ASSERT_FALSE(pt.ok()) << "tcId " << t["tcId"];
        EXPECT_EQ(pt.status().message(),
                  "RSA-OAEP decryption failed: wrong key or damaged ciphertext");
        ++invalid;
      }
    }
  }
  EXPECT_EQ(valid, 10);
  EXPECT_EQ(invalid, 19);
}

// ECDH: valid and acceptable vectors give the shared secret; invalid public
// keys (off the curve, wrong curve, bad encoding) are refused.
void RunEcdh(const std::string& file, KeyAlg alg, const Bytes& oid, size_t field, int want) {
  auto doc = testing::LoadJson(kData + file);
  int matched = 0, refused = 0;
  for (const auto& group : doc["testGroups"]) {
    for (const auto& t : group["tests"]) {
      Result<PrivateKey> mine = PrivateKey::FromPkcs8Der(EcPkcs8(oid, Hex(t["private"]), field));
      ASSERT_TRUE(mine.ok()) << "tcId " << t["tcId"] << ": " << mine.status().ToString();
      ASSERT_EQ(mine->alg(), alg);
      Result<PublicKey> peer = PublicKey::FromSpkiDer(Hex(t["public"]));
      Result<SecretBytes> shared = peer.ok() ? mine->Derive(*peer) : peer.status();
      if (t["result"] == "invalid") {
        EXPECT_FALSE(shared.ok()) << file << ": accepted invalid tcId " << t["tcId"];
        ++refused;
      } else if (shared.ok()) {
        EXPECT_TRUE(ConstantTimeEquals(shared->view(), Hex(t["shared"])))
            << file << " tcId " << t["tcId"];
        ++matched;
      } else {
        // Only "acceptable" vectors may be refused (e.g. compressed points).
        EXPECT_EQ(t["result"], "acceptable") << file << " tcId " << t["tcId"];
      }
    }
  }
  EXPECT_GE(matched, want) << file;
  EXPECT_GT(refused, 10) << file;
}

TEST(AsymmetricOpsTest, WycheproofEcdhP256) {
  RunEcdh("ecdh_secp256r1_test.json", KeyAlg::kEcP256, Hex("06082a8648ce3d030107"), 32, 330);
}

TEST(AsymmetricOpsTest, WycheproofEcdhP384) {
  RunEcdh("ecdh_secp384r1_test.json", KeyAlg::kEcP384, Hex("06052b81040022"), 48, 771);
}

// X25519 keys as stored (PKCS#8) and peers as SPKI, over Wycheproof: every
// non-zero shared secret matches; all-zero results are refused.
TEST(AsymmetricOpsTest, WycheproofX25519AsPkcs8) {
  auto doc = testing::LoadJson(std::string(kData) + "x25519_test.json");
  int matched = 0, refused = 0;
  for (const auto& group : doc["testGroups"]) {
    for (const auto& t : group["tests"]) {
      Bytes p8 = Cat({Hex("302e020100300506032b656e04220420"), Hex(t["private"])});
      Result<PrivateKey> mine = PrivateKey::FromPkcs8Der(p8);
      ASSERT_TRUE(mine.ok()) << mine.status().ToString();
      ASSERT_EQ(mine->alg(), KeyAlg::kX25519);
      PublicKey peer = MustPublic(Cat({Hex("302a300506032b656e032100"), Hex(t["public"])}));
      Result<SecretBytes> shared = mine->Derive(peer);
      if (Hex(t["shared"]) == Bytes(32, 0)) {
        EXPECT_FALSE(shared.ok()) << "tcId " << t["tcId"];
        ++refused;
        continue;
      }
      ASSERT_TRUE(shared.ok()) << "tcId " << t["tcId"] << ": " << shared.status().ToString();
      EXPECT_TRUE(ConstantTimeEquals(shared->view(), Hex(t["shared"]))) << "tcId " << t["tcId"];
      ++matched;
    }
  }
  EXPECT_EQ(matched + refused, 518);
}

// Raw PKCS#1 v1.5 of a SHA-256 DigestInfo is the PKCS#1 signature of that
// digest (v1.5 is deterministic), and refuses what it cannot pad.
TEST(AsymmetricOpsTest, RawPkcs1SignsAPreparedDigestInfo) {
  PrivateKey key = Must(PrivateKey::Generate(KeyAlg::kRsa2048));
  Bytes digest = Hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Bytes info = Hex("3031300d060960864801650304020105000420");
  info.insert(info.end(), digest.begin(), digest.end());
  SignParams raw{SigScheme::kPkcs1Raw, {}};
  Bytes a = Must(key.SignDigest(info, raw));
  Bytes b = Must(key.SignDigest(digest, {SigScheme::kPkcs1, DigestAlg::kSha256}));
  EXPECT_EQ(a, b);
  EXPECT_TRUE(Must(Must(key.GetPublicKey()).Verify("abc", a, {SigScheme::kPkcs1, {}})));
  EXPECT_TRUE(Must(Must(key.GetPublicKey()).VerifyDigest(info, a, raw)));
  EXPECT_FALSE(key.SignDigest(Bytes(246, 1), raw).ok());  // more than 256 - 11
  EXPECT_FALSE(key.Sign("m", raw).ok());
  EXPECT_FALSE(key.SignDigest(info, {SigScheme::kPkcs1Raw, DigestAlg::kSha256}).ok());
}

TEST(AsymmetricOpsTest, ParametersTheKeyCannotTake) {
  PrivateKey ed = Must(PrivateKey::Generate(KeyAlg::kEd25519));
  EXPECT_EQ(ed.Sign("m", {SigScheme::kPss, {}}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ed.Sign("m", {SigScheme::kDefault, DigestAlg::kSha256}).status().code(),
            StatusCode::kInvalidArgument);
  PrivateKey ec = Must(PrivateKey::Generate(KeyAlg::kEcP384));
  EXPECT_EQ(ec.Sign("m", {SigScheme::kPss, {}}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ec.Sign("m", {SigScheme::kDefault, DigestAlg::kSha1}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ec.Decrypt(Bytes(96)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ec.SignDigest(Bytes(32)).status().code(), StatusCode::kInvalidArgument);  // 48
  PrivateKey x = Must(PrivateKey::Generate(KeyAlg::kX25519));
  EXPECT_EQ(x.Sign("m").status().code(), StatusCode::kInvalidArgument);
  // Agreement across types or curves is refused.
  PrivateKey p256 = Must(PrivateKey::Generate(KeyAlg::kEcP256));
  EXPECT_EQ(p256.Derive(*ec.GetPublicKey()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(x.Derive(*p256.GetPublicKey()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ed.Derive(*ed.GetPublicKey()).status().code(), StatusCode::kInvalidArgument);
}

struct SignCase {
  KeyAlg alg;
  SignParams params;
  std::vector<std::string> sigopts;  // for openssl dgst
  const char* dgst;
};

// Keys made here sign; the openssl command verifies (every scheme and hash);
// digests signed here verify as messages, and tampering is caught by both.
TEST(AsymmetricOpsTest, SignaturesVerifyWithOpensslCommand) {
  std::string dir = testing::MakeTempDir();
  Bytes msg = *RandomBytes(3000);
  testing::WriteFile(dir + "/msg", std::string(msg.begin(), msg.end()));
  const SignCase cases[] = {
      {KeyAlg::kRsa2048, {SigScheme::kPkcs1, DigestAlg::kSha256}, {}, "-sha256"},
      {KeyAlg::kRsa2048, {SigScheme::kPkcs1, DigestAlg::kSha512}, {}, "-sha512"},
      {KeyAlg::kRsa3072,
       {SigScheme::kPss, DigestAlg::kSha384},
       {"-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"},
       "-sha384"},
      {KeyAlg::kRsa2048,
       {SigScheme::kPss, DigestAlg::kSha256},
       {"-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32"},
       "-sha256"},
      {KeyAlg::kEcP384, {}, {}, "-sha384"},
      {KeyAlg::kEcP384, {SigScheme::kDefault, DigestAlg::kSha512}, {}, "-sha512"},
  };
  for (const SignCase& c : cases) {
    SCOPED_TRACE(std::string(KeyAlgName(c.alg)) + " " + c.dgst);
    PrivateKey key = Must(PrivateKey::Generate(c.alg));
    PublicKey pub = Must(key.GetPublicKey());
    testing::WriteFile(dir + "/pub.pem", *pub.ToPem());
    Bytes sig = *key.Sign(msg, c.params);
    testing::WriteFile(dir + "/sig", std::string(sig.begin(), sig.end()));
    std::vector<std::string> verify = {"openssl",        "dgst",       c.dgst,      "-verify",
                                       dir + "/pub.pem", "-signature", dir + "/sig"};
    verify.insert(verify.end(), c.sigopts.begin(), c.sigopts.end());
    verify.push_back(dir + "/msg");
    testing::CommandResult ok = testing::RunCommand(verify);
    EXPECT_EQ(ok.exit_code, 0) << ok.out;
    EXPECT_TRUE(*pub.Verify(msg, sig, c.params));
    // The digest path gives a signature of the same message.
    testing::CommandResult d =
        testing::RunCommand({"openssl", "dgst", c.dgst, "-binary", dir + "/msg"});
    Bytes digest(d.out.begin(), d.out.end());
    Bytes sig2 = *key.SignDigest(digest, c.params);
    EXPECT_TRUE(*pub.Verify(msg, sig2, c.params));
    EXPECT_TRUE(*pub.VerifyDigest(digest, sig2, c.params));
    sig[sig.size() / 2] ^= 0x01;
    testing::WriteFile(dir + "/sig", std::string(sig.begin(), sig.end()));
    EXPECT_NE(testing::RunCommand(verify).exit_code, 0);
    EXPECT_FALSE(*pub.Verify(msg, sig, c.params));
  }
}

// openssl pkeyutl encrypts with RSA-OAEP-SHA256 to our public key; we
// decrypt. And the other way, with our Encrypt and openssl's decrypt.
TEST(AsymmetricOpsTest, OaepInteroperatesWithOpensslCommand) {
  std::string dir = testing::MakeTempDir();
  ASSERT_EQ(testing::RunCommand({"openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                                 "rsa_keygen_bits:3072", "-out", dir + "/key.pem"})
                .exit_code,
            0);
  PrivateKey key = Must(PrivateKey::FromEncoded(testing::ReadFile(dir + "/key.pem")));
  ASSERT_EQ(key.alg(), KeyAlg::kRsa3072);
  testing::WriteFile(dir + "/pub.pem", *key.GetPublicKey()->ToPem());
  testing::WriteFile(dir + "/pt", "attack at dawn");
  const std::vector<std::string> opts = {"-pkeyopt", "rsa_padding_mode:oaep",
                                         "-pkeyopt", "rsa_oaep_md:sha256",
                                         "-pkeyopt", "rsa_mgf1_md:sha256"};
  std::vector<std::string> enc = {"openssl",        "pkeyutl", "-encrypt",  "-pubin", "-inkey",
                                  dir + "/pub.pem", "-in",     dir + "/pt", "-out",   dir + "/ct"};
  enc.insert(enc.end(), opts.begin(), opts.end());
  ASSERT_EQ(testing::RunCommand(enc).exit_code, 0);
  Result<SecretBytes> pt = key.Decrypt(testing::ReadFile(dir + "/ct"));
  ASSERT_TRUE(pt.ok()) << pt.status().ToString();
  EXPECT_EQ(std::string(pt->view().begin(), pt->view().end()), "attack at dawn");

  Bytes ct = *key.GetPublicKey()->Encrypt(ByteView("the other way"));
  testing::WriteFile(dir + "/ct2", std::string(ct.begin(), ct.end()));
  std::vector<std::string> dec = {"openssl",        "pkeyutl", "-decrypt",  "-inkey",
                                  dir + "/key.pem", "-in",     dir + "/ct2"};
  dec.insert(dec.end(), opts.begin(), opts.end());
  testing::CommandResult out = testing::RunCommand(dec);
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_EQ(out.out, "the other way");
}

// ECDH and X25519 agree with openssl pkeyutl -derive.
TEST(AsymmetricOpsTest, DeriveMatchesOpensslCommand) {
  std::string dir = testing::MakeTempDir();
  const std::pair<KeyAlg, std::vector<std::string>> cases[] = {
      {KeyAlg::kEcP256, {"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"}},
      {KeyAlg::kEcP384, {"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"}},
      {KeyAlg::kX25519, {"-algorithm", "X25519"}},
  };
  for (const auto& [alg, genopts] : cases) {
    std::vector<std::string> gen = {"openssl", "genpkey", "-out", dir + "/peer.pem"};
    gen.insert(gen.end(), genopts.begin(), genopts.end());
    ASSERT_EQ(testing::RunCommand(gen).exit_code, 0);
    ASSERT_EQ(testing::RunCommand({"openssl", "pkey", "-in", dir + "/peer.pem", "-pubout", "-out",
                                   dir + "/peer.pub"})
                  .exit_code,
              0);
    PrivateKey mine = Must(PrivateKey::Generate(alg));
    testing::WriteFile(dir + "/mine.pub", *mine.GetPublicKey()->ToPem());
    PublicKey peer = Must(PublicKey::FromEncoded(testing::ReadFile(dir + "/peer.pub")));
    Result<SecretBytes> ours = mine.Derive(peer);
    ASSERT_TRUE(ours.ok()) << ours.status().ToString();
    testing::CommandResult theirs =
        testing::RunCommand({"openssl", "pkeyutl", "-derive", "-inkey", dir + "/peer.pem",
                             "-peerkey", dir + "/mine.pub"});
    ASSERT_EQ(theirs.exit_code, 0) << theirs.out;
    EXPECT_TRUE(ConstantTimeEquals(ours->view(), ByteView(theirs.out))) << KeyAlgName(alg);
  }
}

// Parts agree with the openssl command's view of the same keys.
TEST(AsymmetricOpsTest, PublicPartsMatchOpenssl) {
  PublicKey ec = Must(Must(PrivateKey::Generate(KeyAlg::kEcP256)).GetPublicKey());
  PublicParts parts = Must(ec.Parts());
  EXPECT_EQ(HexEncode(parts.ec_params), "06082a8648ce3d030107");  // prime256v1
  ASSERT_EQ(parts.ec_point.size(), 65u);
  EXPECT_EQ(parts.ec_point[0], 0x04);
  Bytes spki = Must(ec.ToSpkiDer());
  EXPECT_TRUE(std::equal(parts.ec_point.begin(), parts.ec_point.end(), spki.end() - 65));
  PublicKey ed = Must(Must(PrivateKey::Generate(KeyAlg::kEd25519)).GetPublicKey());
  parts = Must(ed.Parts());
  EXPECT_EQ(HexEncode(parts.ec_params), "06032b6570");  // id-Ed25519
  EXPECT_EQ(parts.ec_point.size(), 32u);
  std::string dir = testing::MakeTempDir();
  ASSERT_EQ(testing::RunCommand({"openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                                 "rsa_keygen_bits:2048", "-out", dir + "/k.pem"})
                .exit_code,
            0);
  PublicKey rsa =
      Must(Must(PrivateKey::FromEncoded(testing::ReadFile(dir + "/k.pem"))).GetPublicKey());
  parts = Must(rsa.Parts());
  testing::CommandResult mod =
      testing::RunCommand({"openssl", "rsa", "-in", dir + "/k.pem", "-noout", "-modulus"});
  std::string hex = HexEncode(parts.modulus);
  for (char& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(mod.out, "Modulus=" + hex + "\n");
  EXPECT_EQ(HexEncode(parts.exponent), "010001");
  EXPECT_TRUE(parts.ec_point.empty());
}

TEST(AsymmetricOpsTest, GeneratedKeysRoundTripThroughPkcs8) {
  for (KeyAlg alg : {KeyAlg::kRsa2048, KeyAlg::kEcP384, KeyAlg::kX25519}) {
    PrivateKey key = Must(PrivateKey::Generate(alg));
    PrivateKey back = Must(PrivateKey::FromPkcs8Der(key.ToPkcs8Der()->view()));
    EXPECT_EQ(back.alg(), alg);
    EXPECT_EQ(*back.GetPublicKey()->ToSpkiDer(), *key.GetPublicKey()->ToSpkiDer());
  }
}

}  // namespace
}  // namespace vhsm::crypto
