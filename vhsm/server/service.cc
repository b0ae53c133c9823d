#include "vhsm/server/service.h"

#include <sys/stat.h>

#include <chrono>
#include <cstdio>

#include "vhsm/crypto/aead.h"
#include "vhsm/crypto/bytes.h"
#include "vhsm/crypto/random.h"
#include "vhsm/crypto/signing_key.h"
#include "vhsm/proto/status_mapping.h"
#include "vhsm/server/key_types.h"
#include "vhsm/server/request_validator.h"

namespace vhsm::server {

using crypto::ByteView;
using crypto::Bytes;
using crypto::SecretBytes;

namespace {

// Estimates for the memory budget: an OpenSSL digest/HMAC context, a cached
// key's parsed form beside its material, and one locked page per secret.
constexpr size_t kContextBytes = 2048;
constexpr size_t kCachedKeyOverhead = 2048;
constexpr size_t kPage = 4096;

std::optional<crypto::DigestAlg> DigestOf(proto::DigestAlgorithm a) {
  switch (a) {
    case proto::SHA1: return crypto::DigestAlg::kSha1;
    case proto::SHA256: return crypto::DigestAlg::kSha256;
    case proto::SHA384: return crypto::DigestAlg::kSha384;
    case proto::SHA512: return crypto::DigestAlg::kSha512;
    default: return std::nullopt;
  }
}

crypto::DigestAlg HmacDigestOf(const std::string& type) {
  return type == "hmac-sha512" ? crypto::DigestAlg::kSha512 : crypto::DigestAlg::kSha256;
}

const char* OpVerb(uint32_t op) {
  switch (op) {
    case proto::KEY_OP_MAC: return "MAC";
    case proto::KEY_OP_ENCRYPT: return "encrypt";
    case proto::KEY_OP_DECRYPT: return "decrypt";
    case proto::KEY_OP_SIGN: return "sign";
    case proto::KEY_OP_VERIFY: return "verify";
    default: return "use";
  }
}

void SetBytes(proto::Response* resp, const Bytes& data) {
  resp->mutable_bytes()->set_data(data.data(), data.size());
}

Status NeedLogin(const Session& s) {
  if (!s.user) return Unauthenticated("log in first");
  return Status::Ok();
}

void FillKeyInfo(const storage::KeyRecord& k, proto::KeyInfo* info) {
  info->set_id(k.key_id);
  info->set_type(ParseKeyTypeName(k.type).value_or(proto::KEY_TYPE_UNSPECIFIED));
  info->set_allowed_ops(k.allowed_ops);
  info->set_created_unix(k.created_unix);
}

}  // namespace

Service::Service(const ServiceDeps& deps, ServiceOptions options)
    : vault_(deps.vault),
      store_(deps.vault->store()),
      sessions_(deps.sessions),
      listener_(deps.listener),
      ledger_(deps.ledger),
      throttle_(deps.throttle),
      log_(deps.log),
      options_(std::move(options)) {}

void Service::Sweep(int64_t now_ms) { throttle_->Sweep(now_ms); }

int64_t Service::Now() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string Service::ErrorResponse(const Status& status) {
  proto::Response resp;
  resp.set_status(ToWireStatus(status.code()));
  resp.set_message(status.message());
  return resp.SerializeAsString();
}

std::string Service::Handle(const Caller& caller, const std::string& payload) {
  proto::Request request;
  if (!request.ParseFromString(payload)) {
    Status s = InvalidArgument("payload is not a valid Request message");
    Log(caller, "", request, "", s);
    return ErrorResponse(s);
  }
  return HandleRequest(caller, request).SerializeAsString();
}

proto::Response Service::HandleRequest(const Caller& caller, const proto::Request& request) {
  Response resp;
  resp.set_request_id(request.request_id());
  std::string key_for_log, user_for_log;
  Status s = ValidateRequest(request);
  if (s.ok()) s = Dispatch(caller, request, &resp, &key_for_log, &user_for_log);
  if (!s.ok()) {
    resp.clear_result();
    resp.set_message(s.message());
  }
  resp.set_status(ToWireStatus(s.code()));
  Log(caller, user_for_log, request, key_for_log, s);
  return resp;
}

void Service::Log(const Caller& caller, const std::string& user, const proto::Request& req,
                  const std::string& key_id, const Status& status) const {
  if (log_ == nullptr) return;
  // Names and ids only, and only valid ones: never passwords, data or key
  // material, never a string a tenant chose freely (the log escapes anyway).
  LogEntry e;
  e.container = caller.client.container;
  e.pid = caller.pid;
  e.uid = caller.uid;
  if (storage::ValidUserName(user)) e.user = user;
  e.op = OpName(req);
  if (storage::ValidKeyId(key_id)) e.key = key_id;
  e.result = StatusCodeName(status.code());
  if (!status.ok()) e.message = status.message();
  log_->Write(std::move(e));
}

Status Service::Dispatch(const Caller& caller, const proto::Request& req, Response* resp,
                         std::string* key_for_log, std::string* user_for_log) {
  if (IsAdminOp(req)) {
    // Who may administer comes from the kernel (the socket's namespace and
    // SCM_CREDENTIALS), never from the message.
    if (caller.client.container != transport::kHostContainer || !caller.has_creds ||
        caller.uid != 0) {
      return PermissionDenied("administration is allowed only to root on the host");
    }
    return DispatchAdmin(req, resp);
  }
  int64_t now = Now();
  switch (req.op_case()) {
    case proto::Request::kOpenSession: {
      VHSM_ASSIGN_OR_RETURN(std::string id, sessions_->Open(caller.client, now));
      resp->mutable_open_session()->set_session_id(id);
      return Status::Ok();
    }
    case proto::Request::kCloseSession:
      return sessions_->Close(caller.client, req.session_id());
    default:
      break;
  }
  VHSM_ASSIGN_OR_RETURN(std::shared_ptr<Session> session,
                        sessions_->Find(caller.client, req.session_id(), now));
  std::lock_guard<std::mutex> lock(session->mu);
  Status s = DispatchSession(caller, req, *session, resp, key_for_log);
  if (session->user) {
    *user_for_log = *session->user;
  } else if (req.has_login() && storage::ValidUserName(req.login().user())) {
    *user_for_log = req.login().user();  // the name tried, for the audit trail
  }
  return s;
}

Result<std::shared_ptr<const LoadedKey>> Service::LoadKey(Session& s, const std::string& key_id,
                                                          uint32_t needed_op) {
  VHSM_RETURN_IF_ERROR(NeedLogin(s));
  storage::Owner owner = s.owner_of_keys();
  uint64_t generation = sessions_->KeyGeneration(owner.container, owner.user);
  if (generation != s.key_cache_generation) {
    s.key_cache.clear();
    s.key_cache_generation = generation;
  }
  std::shared_ptr<const LoadedKey> key;
  auto it = s.key_cache.find(key_id);
  if (it != s.key_cache.end()) {
    key = it->second.key;
  } else {
    auto loaded = std::make_shared<LoadedKey>();
    VHSM_ASSIGN_OR_RETURN(loaded->opened, vault_->GetKey(owner, s.master_key, key_id));
    if (loaded->opened.allowed_ops & proto::KEY_OP_SIGN) {
      VHSM_ASSIGN_OR_RETURN(crypto::PrivateKey pk,
                            crypto::PrivateKey::FromPkcs8Der(loaded->opened.material.view()));
      loaded->private_key = std::move(pk);
    }
    key = std::move(loaded);
    CacheKey(s, key_id, key);
  }
  if ((key->opened.allowed_ops & needed_op) == 0) {
    return PermissionDenied("key '" + key_id + "' (" + key->opened.type + ") may not " +
                            OpVerb(needed_op));
  }
  return key;
}

void Service::CacheKey(Session& s, const std::string& key_id,
                       const std::shared_ptr<const LoadedKey>& key) {
  // Kept only within the session's and the container's caps; a key that
  // does not fit is opened again next time, which is slower, not an error.
  if (s.key_cache.size() >= options_.max_cached_keys_per_session) return;
  const std::string& container = s.owner().container;
  size_t bytes = key->opened.material.size() + kCachedKeyOverhead;
  Result<ResourceLedger::Token> count =
      ledger_->Take(container, Resource::kCachedKeys, 1, bytes);
  if (!count.ok()) return;
  Result<ResourceLedger::Token> locked =
      ledger_->Take(container, Resource::kLockedBytes, kPage, 0);
  if (!locked.ok()) return;
  s.key_cache.emplace(key_id, CachedKey{key, std::move(count).value(), std::move(locked).value()});
}

Status Service::Login(const Caller& caller, const proto::LoginRequest& login, Session& s) {
  if (s.user) {
    // The 2013 VHSM skipped the password check here. Never.
    return FailedPrecondition("session is already logged in as '" + *s.user +
                              "'; log out first");
  }
  const std::string& container = caller.client.container;
  // The throttle's key is the kernel's word on the sender, never the request.
  uid_t uid = caller.has_creds ? caller.uid : static_cast<uid_t>(-1);
  // A name that cannot exist is throttled like any unknown user (and costs
  // the same PBKDF2), so nothing tells names that exist from those that do not.
  const std::string& user = login.user();
  std::string throttle_name = storage::ValidUserName(user) ? user : std::string("\x01invalid");
  VHSM_RETURN_IF_ERROR(throttle_->Begin(container, throttle_name, uid, Now()));
  VHSM_ASSIGN_OR_RETURN(ResourceLedger::Token locked,
                        ledger_->Take(container, Resource::kLockedBytes, kPage, kPage));
  Result<SecretBytes> master = vault_->Login(container, storage::ValidUserName(user) ? user : "",
                                             login.password());
  if (!master.ok()) {
    if (master.status().code() == StatusCode::kUnauthenticated) {
      throttle_->Failed(container, throttle_name, uid, Now());
    }
    return master.status();
  }
  throttle_->Succeeded(container, throttle_name, uid, Now());
  s.Logout();  // start from nothing: no context survives a login either
  s.user = user;
  s.master_key = std::move(master).value();
  s.master_key_locked = std::move(locked);
  return Status::Ok();
}

namespace {

// Page sizes: a page must fit a 64 KiB frame whatever the names' lengths.
constexpr size_t kMaxPageItems = 256;
constexpr size_t kMaxPageBytes = 48 * 1024;

size_t PageLimit(uint32_t asked) {
  return asked == 0 || asked > kMaxPageItems ? kMaxPageItems : asked;
}

}  // namespace

Status Service::ListKeys(const proto::KeyListRequest& req, Session& s, Response* resp) {
  VHSM_RETURN_IF_ERROR(NeedLogin(s));
  if (!req.after().empty() && !storage::ValidKeyId(req.after())) {
    return InvalidArgument("invalid key id to list after");
  }
  storage::Owner owner = s.owner_of_keys();
  size_t limit = PageLimit(req.limit());
  VHSM_ASSIGN_OR_RETURN(std::vector<storage::KeyRecord> keys,
                        store_->ListKeys(owner.container, owner.user, req.after(), limit + 1));
  auto* list = resp->mutable_key_list();
  size_t bytes = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i == limit || bytes > kMaxPageBytes) {
      list->set_next_after(keys[i - 1].key_id);
      break;
    }
    FillKeyInfo(keys[i], list->add_keys());
    bytes += keys[i].key_id.size() + 32;
  }
  return Status::Ok();
}

Status Service::ListContainers(const proto::ContainerListRequest& req, Response* resp) {
  size_t limit = PageLimit(req.limit());
  VHSM_ASSIGN_OR_RETURN(std::vector<storage::ContainerRecord> cs,
                        store_->ListContainers(req.after(), limit + 1));
  auto* list = resp->mutable_container_list();
  size_t bytes = 0;
  for (size_t i = 0; i < cs.size(); ++i) {
    if (i == limit || bytes > kMaxPageBytes) {
      list->set_next_after(cs[i - 1].name);
      break;
    }
    auto* info = list->add_containers();
    info->set_name(cs[i].name);
    info->set_netns_path(cs[i].netns_path);
    info->set_attached(listener_->IsAttached(cs[i].name));
    bytes += cs[i].name.size() + cs[i].netns_path.size() + 16;
  }
  return Status::Ok();
}

Status Service::ListUsers(const proto::UserListRequest& req, Response* resp) {
  size_t limit = PageLimit(req.limit());
  VHSM_ASSIGN_OR_RETURN(std::vector<std::string> users,
                        store_->ListUsers(req.container(), req.after(), limit + 1));
  auto* list = resp->mutable_user_list();
  for (size_t i = 0; i < users.size(); ++i) {
    if (i == limit) {
      list->set_next_after(users[i - 1]);
      break;
    }
    list->add_users(users[i]);
  }
  return Status::Ok();
}

Status Service::StoreNewKey(Session& s, proto::KeyType type, std::string id,
                            const SecretBytes& material, Response* resp) {
  storage::Owner owner = s.owner_of_keys();
  VHSM_ASSIGN_OR_RETURN(int64_t count, store_->CountKeys(owner.container));
  if (count >= options_.max_keys_per_container) {
    return ResourceExhausted("container '" + owner.container + "' holds " +
                             std::to_string(count) + " keys, the limit");
  }
  if (id.empty()) {
    VHSM_ASSIGN_OR_RETURN(Bytes raw, crypto::RandomBytes(8));
    id = crypto::HexEncode(raw);
  }
  VHSM_RETURN_IF_ERROR(vault_->PutKey(owner, s.master_key, id, KeyTypeName(type),
                                      AllowedOps(type), material.view()));
  resp->mutable_key_id()->set_id(id);
  return Status::Ok();
}

Status Service::DispatchSession(const Caller& caller, const proto::Request& req, Session& s,
                                Response* resp, std::string* key_for_log) {
  switch (req.op_case()) {
    case proto::Request::kLogin:
      return Login(caller, req.login(), s);
    case proto::Request::kLogout:
      s.Logout();
      return Status::Ok();

    case proto::Request::kKeyGenerate: {
      VHSM_RETURN_IF_ERROR(NeedLogin(s));
      *key_for_log = req.key_generate().id();
      VHSM_ASSIGN_OR_RETURN(SecretBytes material, GenerateKeyMaterial(req.key_generate().type()));
      Status st = StoreNewKey(s, req.key_generate().type(), req.key_generate().id(), material, resp);
      if (st.ok()) *key_for_log = resp->key_id().id();
      return st;
    }
    case proto::Request::kKeyImport: {
      VHSM_RETURN_IF_ERROR(NeedLogin(s));
      *key_for_log = req.key_import().id();
      VHSM_ASSIGN_OR_RETURN(SecretBytes material,
                            NormalizeImport(req.key_import().type(), req.key_import().material()));
      Status st = StoreNewKey(s, req.key_import().type(), req.key_import().id(), material, resp);
      if (st.ok()) *key_for_log = resp->key_id().id();
      return st;
    }
    case proto::Request::kKeyDelete: {
      VHSM_RETURN_IF_ERROR(NeedLogin(s));
      *key_for_log = req.key_delete().id();
      storage::Owner owner = s.owner_of_keys();
      if (!storage::ValidKeyId(req.key_delete().id())) {
        return NotFound("no key '" + req.key_delete().id() + "'");
      }
      VHSM_RETURN_IF_ERROR(store_->DeleteKey(owner.container, owner.user, req.key_delete().id()));
      sessions_->KeysChanged(owner.container, owner.user);
      return Status::Ok();
    }
    case proto::Request::kKeyList:
      return ListKeys(req.key_list(), s, resp);
    case proto::Request::kKeyInfo: {
      VHSM_RETURN_IF_ERROR(NeedLogin(s));
      *key_for_log = req.key_info().id();
      storage::Owner owner = s.owner_of_keys();
      if (!storage::ValidKeyId(req.key_info().id())) {
        return NotFound("no key '" + req.key_info().id() + "'");
      }
      VHSM_ASSIGN_OR_RETURN(storage::KeyRecord k,
                            store_->GetKey(owner.container, owner.user, req.key_info().id()));
      FillKeyInfo(k, resp->mutable_key_info());
      return Status::Ok();
    }
    case proto::Request::kKeyPublic: {
      *key_for_log = req.key_public().id();
      VHSM_ASSIGN_OR_RETURN(auto key, LoadKey(s, req.key_public().id(), proto::KEY_OP_VERIFY));
      VHSM_ASSIGN_OR_RETURN(crypto::PublicKey pub, key->private_key->GetPublicKey());
      VHSM_ASSIGN_OR_RETURN(std::string pem, pub.ToPem());
      resp->mutable_key_public()->set_pem(pem);
      return Status::Ok();
    }

    case proto::Request::kDigestInit:
    case proto::Request::kMacInit: {
      if (s.contexts.size() >= options_.max_contexts_per_session) {
        return ResourceExhausted("session has " + std::to_string(s.contexts.size()) +
                                 " open contexts, the limit");
      }
      Context ctx;
      VHSM_ASSIGN_OR_RETURN(ctx.held, ledger_->Take(caller.client.container, Resource::kContexts,
                                                    1, kContextBytes));
      if (req.has_digest_init()) {
        VHSM_ASSIGN_OR_RETURN(crypto::Digest d,
                              crypto::Digest::Create(*DigestOf(req.digest_init().algorithm())));
        ctx.digest = std::move(d);
      } else {
        *key_for_log = req.mac_init().key_id();
        VHSM_ASSIGN_OR_RETURN(auto key, LoadKey(s, req.mac_init().key_id(), proto::KEY_OP_MAC));
        VHSM_ASSIGN_OR_RETURN(crypto::Hmac h,
                              crypto::Hmac::Create(HmacDigestOf(key->opened.type),
                                                   key->opened.material.view()));
        ctx.mac = std::move(h);
      }
      uint32_t id = s.next_context_id++;
      s.contexts.emplace(id, std::move(ctx));
      resp->mutable_context()->set_context_id(id);
      return Status::Ok();
    }
    case proto::Request::kDigestUpdate:
    case proto::Request::kMacUpdate: {
      bool is_mac = req.has_mac_update();
      const proto::UpdateRequest& u = is_mac ? req.mac_update() : req.digest_update();
      auto it = s.contexts.find(u.context_id());
      if (it == s.contexts.end() || (is_mac ? !it->second.mac : !it->second.digest)) {
        return NotFound(std::string("no ") + (is_mac ? "MAC" : "digest") + " context " +
                        std::to_string(u.context_id()) + " in this session");
      }
      return is_mac ? it->second.mac->Update(u.data()) : it->second.digest->Update(u.data());
    }
    case proto::Request::kDigestFinal:
    case proto::Request::kMacFinal: {
      bool is_mac = req.has_mac_final();
      uint32_t id = is_mac ? req.mac_final().context_id() : req.digest_final().context_id();
      auto it = s.contexts.find(id);
      if (it == s.contexts.end() || (is_mac ? !it->second.mac : !it->second.digest)) {
        return NotFound(std::string("no ") + (is_mac ? "MAC" : "digest") + " context " +
                        std::to_string(id) + " in this session");
      }
      Result<Bytes> out = is_mac ? it->second.mac->Final() : it->second.digest->Final();
      s.contexts.erase(it);
      if (!out.ok()) return out.status();
      SetBytes(resp, *out);
      return Status::Ok();
    }
    case proto::Request::kDigest: {
      VHSM_ASSIGN_OR_RETURN(Bytes d, crypto::ComputeDigest(*DigestOf(req.digest().algorithm()),
                                                           req.digest().data()));
      SetBytes(resp, d);
      return Status::Ok();
    }
    case proto::Request::kMac: {
      *key_for_log = req.mac().key_id();
      VHSM_ASSIGN_OR_RETURN(auto key, LoadKey(s, req.mac().key_id(), proto::KEY_OP_MAC));
      VHSM_ASSIGN_OR_RETURN(Bytes mac, crypto::ComputeHmac(HmacDigestOf(key->opened.type),
                                                           key->opened.material.view(),
                                                           req.mac().data()));
      SetBytes(resp, mac);
      return Status::Ok();
    }

    case proto::Request::kEncrypt: {
      *key_for_log = req.encrypt().key_id();
      VHSM_ASSIGN_OR_RETURN(auto key, LoadKey(s, req.encrypt().key_id(), proto::KEY_OP_ENCRYPT));
      VHSM_ASSIGN_OR_RETURN(Bytes ct, crypto::AesGcmSealWithRandomNonce(
                                          key->opened.material.view(), req.encrypt().plaintext(),
                                          req.encrypt().aad()));
      SetBytes(resp, ct);
      return Status::Ok();
    }
    case proto::Request::kDecrypt: {
      *key_for_log = req.decrypt().key_id();
      VHSM_ASSIGN_OR_RETURN(auto key, LoadKey(s, req.decrypt().key_id(), proto::KEY_OP_DECRYPT));
      Result<SecretBytes> pt = crypto::AesGcmOpenWithNonce(
          key->opened.material.view(), req.decrypt().ciphertext(), req.decrypt().aad());
      if (!pt.ok()) {
        if (pt.status().code() == StatusCode::kDataLoss) {
          return InvalidArgument("decryption failed: wrong key, wrong AAD, or modified ciphertext");
        }
        return pt.status();
      }
      resp->mutable_bytes()->set_data(pt->data(), pt->size());
      return Status::Ok();
    }
    case proto::Request::kSign: {
      *key_for_log = req.sign().key_id();
      VHSM_ASSIGN_OR_RETURN(auto key, LoadKey(s, req.sign().key_id(), proto::KEY_OP_SIGN));
      const crypto::PrivateKey& pk = *key->private_key;
      VHSM_ASSIGN_OR_RETURN(Bytes sig, req.sign().prehashed() ? pk.SignDigest(req.sign().message())
                                                              : pk.Sign(req.sign().message()));
      SetBytes(resp, sig);
      return Status::Ok();
    }
    case proto::Request::kVerify: {
      *key_for_log = req.verify().key_id();
      VHSM_ASSIGN_OR_RETURN(auto key, LoadKey(s, req.verify().key_id(), proto::KEY_OP_VERIFY));
      VHSM_ASSIGN_OR_RETURN(crypto::PublicKey pub, key->private_key->GetPublicKey());
      VHSM_ASSIGN_OR_RETURN(bool valid, req.verify().prehashed()
                                            ? pub.VerifyDigest(req.verify().message(),
                                                               req.verify().signature())
                                            : pub.Verify(req.verify().message(),
                                                         req.verify().signature()));
      resp->mutable_verify()->set_valid(valid);
      return Status::Ok();
    }
    default:
      return InvalidArgument(std::string("operation ") + OpName(req) + " is not supported");
  }
}

Status Service::DispatchAdmin(const proto::Request& req, Response* resp) {
  switch (req.op_case()) {
    case proto::Request::kContainerAttach: {
      const auto& a = req.container_attach();
      if (a.netns_path().empty()) return InvalidArgument("attach needs a namespace path");
      VHSM_RETURN_IF_ERROR(listener_->Attach(a.name(), a.netns_path()));
      storage::ContainerRecord c{a.name(), a.netns_path(),
                                 static_cast<int64_t>(std::time(nullptr))};
      Status s = store_->PutContainer(c);
      if (!s.ok()) (void)listener_->Detach(a.name());  // all or nothing
      return s;
    }
    case proto::Request::kContainerDetach: {
      const std::string& name = req.container_detach().name();
      VHSM_RETURN_IF_ERROR(listener_->Detach(name));
      sessions_->CloseContainer(name);
      // Keep the container's users and keys; just do not re-attach it.
      return store_->PutContainer({name, "", 0});
    }
    case proto::Request::kContainerList:
      return ListContainers(req.container_list(), resp);
    case proto::Request::kUserAdd: {
      const auto& u = req.user_add();
      return vault_->CreateUser(u.container(), u.user(), u.password());
    }
    case proto::Request::kUserDelete: {
      const auto& u = req.user_delete();
      VHSM_RETURN_IF_ERROR(store_->DeleteUser(u.container(), u.user()));
      // Whoever was logged in as the deleted user is out, keys wiped.
      sessions_->CloseUser(u.container(), u.user());
      throttle_->Forget(u.container(), u.user());
      return Status::Ok();
    }
    case proto::Request::kUserList:
      return ListUsers(req.user_list(), resp);
    case proto::Request::kUserPassword: {
      const auto& u = req.user_password();
      VHSM_RETURN_IF_ERROR(
          vault_->ChangePassword(u.container(), u.user(), u.old_password(), u.new_password()));
      // Sessions opened with the old password end with it.
      sessions_->CloseUser(u.container(), u.user());
      return Status::Ok();
    }
    default:
      return InvalidArgument("not an admin operation");
  }
}

std::vector<std::string> Service::RestoreAttachments() {
  std::vector<std::string> problems;
  Result<std::vector<storage::ContainerRecord>> cs = store_->ListContainers("", 0);
  if (!cs.ok()) return {cs.status().ToString()};
  for (const auto& c : *cs) {
    if (c.name == transport::kHostContainer || c.netns_path.empty()) continue;
    Status s = listener_->Attach(c.name, c.netns_path);
    if (!s.ok()) problems.push_back("container '" + c.name + "': " + s.message());
  }
  return problems;
}

}  // namespace vhsm::server
