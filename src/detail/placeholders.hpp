#pragma once

// Where a statement's `?` placeholders are: what every dialect's statement runner fills in.
//
// The scan follows the dialect's own rules for what is not SQL code (quoted strings and
// identifiers, comments), because a `?` the scan takes for a placeholder where the server sees
// the inside of a string would put a value where the programmer did not mean it, and on a text
// path a literal placed inside another literal ends it: the value would be read as SQL.

#include <cstddef>
#include <string_view>
#include <vector>

namespace tabula::detail {

// How a dialect's SQL text quotes and comments. (MySQL's ANSI_QUOTES, under which "..." is an
// identifier with no backslash escapes, is not followed: the server does not report it.)
struct SqlLexicon {
  bool backslash_escapes;    // '\'' inside a string (MySQL, unless NO_BACKSLASH_ESCAPES)
  bool hash_comments;        // '#' to the end of the line (MySQL)
  bool dashes_need_space;    // "-- " starts a comment only before a space or control character
                             // (MySQL: 1--1 is arithmetic); SQLite takes any "--"
  bool brackets;             // [identifier] (SQLite)
  bool executable_comments;  // /*! ... */ and /*M! ... */ are SQL the server runs (MariaDB)
};

// MySQL and MariaDB, with or without the NO_BACKSLASH_ESCAPES sql_mode.
constexpr SqlLexicon mysql_lexicon(bool no_backslash_escapes = false) {
  return {!no_backslash_escapes, true, true, false, true};
}
constexpr SqlLexicon sqlite_lexicon() {
  return {false, false, false, true, false};
}

// Positions of the `?` placeholders in `sql`, skipping quoted strings and identifiers and
// comments (an executable comment's text is scanned like the rest).
std::vector<std::size_t> placeholder_positions(std::string_view sql, const SqlLexicon& lexicon);

}  // namespace tabula::detail
