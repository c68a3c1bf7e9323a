#pragma once

// MySQL/MariaDB's type table: what each SQL type name means to tabula (see
// dialect/column_type.hpp).

#include <tabula/schema.hpp>
#include <tabula/value.hpp>

#include "dialect/column_type.hpp"
#include "dialect/store_rule.hpp"

namespace tabula::dialect::mysql {

detail::ColumnType column_type(const Column& column) noexcept;

// Which values `column` stores exactly as sent (SqlDialect::store_rule).
detail::StoreRule store_rule(const Column& column, detail::Family family) noexcept;

}  // namespace tabula::dialect::mysql
