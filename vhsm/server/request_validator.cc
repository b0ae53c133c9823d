#include "vhsm/server/request_validator.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>
#include <google/protobuf/unknown_field_set.h>

#include <unordered_map>
#include <vector>

namespace vhsm::server {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

constexpr size_t kMaxString = 4096;

// Enum fields whose 0 means "the key type's default" rather than missing
// (they came after the fields they refine).
bool ZeroMeansDefault(const FieldDescriptor* f) {
  // Descriptors are unique: looked up once, compared by address per request.
  static const FieldDescriptor* const kFields[] = {
      proto::SignRequest::descriptor()->FindFieldByName("scheme"),
      proto::SignRequest::descriptor()->FindFieldByName("hash"),
      proto::VerifyRequest::descriptor()->FindFieldByName("scheme"),
      proto::VerifyRequest::descriptor()->FindFieldByName("hash"),
      proto::ObjectListRequest::descriptor()->FindFieldByName("cls"),  // any class
  };
  for (const FieldDescriptor* d : kFields) {
    if (f == d) return true;
  }
  return false;
}

// Path: where a field is, built into a string only for an error message
// (a request that passes costs no string).
struct Path {
  const Path* up;
  const std::string& name;
  std::string Render() const { return up == nullptr ? name : up->Render() + "." + name; }
};

// Plan: what CheckMessage looks at in one message type, worked out once:
// its enum and string fields, its message fields outside oneofs, and its
// oneofs (of which only the field that is set is looked at; a Request has
// one per operation).
struct Plan {
  std::vector<const FieldDescriptor*> enums, strings, messages, repeated_messages;
  std::vector<const google::protobuf::OneofDescriptor*> oneofs;
};

using Plans = std::unordered_map<const google::protobuf::Descriptor*, Plan>;

// AddPlans works out d's plan and those of every message type under it.
void AddPlans(const google::protobuf::Descriptor* d, Plans* plans) {
  if (plans->count(d) != 0) return;
  Plan& plan = (*plans)[d];  // stays valid while the map grows
  for (int i = 0; i < d->real_oneof_decl_count(); ++i) plan.oneofs.push_back(d->oneof_decl(i));
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) AddPlans(f->message_type(), plans);
    if (f->is_repeated()) {
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) plan.repeated_messages.push_back(f);
      continue;
    }
    if (f->real_containing_oneof() != nullptr) continue;
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) plan.messages.push_back(f);
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) plan.enums.push_back(f);
    if (f->type() == FieldDescriptor::TYPE_STRING) plan.strings.push_back(f);
  }
}

// PlanOf: the plans of Request and everything in it, worked out at the
// first call and read-only afterwards (no lock per request).
const Plan& PlanOf(const google::protobuf::Descriptor* d) {
  static const Plans* const plans = [] {
    auto* p = new Plans;
    AddPlans(proto::Request::descriptor(), p);
    return p;
  }();
  return plans->at(d);
}

Status CheckMessage(const Message& m, const Path& path);

// CheckField checks one singular field that is set (or not in a oneof).
Status CheckField(const Message& m, const FieldDescriptor* f, const Path& parent) {
  const google::protobuf::Reflection* r = m.GetReflection();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_MESSAGE:
      if (r->HasField(m, f)) return CheckMessage(r->GetMessage(m, f), Path{&parent, f->name()});
      return Status::Ok();
    case FieldDescriptor::CPPTYPE_ENUM: {
      int v = r->GetEnumValue(m, f);
      if (v == 0 && ZeroMeansDefault(f)) return Status::Ok();
      if (v == 0) return InvalidArgument("missing " + Path{&parent, f->name()}.Render());
      if (f->enum_type()->FindValueByNumber(v) == nullptr) {
        return InvalidArgument("unknown value " + std::to_string(v) + " for " +
                               Path{&parent, f->name()}.Render());
      }
      return Status::Ok();
    }
    case FieldDescriptor::CPPTYPE_STRING:
      if (f->type() == FieldDescriptor::TYPE_STRING) {
        std::string scratch;
        if (r->GetStringReference(m, f, &scratch).size() > kMaxString) {
          return InvalidArgument(Path{&parent, f->name()}.Render() + " longer than 4096 bytes");
        }
      }
      return Status::Ok();
    default:
      return Status::Ok();
  }
}

Status CheckMessage(const Message& m, const Path& path) {
  const google::protobuf::Reflection* r = m.GetReflection();
  if (!r->GetUnknownFields(m).empty()) {
    return InvalidArgument("unknown field in " + path.Render());
  }
  const Plan& plan = PlanOf(m.GetDescriptor());
  for (const FieldDescriptor* f : plan.repeated_messages) {
    for (int j = 0; j < r->FieldSize(m, f); ++j) {
      VHSM_RETURN_IF_ERROR(CheckMessage(r->GetRepeatedMessage(m, f, j), Path{&path, f->name()}));
    }
  }
  for (const auto* fields : {&plan.messages, &plan.enums, &plan.strings}) {
    for (const FieldDescriptor* f : *fields) VHSM_RETURN_IF_ERROR(CheckField(m, f, path));
  }
  for (const google::protobuf::OneofDescriptor* o : plan.oneofs) {
    const FieldDescriptor* set = r->GetOneofFieldDescriptor(m, o);
    if (set != nullptr) VHSM_RETURN_IF_ERROR(CheckField(m, set, path));
  }
  return Status::Ok();
}

}  // namespace

bool IsAdminOp(const proto::Request& request) {
  switch (request.op_case()) {
    case proto::Request::kContainerAttach:
    case proto::Request::kContainerAttachMany:
    case proto::Request::kContainerDetach:
    case proto::Request::kContainerList:
    case proto::Request::kContainerExport:
    case proto::Request::kContainerImport:
    case proto::Request::kContainerQuota:
    case proto::Request::kUserAdd:
    case proto::Request::kUserDelete:
    case proto::Request::kUserList:
    case proto::Request::kUserPassword:
      return true;
    default:
      return false;
  }
}

const char* OpName(const proto::Request& request) {
  if (request.op_case() == proto::Request::OP_NOT_SET) return "none";
  const FieldDescriptor* f =
      request.GetDescriptor()->FindFieldByNumber(static_cast<int>(request.op_case()));
  return f ? f->name().c_str() : "unknown";
}

Status ValidateRequest(const proto::Request& request) {
  if (request.op_case() == proto::Request::OP_NOT_SET) {
    return InvalidArgument("request names no operation");
  }
  static const std::string kRequest = "request";
  VHSM_RETURN_IF_ERROR(CheckMessage(request, Path{nullptr, kRequest}));
  // Everything but opening a channel and asking for vhsmd's key travels in
  // a session's channel, administration included.
  bool sessionless = request.op_case() == proto::Request::kOpenSession ||
                     request.op_case() == proto::Request::kServerKey;
  if (sessionless && !request.session_id().empty()) {
    return InvalidArgument(std::string(OpName(request)) + " takes no session id");
  }
  if (!sessionless && request.session_id().size() != kSessionIdSize) {
    return InvalidArgument(std::string(OpName(request)) + " needs a 16-byte session id");
  }
  return Status::Ok();
}

}  // namespace vhsm::server
