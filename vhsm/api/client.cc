#include "vhsm/api/client.h"

#include <pthread.h>
#include <string.h>

#include <atomic>
#include <cstdlib>
#include <mutex>

#include "vhsm/api/channel.h"
#include "vhsm/api/internal/client_impl.h"
#include "vhsm/crypto/digest.h"
#include "vhsm/crypto/secret_bytes.h"
#include "vhsm/proto/names.h"
#include "vhsm/proto/status_mapping.h"
#include "vhsm/proto/vhsm.pb.h"
#include "vhsm/transport/frame.h"

namespace vhsm {
namespace {

void Wipe(std::string* s) {
  if (!s->empty()) explicit_bzero(s->data(), s->size());
}

using internal::kChunk;
using internal::ToBytes;

KeyInfo FromProto(const proto::KeyInfo& k) {
  KeyInfo info{k.id(), KeyTypeName(k.type()), k.allowed_ops(), k.created_unix(), k.label()};
  info.latest_version = k.latest_version() == 0 ? 1 : k.latest_version();
  info.min_version = k.min_version() == 0 ? 1 : k.min_version();
  for (const auto& v : k.versions()) info.versions.emplace_back(v.version(), v.created_unix());
  info.exportable_wrapped = (k.flags() & proto::KEY_FLAG_EXPORTABLE_WRAPPED) != 0;
  info.imported = (k.flags() & proto::KEY_FLAG_IMPORTED) != 0;
  info.derived = (k.flags() & proto::KEY_FLAG_DERIVED) != 0;
  return info;
}

}  // namespace

// ---- Client ----------------------------------------------------------------

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<Client>> Client::Connect(const ClientOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  VHSM_ASSIGN_OR_RETURN(impl->channel, Channel::Open(options));
  // Reconnections go to the same daemon, pinned the same way, whatever the
  // environment by then (nginx clears its workers' environment).
  impl->options.port_id = impl->channel->port();
  impl->options.server_key = crypto::Base64Encode(impl->channel->server_key());
  return std::unique_ptr<Client>(new Client(std::move(impl)));
}

namespace {

std::atomic<pid_t> g_pid{0};

void ForgetPid() { g_pid.store(0, std::memory_order_relaxed); }

}  // namespace

pid_t CurrentPid() {
  pid_t pid = g_pid.load(std::memory_order_relaxed);
  if (pid != 0) return pid;
  static std::once_flag registered;
  std::call_once(registered, [] { pthread_atfork(nullptr, nullptr, ForgetPid); });
  pid = getpid();
  g_pid.store(pid, std::memory_order_relaxed);
  return pid;
}

Client::~Client() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  // Only the process that opened the session closes it (a fork's child
  // that never called would otherwise close its parent's).
  if (impl_->channel && impl_->owner == CurrentPid()) (void)impl_->channel->Close();
}

namespace {

// SessionGone: the request was not executed because the daemon is not
// there (Unavailable) or does not know the session (restart, expiry).
bool SessionGone(const Status& s) {
  return s.code() == StatusCode::kUnavailable ||
         (s.code() == StatusCode::kNotFound && s.message() == kNoSuchSession);
}

}  // namespace

Status Client::Impl::Reconnect() {
  channel.reset();
  VHSM_ASSIGN_OR_RETURN(channel, Channel::Open(options));
  if (user.empty()) return Status::Ok();
  proto::Request r;
  r.mutable_login()->set_user(user);
  r.mutable_login()->set_password(password.data(), password.size());
  Status s = channel->Call(r).status();
  Wipe(r.mutable_login()->mutable_password());
  return s;
}

Status Client::Impl::OwnChannel() {
  if (owner == CurrentPid()) return Status::Ok();
  channel.reset();  // our copy of the parent's socket; nothing is sent
  owner = CurrentPid();
  return Reconnect();
}

Result<proto::Response> Client::Impl::Call(proto::Request& request) {
  std::lock_guard<std::mutex> lock(mu);
  VHSM_RETURN_IF_ERROR(OwnChannel());
  Result<proto::Response> r =
      channel ? channel->Call(request) : Result<proto::Response>(Unavailable("not connected"));
  if (r.ok() || !options.reconnect || !SessionGone(r.status()) || request.has_login()) {
    return r;
  }
  // Once: a new channel, logged in again as before, then the request again.
  VHSM_RETURN_IF_ERROR(Reconnect());
  return channel->Call(request);
}

Status Client::Login(const std::string& user, std::string_view password) {
  proto::Request r;
  r.mutable_login()->set_user(user);
  r.mutable_login()->set_password(password.data(), password.size());
  Result<proto::Response> resp = impl_->Call(r);
  Wipe(r.mutable_login()->mutable_password());
  if (resp.ok() && impl_->options.reconnect) {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->user = user;
    impl_->password = crypto::SecretBytes(crypto::ByteView(password));
  }
  return resp.status();
}

Status Client::ChangePassword(std::string_view old_password, std::string_view new_password) {
  proto::Request r;
  r.mutable_password_change()->set_old_password(old_password.data(), old_password.size());
  r.mutable_password_change()->set_new_password(new_password.data(), new_password.size());
  Result<proto::Response> resp = impl_->Call(r);
  Wipe(r.mutable_password_change()->mutable_old_password());
  Wipe(r.mutable_password_change()->mutable_new_password());
  if (resp.ok() && impl_->options.reconnect) {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->password = crypto::SecretBytes(crypto::ByteView(new_password));
  }
  return resp.status();
}

Status Client::Logout() {
  proto::Request r;
  r.mutable_logout();
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->user.clear();
    impl_->password = crypto::SecretBytes();
  }
  return impl_->Call(r).status();
}

Result<std::string> Client::GenerateKey(const std::string& type, const std::string& id,
                                        const KeyOptions& options) {
  std::optional<proto::KeyType> t = ParseKeyTypeName(type);
  if (!t) return InvalidArgument("unknown key type '" + type + "'");
  VHSM_ASSIGN_OR_RETURN(uint32_t ops, internal::KeyOpsOf(options.ops));
  proto::Request r;
  r.mutable_key_generate()->set_type(*t);
  r.mutable_key_generate()->set_id(id);
  r.mutable_key_generate()->set_label(options.label);
  r.mutable_key_generate()->set_allowed_ops(ops);
  r.mutable_key_generate()->set_exportable_wrapped(options.exportable_wrapped);
  VHSM_ASSIGN_OR_RETURN(proto::Response resp, impl_->Call(r));
  return resp.key_id().id();
}

Result<std::string> Client::ImportKey(const std::string& type, const std::string& id,
                                      std::string_view material, const KeyOptions& options) {
  std::optional<proto::KeyType> t = ParseKeyTypeName(type);
  if (!t) return InvalidArgument("unknown key type '" + type + "'");
  VHSM_ASSIGN_OR_RETURN(uint32_t ops, internal::KeyOpsOf(options.ops));
  proto::Request r;
  r.mutable_key_import()->set_type(*t);
  r.mutable_key_import()->set_id(id);
  r.mutable_key_import()->set_label(options.label);
  r.mutable_key_import()->set_allowed_ops(ops);
  r.mutable_key_import()->set_exportable_wrapped(options.exportable_wrapped);
  r.mutable_key_import()->set_material(material.data(), material.size());
  Result<proto::Response> resp = impl_->Call(r);
  Wipe(r.mutable_key_import()->mutable_material());
  if (!resp.ok()) return resp.status();
  return resp->key_id().id();
}

Status Client::DeleteKey(const std::string& id) {
  proto::Request r;
  r.mutable_key_delete()->set_id(id);
  return impl_->Call(r).status();
}

Result<std::vector<KeyInfo>> Client::ListKeys() { return ListKeysMatching(false, ""); }

Result<std::vector<KeyInfo>> Client::ListKeysLabelled(const std::string& label) {
  return ListKeysMatching(true, label);
}

Result<std::vector<KeyInfo>> Client::ListKeysMatching(bool match_label, const std::string& label) {
  // Page by page: every page fits a frame, however many keys there are.
  std::vector<KeyInfo> out;
  std::string after;
  do {
    proto::Request r;
    r.mutable_key_list()->set_after(after);
    r.mutable_key_list()->set_match_label(match_label);
    r.mutable_key_list()->set_label(label);
    VHSM_ASSIGN_OR_RETURN(proto::Response resp, impl_->Call(r));
    for (const auto& k : resp.key_list().keys()) out.push_back(FromProto(k));
    if (!resp.key_list().next_after().empty() && resp.key_list().next_after() <= after) {
      return Internal("vhsmd sent a key list page that does not advance");
    }
    after = resp.key_list().next_after();
  } while (!after.empty());
  return out;
}

Result<KeyInfo> Client::GetKeyInfo(const std::string& id) {
  proto::Request r;
  r.mutable_key_info()->set_id(id);
  VHSM_ASSIGN_OR_RETURN(proto::Response resp, impl_->Call(r));
  return FromProto(resp.key_info());
}

Result<std::string> Client::PublicKeyPem(const std::string& id, uint32_t version) {
  proto::Request r;
  r.mutable_key_public()->set_id(id);
  r.mutable_key_public()->set_version(version);
  VHSM_ASSIGN_OR_RETURN(proto::Response resp, impl_->Call(r));
  return resp.key_public().pem();
}

Result<KeyInfo> Client::RotateKey(const std::string& id) {
  proto::Request r;
  r.mutable_key_rotate()->set_id(id);
  VHSM_ASSIGN_OR_RETURN(proto::Response resp, impl_->Call(r));
  return FromProto(resp.key_info());
}

Result<KeyInfo> Client::SetMinVersion(const std::string& id, uint32_t min_version) {
  proto::Request r;
  r.mutable_key_set()->set_id(id);
  r.mutable_key_set()->set_min_version(min_version);
  VHSM_ASSIGN_OR_RETURN(proto::Response resp, impl_->Call(r));
  return FromProto(resp.key_info());
}

Status Client::Stream(bool mac, uint32_t context, std::string_view data) {
  // One chunk is built and sent at a time, with up to kWindow in flight:
  // building every chunk first held a second copy of all the data.
  constexpr size_t kWindow = 16;
  std::lock_guard<std::mutex> lock(impl_->mu);
  VHSM_RETURN_IF_ERROR(impl_->OwnChannel());
  size_t chunks = (data.size() + kChunk - 1) / kChunk;
  proto::Request r;  // reused: its buffers keep their capacity
  proto::UpdateRequest* u = mac ? r.mutable_mac_update() : r.mutable_digest_update();
  u->set_context_id(context);
  Status first_error;
  size_t sent = 0, received = 0;
  while (received < sent || (sent < chunks && first_error.ok())) {
    if (sent < chunks && sent - received < kWindow && first_error.ok()) {
      std::string_view chunk = data.substr(sent * kChunk, kChunk);
      u->mutable_data()->assign(chunk.data(), chunk.size());
      Status s = impl_->channel->Send(r);
      if (!s.ok()) {
        first_error = s;
      } else {
        ++sent;
      }
      continue;
    }
    // Collect every reply in flight, even after an error, so none is left
    // to confuse a later call.
    Status s = impl_->channel->ReceiveNext().status();
    if (!s.ok() && first_error.ok()) first_error = s;
    ++received;
  }
  return first_error;
}

Result<Bytes> Client::Digest(const std::string& alg, std::string_view data) {
  std::optional<proto::DigestAlgorithm> a = ParseDigestName(alg);
  if (!a) return InvalidArgument("unknown digest algorithm '" + alg + "'");
  if (data.size() <= kChunk) {
    proto::Request r;
    r.mutable_digest()->set_algorithm(*a);
    r.mutable_digest()->set_data(data.data(), data.size());
    VHSM_ASSIGN_OR_RETURN(proto::Response resp, impl_->Call(r));
    return ToBytes(resp.bytes().data());
  }
  VHSM_ASSIGN_OR_RETURN(uint32_t ctx, DigestInit(alg));
  VHSM_RETURN_IF_ERROR(DigestUpdate(ctx, data));
  return DigestFinal(ctx);
}

Result<uint32_t> Client::DigestInit(const std::string& alg) {
  std::optional<proto::DigestAlgorithm> a = ParseDigestName(alg);
  if (!a) return InvalidArgument("unknown digest algorithm '" + alg + "'");
  proto::Request r;
  r.mutable_digest_init()->set_algorithm(*a);
  VHSM_ASSIGN_OR_RETURN(proto::Response resp, impl_->Call(r));
  return resp.context().context_id();
}

Status Client::DigestUpdate(uint32_t context, std::string_view data) {
  return Stream(false, context, data);
}

Result<Bytes> Client::DigestFinal(uint32_t context) {
  proto::Request r;
  r.mutable_digest_final()->set_context_id(context);
  VHSM_ASSIGN_OR_RETURN(proto::Response resp, impl_->Call(r));
  return ToBytes(resp.bytes().data());
}

Result<Bytes> Client::Mac(const std::string& key_id, std::string_view data) {
  if (data.size() <= kChunk) {
    proto::Request r;
    r.mutable_mac()->set_key_id(key_id);
    r.mutable_mac()->set_data(data.data(), data.size());
    VHSM_ASSIGN_OR_RETURN(proto::Response resp, impl_->Call(r));
    return ToBytes(resp.bytes().data());
  }
  VHSM_ASSIGN_OR_RETURN(uint32_t ctx, MacInit(key_id));
  VHSM_RETURN_IF_ERROR(MacUpdate(ctx, data));
  return MacFinal(ctx);
}

Result<uint32_t> Client::MacInit(const std::string& key_id) {
  proto::Request r;
  r.mutable_mac_init()->set_key_id(key_id);
  VHSM_ASSIGN_OR_RETURN(proto::Response resp, impl_->Call(r));
  return resp.context().context_id();
}

Status Client::MacUpdate(uint32_t context, std::string_view data) {
  return Stream(true, context, data);
}

Result<Bytes> Client::MacFinal(uint32_t context) {
  proto::Request r;
  r.mutable_mac_final()->set_context_id(context);
  VHSM_ASSIGN_OR_RETURN(proto::Response resp, impl_->Call(r));
  return ToBytes(resp.bytes().data());
}

Result<std::vector<Bytes>> Client::MacPipelined(const std::string& key_id,
                                                const std::vector<std::string>& messages) {
  std::vector<proto::Request> reqs;
  reqs.reserve(messages.size());
  for (const std::string& m : messages) {
    if (m.size() > kChunk) return InvalidArgument("pipelined message larger than a frame");
    proto::Request r;
    r.mutable_mac()->set_key_id(key_id);
    r.mutable_mac()->set_data(m);
    reqs.push_back(std::move(r));
  }
  std::lock_guard<std::mutex> lock(impl_->mu);
  VHSM_RETURN_IF_ERROR(impl_->OwnChannel());
  VHSM_ASSIGN_OR_RETURN(std::vector<proto::Response> resps,
                        impl_->channel->CallMany(std::move(reqs), 64));
  std::vector<Bytes> out;
  out.reserve(resps.size());
  for (const auto& r : resps) out.push_back(ToBytes(r.bytes().data()));
  return out;
}

}  // namespace vhsm
