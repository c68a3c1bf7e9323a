#pragma once

// SQLite's type table: the affinity rules applied to declared type names (see
// dialect/column_type.hpp).

#include <tabula/schema.hpp>
#include <tabula/value.hpp>

#include "dialect/column_type.hpp"

namespace tabula::dialect::sqlite {

detail::ColumnType column_type(const Column& column) noexcept;

// True when `column` stores `value` exactly as sent (SqlDialect::stores_as_sent).
bool stores_as_sent(const Column& column, detail::Family family, const Value& value) noexcept;

}  // namespace tabula::dialect::sqlite
