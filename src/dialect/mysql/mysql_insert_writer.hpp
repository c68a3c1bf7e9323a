#pragma once

// MariaDB/MySQL's insert strategy (see dialect/insert_writer.hpp): on MariaDB, prepared pages
// (mysql_prepared_insert.hpp) unless statement_cache=0; otherwise multi-row pages of escaped
// literals under max_allowed_packet, pipelined, with RETURNING what the server decided on
// MariaDB; without RETURNING, pages whose generated keys are consecutive (InnoDB's autoinc lock
// modes 0 and 1) and a SELECT of them; otherwise row by row.

#include "dialect/insert_writer.hpp"

namespace tabula::dialect::mysql {

std::unique_ptr<detail::InsertWriter> insert_writer(Connection& connection,
                                                    detail::InsertTarget& target,
                                                    detail::InsertOptions options);

}  // namespace tabula::dialect::mysql
