#pragma once

// The SQLite implementation of detail::SqlDialect (registered in dialect/registry.cpp).

#include "dialect/sql_dialect.hpp"

namespace tabula::dialect::sqlite {

const detail::SqlDialect& instance() noexcept;

}  // namespace tabula::dialect::sqlite
