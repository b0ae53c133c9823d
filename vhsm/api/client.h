// vhsm::Client: the C++ client library (libvhsm). A Client owns one session
// with vhsmd over one netlink channel; destroying it closes the session
// (the daemon wipes the session's master key and contexts).
//
// Long data is split into frames transparently: one-shot operations take a
// single round trip when the data fits in a frame, else they run as
// init/update/final with the updates pipelined. MacPipelined sends many
// independent MACs before reading the replies, for throughput.
//
// Thread-safe: calls on one Client are serialized by a mutex; threads that
// want parallelism hold one Client each. Errors are Status values with the
// daemon's message (never containing secrets).
#ifndef VHSM_API_CLIENT_H_
#define VHSM_API_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vhsm/api/audit.h"
#include "vhsm/api/client_options.h"
#include "vhsm/base/status.h"

namespace vhsm {

using Bytes = std::vector<uint8_t>;

struct KeyInfo {
  std::string id;
  std::string type;          // "hmac-sha256", ...
  uint32_t allowed_ops = 0;  // KeyOp bits; KeyOpsString in names.h spells them
  int64_t created_unix = 0;
  std::string label;
  uint32_t latest_version = 1;  // signs, MACs and encrypts
  uint32_t min_version = 1;     // lower versions are retired
  // GetKeyInfo, RotateKey, SetMinVersion: the versions held, with their
  // creation times.
  std::vector<std::pair<uint32_t, int64_t>> versions{};
  bool exportable_wrapped = false;
  // Where the material came from: imported (from outside vhsmd), derived
  // (agreed with a peer), or neither (generated inside vhsmd).
  bool imported = false;
  bool derived = false;
};

// KeyOptions: what a new key gets besides its type and id.
struct KeyOptions {
  std::string label;  // at most 128 bytes, no control characters
  std::string ops;    // e.g. "sign,verify"; empty: all the type can
  // exportable_wrapped: the key may leave vhsmd wrapped under another key
  // (ExportKeyWrapped); without it, it never leaves in any form.
  bool exportable_wrapped = false;
};

// ObjectInfo: a public object (certificate or data) kept beside the keys.
// Not secret, integrity-protected by vhsmd; only its user reads it.
struct ObjectInfo {
  uint64_t handle = 0;      // vhsmd's, random and stable
  std::string cls;          // "certificate" (one DER X.509) or "data"
  std::string id;           // the application's id bytes (CKA_ID), 0-128
  std::string label;        // 0-128 bytes, no control characters
  bool is_private = false;  // PKCS#11: hidden before C_Login
  std::string application;  // data objects
  std::string oid;          // data objects: DER OBJECT IDENTIFIER
  uint32_t size = 0;        // the value's length
  int64_t created_unix = 0;
  std::string value;  // GetObject only; CreateObject takes it
};

// ObjectFilter: which objects ListObjects returns (filtered in vhsmd).
struct ObjectFilter {
  std::string cls;  // "" any, "certificate", "data"
  bool match_id = false;
  std::string id;
  bool match_label = false;
  std::string label;
};

// SignOptions: scheme "" (the type's own), "pkcs1" or "pss" (RSA), or
// "pkcs1-raw" (RSA, prehashed, no hash: the message is a DigestInfo the
// caller made, padded as PKCS#1 v1.5); hash ""
// (SHA-256, SHA-384 for ec-p384), "sha256", "sha384" or "sha512"; with
// prehashed, the message is a digest made with that hash.
struct SignOptions {
  std::string scheme;
  std::string hash;
  bool prehashed = false;
};

// DeriveOptions: the new key of a key agreement (HKDF-SHA256 with salt and
// info over the shared secret).
struct DeriveOptions {
  std::string type = "aes-256";  // or "hmac-sha256"
  std::string id;                // empty: the daemon picks one
  std::string salt;
  std::string info;
  KeyOptions key;
  // raw: no HKDF; the key is the shared secret's first 32 bytes (PKCS#11's
  // ECDH1_DERIVE with CKD_NULL). Salt and info must be empty.
  bool raw = false;
};

class Client {
 public:
  // Connect opens a session in a secure channel (channel.h). Unavailable
  // when vhsmd is not reachable from this network namespace; fails closed
  // when vhsmd's key is not configured or not proven.
  static Result<std::unique_ptr<Client>> Connect(const ClientOptions& options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Login logs the session in. With ClientOptions::reconnect (the default)
  // the password is kept (locked, wiped on destruction) to log in again
  // after a daemon restart or an expired session.
  Status Login(const std::string& user, std::string_view password);
  Status Logout();
  // ChangePassword changes the logged-in user's own password (the old one
  // proves it); this session stays open and keeps the new one for
  // reconnecting.
  Status ChangePassword(std::string_view old_password, std::string_view new_password);

  // Key types by name: hmac-sha256, hmac-sha512, aes-256, ec-p256, ec-p384,
  // ed25519, rsa-2048, rsa-3072, rsa-4096, x25519. An empty id lets the
  // daemon choose one; the id is returned.
  Result<std::string> GenerateKey(const std::string& type, const std::string& id = "",
                                  const KeyOptions& options = {});
  Result<std::string> ImportKey(const std::string& type, const std::string& id,
                                std::string_view material, const KeyOptions& options = {});
  // DeriveKey agrees a secret between key_id (ec-p256, ec-p384, x25519) and
  // a peer's public key (PEM or DER SPKI) and stores HKDF of it as a new
  // key, whose id is returned; the secret never leaves vhsmd.
  // ExportKeyWrapped returns key_id (created exportable) wrapped with
  // AES-KWP under kek_id (aes-256, allowed to wrap); ImportKeyWrapped stores
  // such a blob as a new key (kek_id allowed to unwrap) and returns its id.
  Result<Bytes> ExportKeyWrapped(const std::string& key_id, const std::string& kek_id);
  Result<std::string> ImportKeyWrapped(std::string_view wrapped, const std::string& kek_id,
                                       const std::string& id = "");
  Result<std::string> DeriveKey(const std::string& key_id, std::string_view peer_public_key,
                                const DeriveOptions& options = {});
  Status DeleteKey(const std::string& id);
  // ShareKey lets another user of this container use key_id, as
  // "OWNER/ID", for ops (e.g. "sign,verify"); UnshareKey ends it.
  Status ShareKey(const std::string& key_id, const std::string& grantee, const std::string& ops);
  Status UnshareKey(const std::string& key_id, const std::string& grantee);
  Result<std::vector<KeyInfo>> ListKeys();
  // ListKeysLabelled: the keys labelled exactly `label` (filtered in vhsmd).
  Result<std::vector<KeyInfo>> ListKeysLabelled(const std::string& label);
  Result<KeyInfo> GetKeyInfo(const std::string& id);
  // PublicKeyPem: version 0 is the latest.
  Result<std::string> PublicKeyPem(const std::string& id, uint32_t version = 0);
  // RotateKey adds a version (made like the first) that from now on signs,
  // MACs and encrypts; older live versions still decrypt and verify.
  Result<KeyInfo> RotateKey(const std::string& id);
  // SetMinVersion retires every version below min_version; their material
  // is wiped in vhsmd's store.
  Result<KeyInfo> SetMinVersion(const std::string& id, uint32_t min_version);
  // Rewrap turns a ciphertext of any live version of an aes-256 key into
  // one of the latest version; the plaintext never leaves vhsmd.
  Result<Bytes> Rewrap(const std::string& key_id, std::string_view ciphertext,
                       std::string_view aad = {});

  // LockedOut: is `user` of this container locked out for this process's
  // uid after failed logins (no login needed; an unknown user is not)?
  Result<bool> LockedOut(const std::string& user);

  // The container's audit log, for its admins (audit.h).
  Result<AuditLogCopy> ReadAudit();
  Result<AuditVerdict> VerifyAudit();

  // The container's users, for its admins (client_objects.cc): the
  // container is the caller's own. Roles are "user" and "admin".
  Status AddMember(const std::string& user, std::string_view password,
                   const std::string& role = "user");
  Status DeleteMember(const std::string& user);
  // SetMemberQuota: at most max_keys keys for user (0: no quota of theirs);
  // at most the container's.
  Status SetMemberQuota(const std::string& user, uint64_t max_keys);
  // ListMembers: (name, role) of every user of the container.
  Result<std::vector<std::pair<std::string, std::string>>> ListMembers();

  // Public objects (client_objects.cc). CreateObject answers the new
  // object's info (with its handle, no value); ListObjects gives no values.
  Result<ObjectInfo> CreateObject(const ObjectInfo& object);
  Result<std::vector<ObjectInfo>> ListObjects(const ObjectFilter& filter = {});
  Result<ObjectInfo> GetObject(uint64_t handle);
  Status DeleteObject(uint64_t handle);

  // Digests: alg is "sha1", "sha256", "sha384" or "sha512".
  Result<Bytes> Digest(const std::string& alg, std::string_view data);
  Result<uint32_t> DigestInit(const std::string& alg);
  Status DigestUpdate(uint32_t context, std::string_view data);
  Result<Bytes> DigestFinal(uint32_t context);

  Result<Bytes> Mac(const std::string& key_id, std::string_view data);
  Result<uint32_t> MacInit(const std::string& key_id);
  Status MacUpdate(uint32_t context, std::string_view data);
  Result<Bytes> MacFinal(uint32_t context);
  // MacPipelined computes one MAC per message (each must fit in a frame).
  Result<std::vector<Bytes>> MacPipelined(const std::string& key_id,
                                          const std::vector<std::string>& messages);

  // Encrypt returns nonce || ciphertext || tag (AES-256-GCM), or the bare
  // RSA-OAEP-SHA256 ciphertext for an RSA key (which takes no AAD). One call
  // takes one frame: at most ~64 KB of plaintext plus AAD.
  Result<Bytes> Encrypt(const std::string& key_id, std::string_view plaintext,
                        std::string_view aad = {});
  Result<Bytes> Decrypt(const std::string& key_id, std::string_view sealed,
                        std::string_view aad = {});
  // EncryptWithIv: AES-256-GCM under a 12-byte IV the caller chose (for
  // PKCS#11's CKM_AES_GCM); the caller must never use an IV twice under
  // one key. Returns the same form as Encrypt (iv || ciphertext || tag,
  // after "vhsm:vN:" for versions >= 2).
  Result<Bytes> EncryptWithIv(const std::string& key_id, std::string_view iv,
                              std::string_view plaintext, std::string_view aad = {});
  // Sign: ECDSA P-256 (DER, over SHA-256 of message, or of a given 32-byte
  // digest when prehashed; a message longer than a frame is hashed here) or
  // Ed25519 (messages up to one frame, ~64 KB).
  Result<Bytes> Sign(const std::string& key_id, std::string_view message, bool prehashed = false);
  Result<bool> Verify(const std::string& key_id, std::string_view message,
                      std::string_view signature, bool prehashed = false);
  // Sign and Verify with a scheme and hash (SignOptions): RSA PKCS#1 v1.5 or
  // PSS, ECDSA over SHA-256/384/512. A message longer than a frame is hashed
  // here (not for Ed25519).
  Result<Bytes> Sign(const std::string& key_id, std::string_view message,
                     const SignOptions& options);
  Result<bool> Verify(const std::string& key_id, std::string_view message,
                      std::string_view signature, const SignOptions& options);

 private:
  struct Impl;  // the channel, the lock, the credentials (client.cc)
  explicit Client(std::unique_ptr<Impl> impl);
  Status Stream(bool mac, uint32_t context, std::string_view data);
  Result<std::vector<KeyInfo>> ListKeysMatching(bool match_label, const std::string& label);
  Result<std::pair<std::string, bool>> PrehashIfLong(const std::string& key_id,
                                                     std::string_view message,
                                                     const SignOptions& options);

  std::unique_ptr<Impl> impl_;
};

}  // namespace vhsm

#endif  // VHSM_API_CLIENT_H_
