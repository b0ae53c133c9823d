// Digests and MACs: contexts (init/update/final) and one-shot.
#include <string>

#include "vhsm/crypto/digest.h"
#include "vhsm/crypto/hmac.h"
#include "vhsm/proto/names.h"
#include "vhsm/server/ops/key_access.h"
#include "vhsm/server/ops/ops.h"

namespace vhsm::server::ops {
namespace {

crypto::DigestAlg HmacDigestOf(const std::string& type) {
  return type == ::vhsm::KeyTypeName(proto::HMAC_SHA512) ? crypto::DigestAlg::kSha512
                                                         : crypto::DigestAlg::kSha256;
}

Status NoContext(bool mac, uint32_t id) {
  return NotFound(std::string("no ") + (mac ? "MAC" : "digest") + " context " + std::to_string(id) +
                  " in this session");
}

}  // namespace

Status ContextInit(Env& env, Call& call) {
  Session& s = *call.session;
  if (s.contexts.size() >= env.options->max_contexts_per_session) {
    return ResourceExhausted("session has " + std::to_string(s.contexts.size()) +
                             " open contexts, the limit");
  }
  Context ctx;
  VHSM_ASSIGN_OR_RETURN(ctx.held, env.ledger->Take(call.caller.client.container,
                                                   Resource::kContexts, 1, kContextBytes));
  if (call.req.has_digest_init()) {
    VHSM_ASSIGN_OR_RETURN(crypto::Digest d,
                          crypto::Digest::Create(*DigestOf(call.req.digest_init().algorithm())));
    ctx.digest = std::move(d);
  } else {
    VHSM_ASSIGN_OR_RETURN(auto key,
                          LoadKey(env, call, call.req.mac_init().key_id(), proto::KEY_OP_MAC));
    VHSM_ASSIGN_OR_RETURN(crypto::Hmac h, crypto::Hmac::Create(HmacDigestOf(key->opened.type),
                                                               key->opened.material.view()));
    ctx.mac = std::move(h);
    ctx.key_version = key->opened.version;
  }
  uint32_t id = s.next_context_id++;
  s.contexts.emplace(id, std::move(ctx));
  call.resp->mutable_context()->set_context_id(id);
  return Status::Ok();
}

Status ContextUpdate(Env& env, Call& call) {
  bool mac = call.req.has_mac_update();
  const proto::UpdateRequest& u = mac ? call.req.mac_update() : call.req.digest_update();
  auto it = call.session->contexts.find(u.context_id());
  if (it == call.session->contexts.end() || (mac ? !it->second.mac : !it->second.digest)) {
    return NoContext(mac, u.context_id());
  }
  return mac ? it->second.mac->Update(u.data()) : it->second.digest->Update(u.data());
}

Status ContextFinal(Env& env, Call& call) {
  bool mac = call.req.has_mac_final();
  uint32_t id = mac ? call.req.mac_final().context_id() : call.req.digest_final().context_id();
  auto& contexts = call.session->contexts;
  auto it = contexts.find(id);
  if (it == contexts.end() || (mac ? !it->second.mac : !it->second.digest)) {
    return NoContext(mac, id);
  }
  Result<crypto::Bytes> out = mac ? it->second.mac->Final() : it->second.digest->Final();
  uint32_t key_version = it->second.key_version;
  contexts.erase(it);
  if (!out.ok()) return out.status();
  SetBytes(call.resp, *out);
  if (mac) call.resp->mutable_bytes()->set_key_version(key_version);
  return Status::Ok();
}

Status Digest(Env& env, Call& call) {
  VHSM_ASSIGN_OR_RETURN(
      crypto::Bytes d,
      crypto::ComputeDigest(*DigestOf(call.req.digest().algorithm()), call.req.digest().data()));
  SetBytes(call.resp, d);
  return Status::Ok();
}

Status Mac(Env& env, Call& call) {
  VHSM_ASSIGN_OR_RETURN(auto key, LoadKey(env, call, call.req.mac().key_id(), proto::KEY_OP_MAC));
  VHSM_ASSIGN_OR_RETURN(crypto::Bytes mac,
                        crypto::ComputeHmac(HmacDigestOf(key->opened.type),
                                            key->opened.material.view(), call.req.mac().data()));
  SetBytes(call.resp, mac);
  call.resp->mutable_bytes()->set_key_version(key->opened.version);
  return Status::Ok();
}

}  // namespace vhsm::server::ops
