#include <tabula/credentials.hpp>

#include <tabula/error.hpp>

#include "dialect/sql_dialect.hpp"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace tabula {

void hide_url_passwords(int argc, char** argv) noexcept {
  for (int i = 1; i < argc; ++i) {
    char* arg = argv[i];
    if (arg == nullptr) continue;
    std::string_view text(arg);
    std::size_t scheme_end = text.find("://");
    if (scheme_end == std::string_view::npos) continue;
    std::size_t start = scheme_end + 3;
    // As the URL parser reads it: the query starts at the first '?', the last '@' before it
    // ends the user info, and the first ':' in the user info starts the password.
    std::size_t query = text.find('?', start);
    std::string_view authority = text.substr(
        start, query == std::string_view::npos ? std::string_view::npos : query - start);
    std::size_t at = authority.rfind('@');
    if (at == std::string_view::npos) continue;
    std::size_t colon = authority.substr(0, at).find(':');
    if (colon == std::string_view::npos) continue;
    std::memset(arg + start + colon + 1, 'x', at - colon - 1);
  }
}

Url with_prompted_password(Url url) {
  if (detail::sql_dialect(url.dialect()).url_form() != detail::UrlForm::server ||
      url.has_password() || url.option("password_file")) {
    return url;
  }
  for (const char* name : {"TABULA_PASSWORD", "MYSQL_PWD"}) {
    if (const char* value = std::getenv(name); value != nullptr && value[0] != '\0') return url;
  }
  if (::isatty(STDIN_FILENO) == 0) return url;
  std::FILE* tty = std::fopen("/dev/tty", "r+");
  if (tty == nullptr) return url;
  int fd = ::fileno(tty);
  // Echo goes off before the prompt shows, so nothing typed after seeing it is ever echoed or
  // flushed away.
  termios saved{};
  bool restore = ::tcgetattr(fd, &saved) == 0;
  if (restore) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    (void)::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  std::string who = url.user().empty() ? std::string("the database") : url.user();
  std::fprintf(tty, "Password for %s: ", who.c_str());
  std::fflush(tty);
  std::string password;
  int c = 0;
  while ((c = std::fgetc(tty)) != EOF && c != '\n') password += static_cast<char>(c);
  bool ended = c != EOF || !password.empty();
  if (restore) (void)::tcsetattr(fd, TCSAFLUSH, &saved);
  std::fputc('\n', tty);
  std::fclose(tty);
  if (!ended) throw Error("no password was typed (end of input at the password prompt)");
  return url.with_password(std::move(password));
}

}  // namespace tabula
