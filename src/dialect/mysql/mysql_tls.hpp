#pragma once

// TLS for MySQL/MariaDB connections: the `ssl_mode` levels and the options that go with them,
// and how they reach Connector/C.
//
// SOCI 4.0.3 makes the MYSQL handle and connects it in one constructor, passing on only sslca,
// sslcert and sslkey (and refusing its own `ssl_mode` key with MariaDB). So tabula routes a TLS
// connection through a Connector/C connection plugin of its own: the connect string's host is
// "tabula-tls://<host>", Connector/C hands the connect to the plugin, and the plugin sets the
// options of the TlsSettings that `ScopedTlsSettings` published on this thread before it
// connects the handle to the real host. Nothing else of the plugin runs afterwards.
//
//   ScopedTlsSettings scope(settings);          // this thread's next connect uses them
//   soci::session s(*soci::factory_mysql(), connect_string_with(tls_host(url)));

#include <tabula/url.hpp>

#include <string>
#include <string_view>

struct st_mysql;

namespace tabula::dialect::mysql {

enum class SslMode { disabled, preferred, required, verify_ca, verify_identity };

std::string_view to_string(SslMode mode) noexcept;

// What a URL asks of TLS. Paths are as written in the URL; empty means not given.
struct TlsSettings {
  SslMode mode = SslMode::preferred;
  std::string ca;           // sslca: PEM file of trusted CAs
  std::string capath;       // sslcapath: directory of trusted CAs (verify_* default /etc/ssl/certs)
  std::string cert;         // sslcert: client certificate
  std::string key;          // sslkey: the client certificate's key
  std::string crl;          // sslcrl: certificate revocation list
  std::string tls_version;  // tls_version: e.g. "TLSv1.3" or "TLSv1.2,TLSv1.3"
};

// The TLS settings of `url`. ssl_mode defaults to verify_ca when sslca (or sslcapath) is given,
// to preferred otherwise. Throws UrlError for an unknown ssl_mode or tls_version, or for TLS
// files with ssl_mode=disabled.
TlsSettings tls_settings(const Url& url);

// True when connecting needs the plugin: any mode but disabled, except preferred over a unix
// socket (a local socket gains nothing from TLS, as MySQL's own preferred holds).
bool uses_tls(const Url& url, const TlsSettings& settings) noexcept;

// The host to put in the connect string for a TLS connection ("tabula-tls://" + url.host()).
std::string tls_host(const Url& url);

// Registers the connection plugin with Connector/C. Called once, after mysql_library_init().
// Throws ConnectError when Connector/C refuses it.
void register_tls_plugin();

// Publishes `settings` to the plugin for connects made on this thread while it lives.
class ScopedTlsSettings {
 public:
  explicit ScopedTlsSettings(const TlsSettings& settings) noexcept;
  ~ScopedTlsSettings();
  ScopedTlsSettings(const ScopedTlsSettings&) = delete;
  ScopedTlsSettings& operator=(const ScopedTlsSettings&) = delete;

 private:
  const TlsSettings* previous_;
};

// Sets the options of `settings` on a handle not yet connected (the plugin does this; the
// benchmarks' raw client may too). Returns false when Connector/C refused one.
bool apply_tls_options(st_mysql* conn, const TlsSettings& settings) noexcept;

// The cipher of a connected handle, empty when the connection is not encrypted.
std::string tls_cipher(st_mysql* conn);

// Which check a failed TLS connect tripped, as words for an error message: "the server's
// certificate chain is not trusted", "the server's certificate does not name host '...'",
// "the server's certificate is revoked by the CRL ...", "the server does not offer TLS", or
// "the TLS handshake failed". Empty when `code` is not a
// TLS error (2026).
std::string tls_failure(int code, std::string_view message, const Url& url,
                        const TlsSettings& settings);

}  // namespace tabula::dialect::mysql
