#pragma once

// The Chinook sample database (MIT, see tests/data/chinook/README.md) that `tabula demo` uses as
// its embedded default. Its SQLite script is compiled into the binary so the demo needs no files.

#include <string_view>

namespace tabula::cli {

// The Chinook_Sqlite_AutoIncrementPKs.sql script: 11 tables and their rows.
std::string_view chinook_sqlite_script() noexcept;

}  // namespace tabula::cli
