// Client: public objects (certificates and data objects), and a
// container's users for its admins.
#include <string.h>

#include "vhsm/api/client.h"
#include "vhsm/api/internal/audit_calls.h"
#include "vhsm/api/internal/client_impl.h"

namespace vhsm {
namespace {

Result<proto::ObjectClass> ClassOf(const std::string& cls) {
  if (cls == "certificate" || cls == "cert") return proto::OBJECT_CERTIFICATE;
  if (cls == "data") return proto::OBJECT_DATA;
  return InvalidArgument("unknown object class '" + cls + "' (certificate, data)");
}

ObjectInfo FromProto(const proto::ObjectInfo& o) {
  ObjectInfo out;
  out.handle = o.handle();
  out.cls = o.cls() == proto::OBJECT_CERTIFICATE ? "certificate"
            : o.cls() == proto::OBJECT_DATA      ? "data"
                                                 : "unknown";
  out.id = o.id();
  out.label = o.label();
  out.is_private = o.is_private();
  out.application = o.application();
  out.oid = o.oid();
  out.size = o.size();
  out.created_unix = o.created_unix();
  out.value = o.value();
  return out;
}

}  // namespace

Result<bool> Client::LockedOut(const std::string& user) {
  proto::Request r;
  r.mutable_user_status()->set_user(user);
  VHSM_ASSIGN_OR_RETURN(proto::Response resp, impl_->Call(r));
  return resp.user_status().locked();
}

Result<AuditLogCopy> Client::ReadAudit() {
  return internal::ReadAudit([this](proto::Request& r) { return impl_->Call(r); }, "");
}

Result<AuditVerdict> Client::VerifyAudit() {
  return internal::VerifyAudit([this](proto::Request& r) { return impl_->Call(r); }, "");
}

Status Client::AddMember(const std::string& user, std::string_view password,
                         const std::string& role) {
  proto::Request r;
  auto* a = r.mutable_member_add();
  a->set_user(user);
  a->set_password(password.data(), password.size());
  a->set_role(role);
  Status s = impl_->Call(r).status();
  explicit_bzero(a->mutable_password()->data(), a->password().size());
  return s;
}

Status Client::DeleteMember(const std::string& user) {
  proto::Request r;
  r.mutable_member_delete()->set_user(user);
  return impl_->Call(r).status();
}

Status Client::SetMemberQuota(const std::string& user, uint64_t max_keys) {
  proto::Request r;
  r.mutable_member_quota()->set_user(user);
  r.mutable_member_quota()->set_max_keys(max_keys);
  return impl_->Call(r).status();
}

Result<std::vector<std::pair<std::string, std::string>>> Client::ListMembers() {
  std::vector<std::pair<std::string, std::string>> out;
  std::string after;
  do {
    proto::Request r;
    r.mutable_member_list()->set_after(after);
    VHSM_ASSIGN_OR_RETURN(proto::Response resp, impl_->Call(r));
    const auto& list = resp.user_list();
    for (int i = 0; i < list.users_size(); ++i) {
      out.emplace_back(list.users(i), i < list.roles_size() ? list.roles(i) : "");
    }
    if (!list.next_after().empty() && list.next_after() <= after) {
      return Internal("vhsmd sent a user list page that does not advance");
    }
    after = list.next_after();
  } while (!after.empty());
  return out;
}

Result<ObjectInfo> Client::CreateObject(const ObjectInfo& object) {
  proto::Request r;
  auto* c = r.mutable_object_create();
  VHSM_ASSIGN_OR_RETURN(proto::ObjectClass cls, ClassOf(object.cls));
  c->set_cls(cls);
  c->set_id(object.id);
  c->set_label(object.label);
  c->set_is_private(object.is_private);
  c->set_application(object.application);
  c->set_oid(object.oid);
  c->set_value(object.value);
  VHSM_ASSIGN_OR_RETURN(proto::Response resp, impl_->Call(r));
  return FromProto(resp.object());
}

Result<std::vector<ObjectInfo>> Client::ListObjects(const ObjectFilter& filter) {
  std::vector<ObjectInfo> out;
  uint64_t after = 0;
  do {
    proto::Request r;
    auto* l = r.mutable_object_list();
    if (!filter.cls.empty()) {
      VHSM_ASSIGN_OR_RETURN(proto::ObjectClass cls, ClassOf(filter.cls));
      l->set_cls(cls);
    }
    l->set_match_id(filter.match_id);
    l->set_id(filter.id);
    l->set_match_label(filter.match_label);
    l->set_label(filter.label);
    l->set_after(after);
    VHSM_ASSIGN_OR_RETURN(proto::Response resp, impl_->Call(r));
    for (const auto& o : resp.object_list().objects()) out.push_back(FromProto(o));
    uint64_t next = resp.object_list().next_after();
    if (next != 0 && next <= after) {
      return Internal("vhsmd sent an object list page that does not advance");
    }
    after = next;
  } while (after != 0);
  return out;
}

Result<ObjectInfo> Client::GetObject(uint64_t handle) {
  proto::Request r;
  r.mutable_object_get()->set_handle(handle);
  VHSM_ASSIGN_OR_RETURN(proto::Response resp, impl_->Call(r));
  return FromProto(resp.object());
}

Status Client::DeleteObject(uint64_t handle) {
  proto::Request r;
  r.mutable_object_delete()->set_handle(handle);
  return impl_->Call(r).status();
}

}  // namespace vhsm
