#include "detail/password_source.hpp"

#include <tabula/error.hpp>

#include "dialect/sql_dialect.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace tabula::detail {
namespace {

std::string octal_mode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

std::string read_password_file(const std::string& path) {
  auto fail = [&path](const std::string& why) -> UrlError {
    return UrlError("invalid database URL: password_file '" + path + "' " + why);
  };
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0)
    throw fail(std::string("cannot be read: ") + std::strerror(errno));
  if (!S_ISREG(info.st_mode)) throw fail("is not a regular file");
  if ((info.st_mode & 077) != 0) {
    throw fail("is readable by others (mode " + octal_mode(info.st_mode) +
               "): make it private with chmod 600");
  }
  std::ifstream in(path, std::ios::binary);
  std::string line;
  if (!in) throw fail("cannot be opened");
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) throw fail("holds no password on its first line");
  return line;
}

}  // namespace

Url with_resolved_password(Url url) {
  // Only a server's URL has a password (a file's, SQLite's, has none).
  if (sql_dialect(url.dialect()).url_form() != UrlForm::server || url.has_password()) return url;
  if (std::optional<std::string> file = url.option("password_file")) {
    return url.with_password(read_password_file(*file));
  }
  for (const char* name : {"TABULA_PASSWORD", "MYSQL_PWD"}) {
    if (const char* value = std::getenv(name); value != nullptr && value[0] != '\0') {
      return url.with_password(value);
    }
  }
  return url;
}

}  // namespace tabula::detail
