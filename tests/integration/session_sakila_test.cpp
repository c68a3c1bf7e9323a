// One flush writing a whole object graph into Sakila: a new language, a film in it, two actors
// and a category, and the film_actor / film_category rows joining them, all with keys the
// database generates, linked through relationships. Then the graph is read back through the
// relationships and the whole transaction is rolled back, leaving the shared sample untouched.

#include <tabula/automap.hpp>
#include <tabula/engine.hpp>
#include <tabula/log.hpp>
#include <tabula/session.hpp>

#include "test_server.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace tabula {
namespace {

TEST(SessionSakilaTest, OneFlushInsertsAFilmWithItsLanguageActorsAndCategories) {
  Engine engine(test::server_url().with_database("sakila"), {.max_connections = 2});
  const Models& m = engine.models();
  std::vector<std::string> tables;
  set_statement_handler([&](std::string_view sql, std::size_t) {
    if (sql.rfind("INSERT INTO `", 0) == 0) {
      tables.emplace_back(sql.substr(13, sql.find('`', 13) - 13));
    }
  });
  Session s = engine.session();
  // Staged children first, on purpose: the flush orders by foreign keys, not by add().
  Record& film_actor_1 = s.add(m.at("film_actor").make());
  Record& film_actor_2 = s.add(m.at("film_actor").make());
  Record& film_category = s.add(m.at("film_category").make());
  Record& film = s.add(m.at("film").make({{"title", "TABULA RASA"}, {"rental_rate", "3.99"}}));
  Record& language = s.add(m.at("language").make({{"name", "Esperanto"}}));
  Record& ada = s.add(m.at("actor").make({{"first_name", "ADA"}, {"last_name", "LOVELACE"}}));
  Record& alan = s.add(m.at("actor").make({{"first_name", "ALAN"}, {"last_name", "TURING"}}));
  Record& category = s.add(m.at("category").make({{"name", "Computing"}}));
  s.link(film, "language_by_language_id", language);
  s.link(film_actor_1, "film", film);
  s.link(film_actor_1, "actor", ada);
  s.link(film_actor_2, "film", film);
  s.link(film_actor_2, "actor", alan);
  s.link(film_category, "film", film);
  s.link(film_category, "category", category);
  s.flush();
  set_statement_handler(nullptr);

  auto position = [&](const std::string& table) {
    return std::find(tables.begin(), tables.end(), table) - tables.begin();
  };
  EXPECT_LT(position("language"), position("film"));
  EXPECT_LT(position("film"), position("film_actor"));
  EXPECT_LT(position("actor"), position("film_actor"));
  EXPECT_LT(position("category"), position("film_category"));
  EXPECT_EQ(tables.size(), 6u) << "one statement per table";

  EXPECT_EQ(film.get<std::int64_t>("language_id"), language.get<std::int64_t>("language_id"));
  EXPECT_EQ(film.get<Decimal>("rental_rate").str(), "3.99");
  EXPECT_EQ(film.get<std::int64_t>("rental_duration"), 3) << "server default read back";
  EXPECT_FALSE(film.is_null("last_update"));

  // Read back through the relationships, in the same transaction.
  std::vector<Record*> cast = s.children(film, "film_actor_collection");
  ASSERT_EQ(cast.size(), 2u);
  std::set<std::string> names;
  for (Record* fa : cast) names.insert(s.parent(*fa, "actor")->get<std::string>("last_name"));
  EXPECT_EQ(names, (std::set<std::string>{"LOVELACE", "TURING"}));
  EXPECT_EQ(s.parent(film_category, "category"), &category) << "the identity map";
  EXPECT_EQ(
      s.get("film_actor", {ada.get<std::int64_t>("actor_id"), film.get<std::int64_t>("film_id")}),
      &film_actor_1);

  // Removing the film with its join rows deletes children first.
  s.remove(film_actor_1);
  s.remove(film_actor_2);
  s.remove(film_category);
  s.remove(film);
  EXPECT_NO_THROW(s.flush());
  EXPECT_EQ(s.query("film").filter("title", "TABULA RASA").count(), 0u);
  s.rollback();  // leave the shared sample as it was
  Session check = engine.session();
  EXPECT_EQ(check.query("language").filter("name", "Esperanto").count(), 0u);
}

}  // namespace
}  // namespace tabula
