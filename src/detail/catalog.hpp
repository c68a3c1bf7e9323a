#pragma once

// Helpers shared by the dialects' catalog readers: reading SOCI rows as text whatever type the
// backend chose, parsing the small grammars catalogs use, and assembling tables by name.

#include <tabula/schema.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace soci {
class row;
}

namespace tabula::detail {

// Field `i` of `row` as text (numbers formatted), or nullopt when it is SQL NULL.
std::optional<std::string> text(const soci::row& row, std::size_t i);
// The same, with "" for NULL.
std::string text_or_empty(const soci::row& row, std::size_t i);
// Field `i` as an integer, or nullopt when NULL (or not a number).
std::optional<std::int64_t> integer(const soci::row& row, std::size_t i);

// The table (from `tables`, keyed by name) that catalog row `row` belongs to, its name being in
// field `i`; nullptr for tables left out by the reflection options.
Table* table_of(std::map<std::string, Table>& tables, const soci::row& row, std::size_t i = 0);

// Lower-cases ASCII letters.
std::string ascii_lower(std::string_view text);

// Decodes the SQL string literal that starts at text[i] (a single quote) the way MySQL/MariaDB
// read string literals: '' and \' are a quote; \0 \b \n \r \t \Z are NUL, backspace, newline,
// carriage return, tab and Ctrl-Z; \% and \_ stay as written (backslash included); any other \x
// is x. Advances `i` past the closing quote. nullopt when text[i] is not a quote or the literal
// is not closed.
std::optional<std::string> read_string_literal(std::string_view text, std::size_t& i);

// `name` between `quote` characters, each `quote` inside it doubled: an SQL identifier (` on
// MySQL, " on SQLite). Dialects use it for their SqlDialect::quote_identifier().
std::string quoted_identifier(std::string_view name, char quote);

// `value` as an SQL string literal: quoted, a quote doubled, and with `backslash_escapes` (MySQL's
// literals) backslash, NUL, newline, carriage return, tab, backspace and Ctrl-Z escaped; SQLite's
// literals have no escapes. read_string_literal() undoes it. Dialects use it for their
// SqlDialect::string_literal().
std::string sql_string_literal(std::string_view value, bool backslash_escapes);

// The members of an ENUM or SET column type: "enum('a','it''s','x,y')" gives a, it's, x,y.
// Members are decoded as read_string_literal() does.
std::vector<std::string> parse_members(std::string_view column_type);

// True for an SQL numeric literal: -12, 3.50, 1e-3.
bool is_numeric_literal(std::string_view text);

// "CASCADE", "SET NULL", ... (any case) to the enum; unknown text gives no_action.
ReferentialAction parse_action(std::string_view text);

}  // namespace tabula::detail
