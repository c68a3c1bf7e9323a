#include "dialect/mysql/mysql_tls.hpp"

#include <tabula/error.hpp>

#include <mysql.h>
#include <mysql/client_plugin.h>

#include <array>
#include <cstring>

namespace tabula::dialect::mysql {
namespace {

constexpr std::string_view kPluginName = "tabula-tls";
constexpr const char* kSystemCaPath = "/etc/ssl/certs";
constexpr int kSslConnectionError = 2026;  // CR_SSL_CONNECTION_ERROR
constexpr int kUnknownError = 2000;        // CR_UNKNOWN_ERROR

constexpr std::array<std::pair<std::string_view, SslMode>, 5> kModes{{
    {"disabled", SslMode::disabled},
    {"preferred", SslMode::preferred},
    {"required", SslMode::required},
    {"verify_ca", SslMode::verify_ca},
    {"verify_identity", SslMode::verify_identity},
}};

thread_local const TlsSettings* current_settings = nullptr;

void set_client_error(MYSQL* conn, const char* message) noexcept {
  conn->net.last_errno = kUnknownError;
  std::snprintf(conn->net.last_error, sizeof conn->net.last_error, "%s", message);
  std::snprintf(conn->net.sqlstate, sizeof conn->net.sqlstate, "%s", "HY000");
}

// The plugin's connect: Connector/C calls it from mysql_real_connect() for a host
// "tabula-tls://<host>", with `host` the part after "://".
MYSQL* plugin_connect(MYSQL* conn, const char* host, const char* user, const char* password,
                      const char* db, unsigned int port, const char* unix_socket,
                      unsigned long flags) {
  const TlsSettings* settings = current_settings;
  if (settings == nullptr) {
    // Never connect without the options asked for: that would be a silent downgrade.
    set_client_error(conn, "tabula-tls: no TLS settings for this connect");
    return nullptr;
  }
  if (!apply_tls_options(conn, *settings)) {
    set_client_error(conn, "tabula-tls: Connector/C refused a TLS option");
    return nullptr;
  }
  const char* real_host = host != nullptr && host[0] != '\0' ? host : nullptr;
  return conn->methods->db_connect(conn, real_host, user, password, db, port, unix_socket, flags);
}

// Called before every command while the plugin is the connection's handler: nothing to do.
int plugin_set_connection(MYSQL*, enum enum_server_command, const char*, size_t, my_bool, void*) {
  return 0;
}

MARIADB_CONNECTION_PLUGIN make_plugin() {
  MARIADB_CONNECTION_PLUGIN plugin{};
  plugin.type = MARIADB_CLIENT_CONNECTION_PLUGIN;
  plugin.interface_version = MARIADB_CLIENT_CONNECTION_PLUGIN_INTERFACE_VERSION;
  plugin.name = kPluginName.data();
  plugin.author = "tabula";
  plugin.desc = "sets tabula's TLS options on a handle SOCI connects";
  plugin.version[0] = 1;
  plugin.license = "MIT";
  plugin.connect = plugin_connect;
  plugin.set_connection = plugin_set_connection;
  return plugin;
}

MARIADB_CONNECTION_PLUGIN plugin = make_plugin();

bool valid_tls_versions(std::string_view list) {
  if (list.empty()) return false;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t end = list.find(',', start);
    if (end == std::string_view::npos) end = list.size();
    std::string_view item = list.substr(start, end - start);
    if (item != "TLSv1.2" && item != "TLSv1.3") return false;
    start = end + 1;
  }
  return true;
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

}  // namespace

std::string_view to_string(SslMode mode) noexcept {
  for (const auto& [name, value] : kModes) {
    if (value == mode) return name;
  }
  return "?";
}

TlsSettings tls_settings(const Url& url) {
  TlsSettings settings;
  settings.ca = url.option("sslca").value_or("");
  settings.capath = url.option("sslcapath").value_or("");
  settings.cert = url.option("sslcert").value_or("");
  settings.key = url.option("sslkey").value_or("");
  settings.crl = url.option("sslcrl").value_or("");
  settings.tls_version = url.option("tls_version").value_or("");
  std::optional<std::string> mode = url.option("ssl_mode");
  if (!mode) {
    bool names_ca = !settings.ca.empty() || !settings.capath.empty();
    settings.mode = names_ca ? SslMode::verify_ca : SslMode::preferred;
  } else {
    bool found = false;
    for (const auto& [name, value] : kModes) {
      if (*mode == name) {
        settings.mode = value;
        found = true;
      }
    }
    if (!found) {
      throw UrlError("invalid database URL: option 'ssl_mode' = '" + *mode +
                     "' (expected disabled, preferred, required, verify_ca or verify_identity)");
    }
  }
  if (!settings.tls_version.empty() && !valid_tls_versions(settings.tls_version)) {
    throw UrlError("invalid database URL: option 'tls_version' = '" + settings.tls_version +
                   "' (expected TLSv1.2, TLSv1.3, or both separated by a comma)");
  }
  if (settings.mode == SslMode::disabled) {
    for (std::string_view name :
         {"sslca", "sslcapath", "sslcert", "sslkey", "sslcrl", "tls_version"}) {
      if (url.option(name)) {
        throw UrlError("invalid database URL: option '" + std::string(name) +
                       "' contradicts ssl_mode=disabled");
      }
    }
  }
  return settings;
}

bool uses_tls(const Url& url, const TlsSettings& settings) noexcept {
  if (settings.mode == SslMode::disabled) return false;
  bool socket = url.host().empty();
  return !(socket && settings.mode == SslMode::preferred && settings.ca.empty() &&
           settings.cert.empty());
}

std::string tls_host(const Url& url) {
  return std::string(kPluginName) + "://" + url.host();
}

void register_tls_plugin() {
  MYSQL* probe = mysql_init(nullptr);
  if (probe == nullptr) throw ConnectError("cannot register tabula's TLS plugin: out of memory");
  auto* registered = mysql_client_register_plugin(
      probe, reinterpret_cast<struct st_mysql_client_plugin*>(&plugin));
  std::string error = mysql_error(probe);
  mysql_close(probe);
  // Registering twice (a second init) is refused as "already loaded": the first one serves.
  if (registered == nullptr && !contains(error, "already")) {
    throw ConnectError("cannot register tabula's TLS plugin with Connector/C: " + error);
  }
}

ScopedTlsSettings::ScopedTlsSettings(const TlsSettings& settings) noexcept
    : previous_(current_settings) {
  current_settings = &settings;
}

ScopedTlsSettings::~ScopedTlsSettings() {
  current_settings = previous_;
}

bool apply_tls_options(MYSQL* conn, const TlsSettings& settings) noexcept {
  if (settings.mode == SslMode::disabled) return true;
  auto text = [conn](mysql_option option, const std::string& value) {
    return value.empty() || mysql_optionsv(conn, option, value.c_str()) == 0;
  };
  my_bool on = 1;
  bool ok = mysql_optionsv(conn, MYSQL_OPT_SSL_ENFORCE, &on) == 0;
  bool verify = settings.mode == SslMode::verify_ca || settings.mode == SslMode::verify_identity;
  std::string capath = settings.capath;
  if (verify && settings.ca.empty() && capath.empty()) capath = kSystemCaPath;
  ok = ok && text(MYSQL_OPT_SSL_CA, settings.ca) && text(MYSQL_OPT_SSL_CAPATH, capath) &&
       text(MYSQL_OPT_SSL_CERT, settings.cert) && text(MYSQL_OPT_SSL_KEY, settings.key) &&
       text(MYSQL_OPT_SSL_CRL, settings.crl) && text(MARIADB_OPT_TLS_VERSION, settings.tls_version);
  if (settings.mode == SslMode::verify_identity) {
    ok = ok && mysql_optionsv(conn, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on) == 0;
  }
  return ok;
}

std::string tls_cipher(MYSQL* conn) {
  const char* cipher = conn == nullptr ? nullptr : mysql_get_ssl_cipher(conn);
  return cipher == nullptr ? std::string() : std::string(cipher);
}

std::string tls_failure(int code, std::string_view message, const Url& url,
                        const TlsSettings& settings) {
  if (code != kSslConnectionError) return {};
  std::string mode = " (ssl_mode=" + std::string(to_string(settings.mode)) + ")";
  if (contains(message, "does not support it")) return "the server does not offer TLS" + mode;
  if (contains(message, "Validation of SSL server certificate failed")) {
    return "the server's certificate does not name host '" + url.host() + "'" + mode;
  }
  if (contains(message, "revoked")) {
    return "the server's certificate is revoked by the CRL in sslcrl '" + settings.crl + "'" + mode;
  }
  if (contains(message, "certificate") || contains(message, "issuer") || contains(message, "CRL")) {
    std::string trusted = settings.ca.empty() ? std::string("the system's CAs")
                                              : "the CA in sslca '" + settings.ca + "'";
    if (!settings.capath.empty()) trusted = "the CAs in sslcapath '" + settings.capath + "'";
    return "the server's certificate chain is not trusted by " + trusted + mode;
  }
  return "the TLS handshake failed" + mode;
}

}  // namespace tabula::dialect::mysql
