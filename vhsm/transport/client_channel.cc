#include "vhsm/transport/client_channel.h"

#include <chrono>

#include "vhsm/transport/frame.h"

namespace vhsm::transport {

Result<std::unique_ptr<ClientChannel>> ClientChannel::Create(const Options& options) {
  VHSM_ASSIGN_OR_RETURN(std::unique_ptr<NetlinkSocket> socket,
                        NetlinkSocket::Create(0, /*pass_creds=*/false));
  socket->SetBufferSizes(1 << 20);
  return std::unique_ptr<ClientChannel>(new ClientChannel(options, std::move(socket)));
}

Result<uint32_t> ClientChannel::Send(std::string_view payload) {
  uint32_t seq = next_seq_++;
  if (next_seq_ == 0) next_seq_ = 1;
  VHSM_ASSIGN_OR_RETURN(FrameEncoder::Encoded frame,
                        encoder_.Encode(FrameType::kRequest, seq, payload.data(), payload.size()));
  Status sent = socket_->SendTo(options_.server_port, frame.data, frame.size);
  encoder_.Wipe();  // the frame may hold a password or key material
  VHSM_RETURN_IF_ERROR(sent);
  return seq;
}

Result<std::string> ClientChannel::Receive(uint32_t seq) {
  auto early = early_.find(seq);
  if (early != early_.end()) {
    std::string payload = std::move(early->second);
    early_.erase(early);
    return payload;
  }
  using Clock = std::chrono::steady_clock;
  auto deadline = Clock::now() + std::chrono::milliseconds(options_.timeout_ms);
  for (bool first = true;; first = false) {
    // The whole timeout the first time (the socket keeps it set between
    // calls), what is left of it after a datagram that was not the reply.
    auto left = first
                    ? options_.timeout_ms
                    : std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now())
                          .count();
    if (left <= 0) left = 1;
    Result<Datagram> d = socket_->Receive(kMaxFrameSize, static_cast<int>(left));
    if (!d.ok()) {
      if (d.status().code() == StatusCode::kDeadlineExceeded) {
        return DeadlineExceeded("vhsmd did not answer within " +
                                std::to_string(options_.timeout_ms) + " ms");
      }
      return d.status();
    }
    if (d->sender_port != options_.server_port || d->real_size > kMaxFrameSize) {
      continue;  // not from the daemon, or not a frame we accept
    }
    Result<Frame> frame = DecodeFrame(d->data.data(), d->data.size());
    WipeDatagram(&*d);  // a decrypted plaintext may be in there
    if (!frame.ok() || frame->type != FrameType::kResponse) continue;
    if (frame->seq == seq) return std::move(frame->payload);
    early_[frame->seq] = std::move(frame->payload);
  }
}

Result<std::string> ClientChannel::Call(std::string_view payload) {
  VHSM_ASSIGN_OR_RETURN(uint32_t seq, Send(payload));
  return Receive(seq);
}

}  // namespace vhsm::transport
