// make_corpus OUT_DIR: writes the seed corpora: one valid Request per
// operation (request_corpus/) and one frame per request (frame_corpus/).
// Run by hand when the protocol changes:
//   bazel run //fuzz:make_corpus -- $PWD/fuzz
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "vhsm/proto/vhsm.pb.h"
#include "vhsm/transport/frame.h"

using vhsm::proto::Request;

namespace {

void Write(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary) << data;
}

}  // namespace

using Fill = std::function<void(Request&)>;
using Add = std::function<void(Fill, bool)>;

// Seeds: one valid request per operation, by family; add(fill, session)
// makes one (session: with a session id).
void SessionAndKeySeeds(const Add& add) {
  add([](Request& r) { r.mutable_open_session(); }, false);
  add([](Request& r) { r.mutable_close_session(); }, true);
  add(
      [](Request& r) {
        r.mutable_login()->set_user("alice");
        r.mutable_login()->set_password("pw");
      },
      true);
  add([](Request& r) { r.mutable_logout(); }, true);
  add(
      [](Request& r) {
        r.mutable_key_generate()->set_type(vhsm::proto::EC_P256);
        r.mutable_key_generate()->set_id("k1");
      },
      true);
  add(
      [](Request& r) {
        r.mutable_key_import()->set_type(vhsm::proto::HMAC_SHA256);
        r.mutable_key_import()->set_material("0123456789abcdef");
      },
      true);
  add([](Request& r) { r.mutable_key_delete()->set_id("k1"); }, true);
  add([](Request& r) { r.mutable_key_list(); }, true);
  add([](Request& r) { r.mutable_key_info()->set_id("k1"); }, true);
  add([](Request& r) { r.mutable_key_public()->set_id("k1"); }, true);
}

void CryptoSeeds(const Add& add) {
  add([](Request& r) { r.mutable_digest_init()->set_algorithm(vhsm::proto::SHA256); }, true);
  add(
      [](Request& r) {
        r.mutable_digest_update()->set_context_id(1);
        r.mutable_digest_update()->set_data("data");
      },
      true);
  add([](Request& r) { r.mutable_digest_final()->set_context_id(1); }, true);
  add(
      [](Request& r) {
        r.mutable_digest()->set_algorithm(vhsm::proto::SHA512);
        r.mutable_digest()->set_data("abc");
      },
      true);
  add([](Request& r) { r.mutable_mac_init()->set_key_id("k1"); }, true);
  add(
      [](Request& r) {
        r.mutable_mac_update()->set_context_id(2);
        r.mutable_mac_update()->set_data("x");
      },
      true);
  add([](Request& r) { r.mutable_mac_final()->set_context_id(2); }, true);
  add(
      [](Request& r) {
        r.mutable_mac()->set_key_id("k1");
        r.mutable_mac()->set_data("hello");
      },
      true);
  add(
      [](Request& r) {
        r.mutable_encrypt()->set_key_id("a");
        r.mutable_encrypt()->set_plaintext("p");
        r.mutable_encrypt()->set_aad("x");
      },
      true);
  add(
      [](Request& r) {
        r.mutable_decrypt()->set_key_id("a");
        r.mutable_decrypt()->set_ciphertext(std::string(40, 'c'));
      },
      true);
  add(
      [](Request& r) {
        r.mutable_sign()->set_key_id("e");
        r.mutable_sign()->set_message("m");
        r.mutable_sign()->set_prehashed(true);
      },
      true);
  add(
      [](Request& r) {
        r.mutable_verify()->set_key_id("e");
        r.mutable_verify()->set_message("m");
        r.mutable_verify()->set_signature("s");
      },
      true);
}

void AdminSeeds(const Add& add) {
  add(
      [](Request& r) {
        r.mutable_container_attach()->set_name("ct1");
        r.mutable_container_attach()->set_netns_path("/proc/1/ns/net");
      },
      false);
  add([](Request& r) { r.mutable_container_detach()->set_name("ct1"); }, false);
  add([](Request& r) { r.mutable_container_list(); }, false);
  add(
      [](Request& r) {
        r.mutable_user_add()->set_container("ct1");
        r.mutable_user_add()->set_user("u");
        r.mutable_user_add()->set_password("p");
      },
      false);
  add(
      [](Request& r) {
        r.mutable_user_delete()->set_container("ct1");
        r.mutable_user_delete()->set_user("u");
      },
      false);
  add([](Request& r) { r.mutable_user_list()->set_container("ct1"); }, false);
  add(
      [](Request& r) {
        auto* p = r.mutable_user_password();
        p->set_container("c");
        p->set_user("u");
        p->set_old_password("a");
        p->set_new_password("b");
      },
      false);
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_corpus OUT_DIR\n");
    return 2;
  }
  std::string out = argv[1];
  mkdir((out + "/request_corpus").c_str(), 0755);
  mkdir((out + "/frame_corpus").c_str(), 0755);
  std::string sid(16, '\x5a');
  std::vector<Request> reqs;
  Add add = [&](Fill fill, bool session) {
    Request r;
    r.set_request_id(reqs.size() + 1);
    if (session) r.set_session_id(sid);
    fill(r);
    reqs.push_back(r);
  };
  SessionAndKeySeeds(add);
  CryptoSeeds(add);
  AdminSeeds(add);
  for (size_t i = 0; i < reqs.size(); ++i) {
    std::string payload = reqs[i].SerializeAsString();
    Write(out + "/request_corpus/op" + std::to_string(i), payload);
    vhsm::transport::Frame f;
    f.seq = static_cast<uint32_t>(i + 1);
    f.payload = payload;
    auto bytes = vhsm::transport::EncodeFrame(f);
    Write(out + "/frame_corpus/op" + std::to_string(i), std::string(bytes->begin(), bytes->end()));
  }
  std::printf("wrote %zu requests and frames\n", reqs.size());
  return 0;
}
