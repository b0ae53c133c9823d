// Crash safety: a child process stores keys as fast as it can and reports
// each acknowledged id to the parent through a pipe; the parent SIGKILLs it
// at a random moment. Reopening must pass the integrity check, and every
// acknowledged key must be present and decrypt to its exact material.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <random>
#include <set>
#include <thread>

#include "gtest/gtest.h"
#include "vhsm/crypto/digest.h"
#include "vhsm/storage/sqlite_record_store.h"
#include "vhsm/storage/vault.h"
#include "vhsm/testing/test_util.h"

namespace vhsm::storage {
namespace {

constexpr int kRepetitions = 25;

crypto::Bytes MaterialFor(const std::string& id) {
  return *crypto::ComputeDigest(crypto::DigestAlg::kSha256, "material of " + id);
}

VaultOptions FastOptions() {
  VaultOptions o;
  o.pbkdf2_iterations = 1000;
  return o;
}

// Child body: never returns.
[[noreturn]] void StoreForever(const std::string& path, int rep, int out_fd) {
  auto store = SqliteRecordStore::Open(path);
  if (!store.ok()) _exit(3);
  Vault vault(store->get(), FastOptions());
  auto master = vault.Login("ct", "alice", "pw");
  if (!master.ok()) _exit(4);
  for (int i = 0;; ++i) {
    std::string id = "r" + std::to_string(rep) + "-k" + std::to_string(i);
    if (!vault.PutKey({"ct", "alice"}, *master, id, "aes-256", 6, MaterialFor(id)).ok()) {
      _exit(5);
    }
    std::string line = id + "\n";  // acknowledged: the call returned OK
    if (write(out_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
      _exit(6);
    }
  }
}

TEST(CrashTest, AcknowledgedKeysSurviveSigkill) {
  std::string dir = vhsm::testing::MakeTempDir();
  std::string path = dir + "/crash.db";
  {
    auto store = SqliteRecordStore::Open(path);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->PutContainer({"ct", "", 0}).ok());
    Vault vault(store->get(), FastOptions());
    ASSERT_TRUE(vault.CreateUser("ct", "alice", "pw").ok());
  }
  std::mt19937 rng(std::random_device{}());
  std::set<std::string> acknowledged;
  int total_killed_mid_write = 0;
  for (int rep = 0; rep < kRepetitions; ++rep) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    std::fflush(nullptr);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      StoreForever(path, rep, fds[1]);
    }
    close(fds[1]);
    int delay_ms = 5 + static_cast<int>(rng() % 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with " << WEXITSTATUS(status);
    std::string acked;
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof(buf))) > 0) acked.append(buf, n);
    close(fds[0]);
    size_t start = 0, nl;
    int this_rep = 0;
    while ((nl = acked.find('\n', start)) != std::string::npos) {
      acknowledged.insert(acked.substr(start, nl - start));
      start = nl + 1;
      ++this_rep;
    }
    if (start != acked.size()) ++total_killed_mid_write;  // a torn report line

    // Reopen: integrity check passes, every acknowledged key decrypts.
    auto store = SqliteRecordStore::Open(path);
    ASSERT_TRUE(store.ok()) << "rep " << rep << ": " << store.status().ToString();
    Vault vault(store->get(), FastOptions());
    auto master = vault.Login("ct", "alice", "pw");
    ASSERT_TRUE(master.ok());
    for (const std::string& id : acknowledged) {
      Result<OpenedKey> k = vault.GetKey({"ct", "alice"}, *master, id);
      ASSERT_TRUE(k.ok()) << "rep " << rep << " lost acknowledged key " << id << ": "
                          << k.status().ToString();
      crypto::Bytes want = MaterialFor(id);
      ASSERT_EQ(crypto::Bytes(k->material.data(), k->material.data() + k->material.size()), want);
    }
    std::printf("rep %d: killed after %d ms, %d keys acknowledged this run, %zu in all\n", rep,
                delay_ms, this_rep, acknowledged.size());
  }
  EXPECT_GT(acknowledged.size(), static_cast<size_t>(kRepetitions));
  std::printf("%d repetitions, %zu acknowledged keys verified, %d torn reports\n", kRepetitions,
              acknowledged.size(), total_killed_mid_write);
}

}  // namespace
}  // namespace vhsm::storage
