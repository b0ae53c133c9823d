#include "vhsm/noise/noise_nk.h"

#include "gtest/gtest.h"
#include "vhsm/crypto/constant_time.h"
#include "vhsm/testing/test_util.h"

namespace vhsm::noise {
namespace {

using crypto::Bytes;
using crypto::ByteView;
using testing::Hex;

Bytes Plain(const crypto::SecretBytes& s) { return Bytes(s.data(), s.data() + s.size()); }

// The cacophony vector, byte for byte: both handshake messages, the
// handshake hash, and the transport messages that follow in turn
// (initiator, responder, initiator, ...), each direction counting from 0.
TEST(NoiseNkTest, CacophonyVector) {
  auto doc = testing::LoadJson("vhsm/noise/testdata/noise_nk_cacophony.json");
  const auto& v = doc["vectors"][0];
  ASSERT_EQ(v["protocol_name"], kProtocolName);
  auto resp_static = crypto::X25519KeyPair::FromPrivate(Hex(v["resp_static"]));
  ASSERT_TRUE(resp_static.ok());
  Bytes init_e = Hex(v["init_ephemeral"]), resp_e = Hex(v["resp_ephemeral"]);
  auto init =
      Handshake::Initiator(Hex(v["init_remote_static"]), Hex(v["init_prologue"]), ByteView(init_e));
  auto resp = Handshake::Responder(*resp_static, Hex(v["resp_prologue"]), ByteView(resp_e));
  ASSERT_TRUE(init.ok() && resp.ok());
  ASSERT_EQ(resp_static->public_key(), Hex(v["init_remote_static"]));
  const auto& msgs = v["messages"];

  auto m1 = init->WriteMessage1(Hex(msgs[0]["payload"]));
  ASSERT_TRUE(m1.ok());
  EXPECT_EQ(testing::ToHex(*m1), msgs[0]["ciphertext"]);
  auto p1 = resp->ReadMessage1(*m1);
  ASSERT_TRUE(p1.ok());
  EXPECT_EQ(Plain(*p1), Hex(msgs[0]["payload"]));

  auto m2 = resp->WriteMessage2(Hex(msgs[1]["payload"]));
  ASSERT_TRUE(m2.ok());
  EXPECT_EQ(testing::ToHex(*m2), msgs[1]["ciphertext"]);
  auto p2 = init->ReadMessage2(*m2);
  ASSERT_TRUE(p2.ok());
  EXPECT_EQ(Plain(*p2), Hex(msgs[1]["payload"]));
  EXPECT_EQ(testing::ToHex(init->handshake_hash()), v["handshake_hash"]);
  EXPECT_EQ(init->handshake_hash(), resp->handshake_hash());

  auto ik = init->Split();
  auto rk = resp->Split();
  ASSERT_TRUE(ik.ok() && rk.ok());
  uint64_t n_init = 0, n_resp = 0;
  for (size_t i = 2; i < msgs.size(); ++i) {
    bool from_initiator = i % 2 == 0;
    CipherState& send = from_initiator ? ik->send : rk->send;
    CipherState& recv = from_initiator ? rk->receive : ik->receive;
    uint64_t& n = from_initiator ? n_init : n_resp;
    auto ct = send.Seal(n, ByteView(), Hex(msgs[i]["payload"]));
    ASSERT_TRUE(ct.ok());
    EXPECT_EQ(testing::ToHex(*ct), msgs[i]["ciphertext"]) << "message " << i;
    auto pt = recv.Open(n, ByteView(), *ct);
    ASSERT_TRUE(pt.ok());
    EXPECT_EQ(Plain(*pt), Hex(msgs[i]["payload"]));
    ++n;
  }
}

struct Pair {
  TransportKeys client, server;
};

Pair Connect() {
  auto server_key = crypto::X25519KeyPair::Generate();
  auto init = Handshake::Initiator(server_key->public_key(), "vhsm");
  auto resp = Handshake::Responder(*server_key, "vhsm");
  auto m1 = init->WriteMessage1(ByteView());
  EXPECT_TRUE(resp->ReadMessage1(*m1).ok());
  auto m2 = resp->WriteMessage2("session");
  EXPECT_TRUE(init->ReadMessage2(*m2).ok());
  return Pair{std::move(init->Split()).value(), std::move(resp->Split()).value()};
}

TEST(NoiseNkTest, WrongServerKeyFailsTheHandshake) {
  auto real = crypto::X25519KeyPair::Generate();
  auto squatter = crypto::X25519KeyPair::Generate();
  auto init = Handshake::Initiator(real->public_key(), "vhsm");
  auto resp = Handshake::Responder(*squatter, "vhsm");
  auto m1 = init->WriteMessage1(ByteView());
  // The squatter cannot even read the first message's (empty) payload tag...
  EXPECT_EQ(resp->ReadMessage1(*m1).status().code(), StatusCode::kDataLoss);
  // ...and whatever it answers does not authenticate.
  auto fresh = Handshake::Responder(*squatter, "vhsm");
  auto m1b = Handshake::Initiator(squatter->public_key(), "vhsm")->WriteMessage1(ByteView());
  ASSERT_TRUE(fresh->ReadMessage1(*m1b).ok());
  auto forged = fresh->WriteMessage2("session");
  EXPECT_EQ(init->ReadMessage2(*forged).status().code(), StatusCode::kDataLoss);
}

TEST(NoiseNkTest, TransportRefusesReplayReorderReflectionAndBitFlips) {
  Pair p = Connect();
  TransportReceiver server_in, client_in;
  auto c0 = p.client.send.Seal(0, "sid", "first");
  auto c1 = p.client.send.Seal(1, "sid", "second");
  auto c2 = p.client.send.Seal(2, "sid", "third");
  ASSERT_TRUE(server_in.Open(p.server.receive, 0, "sid", *c0).ok());
  ASSERT_TRUE(server_in.Open(p.server.receive, 2, "sid", *c2).ok());   // a gap is a loss
  EXPECT_FALSE(server_in.Open(p.server.receive, 1, "sid", *c1).ok());  // reordered
  EXPECT_FALSE(server_in.Open(p.server.receive, 2, "sid", *c2).ok());  // replayed
  // Reflected back to the client: the other direction's key does not open it.
  auto c3 = p.client.send.Seal(3, "sid", "fourth");
  EXPECT_FALSE(client_in.Open(p.client.receive, 3, "sid", *c3).ok());
  // One flipped bit, or another session id as AD: refused.
  Bytes flipped = *c3;
  flipped[2] ^= 1;
  EXPECT_FALSE(server_in.Open(p.server.receive, 3, "sid", flipped).ok());
  EXPECT_FALSE(server_in.Open(p.server.receive, 3, "other", *c3).ok());
  EXPECT_TRUE(server_in.Open(p.server.receive, 3, "sid", *c3).ok());
}

TEST(NoiseNkTest, OutOfOrderCallsAreRefused) {
  auto key = crypto::X25519KeyPair::Generate();
  auto init = Handshake::Initiator(key->public_key(), "p");
  EXPECT_EQ(init->Split().status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(init->WriteMessage2(ByteView()).status().code(), StatusCode::kFailedPrecondition);
  auto resp = Handshake::Responder(*key, "p");
  EXPECT_EQ(resp->ReadMessage1(Bytes(10)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Handshake::Initiator(Bytes(31), "p").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vhsm::noise
