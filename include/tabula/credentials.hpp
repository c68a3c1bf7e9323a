#pragma once

// Keeping database passwords off command lines, for programs that take a URL as an argument.
//
// A URL on the command line can be read by every local user (`ps`, /proc/<pid>/cmdline). tabula
// itself fills in a password-less MySQL URL's password from `password_file=`, TABULA_PASSWORD or
// MYSQL_PWD (docs/connecting.md); these two helpers are for the program around it:
//
//   int main(int argc, char** argv) {
//     std::string url = parse_arguments(argc, argv);      // copies argv's strings
//     tabula::hide_url_passwords(argc, argv);              // what `ps` shows from now on
//     tabula::Engine engine(tabula::with_prompted_password(tabula::Url(url)));
//   }

#include <tabula/url.hpp>

namespace tabula {

// Overwrites, in place, the password of every argument that holds a database URL with a
// password ("mysql://app:secret@db/shop" becomes "mysql://app:xxxxxx@db/shop", also inside
// "--url=..."), so /proc/<pid>/cmdline and `ps` no longer show it. Call it after the arguments
// were copied: it changes argv's strings. Never throws; leaves other arguments unchanged.
void hide_url_passwords(int argc, char** argv) noexcept;

// `url` with a password typed at the terminal, when it needs one and has no other source: a
// MySQL URL without a password, without `password_file`, with neither TABULA_PASSWORD nor
// MYSQL_PWD set, and standard input a terminal. Prompts on the terminal (/dev/tty) with echo
// off. Otherwise returns `url` unchanged (so scripts and pipes are never asked). Throws Error
// when the terminal cannot be read.
Url with_prompted_password(Url url);

}  // namespace tabula
