#include "vhsm/api/credentials.h"

#include <stdlib.h>

#include "gtest/gtest.h"
#include "vhsm/testing/test_util.h"

namespace vhsm {
namespace {

TEST(CredentialsTest, OneLineEndingRuleForEveryone) {
  std::string dir = testing::MakeTempDir();
  const std::pair<std::string, std::string> cases[] = {
      {"pw", "pw"},     {"pw\n", "pw"},     {"pw\r\n", "pw"},   {"pw \n", "pw "},
      {"pw\r", "pw\r"}, {"pw\n\n", "pw\n"}, {"p w\r\n", "p w"}, {"\xff\x01\n", "\xff\x01"},
  };
  for (const auto& [content, want] : cases) {
    testing::WriteFile(dir + "/pw", content);
    Result<std::string> got = ReadPasswordFile(dir + "/pw");
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, want);
  }
  testing::WriteFile(dir + "/empty", "\n");
  EXPECT_EQ(ReadPasswordFile(dir + "/empty").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadPasswordFile(dir + "/missing").status().code(), StatusCode::kNotFound);
}

TEST(CredentialsTest, EnvironmentPasswordThenFile) {
  std::string dir = testing::MakeTempDir();
  testing::WriteFile(dir + "/pw", "from-file\r\n");
  unsetenv("VHSM_PASSWORD");
  unsetenv("VHSM_PASSWORD_FILE");
  EXPECT_FALSE(PasswordFromEnvironment().has_value());
  setenv("VHSM_PASSWORD_FILE", (dir + "/pw").c_str(), 1);
  EXPECT_EQ(**PasswordFromEnvironment(), "from-file");
  setenv("VHSM_PASSWORD", "from-env", 1);
  EXPECT_EQ(**PasswordFromEnvironment(), "from-env");
}

}  // namespace
}  // namespace vhsm
