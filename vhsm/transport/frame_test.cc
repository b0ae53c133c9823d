#include "vhsm/transport/frame.h"

#include <linux/netlink.h>

#include <cstring>
#include <random>

#include "gtest/gtest.h"

namespace vhsm::transport {
namespace {

std::vector<uint8_t> Encode(const Frame& f) {
  Result<std::vector<uint8_t>> r = EncodeFrame(f);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::vector<uint8_t>();
}

std::string ErrorOf(const std::vector<uint8_t>& b) {
  Result<Frame> r = DecodeFrame(b.data(), b.size());
  return r.ok() ? "ok" : r.status().message();
}

nlmsghdr* Header(std::vector<uint8_t>& b) { return reinterpret_cast<nlmsghdr*>(b.data()); }

// Appends a raw attribute (type, payload) and fixes nlmsg_len.
void AppendAttr(std::vector<uint8_t>& b, uint16_t type, const std::string& data) {
  nlattr a{static_cast<uint16_t>(NLA_HDRLEN + data.size()), type};
  size_t at = b.size();
  b.resize(at + NLA_ALIGN(a.nla_len));
  std::memcpy(b.data() + at, &a, sizeof(a));
  std::memcpy(b.data() + at + NLA_HDRLEN, data.data(), data.size());
  Header(b)->nlmsg_len = static_cast<uint32_t>(b.size());
}

std::vector<uint8_t> HeaderOnly(uint16_t type) {
  std::vector<uint8_t> b(NLMSG_HDRLEN);
  nlmsghdr h{};
  h.nlmsg_len = NLMSG_HDRLEN;
  h.nlmsg_type = type;
  h.nlmsg_seq = 9;
  std::memcpy(b.data(), &h, sizeof(h));
  return b;
}

TEST(FrameTest, RoundTripKeepsEverything) {
  for (size_t size :
       {size_t{0}, size_t{1}, size_t{3}, size_t{4}, size_t{5}, size_t{1000}, kMaxPayloadSize}) {
    Frame f;
    f.type = size % 2 ? FrameType::kResponse : FrameType::kRequest;
    f.seq = 0xdeadbeef - static_cast<uint32_t>(size);
    f.payload.assign(size, '\0');
    for (size_t i = 0; i < size; ++i) f.payload[i] = static_cast<char>(i * 7);
    std::vector<uint8_t> bytes = Encode(f);
    ASSERT_LE(bytes.size(), kMaxFrameSize);
    Result<Frame> back = DecodeFrame(bytes.data(), bytes.size());
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->type, f.type);
    EXPECT_EQ(back->seq, f.seq);
    EXPECT_EQ(back->version, kProtocolVersion);
    EXPECT_EQ(back->payload, f.payload);
    uint32_t seq = 0;
    ASSERT_TRUE(PeekSeq(bytes.data(), bytes.size(), &seq));
    EXPECT_EQ(seq, f.seq);
  }
}

TEST(FrameTest, OversizedPayloadIsRefusedOnEncode) {
  Frame f;
  f.payload.assign(kMaxPayloadSize + 1, 'x');
  EXPECT_EQ(EncodeFrame(f).status().code(), StatusCode::kInvalidArgument);
}

TEST(FrameTest, EachMalformationHasItsOwnError) {
  Frame f;
  f.payload = "hello";
  std::vector<uint8_t> good = Encode(f);
  EXPECT_EQ(ErrorOf(good), "ok");

  std::vector<uint8_t> truncated(good.begin(), good.begin() + 10);
  EXPECT_NE(ErrorOf(truncated).find("truncated netlink header"), std::string::npos);

  std::vector<uint8_t> cut(good.begin(), good.end() - 4);
  EXPECT_NE(ErrorOf(cut).find("larger than the datagram"), std::string::npos);

  std::vector<uint8_t> extra = good;
  extra.resize(good.size() + 32, 0);
  EXPECT_NE(ErrorOf(extra).find("smaller than the datagram"), std::string::npos);

  std::vector<uint8_t> tiny_len = good;
  Header(tiny_len)->nlmsg_len = 4;
  EXPECT_NE(ErrorOf(tiny_len).find("smaller than the datagram"), std::string::npos);

  std::vector<uint8_t> huge(kMaxFrameSize + 1, 0);
  EXPECT_NE(ErrorOf(huge).find("exceeds the limit"), std::string::npos);

  std::vector<uint8_t> bad_type = good;
  Header(bad_type)->nlmsg_type = NLMSG_ERROR;
  EXPECT_NE(ErrorOf(bad_type).find("unknown netlink message type"), std::string::npos);

  std::vector<uint8_t> no_payload = HeaderOnly(kVhsmRequest);
  AppendAttr(no_payload, 1, std::string("\x01\0\0\0", 4));
  EXPECT_EQ(ErrorOf(no_payload), "missing payload attribute");

  std::vector<uint8_t> no_version = HeaderOnly(kVhsmRequest);
  AppendAttr(no_version, 2, "abc");
  EXPECT_EQ(ErrorOf(no_version), "missing version attribute");

  std::vector<uint8_t> dup_payload = no_payload;
  AppendAttr(dup_payload, 2, "a");
  AppendAttr(dup_payload, 2, "b");
  EXPECT_EQ(ErrorOf(dup_payload), "duplicated payload attribute");

  std::vector<uint8_t> dup_version = no_version;
  AppendAttr(dup_version, 1, std::string("\x01\0\0\0", 4));
  AppendAttr(dup_version, 1, std::string("\x01\0\0\0", 4));
  EXPECT_EQ(ErrorOf(dup_version), "duplicated version attribute");

  std::vector<uint8_t> unknown_attr = no_payload;
  AppendAttr(unknown_attr, 7, "x");
  EXPECT_EQ(ErrorOf(unknown_attr), "unknown attribute type 7");

  std::vector<uint8_t> short_version = HeaderOnly(kVhsmRequest);
  AppendAttr(short_version, 1, "ab");
  EXPECT_NE(ErrorOf(short_version).find("version attribute of 2 bytes"), std::string::npos);

  std::vector<uint8_t> v2 = HeaderOnly(kVhsmRequest);
  AppendAttr(v2, 1, std::string("\x02\0\0\0", 4));
  AppendAttr(v2, 2, "x");
  EXPECT_NE(ErrorOf(v2).find("unsupported protocol version 2"), std::string::npos);

  // An attribute whose length runs past the message.
  std::vector<uint8_t> overrun = HeaderOnly(kVhsmRequest);
  AppendAttr(overrun, 1, std::string("\x01\0\0\0", 4));
  reinterpret_cast<nlattr*>(overrun.data() + NLMSG_HDRLEN)->nla_len = 200;
  EXPECT_NE(ErrorOf(overrun).find("malformed attribute"), std::string::npos);
}

TEST(FrameTest, RandomGarbageNeverCrashes) {
  std::mt19937 rng(1234);
  Frame f;
  f.payload = "some payload bytes";
  std::vector<uint8_t> good = Encode(f);
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> b = good;
    int flips = 1 + rng() % 4;
    for (int j = 0; j < flips; ++j) b[rng() % b.size()] = static_cast<uint8_t>(rng());
    if (rng() % 3 == 0) b.resize(rng() % (b.size() + 8));
    Result<Frame> r = DecodeFrame(b.data(), b.size());
    if (r.ok()) {
      EXPECT_LE(r->payload.size(), b.size());
    }
  }
}

}  // namespace
}  // namespace vhsm::transport
