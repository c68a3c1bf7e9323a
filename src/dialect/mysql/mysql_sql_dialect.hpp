#pragma once

// The MySQL/MariaDB implementation of detail::SqlDialect (registered in dialect/registry.cpp).

#include "dialect/sql_dialect.hpp"

namespace tabula::dialect::mysql {

const detail::SqlDialect& instance() noexcept;

}  // namespace tabula::dialect::mysql
