#pragma once

// Where a server URL's password comes from when it is not written in the URL, so that programs
// need not put it on a command line (where `ps` and /proc/<pid>/cmdline show it to every user).
// In order of precedence:
//
//   1. the URL's own password ("mysql://app:pw@db/shop", also an empty one: "app:@db");
//   2. the file named by the URL option `password_file` (its first line);
//   3. the environment variable TABULA_PASSWORD;
//   4. the environment variable MYSQL_PWD (which MariaDB's own tools read).
//
// A URL without a password and none of these connects without one, as before.

#include <tabula/url.hpp>

namespace tabula::detail {

// `url` with its password filled in from the sources above; unchanged for SQLite URLs and for
// URLs that carry a password. Throws UrlError when `password_file` cannot be read, is empty, or
// can be read by group or others (as ssh refuses such a key): the message names the file and
// never quotes its content.
Url with_resolved_password(Url url);

}  // namespace tabula::detail
