#include "vhsm/server/request_log.h"

#include <gtest/gtest.h>
#include <stdio.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace vhsm::server {
namespace {

class RequestLogTest : public ::testing::Test {
 protected:
  void SetUp() override { out_ = tmpfile(); }
  void TearDown() override { fclose(out_); }
  std::vector<nlohmann::json> Lines() {
    std::vector<nlohmann::json> lines;
    fflush(out_);
    rewind(out_);
    char buf[8192];
    while (fgets(buf, sizeof(buf), out_) != nullptr) {
      lines.push_back(nlohmann::json::parse(buf));  // throws on a broken line
    }
    return lines;
  }
  LogOptions Options() {
    LogOptions o;
    o.now_ms = [this] { return now_.load(); };
    o.lines_per_second = 10;
    o.burst = 5;
    o.summary_ms = 1000;
    return o;
  }
  FILE* out_;
  std::atomic<int64_t> now_{1'000'000};
};

TEST_F(RequestLogTest, HostileNamesStayInsideOneLine) {
  {
    RequestLog log(out_, Options());
    LogEntry e;
    e.container = "ct1";
    e.user = "alice";
    e.op = "mac";
    e.key = "k\n{\"container\":\"host\",\"uid\":0,\"op\":\"user_add\",\"result\":\"ok\"}\n";
    e.result = "not_found";
    e.message = "no key \"x\"\r\n\x1b[2J";
    log.Write(e);
  }
  std::vector<nlohmann::json> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["container"], "ct1");
  EXPECT_EQ(lines[0]["op"], "mac");
  EXPECT_EQ(lines[0]["key"].get<std::string>().find('\n'), 1u);  // kept as data, escaped
}

TEST_F(RequestLogTest, RateLimitedPerContainerWithSummary) {
  {
    RequestLog log(out_, Options());
    for (int i = 0; i < 100; ++i) {
      LogEntry e;
      e.container = "noisy";
      e.op = "digest";
      e.result = "ok";
      log.Write(e);
    }
    LogEntry quiet;
    quiet.container = "quiet";
    quiet.op = "mac";
    quiet.result = "ok";
    log.Write(quiet);  // the noisy neighbour's flood does not silence it
    log.Flush();
    now_ += 1000;
  }
  int noisy = 0, quiet = 0;
  std::string summary;
  for (const auto& l : Lines()) {
    if (l.contains("suppressed")) {
      summary = l["notice"];
      EXPECT_EQ(l["container"], "noisy");
      EXPECT_EQ(l["suppressed"], 95);
    } else if (l["container"] == "noisy") {
      ++noisy;
    } else {
      ++quiet;
    }
  }
  EXPECT_EQ(noisy, 5);
  EXPECT_EQ(quiet, 1);
  EXPECT_EQ(summary, "95 lines suppressed");
}

}  // namespace
}  // namespace vhsm::server
