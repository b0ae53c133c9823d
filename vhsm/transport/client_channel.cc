#include "vhsm/transport/client_channel.h"

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "vhsm/base/monotonic.h"
#include "vhsm/transport/frame.h"

namespace vhsm::transport {

Result<std::unique_ptr<ClientChannel>> ClientChannel::Create(const Options& options) {
  VHSM_ASSIGN_OR_RETURN(std::unique_ptr<NetlinkSocket> socket,
                        NetlinkSocket::Create(0, /*pass_creds=*/false));
  socket->SetBufferSizes(1 << 20);
  return std::unique_ptr<ClientChannel>(new ClientChannel(options, std::move(socket)));
}

ClientChannel::ClientChannel(const Options& options, std::unique_ptr<NetlinkSocket> socket)
    : options_(options), socket_(std::move(socket)) {
  int spin_us = options.spin_us;
  if (spin_us < 0) {
    const char* env = std::getenv("VHSM_SPIN_US");
    spin_us = env != nullptr ? std::atoi(env) : 100;
  }
  spin_ns_ = std::clamp(spin_us, 0, 10000) * int64_t{1000};
}

Result<uint32_t> ClientChannel::Send(std::string_view payload) {
  uint32_t seq = next_seq_++;
  if (next_seq_ == 0) next_seq_ = 1;
  VHSM_ASSIGN_OR_RETURN(FrameEncoder::Encoded frame,
                        encoder_.Encode(FrameType::kRequest, seq, payload.data(), payload.size()));
  Status sent = socket_->SendTo(options_.server_port, frame.data, frame.size);
  encoder_.Wipe();  // the frame may hold a password or key material
  VHSM_RETURN_IF_ERROR(sent);
  if (spin_ns_ > 0) last_send_ns_ = MonotonicNs();
  return seq;
}

std::optional<std::string> ClientChannel::Take(Datagram& d, uint32_t seq) {
  if (d.sender_port != options_.server_port || d.real_size > kMaxFrameSize) {
    return std::nullopt;  // not from the daemon, or not a frame we accept
  }
  Result<Frame> frame = DecodeFrame(d.data.data(), d.data.size());
  WipeDatagram(&d);  // a decrypted plaintext may be in there
  if (!frame.ok() || frame->type != FrameType::kResponse) return std::nullopt;
  if (frame->seq == seq) return std::move(frame->payload);
  early_[frame->seq] = std::move(frame->payload);
  return std::nullopt;
}

std::optional<std::string> ClientChannel::Spin(uint32_t seq) {
  const int64_t start = MonotonicNs();
  do {
    Result<Datagram> d = socket_->Receive(kMaxFrameSize, 0);
    if (d.ok()) {
      std::optional<std::string> reply = Take(*d, seq);
      if (reply) return reply;
    } else if (d.status().code() != StatusCode::kDeadlineExceeded) {
      return std::nullopt;  // the blocking receive reports it
    }
    sched_yield();  // anything runnable here (vhsmd, say) goes first
  } while (MonotonicNs() - start < spin_ns_);
  return std::nullopt;
}

Result<std::string> ClientChannel::Receive(uint32_t seq, bool may_spin) {
  auto early = early_.find(seq);
  if (early != early_.end()) {
    std::string payload = std::move(early->second);
    early_.erase(early);
    return payload;
  }
  std::optional<std::string> reply;
  if (may_spin && spin_ns_ > 0 && reply_ns_ < spin_ns_) reply = Spin(seq);
  using Clock = std::chrono::steady_clock;
  auto deadline = Clock::now() + std::chrono::milliseconds(options_.timeout_ms);
  for (bool first = true; !reply; first = false) {
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
    reply = Take(*d, seq);
  }
  if (spin_ns_ > 0 && may_spin) {
    // What the next call's spin decision goes by: 7/8 of the old average.
    reply_ns_ += (MonotonicNs() - last_send_ns_ - reply_ns_) / 8;
  }
  return std::move(*reply);
}

Result<std::string> ClientChannel::Call(std::string_view payload) {
  VHSM_ASSIGN_OR_RETURN(uint32_t seq, Send(payload));
  return Receive(seq, /*may_spin=*/false);  // opening a session: a handshake on a worker
}

}  // namespace vhsm::transport
