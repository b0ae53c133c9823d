// Public objects: certificates and data objects of the logged-in user
// (create, list filtered here in vhsmd, get, delete). The vault keeps them
// integrity-protected; a certificate must be one DER X.509 certificate.
#include <string>
#include <vector>

#include "vhsm/crypto/certificate.h"
#include "vhsm/server/ops/key_access.h"
#include "vhsm/server/ops/ops.h"

namespace vhsm::server::ops {
namespace {

// A page must fit a 64 KiB frame: an entry is at most about 600 bytes.
constexpr size_t kMaxObjectsPerPage = 96;

void FillObjectInfo(const storage::ObjectRecord& o, proto::ObjectInfo* info) {
  info->set_handle(o.handle);
  info->set_cls(static_cast<proto::ObjectClass>(o.cls));
  info->set_id(std::string(o.id.begin(), o.id.end()));
  info->set_label(o.label);
  info->set_is_private(o.is_private);
  info->set_application(o.application);
  info->set_oid(std::string(o.oid.begin(), o.oid.end()));
  info->set_size(o.size);
  info->set_created_unix(o.created_unix);
}

std::string ForLog(uint64_t handle) { return "object:" + std::to_string(handle); }

}  // namespace

Status ObjectCreate(Env& env, Call& call) {
  const auto& r = call.req.object_create();
  if (r.cls() == proto::OBJECT_CERTIFICATE) {
    Result<crypto::CertificateFields> cert = crypto::ParseDerCertificate(r.value());
    if (!cert.ok()) return InvalidArgument("certificate object: " + cert.status().message());
  }
  storage::Owner owner = call.session->owner_of_keys();
  VHSM_ASSIGN_OR_RETURN(int64_t count, env.store->CountObjects(owner.container));
  VHSM_ASSIGN_OR_RETURN(int64_t limit, ContainerKeyLimit(env, owner.container));
  if (count >= limit) {
    return ResourceExhausted("container '" + owner.container + "' holds " + std::to_string(count) +
                             " objects, the limit (max-keys)");
  }
  storage::ObjectRecord o;
  o.cls = static_cast<uint32_t>(r.cls());
  o.id.assign(r.id().begin(), r.id().end());
  o.label = r.label();
  o.is_private = r.is_private();
  o.application = r.application();
  o.oid.assign(r.oid().begin(), r.oid().end());
  o.value.assign(r.value().begin(), r.value().end());
  VHSM_ASSIGN_OR_RETURN(storage::ObjectRecord stored,
                        env.vault->PutObject(owner, call.session->master_key, std::move(o)));
  call.key_for_log = ForLog(stored.handle);
  FillObjectInfo(stored, call.resp->mutable_object());
  return Status::Ok();
}

Status ObjectList(Env& env, Call& call) {
  const auto& r = call.req.object_list();
  storage::ObjectFilter filter;
  filter.cls = static_cast<uint32_t>(r.cls());
  filter.match_id = r.match_id();
  filter.id.assign(r.id().begin(), r.id().end());
  filter.match_label = r.match_label();
  filter.label = r.label();
  size_t limit = r.limit() == 0 || r.limit() > kMaxObjectsPerPage ? kMaxObjectsPerPage : r.limit();
  storage::Owner owner = call.session->owner_of_keys();
  VHSM_ASSIGN_OR_RETURN(
      std::vector<storage::ObjectRecord> list,
      env.vault->ListObjects(owner, call.session->master_key, filter, r.after(), limit + 1));
  auto* out = call.resp->mutable_object_list();
  for (size_t i = 0; i < list.size() && i < limit; ++i) FillObjectInfo(list[i], out->add_objects());
  if (list.size() > limit) out->set_next_after(list[limit - 1].handle);
  return Status::Ok();
}

Status ObjectGet(Env& env, Call& call) {
  uint64_t handle = call.req.object_get().handle();
  call.key_for_log = ForLog(handle);
  storage::Owner owner = call.session->owner_of_keys();
  VHSM_ASSIGN_OR_RETURN(storage::ObjectRecord o,
                        env.vault->GetObject(owner, call.session->master_key, handle));
  proto::ObjectInfo* info = call.resp->mutable_object();
  FillObjectInfo(o, info);
  info->set_value(std::string(o.value.begin(), o.value.end()));
  return Status::Ok();
}

Status ObjectDelete(Env& env, Call& call) {
  uint64_t handle = call.req.object_delete().handle();
  call.key_for_log = ForLog(handle);
  storage::Owner owner = call.session->owner_of_keys();
  return env.store->DeleteObject(owner.container, owner.user, handle);
}

}  // namespace vhsm::server::ops
