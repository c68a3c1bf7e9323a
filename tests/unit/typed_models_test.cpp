// A header generated at build time by tabula_generate_models() from the committed Sakila snapshot
// (tests/data/snapshots/sakila.json): it compiles with -Wall -Wextra -Werror, Boost.PFR sees as
// many fields as the traits name columns, and the traits keep the exact SQL names and keys.

#include "sakila_models.hpp"

#include <boost/pfr.hpp>

#include <gtest/gtest.h>

#include <type_traits>

namespace {

template <class... T>
constexpr bool fields_match_columns(tabula::model_list<T...>*) {
  return ((boost::pfr::tuple_size_v<T> == tabula::table_traits<T>::columns.size()) && ...);
}
static_assert(fields_match_columns(static_cast<sakila::all_models*>(nullptr)),
              "every struct has one field per column");
static_assert(sakila::all_models::size == 23, "16 tables and 7 views");
static_assert(tabula::typed_model<sakila::Film>);
static_assert(!tabula::typed_model<int>);
static_assert(std::is_aggregate_v<sakila::Film>);

TEST(TypedModels, TraitsNameTheSqlTableColumnsAndKeys) {
  using film = tabula::table_traits<sakila::Film>;
  EXPECT_EQ(film::name, "film");
  EXPECT_EQ(film::columns[0], "film_id");
  EXPECT_EQ(film::primary_key.size(), 1u);
  EXPECT_EQ(film::primary_key[0], 0u);
  EXPECT_EQ(film::auto_increment, std::optional<std::size_t>(0));
  EXPECT_FALSE(film::is_view);
  EXPECT_TRUE(tabula::table_traits<sakila::ActorInfo>::is_view);

  using film_actor = tabula::table_traits<sakila::FilmActor>;
  EXPECT_EQ(film_actor::primary_key.size(), 2u);
  EXPECT_EQ(film_actor::columns[film_actor::primary_key[0]], "actor_id");
  EXPECT_EQ(film_actor::auto_increment, std::nullopt);
}

TEST(TypedModels, FieldTypesFollowTheColumns) {
  sakila::Film f{.title = "ACADEMY DINOSAUR", .rating = sakila::FilmRating::PG_13};
  static_assert(std::is_same_v<decltype(f.film_id), std::uint16_t>);  // SMALLINT UNSIGNED
  static_assert(std::is_same_v<decltype(f.description), std::optional<std::string>>);  // TEXT NULL
  static_assert(std::is_same_v<decltype(f.rental_rate), tabula::Decimal>);   // DECIMAL(4,2)
  static_assert(std::is_same_v<decltype(f.last_update), tabula::DateTime>);  // TIMESTAMP
  static_assert(std::is_same_v<decltype(sakila::Payment{}.payment_date), tabula::DateTime>);
  EXPECT_EQ(tabula::enum_name(*f.rating), "PG-13");
  EXPECT_EQ(tabula::enum_from_name<sakila::FilmRating>("NC-17"), sakila::FilmRating::NC_17);
  EXPECT_EQ(tabula::enum_from_name<sakila::FilmRating>("X"), std::nullopt);
  EXPECT_EQ(boost::pfr::get<2>(f), std::optional<std::string>());
}

}  // namespace
