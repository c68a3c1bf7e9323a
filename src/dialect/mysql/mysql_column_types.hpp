#pragma once

// MySQL/MariaDB's type table: what each SQL type name means to tabula (see
// dialect/column_type.hpp).

#include <tabula/schema.hpp>

#include "dialect/column_type.hpp"

namespace tabula::dialect::mysql {

detail::ColumnType column_type(const Column& column) noexcept;

}  // namespace tabula::dialect::mysql
