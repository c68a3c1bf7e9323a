// ColumnFlags: one flag per column, in one word up to 64 columns and in several beyond.

#include <tabula/detail/column_flags.hpp>

#include <gtest/gtest.h>

namespace tabula::detail {
namespace {

TEST(ColumnFlagsTest, SetTestAndResetAcrossWordBoundaries) {
  for (std::size_t columns : {1u, 5u, 64u, 65u, 130u, 1000u}) {
    ColumnFlags flags(columns);
    EXPECT_EQ(flags.size(), columns);
    for (std::size_t i = 0; i < columns; i += 3) flags.set(i);
    for (std::size_t i = 0; i < columns; ++i)
      EXPECT_EQ(flags[i], i % 3 == 0) << columns << ":" << i;
    ColumnFlags copy = flags;
    flags.reset(0);
    flags.set(columns - 1, false);
    EXPECT_FALSE(flags.test(0));
    EXPECT_FALSE(flags.test(columns - 1));
    EXPECT_TRUE(copy.test(0)) << "a copy has its own flags";
    EXPECT_NE(copy, flags);
    flags.set(0);
    if ((columns - 1) % 3 == 0) flags.set(columns - 1);
    EXPECT_EQ(copy, flags);
  }
}

}  // namespace
}  // namespace tabula::detail
