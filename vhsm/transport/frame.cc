#include "vhsm/transport/frame.h"

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <string.h>

#include <cstring>
#include <memory>

namespace vhsm::transport {
namespace {}  // namespace

enum Attr : int {
  kAttrUnspec = 0,
  kAttrVersion = 1,
  kAttrPayload = 2,
  kAttrMax = kAttrPayload,
};

namespace {

struct NlMsgDeleter {
  void operator()(nl_msg* m) const { nlmsg_free(m); }
};

Status CheckPayloadSize(size_t size) {
  if (size > kMaxPayloadSize) {
    return InvalidArgument("payload of " + std::to_string(size) +
                           " bytes exceeds the frame limit of " + std::to_string(kMaxPayloadSize));
  }
  return Status::Ok();
}

// Fill writes one frame into an empty message: header, version, payload.
Status Fill(nl_msg* msg, FrameType type, uint32_t seq, const char* payload, size_t size) {
  int flags = type == FrameType::kRequest ? NLM_F_REQUEST : 0;
  if (nlmsg_put(msg, NL_AUTO_PORT, seq, static_cast<int>(type), 0, flags) == nullptr ||
      nla_put_u32(msg, kAttrVersion, kProtocolVersion) < 0 ||
      nla_put(msg, kAttrPayload, static_cast<int>(size), payload) < 0) {
    return Internal("building netlink frame failed");
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<uint8_t>> EncodeFrame(const Frame& frame) {
  VHSM_RETURN_IF_ERROR(CheckPayloadSize(frame.payload.size()));
  // Exactly the frame's size: a 64 KiB zeroed allocation per small message
  // showed up as the client's main cost.
  size_t size = NLMSG_HDRLEN + nla_total_size(sizeof(uint32_t)) +
                nla_total_size(static_cast<int>(frame.payload.size()));
  std::unique_ptr<nl_msg, NlMsgDeleter> msg(nlmsg_alloc_size(size));
  if (!msg) return Internal("nlmsg_alloc_size failed");
  VHSM_RETURN_IF_ERROR(
      Fill(msg.get(), frame.type, frame.seq, frame.payload.data(), frame.payload.size()));
  const nlmsghdr* hdr = nlmsg_hdr(msg.get());
  const uint8_t* p = reinterpret_cast<const uint8_t*>(hdr);
  return std::vector<uint8_t>(p, p + hdr->nlmsg_len);
}

FrameEncoder::FrameEncoder() : msg_(nlmsg_alloc_size(kMaxFrameSize)) {}

FrameEncoder::~FrameEncoder() {
  if (msg_ != nullptr) nlmsg_free(msg_);
}

Result<FrameEncoder::Encoded> FrameEncoder::Encode(FrameType type, uint32_t seq,
                                                   const char* payload, size_t size) {
  if (msg_ == nullptr) return Internal("nlmsg_alloc_size failed");
  VHSM_RETURN_IF_ERROR(CheckPayloadSize(size));
  // Start over: libnl appends at nlmsg_len, so resetting it empties the message.
  nlmsg_hdr(msg_)->nlmsg_len = NLMSG_HDRLEN;
  VHSM_RETURN_IF_ERROR(Fill(msg_, type, seq, payload, size));
  const nlmsghdr* hdr = nlmsg_hdr(msg_);
  return Encoded{reinterpret_cast<const uint8_t*>(hdr), hdr->nlmsg_len};
}

void FrameEncoder::Wipe() {
  if (msg_ == nullptr) return;
  nlmsghdr* hdr = nlmsg_hdr(msg_);
  size_t used = hdr->nlmsg_len;
  if (used > kMaxFrameSize) used = kMaxFrameSize;
  explicit_bzero(hdr, used);
  hdr->nlmsg_len = NLMSG_HDRLEN;
}

bool PeekSeq(const uint8_t* data, size_t size, uint32_t* seq) {
  if (size < sizeof(nlmsghdr)) return false;
  nlmsghdr hdr;
  std::memcpy(&hdr, data, sizeof(hdr));
  *seq = hdr.nlmsg_seq;
  return true;
}

namespace {

// ReadAttributes reads exactly one version and one payload attribute.
Status ReadAttributes(const nlmsghdr* hdr, Frame* frame) {
  bool have_version = false, have_payload = false;
  const nlattr* pos;
  int rem;
  nlmsg_for_each_attr(pos, hdr, 0, rem) {
    int type = nla_type(pos);
    int len = nla_len(pos);
    if (type == kAttrVersion) {
      if (have_version) return InvalidArgument("duplicated version attribute");
      if (len != sizeof(uint32_t)) {
        return InvalidArgument("version attribute of " + std::to_string(len) + " bytes, want 4");
      }
      frame->version = nla_get_u32(const_cast<nlattr*>(pos));
      have_version = true;
    } else if (type == kAttrPayload) {
      if (have_payload) return InvalidArgument("duplicated payload attribute");
      frame->payload.assign(static_cast<const char*>(nla_data(pos)), static_cast<size_t>(len));
      have_payload = true;
    } else {
      return InvalidArgument("unknown attribute type " + std::to_string(type));
    }
  }
  if (rem != 0) {
    return InvalidArgument("malformed attribute (" + std::to_string(rem) + " bytes left over)");
  }
  if (!have_version) return InvalidArgument("missing version attribute");
  if (!have_payload) return InvalidArgument("missing payload attribute");
  if (frame->version != kProtocolVersion) {
    return InvalidArgument("unsupported protocol version " + std::to_string(frame->version) +
                           " (this is version " + std::to_string(kProtocolVersion) + ")");
  }
  return Status::Ok();
}

}  // namespace

Result<Frame> DecodeFrame(const uint8_t* data, size_t size) {
  if (size > kMaxFrameSize) {
    return InvalidArgument("frame of " + std::to_string(size) + " bytes exceeds the limit of " +
                           std::to_string(kMaxFrameSize));
  }
  if (size < NLMSG_HDRLEN) {
    return InvalidArgument("truncated netlink header (" + std::to_string(size) + " bytes)");
  }
  // libnl reads the header and attributes in place, which needs 4-byte
  // alignment: heap buffers have it; anything else is copied first.
  std::unique_ptr<uint32_t[]> aligned;
  if (reinterpret_cast<uintptr_t>(data) % alignof(nlmsghdr) != 0) {
    aligned.reset(new uint32_t[(size + 3) / 4]);
    std::memcpy(aligned.get(), data, size);
    data = reinterpret_cast<const uint8_t*>(aligned.get());
  }
  const nlmsghdr* hdr = reinterpret_cast<const nlmsghdr*>(data);
  if (hdr->nlmsg_len > size) {
    return InvalidArgument("nlmsg_len " + std::to_string(hdr->nlmsg_len) +
                           " larger than the datagram (" + std::to_string(size) + " bytes)");
  }
  // One frame per datagram: trailing bytes beyond the aligned message length
  // mean a second message or garbage.
  if (hdr->nlmsg_len < NLMSG_HDRLEN || NLMSG_ALIGN(hdr->nlmsg_len) < size) {
    return InvalidArgument("nlmsg_len " + std::to_string(hdr->nlmsg_len) +
                           " smaller than the datagram (" + std::to_string(size) + " bytes)");
  }
  if (hdr->nlmsg_type != kVhsmRequest && hdr->nlmsg_type != kVhsmResponse) {
    return InvalidArgument("unknown netlink message type " + std::to_string(hdr->nlmsg_type));
  }
  Frame frame;
  frame.type = static_cast<FrameType>(hdr->nlmsg_type);
  frame.seq = hdr->nlmsg_seq;

  VHSM_RETURN_IF_ERROR(ReadAttributes(hdr, &frame));
  return frame;
}

}  // namespace vhsm::transport
