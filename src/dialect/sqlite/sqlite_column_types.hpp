#pragma once

// SQLite's type table: the affinity rules applied to declared type names (see
// dialect/column_type.hpp).

#include <tabula/schema.hpp>

#include "dialect/column_type.hpp"

namespace tabula::dialect::sqlite {

detail::ColumnType column_type(const Column& column) noexcept;

}  // namespace tabula::dialect::sqlite
