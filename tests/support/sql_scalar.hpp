#pragma once

// One number read back from the server, as tests check what it holds: a COUNT(*), a session
// counter, CONNECTION_ID(). Through a lease, or a connection of an engine's pool.

#include <tabula/engine.hpp>
#include <tabula/lease.hpp>

#include <soci/soci.h>

#include <string>

namespace tabula::test {

// The first column of the first row of `sql`; -1 when it returns no row.
inline long long scalar(Lease& lease, const std::string& sql) {
  long long value = -1;
  lease->run([&](soci::session& session) { session << sql, soci::into(value); });
  return value;
}

inline long long scalar(Engine& engine, const std::string& sql) {
  Lease lease = engine.checkout();
  return scalar(lease, sql);
}

}  // namespace tabula::test
