// Fuzzes netlink frame decoding. Invariant: a frame that decodes re-encodes
// to a datagram that decodes to the same frame.
#include <cstdint>
#include <cstdlib>

#include "vhsm/transport/frame.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  uint32_t seq;
  (void)vhsm::transport::PeekSeq(data, size, &seq);
  auto frame = vhsm::transport::DecodeFrame(data, size);
  if (!frame.ok()) return 0;
  auto encoded = vhsm::transport::EncodeFrame(*frame);
  if (!encoded.ok()) abort();
  auto again = vhsm::transport::DecodeFrame(encoded->data(), encoded->size());
  if (!again.ok() || again->payload != frame->payload || again->seq != frame->seq ||
      again->type != frame->type || again->version != frame->version) {
    abort();
  }
  return 0;
}
