#include "vhsm/server/ops/key_access.h"

#include "vhsm/crypto/asymmetric_key.h"
#include "vhsm/server/key_types.h"

namespace vhsm::server::ops {
namespace {

const char* OpVerb(uint32_t op) {
  switch (op) {
    case proto::KEY_OP_MAC:
      return "MAC";
    case proto::KEY_OP_ENCRYPT:
      return "encrypt";
    case proto::KEY_OP_DECRYPT:
      return "decrypt";
    case proto::KEY_OP_SIGN:
      return "sign";
    case proto::KEY_OP_VERIFY:
      return "verify";
    case proto::KEY_OP_DERIVE:
      return "derive";
    case proto::KEY_OP_WRAP:
      return "wrap";
    case proto::KEY_OP_UNWRAP:
      return "unwrap";
    default:
      return "use";
  }
}

// CacheKey keeps an opened key within the session's and the container's
// caps; one that does not fit is opened again next time (slower, not an
// error).
void CacheKey(Env& env, Session& s, const std::string& cache_key,
              const std::shared_ptr<const LoadedKey>& key) {
  s.key_cache.erase(cache_key);  // a stale entry gives its tokens back first
  if (s.key_cache.size() >= env.options->max_cached_keys_per_session) return;
  const std::string& container = s.owner().container;
  size_t bytes = key->opened.material.size() + kCachedKeyOverhead;
  Result<ResourceLedger::Token> count =
      env.ledger->Take(container, Resource::kCachedKeys, 1, bytes);
  if (!count.ok()) return;
  Result<ResourceLedger::Token> locked =
      env.ledger->Take(container, Resource::kLockedBytes, kPage, 0);
  if (!locked.ok()) return;
  s.key_cache.emplace(
      cache_key, CachedKey{key, std::move(count).value(), std::move(locked).value(), env.now_ms});
}

// OpenKey reads and opens a key of the session's user, checking what
// older blob formats could not bind, and parses a private key once.
Result<std::shared_ptr<const LoadedKey>> OpenKey(Env& env, Session& s, const std::string& key_id,
                                                 uint32_t version) {
  auto loaded = std::make_shared<LoadedKey>();
  size_t slash = key_id.find('/');
  if (slash != std::string::npos) {  // OWNER/ID: another user's key shared with this one
    VHSM_ASSIGN_OR_RETURN(loaded->opened, env.vault->OpenShared(s.owner_of_keys(), s.master_key,
                                                                key_id.substr(0, slash),
                                                                key_id.substr(slash + 1), version));
  } else {
    VHSM_ASSIGN_OR_RETURN(loaded->opened,
                          env.vault->GetKey(s.owner_of_keys(), s.master_key, key_id, version));
  }
  std::optional<proto::KeyType> type = ParseKeyTypeName(loaded->opened.type);
  if (!type) return DataLoss("key '" + key_id + "' has an unknown type");
  // A format-1 blob: its allowed_ops were never in the AAD, but format 1
  // only ever wrote the type's full set; anything else was edited.
  if (!loaded->opened.ops_bound && loaded->opened.allowed_ops != FormatOneOps(*type)) {
    return DataLoss("key '" + key_id +
                    "' is corrupted: its allowed operations were changed in the store");
  }
  if (AsymmetricAlg(*type)) {
    VHSM_ASSIGN_OR_RETURN(crypto::PrivateKey pk,
                          crypto::PrivateKey::FromPkcs8Der(loaded->opened.material.view()));
    loaded->private_key = std::move(pk);
  }
  return std::shared_ptr<const LoadedKey>(std::move(loaded));
}

}  // namespace

bool ValidKeyName(const std::string& name) {
  size_t slash = name.find('/');
  if (slash == std::string::npos) return storage::ValidKeyId(name);
  return storage::ValidUserName(name.substr(0, slash)) &&
         storage::ValidKeyId(name.substr(slash + 1));
}

Status NeedLogin(const Session& s) {
  if (!s.user) return Unauthenticated("log in first");
  return Status::Ok();
}

void SetBytes(proto::Response* resp, const crypto::Bytes& data) {
  resp->mutable_bytes()->set_data(data.data(), data.size());
}

std::optional<crypto::DigestAlg> DigestOf(proto::DigestAlgorithm a) {
  switch (a) {
    case proto::SHA1:
      return crypto::DigestAlg::kSha1;
    case proto::SHA256:
      return crypto::DigestAlg::kSha256;
    case proto::SHA384:
      return crypto::DigestAlg::kSha384;
    case proto::SHA512:
      return crypto::DigestAlg::kSha512;
    default:
      return std::nullopt;
  }
}

Result<std::shared_ptr<const LoadedKey>> LoadKey(Env& env, Call& call, const std::string& key_id,
                                                 uint32_t needed_op, uint32_t version) {
  Session& s = *call.session;
  VHSM_RETURN_IF_ERROR(NeedLogin(s));
  if (!ValidKeyName(key_id)) return NotFound("no key '" + key_id + "'");
  call.key_for_log = key_id;
  storage::Owner owner = s.owner_of_keys();
  uint64_t generation = env.sessions->KeyGeneration(owner.container, owner.user);
  if (generation != s.key_cache_generation) {
    s.key_cache.clear();
    s.key_cache_generation = generation;
  }
  // Cached per version asked for; a rotation or retirement changes the key
  // generation, which empties the cache.
  // The latest version (nearly every request) is cached under the bare id,
  // so the lookup allocates nothing; ids cannot hold '#'.
  const std::string cache_key =
      version == 0 ? std::string() : key_id + "#" + std::to_string(version);
  const std::string& lookup = version == 0 ? key_id : cache_key;
  std::shared_ptr<const LoadedKey> key;
  auto it = s.key_cache.find(lookup);
  const int64_t recheck = env.options->recheck_keys_ms;
  if (it != s.key_cache.end() && (recheck == 0 || env.now_ms - it->second.opened_ms < recheck)) {
    key = it->second.key;
  } else {
    VHSM_ASSIGN_OR_RETURN(key, OpenKey(env, s, key_id, version));
    CacheKey(env, s, lookup, key);
  }
  if ((key->opened.allowed_ops & needed_op) == 0) {
    return PermissionDenied("key '" + key_id + "' (" + key->opened.type + ") may not " +
                            OpVerb(needed_op));
  }
  return key;
}

bool DeferIfSlow(Call& call, const LoadedKey& key) {
  if (!call.may_defer || !key.private_key) return false;
  switch (key.private_key->alg()) {
    case crypto::KeyAlg::kEd25519:
    case crypto::KeyAlg::kX25519:
      return false;
    default:
      call.deferred = true;
      return true;
  }
}

std::string VersionPrefix(uint32_t version) {
  return version <= 1 ? std::string() : "vhsm:v" + std::to_string(version) + ":";
}

uint32_t SplitVersion(std::string_view* ciphertext) {
  constexpr std::string_view kMagic = "vhsm:v";
  if (ciphertext->substr(0, kMagic.size()) != kMagic) return 0;
  uint64_t v = 0;
  size_t i = kMagic.size();
  while (i < ciphertext->size() && i < kMagic.size() + 10 && (*ciphertext)[i] >= '0' &&
         (*ciphertext)[i] <= '9') {
    v = v * 10 + static_cast<uint64_t>((*ciphertext)[i] - '0');
    ++i;
  }
  if (i == kMagic.size() || i >= ciphertext->size() || (*ciphertext)[i] != ':' || v < 2 ||
      v > UINT32_MAX) {
    return 0;  // not a prefix: a version-1 ciphertext that happens to start so
  }
  ciphertext->remove_prefix(i + 1);
  return static_cast<uint32_t>(v);
}

}  // namespace vhsm::server::ops
