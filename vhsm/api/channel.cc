#include "vhsm/api/channel.h"

#include <string.h>

#include <cstdlib>

#include "vhsm/api/server_key.h"
#include "vhsm/base/parse.h"
#include "vhsm/noise/noise_nk.h"
#include "vhsm/proto/slow_ops.h"
#include "vhsm/proto/status_mapping.h"
#include "vhsm/transport/client_channel.h"

namespace vhsm {
namespace {

void Wipe(std::string* s) {
  if (!s->empty()) explicit_bzero(s->data(), s->size());
}

Status ResponseStatus(const proto::Response& resp) {
  if (resp.status() == proto::OK) return Status::Ok();
  StatusCode code = FromWireStatus(resp.status());
  if (code == StatusCode::kOk) code = StatusCode::kInternal;
  return Status(code, resp.message().empty() ? "vhsmd returned an error" : resp.message());
}

Status NotTheDaemon(uint32_t port) {
  return Unauthenticated("vhsmd is not authenticated: whoever answers on netlink port " +
                         std::to_string(port) +
                         " cannot prove it holds vhsmd's key (wrong VHSM_SERVER_KEY, or "
                         "another process has taken the port); nothing was sent");
}

}  // namespace

struct Channel::State {
  std::unique_ptr<transport::ClientChannel> ch;
  uint32_t port = 0;
  crypto::Bytes server_key;  // the key the daemon proved it holds
  std::string session_id;
  noise::TransportKeys keys;
  noise::TransportReceiver inbound;
  uint64_t outbound = 0;
  std::string request_ad, response_ad;  // kRequestAd/kResponseAd || session id
  std::string plain, sealed;            // reused buffers; plaintexts wiped after use
  uint64_t next_request_id = 1;
  std::deque<uint32_t> pending;  // seqs of requests sent with Send()
  std::string buffer;            // reused serialization buffer, wiped after use
};

Channel::Channel(std::unique_ptr<State> state) : state_(std::move(state)) {}
Channel::~Channel() = default;

uint32_t Channel::port() const { return state_->port; }
const crypto::Bytes& Channel::server_key() const { return state_->server_key; }

Result<uint32_t> ResolvePortId(uint32_t port_id) {
  if (port_id != 0) return port_id;
  const char* env = std::getenv("VHSM_PORT_ID");
  if (env == nullptr || *env == '\0') return transport::kDefaultVhsmPort;
  std::optional<uint32_t> port = ParsePortId(env);
  if (!port) return InvalidArgument(std::string("invalid VHSM_PORT_ID '") + env + "'");
  return *port;
}

Result<std::unique_ptr<Channel>> Channel::Open(const ClientOptions& options) {
  auto state = std::make_unique<State>();
  VHSM_ASSIGN_OR_RETURN(state->port, ResolvePortId(options.port_id));
  transport::ClientChannel::Options o;
  o.server_port = state->port;
  o.timeout_ms = options.timeout_ms;
  VHSM_ASSIGN_OR_RETURN(state->ch, transport::ClientChannel::Create(o));
  transport::ClientChannel* ch = state->ch.get();
  auto plain_call = [ch](proto::Request& r) -> Result<proto::Response> {
    VHSM_ASSIGN_OR_RETURN(std::string reply, ch->Call(r.SerializeAsString()));
    proto::Response resp;
    if (!resp.ParseFromString(reply)) return Internal("vhsmd sent a malformed response");
    VHSM_RETURN_IF_ERROR(ResponseStatus(resp));
    return resp;
  };
  ServerKeySource source{options.server_key, options.trust_on_first_use,
                         options.known_daemons_file};
  VHSM_ASSIGN_OR_RETURN(crypto::Bytes server_key,
                        ResolveServerKey(source, state->port, [&]() -> Result<crypto::Bytes> {
                          proto::Request r;
                          r.mutable_server_key();
                          VHSM_ASSIGN_OR_RETURN(proto::Response resp, plain_call(r));
                          const std::string& k = resp.server_key().public_key();
                          return crypto::Bytes(k.begin(), k.end());
                        }));
  VHSM_ASSIGN_OR_RETURN(noise::Handshake hs,
                        noise::Handshake::Initiator(server_key, noise::kVhsmPrologue));
  VHSM_ASSIGN_OR_RETURN(crypto::Bytes first, hs.WriteMessage1(crypto::ByteView()));
  proto::Request open;
  open.mutable_open_session()->set_handshake(first.data(), first.size());
  Result<proto::Response> opened = plain_call(open);
  if (!opened.ok() && opened.status().code() == StatusCode::kUnauthenticated) {
    return NotTheDaemon(state->port);  // a daemon that does not hold the pinned key
  }
  VHSM_ASSIGN_OR_RETURN(proto::Response resp, std::move(opened));
  Result<crypto::SecretBytes> sid = hs.ReadMessage2(resp.open_session().handshake());
  if (!sid.ok() || sid->size() != 16) return NotTheDaemon(state->port);
  state->session_id.assign(reinterpret_cast<const char*>(sid->data()), sid->size());
  state->request_ad = noise::kRequestAd + state->session_id;
  state->response_ad = noise::kResponseAd + state->session_id;
  VHSM_ASSIGN_OR_RETURN(state->keys, hs.Split());
  state->server_key = server_key;
  return std::unique_ptr<Channel>(new Channel(std::move(state)));
}

Status Channel::Close() {
  proto::Request close;
  close.set_session_id(state_->session_id);
  close.mutable_close_session();
  VHSM_ASSIGN_OR_RETURN(std::string reply, state_->ch->Call(close.SerializeAsString()));
  proto::Response resp;
  if (!resp.ParseFromString(reply)) return Internal("vhsmd sent a malformed response");
  return ResponseStatus(resp);
}

Result<uint32_t> Channel::SendSealed(proto::Request& request) {
  State& s = *state_;
  request.set_request_id(s.next_request_id++);
  request.clear_session_id();
  request.SerializeToString(&s.buffer);
  Status ct = s.keys.send.SealTo(s.outbound, s.request_ad, s.buffer, &s.sealed);
  Wipe(&s.buffer);
  if (!ct.ok()) return ct;
  proto::Request outer;
  outer.set_session_id(s.session_id);
  proto::Sealed* sealed = outer.mutable_sealed();
  sealed->set_counter(s.outbound++);
  sealed->set_ciphertext(s.sealed);
  sealed->set_slow(IsSlowOp(request.op_case()));
  return s.ch->Send(outer.SerializeAsString());
}

Result<proto::Response> Channel::Open(const std::string& reply) {
  State& s = *state_;
  proto::Response outer;
  if (!outer.ParseFromString(reply)) return Internal("vhsmd sent a malformed response");
  if (!outer.has_sealed()) {
    // An unsealed answer can only be an error from before the channel
    // (e.g. the session is gone): report it, accept nothing from it.
    Status st = ResponseStatus(outer);
    if (!st.ok()) return st;
    return Unauthenticated("vhsmd's answer was not sealed in the secure channel");
  }
  Status opened = s.inbound.OpenTo(s.keys.receive, outer.sealed().counter(), s.response_ad,
                                   outer.sealed().ciphertext(), &s.plain);
  if (!opened.ok()) {
    return Unauthenticated(
        "an answer failed the secure channel's check (replayed, reordered, "
        "modified, or not from vhsmd)");
  }
  proto::Response inner;
  bool parsed = inner.ParseFromString(s.plain);
  Wipe(&s.plain);
  if (!parsed) return Internal("vhsmd sent a malformed sealed response");
  VHSM_RETURN_IF_ERROR(ResponseStatus(inner));
  return inner;
}

Result<proto::Response> Channel::Call(proto::Request& request) {
  VHSM_ASSIGN_OR_RETURN(uint32_t seq, SendSealed(request));
  VHSM_ASSIGN_OR_RETURN(std::string reply,
                        state_->ch->Receive(seq, /*may_spin=*/!IsSlowOp(request.op_case())));
  return Open(reply);
}

Status Channel::Send(proto::Request& request) {
  VHSM_ASSIGN_OR_RETURN(uint32_t seq, SendSealed(request));
  state_->pending.push_back(seq);
  return Status::Ok();
}

Result<proto::Response> Channel::ReceiveNext() {
  State& s = *state_;
  if (s.pending.empty()) return Internal("no request in flight");
  uint32_t seq = s.pending.front();
  s.pending.pop_front();
  VHSM_ASSIGN_OR_RETURN(std::string reply, s.ch->Receive(seq));
  return Open(reply);
}

Result<std::vector<proto::Response>> Channel::CallMany(std::vector<proto::Request> requests,
                                                       size_t window) {
  std::vector<proto::Response> out(requests.size());
  std::vector<uint32_t> seqs(requests.size());
  size_t sent = 0, received = 0;
  Status first_error;
  while (received < requests.size()) {
    while (sent < requests.size() && sent - received < window) {
      VHSM_ASSIGN_OR_RETURN(seqs[sent], SendSealed(requests[sent]));
      ++sent;
    }
    VHSM_ASSIGN_OR_RETURN(std::string reply, state_->ch->Receive(seqs[received]));
    Result<proto::Response> r = Open(reply);
    if (r.ok()) {
      out[received] = std::move(r).value();
    } else if (first_error.ok()) {
      first_error = r.status();
    }
    ++received;
  }
  if (!first_error.ok()) return first_error;
  return out;
}

}  // namespace vhsm
