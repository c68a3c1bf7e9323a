#pragma once

// Which values a column stores exactly as an INSERT sends them, decided once per column
// (SqlDialect::store_rule), so that the question asked of every value of a page
// (detail::stores_as_sent in dialect/read_back.hpp) compares no type names: an INSERT reads back
// what a column may store otherwise.

#include <tabula/value.hpp>

namespace tabula::detail {

struct StoreRule {
  enum class Check : unsigned char {
    none,      // no value is known to be stored as sent
    every,     // every value is
    of_kind,   // values of `kind` are
    real,      // doubles but -0.0 (stored as 0)
    decimal,   // Decimals written as the database prints them in `digits` fraction digits
    datetime,  // DateTimes with at most `digits` fraction digits of a second
    time,      // Times with at most `digits` fraction digits of a second
  };
  Check check = Check::none;
  bool null_as_sent = true;  // NULL stays NULL
  Value::Kind kind = Value::Kind::null;
  int digits = 0;
};

}  // namespace tabula::detail
