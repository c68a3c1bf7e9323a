#pragma once

// SQLite's type table: the affinity rules applied to declared type names (see
// dialect/column_type.hpp).

#include <tabula/schema.hpp>
#include <tabula/value.hpp>

#include "dialect/column_type.hpp"
#include "dialect/store_rule.hpp"

namespace tabula::dialect::sqlite {

detail::ColumnType column_type(const Column& column) noexcept;

// Which values `column` stores exactly as sent (SqlDialect::store_rule).
detail::StoreRule store_rule(const Column& column, detail::Family family) noexcept;

}  // namespace tabula::dialect::sqlite
