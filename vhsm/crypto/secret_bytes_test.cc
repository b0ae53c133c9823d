#include "vhsm/crypto/secret_bytes.h"

#include <type_traits>

#include "gtest/gtest.h"

namespace vhsm::crypto {
namespace {

static_assert(!std::is_copy_constructible_v<SecretBytes>);
static_assert(!std::is_copy_assignable_v<SecretBytes>);
static_assert(std::is_nothrow_move_constructible_v<SecretBytes>);

TEST(SecretBytesTest, HoldsACopy) {
  Bytes src = {1, 2, 3};
  SecretBytes s(src);
  src[0] = 9;
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s.data()[0], 1);
}

TEST(SecretBytesTest, MoveEmptiesTheSource) {
  SecretBytes a(ByteView("secret"));
  SecretBytes b = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT: checking the moved-from state on purpose
  EXPECT_EQ(a.data(), nullptr);
  EXPECT_EQ(b.size(), 6u);
  SecretBytes c;
  c = std::move(b);
  EXPECT_TRUE(b.empty());  // NOLINT
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(c.data()), c.size()), "secret");
}

TEST(SecretBytesTest, CloneIsIndependent) {
  SecretBytes a(ByteView("abc"));
  SecretBytes b = a.Clone();
  b.data()[0] = 'x';
  EXPECT_EQ(a.data()[0], 'a');
}

TEST(SecretBytesTest, ShrinkWipesTheTail) {
  SecretBytes a(ByteView("abcdef"));
  const uint8_t* p = a.data();
  a.Shrink(2);
  EXPECT_EQ(a.size(), 2u);
  // The buffer stays allocated; the dropped tail must be zero now.
  for (int i = 2; i < 6; ++i) EXPECT_EQ(p[i], 0) << i;
  a.Shrink(10);  // growing is refused
  EXPECT_EQ(a.size(), 2u);
}

TEST(SecretBytesTest, WipeEmpties) {
  SecretBytes a(ByteView("abc"));
  a.Wipe();
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(a.data(), nullptr);
}

}  // namespace
}  // namespace vhsm::crypto
