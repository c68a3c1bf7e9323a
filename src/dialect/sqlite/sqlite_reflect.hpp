#pragma once

#include <tabula/reflect.hpp>
#include <tabula/schema.hpp>

namespace soci {
class session;
}

namespace tabula::dialect::sqlite {

// Reads the database's schema with sqlite_master and the table-valued PRAGMA functions
// (table_xinfo, index_list, index_xinfo, foreign_key_list), one query each for all tables.
Schema reflect(soci::session& sql, const ReflectOptions& options, int& queries);

}  // namespace tabula::dialect::sqlite
