// Fuzzes the Service in-process with sequences of requests from several
// clients in several containers, each over its own secure channel: logins
// (right and wrong), keys, MACs and contexts, logouts, closes, another
// client's session id, replayed and garbled messages. It aborts when an
// invariant breaks:
//  - a key listed to a client belongs to its container and its user;
//  - a session id used from another client, and a replayed message, never
//    get an answer that opens (and a replay ends the session);
//  - a context opened before a logout is gone after it;
//  - every sealed answer opens under the client's key, counters increasing.
// Each input gets a fresh in-memory store, sessions and service.
#include <google/protobuf/stubs/logging.h>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <set>
#include <string>

#include "vhsm/crypto/x25519.h"
#include "vhsm/noise/noise_nk.h"
#include "vhsm/proto/vhsm.pb.h"
#include "vhsm/server/login_throttle.h"
#include "vhsm/server/resource_ledger.h"
#include "vhsm/server/service.h"
#include "vhsm/server/session.h"
#include "vhsm/storage/sqlite_record_store.h"
#include "vhsm/storage/vault.h"

namespace {

using vhsm::proto::Request;
using vhsm::proto::Response;

struct Client {
  vhsm::server::Caller caller;
  std::string session;
  vhsm::noise::TransportKeys keys;
  vhsm::noise::TransportReceiver in;
  uint64_t out = 0;
  std::string user;             // logged in as ("" none)
  std::set<uint32_t> contexts;  // opened in this login
  std::string last_sealed;      // the last outer request, for replays
};

void Check(bool ok) {
  if (!ok) abort();
}

class World {
 public:
  World()
      : ledger_(vhsm::server::ResourceLimits{}),
        sessions_({}, &ledger_),
        throttle_(vhsm::server::ThrottleOptions{}) {
    store_ = std::move(vhsm::storage::SqliteRecordStore::Open(":memory:")).value();
    vhsm::storage::VaultOptions vo;
    vo.pbkdf2_iterations = 1;
    vault_ = std::make_unique<vhsm::storage::Vault>(store_.get(), vo);
    for (const char* c : {"ca", "cb"}) {
      Check(store_->PutContainer({c, "", 0}).ok());
      for (const char* u : {"u0", "u1"}) Check(vault_->CreateUser(c, u, "pw").ok());
    }
    identity_ = std::move(vhsm::crypto::X25519KeyPair::Generate()).value();
    vhsm::server::ServiceDeps deps;
    deps.identity = &*identity_;
    deps.vault = vault_.get();
    deps.sessions = &sessions_;
    deps.ledger = &ledger_;
    deps.throttle = &throttle_;
    service_ = std::make_unique<vhsm::server::Service>(deps, vhsm::server::ServiceOptions{});
    const char* containers[] = {"ca", "ca", "cb", "cb"};
    for (int i = 0; i < 4; ++i) {
      clients_[i].caller.client = {containers[i], static_cast<uint32_t>(100 + i)};
      clients_[i].caller.has_creds = true;
      clients_[i].caller.uid = 1000 + i;
    }
  }

  void Open(Client& c) {
    auto hs =
        vhsm::noise::Handshake::Initiator(identity_->public_key(), vhsm::noise::kVhsmPrologue);
    auto first = hs->WriteMessage1(vhsm::crypto::ByteView());
    Request r;
    r.mutable_open_session()->set_handshake(first->data(), first->size());
    Response resp = service_->HandleRequest(c.caller, r);
    if (resp.status() != vhsm::proto::OK) return;  // e.g. the session cap
    auto sid = hs->ReadMessage2(resp.open_session().handshake());
    Check(sid.ok());
    c.session.assign(reinterpret_cast<const char*>(sid->data()), sid->size());
    c.keys = std::move(hs->Split()).value();
    c.in = vhsm::noise::TransportReceiver();
    c.out = 0;
    c.user.clear();
    c.contexts.clear();
  }

  // Sealed sends r over c's channel, addressed to session sid; returns the
  // inner answer, or the outer one when it is not sealed.
  Response Call(Client& c, Request r, const std::string& sid) {
    std::string plain = r.SerializeAsString(), ct;
    Check(c.keys.send.SealTo(c.out, vhsm::noise::kRequestAd + c.session, plain, &ct).ok());
    Request outer;
    outer.set_session_id(sid);
    outer.mutable_sealed()->set_counter(c.out++);
    outer.mutable_sealed()->set_ciphertext(ct);
    outer.mutable_sealed()->set_slow(r.has_login() || r.has_key_generate() || r.has_key_delete());
    c.last_sealed = outer.SerializeAsString();
    Response resp = service_->HandleRequest(c.caller, outer);
    if (!resp.has_sealed()) {
      Check(resp.status() != vhsm::proto::OK);
      return resp;
    }
    Check(sid == c.session);  // only our own session ever answers sealed
    std::string out;
    Check(c.in.OpenTo(c.keys.receive, resp.sealed().counter(), vhsm::noise::kResponseAd + c.session,
                      resp.sealed().ciphertext(), &out)
              .ok());
    Response inner;
    Check(inner.ParseFromString(out));
    return inner;
  }

  void Step(uint8_t who, uint8_t what, uint8_t arg) {
    Client& c = clients_[who % 4];
    if (c.session.empty() || what % 13 == 0) return Open(c);
    const std::string key_id = "k" + std::to_string(arg % 4);
    const std::string& container = c.caller.client.container;
    Request r;
    switch (what % 13) {
      case 1: {
        std::string user = arg % 2 ? "u1" : "u0";
        r.mutable_login()->set_user(user);
        r.mutable_login()->set_password(arg % 5 == 4 ? "bad" : "pw");
        Response resp = Call(c, r, c.session);
        if (resp.status() == vhsm::proto::OK) {
          c.user = user;
          c.contexts.clear();
        }
        return;
      }
      case 2:
        r.mutable_logout();
        Check(Call(c, r, c.session).status() == vhsm::proto::OK);
        c.user.clear();
        for (uint32_t id : c.contexts) {  // contexts do not survive a logout
          Request u;
          u.mutable_mac_update()->set_context_id(id);
          u.mutable_mac_update()->set_data("x");
          Check(Call(c, u, c.session).status() != vhsm::proto::OK);
        }
        c.contexts.clear();
        return;
      case 3: {
        r.mutable_key_generate()->set_type(vhsm::proto::HMAC_SHA256);
        r.mutable_key_generate()->set_id(key_id);
        Response resp = Call(c, r, c.session);
        if (resp.status() == vhsm::proto::OK) model_[container + "/" + c.user].insert(key_id);
        return;
      }
      case 4: {
        r.mutable_key_list();
        Response resp = Call(c, r, c.session);
        if (resp.status() != vhsm::proto::OK) return;
        Check(!c.user.empty());
        for (const auto& k : resp.key_list().keys()) {
          Check(model_[container + "/" + c.user].count(k.id()) == 1);
        }
        return;
      }
      case 5:
        r.mutable_mac()->set_key_id(key_id);
        r.mutable_mac()->set_data("data");
        if (Call(c, r, c.session).status() == vhsm::proto::OK) {
          Check(model_[container + "/" + c.user].count(key_id) == 1);
        }
        return;
      case 6: {
        r.mutable_mac_init()->set_key_id(key_id);
        Response resp = Call(c, r, c.session);
        if (resp.status() == vhsm::proto::OK) c.contexts.insert(resp.context().context_id());
        return;
      }
      case 7:
        r.mutable_key_delete()->set_id(key_id);
        if (Call(c, r, c.session).status() == vhsm::proto::OK) {
          model_[container + "/" + c.user].erase(key_id);
        }
        return;
      case 8:
        r.mutable_close_session();
        Call(c, r, c.session);
        c.session.clear();
        return;
      case 9: {  // another client's session id: never served
        Client& other = clients_[(who + 1 + arg % 3) % 4];
        if (other.session.empty()) return;
        r.mutable_key_list();
        Call(c, r, other.session);
        return;
      }
      case 10: {  // a replay: refused, and the session is over
        if (c.last_sealed.empty()) return;
        Request outer;
        Check(outer.ParseFromString(c.last_sealed));
        Response resp = service_->HandleRequest(c.caller, outer);
        Check(!resp.has_sealed() && resp.status() != vhsm::proto::OK);
        c.session.clear();
        return;
      }
      case 11: {  // a flipped bit: the same
        if (c.last_sealed.empty()) return;
        Request outer;
        Check(outer.ParseFromString(c.last_sealed));
        std::string ct = outer.sealed().ciphertext();
        ct[arg % ct.size()] ^= static_cast<char>(1 << (arg % 8));
        outer.mutable_sealed()->set_ciphertext(ct);
        Response resp = service_->HandleRequest(c.caller, outer);
        Check(!resp.has_sealed() && resp.status() != vhsm::proto::OK);
        c.session.clear();
        return;
      }
      default: {  // the same request unsealed: refused
        r.set_session_id(c.session);
        r.mutable_key_list();
        Check(service_->HandleRequest(c.caller, r).status() != vhsm::proto::OK);
        return;
      }
    }
  }

 private:
  std::unique_ptr<vhsm::storage::SqliteRecordStore> store_;
  std::unique_ptr<vhsm::storage::Vault> vault_;
  vhsm::server::ResourceLedger ledger_;
  vhsm::server::SessionManager sessions_;
  vhsm::server::LoginThrottle throttle_;
  std::optional<vhsm::crypto::X25519KeyPair> identity_;
  std::unique_ptr<vhsm::server::Service> service_;
  Client clients_[4];
  std::map<std::string, std::set<std::string>> model_;  // "container/user" -> key ids
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  World world;
  for (size_t i = 0; i + 2 < size && i < 3 * 64; i += 3)
    world.Step(data[i], data[i + 1], data[i + 2]);
  return 0;
}
