// Boost.PFR must come from Boost >= 1.81 (Debian's libboost1.81-dev): the default 1.74 headers
// lack parts of PFR that typed models rely on and must never shadow the newer ones.

#include <boost/pfr.hpp>
#include <boost/version.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

static_assert(BOOST_VERSION >= 108100, "Boost 1.81 or newer required (libboost1.81-dev)");

namespace {

struct Order {
  std::int64_t id;
  std::string customer;
  std::optional<int> qty;
};

TEST(BoostPfrTest, WalksAPlainAggregate) {
  Order order{7, "ada", 3};
  EXPECT_EQ(boost::pfr::tuple_size_v<Order>, 3u);
  EXPECT_EQ(boost::pfr::get<1>(order), "ada");
  int visited = 0;
  boost::pfr::for_each_field(order, [&](const auto&) { ++visited; });
  EXPECT_EQ(visited, 3);
}

}  // namespace
