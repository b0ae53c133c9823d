#include "vhsm/server/request_validator.h"

#include "gtest/gtest.h"

namespace vhsm::server {
namespace {

proto::Request WithSession() {
  proto::Request r;
  r.set_session_id(std::string(16, 's'));
  return r;
}

TEST(RequestValidatorTest, AcceptsWellFormedRequests) {
  proto::Request open;
  open.mutable_open_session();
  EXPECT_TRUE(ValidateRequest(open).ok());
  proto::Request mac = WithSession();
  mac.mutable_mac()->set_key_id("k");
  EXPECT_TRUE(ValidateRequest(mac).ok());
  proto::Request gen = WithSession();
  gen.mutable_key_generate()->set_type(proto::EC_P256);
  EXPECT_TRUE(ValidateRequest(gen).ok());
  EXPECT_STREQ(OpName(gen), "key_generate");
}

TEST(RequestValidatorTest, RejectsMissingOperation) {
  Status s = ValidateRequest(WithSession());
  EXPECT_EQ(s.message(), "request names no operation");
}

TEST(RequestValidatorTest, RejectsMissingAndUnknownEnums) {
  proto::Request gen = WithSession();
  gen.mutable_key_generate();  // type left UNSPECIFIED
  EXPECT_NE(ValidateRequest(gen).message().find("missing request.key_generate.type"),
            std::string::npos);
  gen.mutable_key_generate()->set_type(static_cast<proto::KeyType>(77));
  EXPECT_NE(ValidateRequest(gen).message().find("unknown value 77"), std::string::npos);
  proto::Request d = WithSession();
  d.mutable_digest()->set_data("x");
  EXPECT_FALSE(ValidateRequest(d).ok());
}

// A signature's scheme and hash may be left 0 (the key type's own); any
// other zero enum is still missing, and unknown values still refused.
TEST(RequestValidatorTest, SignSchemeAndHashMayBeDefault) {
  proto::Request sign = WithSession();
  sign.mutable_sign()->set_key_id("k");
  EXPECT_TRUE(ValidateRequest(sign).ok());
  proto::Request verify = WithSession();
  verify.mutable_verify()->set_key_id("k");
  EXPECT_TRUE(ValidateRequest(verify).ok());
  sign.mutable_sign()->set_scheme(static_cast<proto::SignatureScheme>(9));
  EXPECT_NE(ValidateRequest(sign).message().find("unknown value 9"), std::string::npos);
  proto::Request derive = WithSession();
  derive.mutable_key_derive()->set_key_id("k");
  EXPECT_NE(ValidateRequest(derive).message().find("missing request.key_derive.new_type"),
            std::string::npos);
}

TEST(RequestValidatorTest, RejectsUnknownFieldsAtAnyDepth) {
  proto::Request mac = WithSession();
  mac.mutable_mac()->set_key_id("k");
  std::string bytes = mac.SerializeAsString();
  // Field 999 (varint) at the top level is in the reserved range.
  std::string top = bytes + std::string("\xb8\x3e\x01", 3);
  proto::Request parsed;
  ASSERT_TRUE(parsed.ParseFromString(top));
  EXPECT_NE(ValidateRequest(parsed).message().find("unknown field in request"), std::string::npos);
  // Field 15 inside MacRequest.
  proto::MacRequest inner;
  inner.set_key_id("k");
  std::string inner_bytes = inner.SerializeAsString() + std::string("\x78\x01", 2);
  proto::Request nested = WithSession();
  ASSERT_TRUE(nested.mutable_mac()->ParseFromString(inner_bytes));
  EXPECT_NE(ValidateRequest(nested).message().find("unknown field in request.mac"),
            std::string::npos);
}

TEST(RequestValidatorTest, SessionIdRules) {
  proto::Request mac;
  mac.mutable_mac()->set_key_id("k");
  EXPECT_NE(ValidateRequest(mac).message().find("16-byte session id"), std::string::npos);
  mac.set_session_id("short");
  EXPECT_FALSE(ValidateRequest(mac).ok());
  proto::Request open = WithSession();
  open.mutable_open_session();
  EXPECT_NE(ValidateRequest(open).message().find("takes no session id"), std::string::npos);
  proto::Request key = WithSession();
  key.mutable_server_key();
  EXPECT_NE(ValidateRequest(key).message().find("takes no session id"), std::string::npos);
  // Administration travels in a session's channel like everything else.
  proto::Request admin;
  admin.mutable_user_list()->set_container("ct");
  EXPECT_NE(ValidateRequest(admin).message().find("16-byte session id"), std::string::npos);
  admin.set_session_id(std::string(16, 's'));
  EXPECT_TRUE(ValidateRequest(admin).ok());
  EXPECT_TRUE(IsAdminOp(admin));
}

TEST(RequestValidatorTest, RejectsOverlongStrings) {
  proto::Request mac = WithSession();
  mac.mutable_mac()->set_key_id(std::string(5000, 'k'));
  EXPECT_NE(ValidateRequest(mac).message().find("longer than 4096"), std::string::npos);
}

}  // namespace
}  // namespace vhsm::server
