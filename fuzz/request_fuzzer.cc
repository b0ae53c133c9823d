// Fuzzes what the daemon does with a frame's payload before dispatch: protobuf
// Request decoding and ValidateRequest. Invariant: a request that decodes
// re-encodes and decodes to the same bytes, and validation is deterministic.
#include <google/protobuf/stubs/logging.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "vhsm/proto/vhsm.pb.h"
#include "vhsm/server/request_validator.h"

// Quiet libprotobuf's complaints about invalid UTF-8 (vhsmd does the same).
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vhsm::proto::Request request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return 0;
  vhsm::Status first = vhsm::server::ValidateRequest(request);
  std::string encoded = request.SerializeAsString();
  vhsm::proto::Request again;
  if (!again.ParseFromString(encoded)) abort();
  if (again.SerializeAsString() != encoded) abort();
  vhsm::Status second = vhsm::server::ValidateRequest(again);
  if (first.ok() != second.ok()) abort();
  (void)vhsm::server::OpName(request);
  return 0;
}
