#include "vhsm/server/key_types.h"

#include "gtest/gtest.h"
#include "vhsm/crypto/asymmetric_key.h"
#include "vhsm/testing/test_util.h"

namespace vhsm::server {
namespace {

TEST(KeyTypesTest, WhatEachTypeMayDo) {
  EXPECT_EQ(AllowedOps(proto::HMAC_SHA256), static_cast<uint32_t>(proto::KEY_OP_MAC));
  EXPECT_EQ(AllowedOps(proto::HMAC_SHA512), static_cast<uint32_t>(proto::KEY_OP_MAC));
  EXPECT_EQ(KeyOpsString(AllowedOps(proto::AES_256)), "encrypt,decrypt,wrap,unwrap");
  EXPECT_EQ(KeyOpsString(FormatOneOps(proto::AES_256)), "encrypt,decrypt");
  EXPECT_EQ(AllowedOps(proto::ED25519),
            static_cast<uint32_t>(proto::KEY_OP_SIGN | proto::KEY_OP_VERIFY));
  for (proto::KeyType t : {proto::EC_P256, proto::EC_P384}) {
    EXPECT_EQ(KeyOpsString(AllowedOps(t)), "sign,verify,derive");
  }
  for (proto::KeyType t : {proto::RSA_2048, proto::RSA_3072, proto::RSA_4096}) {
    EXPECT_EQ(KeyOpsString(AllowedOps(t)), "encrypt,decrypt,sign,verify");
  }
  EXPECT_EQ(KeyOpsString(AllowedOps(proto::X25519)), "derive");
  EXPECT_EQ(AllowedOps(proto::KEY_TYPE_UNSPECIFIED), 0u);
  // Format 1 never wrote derive for ec-p256.
  EXPECT_EQ(KeyOpsString(FormatOneOps(proto::EC_P256)), "sign,verify");
}

TEST(KeyTypesTest, ChosenOpsAreASubset) {
  EXPECT_EQ(*ChooseOps(proto::EC_P256, 0), AllowedOps(proto::EC_P256));
  EXPECT_EQ(*ChooseOps(proto::EC_P256, proto::KEY_OP_DERIVE), uint32_t{proto::KEY_OP_DERIVE});
  Result<uint32_t> bad = ChooseOps(proto::X25519, proto::KEY_OP_SIGN | proto::KEY_OP_DERIVE);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "x25519 keys cannot sign (they can derive)");
  EXPECT_FALSE(ChooseOps(proto::HMAC_SHA256, 1u << 20).ok());
}

TEST(KeyTypesTest, GeneratedMaterialIsAsStored) {
  EXPECT_EQ(GenerateKeyMaterial(proto::HMAC_SHA256)->size(), 32u);
  EXPECT_EQ(GenerateKeyMaterial(proto::HMAC_SHA512)->size(), 64u);
  EXPECT_EQ(GenerateKeyMaterial(proto::AES_256)->size(), 32u);
  for (auto [type, alg] : {std::pair{proto::EC_P256, crypto::KeyAlg::kEcP256},
                           std::pair{proto::ED25519, crypto::KeyAlg::kEd25519},
                           std::pair{proto::EC_P384, crypto::KeyAlg::kEcP384},
                           std::pair{proto::RSA_2048, crypto::KeyAlg::kRsa2048},
                           std::pair{proto::X25519, crypto::KeyAlg::kX25519}}) {
    auto der = GenerateKeyMaterial(type);
    ASSERT_TRUE(der.ok());
    auto key = crypto::PrivateKey::FromPkcs8Der(der->view());
    ASSERT_TRUE(key.ok());
    EXPECT_EQ(key->alg(), alg);
  }
  EXPECT_FALSE(GenerateKeyMaterial(proto::KEY_TYPE_UNSPECIFIED).ok());
}

TEST(KeyTypesTest, ImportChecksWhatItIsGiven) {
  EXPECT_TRUE(NormalizeImport(proto::HMAC_SHA256, "k").ok());
  EXPECT_FALSE(NormalizeImport(proto::HMAC_SHA256, "").ok());
  EXPECT_FALSE(NormalizeImport(proto::HMAC_SHA512, std::string(1025, 'k')).ok());
  EXPECT_TRUE(NormalizeImport(proto::AES_256, std::string(32, 'a')).ok());
  EXPECT_FALSE(NormalizeImport(proto::AES_256, std::string(16, 'a')).ok());
  // A P-256 key from the openssl command, in PEM: accepted as ec-p256,
  // stored as PKCS#8 DER; refused as ed25519, without echoing the key.
  auto pem = vhsm::testing::RunCommand(
      {"openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"});
  ASSERT_EQ(pem.exit_code, 0) << pem.out;
  auto stored = NormalizeImport(proto::EC_P256, pem.out);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_TRUE(crypto::PrivateKey::FromPkcs8Der(stored->view()).ok());
  Result<crypto::SecretBytes> wrong = NormalizeImport(proto::ED25519, pem.out);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().message().find("PRIVATE KEY"), std::string::npos);
  EXPECT_FALSE(NormalizeImport(proto::EC_P256, "not a key").ok());
  // A PKCS#1 RSA key ("BEGIN RSA PRIVATE KEY") of 3072 bits is rsa-3072 only.
  auto rsa = vhsm::testing::RunCommand({"openssl", "genrsa", "-traditional", "3072"});
  ASSERT_EQ(rsa.exit_code, 0) << rsa.out;
  ASSERT_NE(rsa.out.find("BEGIN RSA PRIVATE KEY"), std::string::npos);
  EXPECT_TRUE(NormalizeImport(proto::RSA_3072, rsa.out).ok());
  Result<crypto::SecretBytes> size = NormalizeImport(proto::RSA_2048, rsa.out);
  ASSERT_FALSE(size.ok());
  EXPECT_EQ(size.status().message(), "imported key is rsa-3072, not rsa-2048");
}

}  // namespace
}  // namespace vhsm::server
