// Netlink frames: how a VHSM protobuf travels between client and daemon.
//
// A frame is one netlink message (struct nlmsghdr, type kVhsmRequest or
// kVhsmResponse, seq echoed in the reply) carrying two netlink attributes,
// built and parsed with libnl-3: the protocol version (u32) and the protobuf
// payload (binary). One datagram holds exactly one frame of at most
// kMaxFrameSize bytes. DecodeFrame is the only parser of untrusted bytes in
// the transport: every malformation gets its own InvalidArgument message,
// and nothing it returns points into the input. Thread-safe.
#ifndef VHSM_TRANSPORT_FRAME_H_
#define VHSM_TRANSPORT_FRAME_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "vhsm/base/status.h"

struct nl_msg;  // libnl-3

namespace vhsm::transport {

inline constexpr uint16_t kVhsmRequest = 0x5601;  // above NLMSG_MIN_TYPE
inline constexpr uint16_t kVhsmResponse = 0x5602;
inline constexpr uint32_t kProtocolVersion = 1;
// The netlink port id vhsmd binds unless configured otherwise.
inline constexpr uint32_t kDefaultVhsmPort = 0x56485331;  // "VHS1"
// Largest datagram either side sends or accepts (header + attributes).
inline constexpr size_t kMaxFrameSize = 64 * 1024;
// Largest payload that fits in a frame.
inline constexpr size_t kMaxPayloadSize = kMaxFrameSize - 64;

enum class FrameType : uint16_t {
  kRequest = kVhsmRequest,
  kResponse = kVhsmResponse,
};

struct Frame {
  FrameType type = FrameType::kRequest;
  uint32_t seq = 0;
  uint32_t version = kProtocolVersion;
  std::string payload;
};

// EncodeFrame returns the datagram for frame, or InvalidArgument when the
// payload exceeds kMaxPayloadSize.
Result<std::vector<uint8_t>> EncodeFrame(const Frame& frame);

// FrameEncoder encodes into one libnl message buffer of kMaxFrameSize that it
// reuses, so a sender of many frames does not allocate (and fault in) 64 KiB
// per frame. Encode's result points into the encoder and is valid until the
// next Encode. Not thread-safe.
class FrameEncoder {
 public:
  FrameEncoder();
  ~FrameEncoder();
  FrameEncoder(const FrameEncoder&) = delete;
  FrameEncoder& operator=(const FrameEncoder&) = delete;

  struct Encoded {
    const uint8_t* data;
    size_t size;
  };
  Result<Encoded> Encode(FrameType type, uint32_t seq, const char* payload, size_t size);
  // Wipe clears the last encoded frame (it may have held a secret).
  void Wipe();

 private:
  ::nl_msg* msg_;
};

// DecodeFrame parses one datagram. Errors (all InvalidArgument): truncated
// header, nlmsg_len larger or smaller than the datagram, frame too large,
// unknown message type, malformed attribute, unknown attribute, duplicated
// attribute, missing version, missing payload, unsupported version.
Result<Frame> DecodeFrame(const uint8_t* data, size_t size);

// PeekSeq returns the header's seq when at least a header is present (for
// answering a malformed frame with an error that the client can match).
bool PeekSeq(const uint8_t* data, size_t size, uint32_t* seq);

}  // namespace vhsm::transport

#endif  // VHSM_TRANSPORT_FRAME_H_
