#include "vhsm/server/request_validator.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>
#include <google/protobuf/unknown_field_set.h>

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

Status CheckMessage(const Message& m, const std::string& path) {
  const google::protobuf::Reflection* r = m.GetReflection();
  if (!r->GetUnknownFields(m).empty()) {
    return InvalidArgument("unknown field in " + path);
  }
  const google::protobuf::Descriptor* d = m.GetDescriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    std::string where = path + "." + f->name();
    if (f->is_repeated()) {
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        for (int j = 0; j < r->FieldSize(m, f); ++j) {
          VHSM_RETURN_IF_ERROR(CheckMessage(r->GetRepeatedMessage(m, f, j), where));
        }
      }
      continue;
    }
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (r->HasField(m, f)) VHSM_RETURN_IF_ERROR(CheckMessage(r->GetMessage(m, f), where));
        break;
      case FieldDescriptor::CPPTYPE_ENUM: {
        int v = r->GetEnumValue(m, f);
        if (v == 0 && ZeroMeansDefault(f)) break;
        if (v == 0) return InvalidArgument("missing " + where);
        if (f->enum_type()->FindValueByNumber(v) == nullptr) {
          return InvalidArgument("unknown value " + std::to_string(v) + " for " + where);
        }
        break;
      }
      case FieldDescriptor::CPPTYPE_STRING:
        if (f->type() == FieldDescriptor::TYPE_STRING && r->GetString(m, f).size() > kMaxString) {
          return InvalidArgument(where + " longer than 4096 bytes");
        }
        break;
      default:
        break;
    }
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
  VHSM_RETURN_IF_ERROR(CheckMessage(request, "request"));
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
