// ColumnFlags: one flag per column, in one word up to 64 columns and in several beyond.

#include <tabula/detail/column_flags.hpp>

#include <gtest/gtest.h>

#include <utility>

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

TEST(ColumnFlagsTest, MovesAndAssignmentsKeepTheFlagsAndLeaveTheSourceEmpty) {
  for (std::size_t columns : {5u, 64u, 65u, 1000u}) {
    ColumnFlags flags(columns);
    flags.set(columns - 1);
    ColumnFlags moved = std::move(flags);
    EXPECT_TRUE(moved.test(columns - 1));
    EXPECT_EQ(flags.size(), 0U);  // NOLINT(bugprone-use-after-move): moved-from state is empty
    ColumnFlags assigned(3);
    assigned = moved;  // a wide copy over a narrow one, and back
    EXPECT_EQ(assigned, moved);
    assigned = ColumnFlags(3);
    EXPECT_EQ(assigned.size(), 3U);
    EXPECT_FALSE(assigned.test(2));
    assigned = std::move(moved);
    EXPECT_TRUE(assigned.test(columns - 1));
    ColumnFlags& self = assigned;
    assigned = self;
    EXPECT_TRUE(assigned.test(columns - 1)) << "self-assignment keeps the flags";
    EXPECT_NE(assigned, ColumnFlags(columns)) << "a flag set differs from none";
  }
}

}  // namespace
}  // namespace tabula::detail
