// Noise_NK_25519_AESGCM_SHA256 (noiseprotocol.org, revision 34): the secure
// channel between a VHSM client and vhsmd.
//
//   NK:  <- s          the client knows vhsmd's static public key beforehand
//        ...
//        -> e, es      client: ephemeral key; first payload already encrypted
//        <- e, ee      vhsmd: ephemeral key; proves it holds the static key
//
// After the two messages each side has two transport keys (Split): one per
// direction, so a message reflected back to its sender never opens. The
// transport here uses explicit 64-bit nonces (carried beside each message,
// strictly increasing), so a lost datagram costs one message, while a
// replayed, reordered or reflected one is refused.
//
// How it is misused:
//  - A client that does not pin vhsmd's static key (from the operator, or
//    recorded on first use) authenticates nothing: NK's guarantee is only
//    as good as that key.
//  - The first message's payload has no forward secrecy against a later
//    theft of vhsmd's static key and may be replayed to vhsmd: never put a
//    secret or a state change in it (the VHSM client sends nothing there).
//  - The client is anonymous to vhsmd: who it is comes from the kernel
//    (container, uid) and from logging in inside the channel.
//  - A CipherState must never encrypt two messages under one nonce: use
//    Seal with the next counter, and accept only Open with counters greater
//    than the last accepted one (TransportReceiver does this).
// Objects are not thread-safe; all keys live in SecretBytes.
#ifndef VHSM_NOISE_NOISE_NK_H_
#define VHSM_NOISE_NOISE_NK_H_

#include <cstdint>
#include <optional>
#include <string>

#include "vhsm/base/status.h"
#include "vhsm/crypto/aead.h"
#include "vhsm/crypto/bytes.h"
#include "vhsm/crypto/secret_bytes.h"
#include "vhsm/crypto/x25519.h"

namespace vhsm::noise {

inline constexpr char kProtocolName[] = "Noise_NK_25519_AESGCM_SHA256";
// What VHSM binds into every handshake (both sides must use it), and the
// associated data of the transport messages in each direction (followed by
// the session id).
inline constexpr char kVhsmPrologue[] = "vhsm-channel-v1";
inline constexpr char kRequestAd[] = "vhsm-req";
inline constexpr char kResponseAd[] = "vhsm-resp";
inline constexpr size_t kKeySize = 32;
inline constexpr size_t kTagSize = 16;

// CipherState: a key and a nonce counter (section 5.1).
class CipherState {
 public:
  bool has_key() const { return key_.has_value(); }
  // InitializeKey expands k (32 bytes) once; the raw key is wiped with k.
  Status InitializeKey(const crypto::SecretBytes& k);
  // Implicit nonces (the handshake).
  Result<crypto::Bytes> EncryptWithAd(crypto::ByteView ad, crypto::ByteView plaintext);
  Result<crypto::SecretBytes> DecryptWithAd(crypto::ByteView ad, crypto::ByteView ciphertext);
  // Explicit nonces (the transport): AES-256-GCM with nonce 0^32 || n (big
  // endian), as Noise's AESGCM specifies. DataLoss when the tag fails.
  Result<crypto::Bytes> Seal(uint64_t n, crypto::ByteView ad, crypto::ByteView plaintext);
  Result<crypto::SecretBytes> Open(uint64_t n, crypto::ByteView ad, crypto::ByteView ciphertext);
  // The same into a caller's reusable buffer (no allocation per message);
  // the caller wipes a plaintext buffer when done with it.
  Status SealTo(uint64_t n, crypto::ByteView ad, crypto::ByteView plaintext, std::string* out);
  Status OpenTo(uint64_t n, crypto::ByteView ad, crypto::ByteView ciphertext, std::string* out);

 private:
  std::optional<crypto::AesGcmKey> key_;
  uint64_t n_ = 0;
};

// The two transport directions after a handshake.
struct TransportKeys {
  CipherState send, receive;
};

// Handshake: one side of an NK handshake.
class Handshake {
 public:
  // Initiator needs the responder's static public key; responder its own
  // static key pair. prologue binds context (both sides must agree). For
  // test vectors only, a fixed ephemeral private key may be given.
  static Result<Handshake> Initiator(crypto::ByteView responder_static_public,
                                     crypto::ByteView prologue,
                                     std::optional<crypto::ByteView> ephemeral = std::nullopt);
  static Result<Handshake> Responder(const crypto::X25519KeyPair& static_key,
                                     crypto::ByteView prologue,
                                     std::optional<crypto::ByteView> ephemeral = std::nullopt);

  // Initiator: WriteMessage1 then ReadMessage2. Responder: ReadMessage1
  // then WriteMessage2. Out of order: FailedPrecondition. A message that
  // does not authenticate: DataLoss. Malformed: InvalidArgument.
  Result<crypto::Bytes> WriteMessage1(crypto::ByteView payload);
  Result<crypto::SecretBytes> ReadMessage1(crypto::ByteView message);
  Result<crypto::Bytes> WriteMessage2(crypto::ByteView payload);
  Result<crypto::SecretBytes> ReadMessage2(crypto::ByteView message);

  // Split returns the transport keys once both messages went through.
  Result<TransportKeys> Split();
  // HandshakeHash: h after the handshake (channel binding).
  const crypto::Bytes& handshake_hash() const { return h_; }

 private:
  Handshake() = default;
  void Init(crypto::ByteView prologue, crypto::ByteView responder_static);
  void MixHash(crypto::ByteView data);
  Status MixKey(crypto::ByteView ikm);
  Result<crypto::Bytes> EncryptAndHash(crypto::ByteView plaintext);
  Result<crypto::SecretBytes> DecryptAndHash(crypto::ByteView ciphertext);
  Status SetEphemeral(std::optional<crypto::ByteView> fixed);

  bool initiator_ = false;
  int step_ = 0;  // messages done
  crypto::SecretBytes ck_;
  crypto::Bytes h_;
  CipherState cs_;
  std::optional<crypto::X25519KeyPair> s_, e_;
  crypto::Bytes rs_, re_;
};

// TransportReceiver: Open with strictly increasing explicit nonces.
class TransportReceiver {
 public:
  // Open accepts a message only with a nonce above every nonce accepted
  // before (so replays and reordering fail), else DataLoss.
  Result<crypto::SecretBytes> Open(CipherState& cs, uint64_t n, crypto::ByteView ad,
                                   crypto::ByteView ciphertext);
  Status OpenTo(CipherState& cs, uint64_t n, crypto::ByteView ad, crypto::ByteView ciphertext,
                std::string* out);
  uint64_t next() const { return next_; }

 private:
  uint64_t next_ = 0;  // the lowest nonce still acceptable
};

}  // namespace vhsm::noise

#endif  // VHSM_NOISE_NOISE_NK_H_
