#pragma once

// A reader of CHECK constraints, as far as `tabula demo` can tell. The catalog gives a CHECK as
// the server prints it ("`qty` between 5 and 9", "char_length(`c`) > 2", "json_valid(`meta`)");
// the reader takes the simple forms (comparisons, BETWEEN, IN, IS NULL, AND/OR/NOT,
// char_length/length, json_valid) and says whether one value in one column passes. Anything
// else is Verdict::unknown: the value is sent and the server decides.
//
//   // Table t with CHECK (`qty` between 5 and 9); qty is t.columns[1]
//   for (const ColumnCheck& check : checks_on(t, t.columns[1])) {
//     evaluate(check, t.columns[1], Value(7));   // Verdict::yes
//     evaluate(check, t.columns[1], Value(4));   // Verdict::no
//   }
//
// Only the named column is known; every other column, NULL and unknown functions read as
// unknown, and a clause that is unknown for the value never counts as a refusal. Free functions
// on immutable inputs: safe to call from any thread.

#include <tabula/schema.hpp>
#include <tabula/value.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace tabula::cli {

// Whether a value passes a CHECK: yes, no, or unknown (the reader cannot tell).
enum class Verdict { yes, no, unknown };

// One token of a CHECK clause.
struct CheckToken {
  enum Type { name, number, text, symbol, end } type = end;
  std::string value;  // names in lower case unless quoted; text without its quotes
  bool quoted = false;
};

// A CHECK of a table that names one column, tokenized.
struct ColumnCheck {
  const CheckConstraint* check;  // points into the Table given to checks_on(): it must outlive this
  std::vector<CheckToken> tokens;
};

// The CHECKs of `table` that name `column` (case-insensitively), in the table's order. Clauses the
// reader cannot tokenize (an operator such as % or ||, an unterminated quote) are left out: the
// server judges those. Never throws but for std::bad_alloc.
std::vector<ColumnCheck> checks_on(const Table& table, const Column& column);

// Whether `column` holding `value` passes `check`, the table's other columns unknown. NULL is
// never tested (`value` is taken to be non-NULL); unknown when the clause has a form the reader
// does not take. Never throws but for std::bad_alloc.
Verdict evaluate(const ColumnCheck& check, const Column& column, const Value& value);

// Whether `text` is JSON as far as the demo tells: {}, [], null, true, false, a number, or a
// string without quotes or backslashes inside. What the reader gives json_valid(...).
bool looks_like_json(std::string_view text);

}  // namespace tabula::cli
