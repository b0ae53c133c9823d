// libvhsm's Client against vhsmd's serving loop, both in this process, over
// real netlink in this namespace: the Service, the Daemon and the Client as
// units, with libcrypto as the reference.
#include <random>
#include <thread>

#include "gtest/gtest.h"
#include "vhsm/api/admin.h"
#include "vhsm/api/client.h"
#include "vhsm/crypto/bytes.h"
#include "vhsm/crypto/hmac.h"
#include "vhsm/crypto/x25519.h"
#include "vhsm/server/daemon.h"
#include "vhsm/server/login_throttle.h"
#include "vhsm/server/request_scheduler.h"
#include "vhsm/server/resource_ledger.h"
#include "vhsm/server/service.h"
#include "vhsm/server/session.h"
#include "vhsm/storage/sqlite_record_store.h"
#include "vhsm/storage/vault.h"
#include "vhsm/testing/test_util.h"
#include "vhsm/transport/listener.h"

namespace vhsm {
namespace {

class ClientDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = 0x70000000u | (std::random_device{}() & 0x0fffffffu);
    store_ = std::move(storage::SqliteRecordStore::Open(testing::MakeTempDir() + "/s.db")).value();
    ASSERT_TRUE(store_->PutContainer({transport::kHostContainer, "", 0}).ok());
    storage::VaultOptions vo;
    vo.pbkdf2_iterations = 1000;
    vault_ = std::make_unique<storage::Vault>(store_.get(), vo);
    ASSERT_TRUE(vault_->CreateUser("host", "alice", "pw").ok());
    identity_ = std::move(crypto::X25519KeyPair::Generate()).value();
    auto listener = transport::Listener::Create(port_);
    ASSERT_TRUE(listener.ok()) << listener.status().ToString();
    listener_ = std::move(listener).value();
    server::ServiceDeps deps;
    deps.identity = &*identity_;
    deps.vault = vault_.get();
    deps.sessions = &sessions_;
    deps.listener = listener_.get();
    deps.ledger = &ledger_;
    deps.throttle = &throttle_;
    service_ = std::make_unique<server::Service>(deps, server::ServiceOptions{});
    daemon_ = std::make_unique<server::Daemon>(listener_.get(), service_.get(), &sessions_,
                                               &scheduler_, 2);
    thread_ = std::thread([this] { daemon_->Run(); });
    options_.port_id = port_;
    options_.server_key = crypto::Base64Encode(identity_->public_key());
  }
  void TearDown() override {
    daemon_->Stop();
    thread_.join();
  }
  std::unique_ptr<Client> LoggedIn() {
    auto c = Client::Connect(options_);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_TRUE((*c)->Login("alice", "pw").ok());
    return std::move(c).value();
  }

  uint32_t port_ = 0;
  std::unique_ptr<storage::SqliteRecordStore> store_;
  std::unique_ptr<storage::Vault> vault_;
  server::ResourceLedger ledger_{server::ResourceLimits{}};
  server::SessionManager sessions_{server::SessionManager::Limits{}, &ledger_};
  server::LoginThrottle throttle_{server::ThrottleOptions{}};
  server::RequestScheduler scheduler_{server::SchedulerOptions{}, &ledger_};
  std::optional<crypto::X25519KeyPair> identity_;
  std::unique_ptr<transport::Listener> listener_;
  std::unique_ptr<server::Service> service_;
  std::unique_ptr<server::Daemon> daemon_;
  std::thread thread_;
  ClientOptions options_;
};

TEST_F(ClientDaemonTest, MacsMatchLibcryptoOneShotStreamedAndPipelined) {
  auto c = LoggedIn();
  const std::string key(32, 'k');
  ASSERT_TRUE(c->ImportKey("hmac-sha256", "k", key).ok());
  for (size_t n : {0, 64, 70000, 300000}) {
    std::string data(n, 'd');
    auto mac = c->Mac("k", data);
    ASSERT_TRUE(mac.ok()) << mac.status().ToString();
    EXPECT_EQ(*mac, *crypto::ComputeHmac(crypto::DigestAlg::kSha256, key, data)) << n;
  }
  std::vector<std::string> messages;
  for (int i = 0; i < 100; ++i) messages.push_back(std::string(i, 'm'));
  auto macs = c->MacPipelined("k", messages);
  ASSERT_TRUE(macs.ok());
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ((*macs)[i], *crypto::ComputeHmac(crypto::DigestAlg::kSha256, key, messages[i]));
  }
}

TEST_F(ClientDaemonTest, ListsPageAndTheClientReconnectsAfterExpiry) {
  auto c = LoggedIn();
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(c->GenerateKey("aes-256", "key-" + std::to_string(1000 + i)).ok());
  }
  auto keys = c->ListKeys();
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 300u);  // more than one page (256)
  EXPECT_EQ(keys->back().id, "key-1299");
  // The daemon forgets every session (as after a restart or an expiry): the
  // next call re-opens the channel and logs in again, once, transparently.
  sessions_.CloseAll();
  auto again = c->ListKeys();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->size(), 300u);
}

TEST_F(ClientDaemonTest, AnotherDaemonKeyIsRefusedBeforeAnythingIsSent) {
  ClientOptions wrong = options_;
  wrong.server_key = crypto::Base64Encode(crypto::X25519KeyPair::Generate()->public_key());
  auto c = Client::Connect(wrong);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(c.status().message().find("not authenticated"), std::string::npos);
  EXPECT_EQ(sessions_.size(), 0u);
}

TEST_F(ClientDaemonTest, AdministrationNeedsRootOnTheHost) {
  auto admin = Admin::Connect(options_);
  ASSERT_TRUE(admin.ok());
  Status s = (*admin)->AddUser("host", "bob", "pw2");
  if (getuid() == 0) {
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(*(*admin)->ListUsers("host"), (std::vector<std::string>{"alice", "bob"}));
  } else {
    EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  }
}

}  // namespace
}  // namespace vhsm
