#include "vhsm/storage/vault.h"

#include <cstdio>

#include "gtest/gtest.h"
#include "vhsm/crypto/aead.h"
#include "vhsm/crypto/constant_time.h"
#include "vhsm/crypto/random.h"
#include "vhsm/storage/sqlite_record_store.h"
#include "vhsm/storage/vault_test_fixture.h"
#include "vhsm/testing/test_util.h"

namespace vhsm::storage {
namespace {

using crypto::Bytes;
using crypto::ByteView;
using crypto::SecretBytes;
using testing_internal::FileSetContains;
using testing_internal::VaultTest;

TEST_F(VaultTest, StoreAndReadBackAKey) {
  AddContainerAndUser("ct1", "alice", "pw-alice");
  SecretBytes master = Login("ct1", "alice", "pw-alice");
  ASSERT_EQ(master.size(), 32u);
  Bytes material = *crypto::RandomBytes(32);
  Owner alice{"ct1", "alice"};
  ASSERT_TRUE(vault_->PutKey(alice, master, "k1", "hmac-sha256", 1, material).ok());
  Result<OpenedKey> k = vault_->GetKey(alice, master, "k1");
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_EQ(k->type, "hmac-sha256");
  EXPECT_EQ(k->allowed_ops, 1u);
  EXPECT_EQ(Bytes(k->material.data(), k->material.data() + k->material.size()), material);
  Reopen();
  SecretBytes again = Login("ct1", "alice", "pw-alice");
  EXPECT_TRUE(vault_->GetKey(alice, again, "k1").ok());
}

TEST_F(VaultTest, WrongPasswordAndUnknownUserLookTheSame) {
  AddContainerAndUser("ct1", "alice", "right");
  Result<SecretBytes> wrong = vault_->Login("ct1", "alice", "wrong");
  Result<SecretBytes> nobody = vault_->Login("ct1", "mallory", "x");
  EXPECT_EQ(wrong.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(nobody.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(wrong.status().message(), nobody.status().message());
  // Same user name in another container is another user.
  ASSERT_TRUE(store_->PutContainer({"ct2", "", 0}).ok());
  EXPECT_FALSE(vault_->Login("ct2", "alice", "right").ok());
}

TEST_F(VaultTest, ListsPageInIdOrder) {
  AddContainerAndUser("ct1", "alice", "pw");
  SecretBytes master = Login("ct1", "alice", "pw");
  Owner alice{"ct1", "alice"};
  for (int i = 0; i < 25; ++i) {
    char id[16];
    std::snprintf(id, sizeof(id), "k%03d", i);
    ASSERT_TRUE(vault_->PutKey(alice, master, id, "aes-256", 6, SecretBytes(32).view()).ok());
  }
  std::vector<std::string> seen;
  std::string after;
  for (;;) {
    auto page = store_->ListKeys("ct1", "alice", after, 10);
    ASSERT_TRUE(page.ok());
    for (const auto& k : *page) seen.push_back(k.key_id);
    if (page->size() < 10) break;
    after = page->back().key_id;
  }
  ASSERT_EQ(seen.size(), 25u);
  EXPECT_EQ(seen.front(), "k000");
  EXPECT_EQ(seen.back(), "k024");
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(store_->ListKeys("ct1", "alice", "k020", 0)->size(), 4u);
}

TEST_F(VaultTest, WrongPasswordsNeverLockTheVault) {
  // Throttling is the server's (it knows the sender); the vault only checks.
  AddContainerAndUser("ct1", "alice", "right");
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(vault_->Login("ct1", "alice", "bad").status().code(), StatusCode::kUnauthenticated);
  }
  EXPECT_TRUE(vault_->Login("ct1", "alice", "right").ok());
}

TEST_F(VaultTest, PasswordChangeKeepsKeysWithNewPasswordOnly) {
  AddContainerAndUser("ct1", "alice", "old-pw");
  SecretBytes master = Login("ct1", "alice", "old-pw");
  Owner alice{"ct1", "alice"};
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        vault_
            ->PutKey(alice, master, "k" + std::to_string(i), "aes-256", 6, *crypto::RandomBytes(32))
            .ok());
  }
  EXPECT_EQ(vault_->ChangePassword("ct1", "alice", "wrong", "new-pw").code(),
            StatusCode::kUnauthenticated);
  ASSERT_TRUE(vault_->ChangePassword("ct1", "alice", "old-pw", "new-pw").ok());
  EXPECT_EQ(vault_->Login("ct1", "alice", "old-pw").status().code(), StatusCode::kUnauthenticated);
  SecretBytes again = Login("ct1", "alice", "new-pw");
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(vault_->GetKey(alice, again, "k" + std::to_string(i)).ok());
  }
}

TEST_F(VaultTest, BlobSwapIsDetectedAsCorruption) {
  AddContainerAndUser("ct1", "alice", "pa");
  AddContainerAndUser("ct2", "alice", "pa");
  ASSERT_TRUE(vault_->CreateUser("ct1", "bob", "pb").ok());
  SecretBytes ma = Login("ct1", "alice", "pa");
  SecretBytes mb = Login("ct1", "bob", "pb");
  SecretBytes m2 = Login("ct2", "alice", "pa");
  Owner a{"ct1", "alice"}, b{"ct1", "bob"}, a2{"ct2", "alice"};
  ASSERT_TRUE(vault_->PutKey(a, ma, "k1", "hmac-sha256", 1, "alice-secret-1").ok());
  ASSERT_TRUE(vault_->PutKey(a, ma, "k2", "hmac-sha256", 1, "alice-secret-2").ok());
  ASSERT_TRUE(vault_->PutKey(a, ma, "e1", "aes-256", 6, *crypto::RandomBytes(32)).ok());
  ASSERT_TRUE(vault_->PutKey(b, mb, "k1", "hmac-sha256", 1, "bob-secret-1").ok());
  ASSERT_TRUE(vault_->PutKey(a2, m2, "k1", "hmac-sha256", 1, "ct2-secret-1").ok());
  store_.reset();
  vault_.reset();
  // Same user, other key id.
  RawSql(
      "UPDATE keys SET blob = (SELECT blob FROM keys WHERE container='ct1' AND "
      "user='alice' AND key_id='k1') WHERE container='ct1' AND user='alice' AND key_id='k2'");
  // Other user, same id.
  RawSql(
      "UPDATE keys SET blob = (SELECT blob FROM keys WHERE container='ct1' AND "
      "user='alice' AND key_id='k1') WHERE container='ct1' AND user='bob' AND key_id='k1'");
  // Other container, same user name and id.
  RawSql(
      "UPDATE keys SET blob = (SELECT blob FROM keys WHERE container='ct1' AND "
      "user='alice' AND key_id='k1') WHERE container='ct2' AND key_id='k1'");
  // Type relabelled.
  RawSql(
      "UPDATE keys SET type = 'hmac-sha512' WHERE container='ct1' AND user='alice' "
      "AND key_id='e1'");
  Reopen();
  EXPECT_TRUE(vault_->GetKey(a, ma, "k1").ok());
  for (auto [owner, master, id] : {std::tuple{&a, &ma, "k2"}, std::tuple{&b, &mb, "k1"},
                                   std::tuple{&a2, &m2, "k1"}, std::tuple{&a, &ma, "e1"}}) {
    Result<OpenedKey> k = vault_->GetKey(*owner, *master, id);
    ASSERT_FALSE(k.ok());
    EXPECT_EQ(k.status().code(), StatusCode::kDataLoss);
    EXPECT_NE(k.status().message().find("corrupted or was moved"), std::string::npos);
  }
  // Moving a wrapped master key to another user fails as a login failure.
  RawSql(
      "UPDATE users SET wrapped_master_key = (SELECT wrapped_master_key FROM users "
      "WHERE container='ct1' AND name='alice'), salt = (SELECT salt FROM users WHERE "
      "container='ct1' AND name='alice') WHERE container='ct1' AND name='bob'");
  Reopen();
  EXPECT_EQ(vault_->Login("ct1", "bob", "pa").status().code(), StatusCode::kUnauthenticated);
}

TEST_F(VaultTest, BadInputIsRefusedAndChangesNothing) {
  AddContainerAndUser("ct1", "alice", "pw");
  SecretBytes m = Login("ct1", "alice", "pw");
  Owner a{"ct1", "alice"};
  EXPECT_EQ(vault_->PutKey(a, m, "k", "aes-256", 6, "").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(vault_->PutKey(a, m, "k", "aes-256", 6, std::string(8193, 'x')).code(),
            StatusCode::kInvalidArgument);
  for (const char* bad : {"", "-x", ".x", "a b", "a/b", "a'b"}) {
    EXPECT_EQ(vault_->PutKey(a, m, bad, "aes-256", 6, "x").code(), StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_EQ(vault_->PutKey(a, m, std::string(129, 'k'), "aes-256", 6, "x").code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(vault_->PutKey(a, m, "k", "aes-256", 6, "x").ok());
  EXPECT_EQ(vault_->PutKey(a, m, "k", "aes-256", 6, "y").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(vault_->GetKey(a, m, "nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(vault_->CreateUser("ct1", "alice", "x").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(vault_->CreateUser("nope", "bob", "x").code(), StatusCode::kNotFound);
  EXPECT_EQ(vault_->CreateUser("ct1", "bad name", "x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(vault_->CreateUser("ct1", "bob", "").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->DeleteKey("ct1", "alice", "nope").code(), StatusCode::kNotFound);
  // The one good key is intact and alone.
  EXPECT_EQ(store_->ListKeys("ct1", "alice", "", 0)->size(), 1u);
  Result<OpenedKey> k = vault_->GetKey(a, m, "k");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->material.data()[0], 'x');
}

TEST_F(VaultTest, DeletingUserAndContainerCascades) {
  AddContainerAndUser("ct1", "alice", "pw");
  ASSERT_TRUE(vault_->CreateUser("ct1", "bob", "pw").ok());
  SecretBytes m = Login("ct1", "alice", "pw");
  ASSERT_TRUE(vault_->PutKey({"ct1", "alice"}, m, "k", "aes-256", 6, "x").ok());
  ASSERT_TRUE(store_->DeleteUser("ct1", "alice").ok());
  EXPECT_EQ(*store_->CountKeys("ct1"), 0);
  EXPECT_EQ(store_->ListUsers("ct1", "", 0)->size(), 1u);
  ASSERT_TRUE(store_->DeleteContainer("ct1").ok());
  EXPECT_EQ(store_->ListUsers("ct1", "", 0)->size(), 0u);
  EXPECT_EQ(store_->DeleteContainer("ct1").code(), StatusCode::kNotFound);
}

TEST_F(VaultTest, NoPlaintextAtRest) {
  std::string password = "correct horse battery staple 7f3a";
  AddContainerAndUser("ct1", "alice", password);
  SecretBytes m = Login("ct1", "alice", password);
  Bytes material = *crypto::RandomBytes(32);
  std::string deleted_material = "this-key-will-be-deleted-0123456789";
  ASSERT_TRUE(vault_->PutKey({"ct1", "alice"}, m, "k", "hmac-sha256", 1, material).ok());
  ASSERT_TRUE(vault_->PutKey({"ct1", "alice"}, m, "gone", "hmac-sha256", 1, deleted_material).ok());
  std::string master(reinterpret_cast<const char*>(m.data()), m.size());
  std::string mat(material.begin(), material.end());
  // While open (WAL live) and after close.
  for (int round = 0; round < 2; ++round) {
    EXPECT_FALSE(FileSetContains(path_, mat)) << "key material in clear, round " << round;
    EXPECT_FALSE(FileSetContains(path_, password)) << "password in clear";
    EXPECT_FALSE(FileSetContains(path_, master)) << "master key in clear";
    EXPECT_FALSE(FileSetContains(path_, deleted_material));
    store_.reset();
    vault_.reset();
  }
  // Deleted ciphertext does not linger (secure_delete + checkpoint).
  Reopen();
  Result<KeyRecord> gone = store_->GetKey("ct1", "alice", "gone");
  ASSERT_TRUE(gone.ok());
  std::string blob(gone->blob.begin(), gone->blob.end());
  ASSERT_TRUE(store_->DeleteKey("ct1", "alice", "gone").ok());
  EXPECT_FALSE(FileSetContains(path_, blob.substr(1, 40))) << "deleted blob lingers";
}

// The on-disk format is what DESIGN.md says: Python's `cryptography`,
// given only the master key, decrypts a blob it reads with its own sqlite3
// module and an AAD it builds itself.
TEST_F(VaultTest, PythonDecryptsABlobIndependently) {
  AddContainerAndUser("ct-9", "alice@ex", "pw");
  SecretBytes m = Login("ct-9", "alice@ex", "pw");
  Bytes material = *crypto::RandomBytes(48);
  ASSERT_TRUE(
      vault_->PutKey({"ct-9", "alice@ex"}, m, "key:1", "hmac-sha512", 1, material, {"my label", 0})
          .ok());
  std::string script = R"(
import sqlite3, struct, sys
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
db, master = sys.argv[1], bytes.fromhex(sys.argv[2])
row = sqlite3.connect(db).execute(
    "SELECT container, user, key_id, type, allowed_ops, blob FROM keys").fetchone()
field = lambda s: struct.pack(">I", len(s)) + s
container, user, key_id, typ, ops, blob = row
version = blob[0]
assert version == 3
label, flags, key_version = "my label", 0, 1
aad = (b"".join(field(x.encode()) for x in ("vhsm-key", container, user, key_id, typ)) +
       bytes([version]) + struct.pack(">I", ops) + field(label.encode()) +
       struct.pack(">II", flags, key_version))
nonce, ct = blob[1:13], blob[13:]
print(AESGCM(master).decrypt(nonce, ct, aad).hex())
)";
  vhsm::testing::CommandResult py = vhsm::testing::RunCommand(
      {vhsm::testing::kPython, "-c", script, path_, crypto::HexEncode(m.view())});
  ASSERT_EQ(py.exit_code, 0) << py.out;
  EXPECT_EQ(py.out, crypto::HexEncode(material) + "\n");
}

TEST_F(VaultTest, EditedAllowedOpsIsRefusedAsCorrupted) {
  AddContainerAndUser("ct1", "alice", "pw");
  SecretBytes m = Login("ct1", "alice", "pw");
  ASSERT_TRUE(vault_->PutKey({"ct1", "alice"}, m, "k", "ec-p256", 16, Bytes(32, 7)).ok());
  EXPECT_TRUE(vault_->GetKey({"ct1", "alice"}, m, "k")->ops_bound);
  // Whoever can write the database grants the key "sign" too: refused.
  RawSql("UPDATE keys SET allowed_ops = 24 WHERE key_id = 'k'");
  Result<OpenedKey> k = vault_->GetKey({"ct1", "alice"}, m, "k");
  EXPECT_EQ(k.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(k.status().message().find("corrupted"), std::string::npos);
}

TEST_F(VaultTest, LabelIsKeptAndBound) {
  AddContainerAndUser("ct1", "alice", "pw");
  SecretBytes m = Login("ct1", "alice", "pw");
  ASSERT_TRUE(
      vault_->PutKey({"ct1", "alice"}, m, "k", "ec-p256", 8, Bytes(32, 7), {"web tls"}).ok());
  Result<OpenedKey> k = vault_->GetKey({"ct1", "alice"}, m, "k");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->label, "web tls");
  EXPECT_EQ((*store_->ListKeys("ct1", "alice", "", 0))[0].label, "web tls");
  // A label changed in the database no longer opens the blob.
  RawSql("UPDATE keys SET label = 'other' WHERE key_id = 'k'");
  EXPECT_EQ(vault_->GetKey({"ct1", "alice"}, m, "k").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(
      vault_->PutKey({"ct1", "alice"}, m, "k2", "aes-256", 6, Bytes(32, 1), {"bad\nline"}).code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(
      vault_->PutKey({"ct1", "alice"}, m, "k3", "aes-256", 6, Bytes(32, 1), {std::string(129, 'x')})
          .code(),
      StatusCode::kInvalidArgument);
}

TEST_F(VaultTest, FormatOneBlobsStillOpenFlaggedUnbound) {
  AddContainerAndUser("ct1", "alice", "pw");
  SecretBytes m = Login("ct1", "alice", "pw");
  // A blob as format 1 wrote it: AAD without allowed_ops, version byte 1.
  Bytes material(32, 9);
  Bytes sealed = *crypto::AesGcmSealWithRandomNonce(
      m.view(), material, KeyBlobAad("ct1", "alice", "old", "aes-256", 1, 0));
  KeyRecord r;
  r.container = "ct1";
  r.user = "alice";
  r.key_id = "old";
  r.type = "aes-256";
  r.allowed_ops = 6;
  r.blob.push_back(1);
  r.blob.insert(r.blob.end(), sealed.begin(), sealed.end());
  ASSERT_TRUE(store_->InsertKey(r).ok());
  Result<OpenedKey> k = vault_->GetKey({"ct1", "alice"}, m, "old");
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_FALSE(k->ops_bound);
  EXPECT_EQ(k->allowed_ops, 6u);
  EXPECT_TRUE(crypto::ConstantTimeEquals(k->material.view(), material));
}

TEST_F(VaultTest, UsersHaveARole) {
  ASSERT_TRUE(store_->PutContainer({"ct1", "", 0}).ok());
  ASSERT_TRUE(vault_->CreateUser("ct1", "ann", "pw", "admin").ok());
  ASSERT_TRUE(vault_->CreateUser("ct1", "bob", "pw").ok());
  EXPECT_EQ(store_->GetUser("ct1", "ann")->role, "admin");
  EXPECT_EQ(store_->GetUser("ct1", "bob")->role, "user");
  EXPECT_EQ(vault_->CreateUser("ct1", "eve", "pw", "root").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->GetUser("ct1", "eve").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace vhsm::storage
