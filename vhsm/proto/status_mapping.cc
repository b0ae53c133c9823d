#include "vhsm/proto/status_mapping.h"

namespace vhsm {
namespace {

struct Pair {
  StatusCode code;
  proto::StatusCode wire;
};

constexpr Pair kPairs[] = {
    {StatusCode::kOk, proto::OK},
    {StatusCode::kInvalidArgument, proto::INVALID_ARGUMENT},
    {StatusCode::kNotFound, proto::NOT_FOUND},
    {StatusCode::kAlreadyExists, proto::ALREADY_EXISTS},
    {StatusCode::kPermissionDenied, proto::PERMISSION_DENIED},
    {StatusCode::kUnauthenticated, proto::UNAUTHENTICATED},
    {StatusCode::kResourceExhausted, proto::RESOURCE_EXHAUSTED},
    {StatusCode::kFailedPrecondition, proto::FAILED_PRECONDITION},
    {StatusCode::kDataLoss, proto::DATA_LOSS},
    {StatusCode::kUnavailable, proto::UNAVAILABLE},
    {StatusCode::kDeadlineExceeded, proto::DEADLINE_EXCEEDED},
    {StatusCode::kInternal, proto::INTERNAL},
};

}  // namespace

proto::StatusCode ToWireStatus(StatusCode code) {
  for (const Pair& p : kPairs) {
    if (p.code == code) return p.wire;
  }
  return proto::INTERNAL;
}

StatusCode FromWireStatus(proto::StatusCode wire) {
  for (const Pair& p : kPairs) {
    if (p.wire == wire) return p.code;
  }
  return StatusCode::kInternal;
}

}  // namespace vhsm
