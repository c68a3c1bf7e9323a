// examples/insert_api: the user story — an HTTP service that inserts a row per POST into an
// automapped database and never holds more than --max-connections connections.
//
//   TABULA_PASSWORD=secret insert_api --url 'mysql://app@127.0.0.1:3306/shop' --port 8080
//   insert_api --url
//   'mysql://app@db.example.com/shop?ssl_mode=verify_identity&password_file=/run/secrets/db' curl
//   -X POST localhost:8080/tables/orders -d '{"customer": "ada", "qty": 3}' curl
//   localhost:8080/metrics        # the pool's statistics, Prometheus text format insert_api
//   --self-test [--url ...] # starts on a free port, sends a few requests, exits
//
// POST /tables/{name} with a JSON object inserts it through a short-lived session
// (engine.insert) and answers 201 with the inserted row (generated key and server defaults
// included); 400 with {"error": ...} naming the problem for an unknown table or column, a bad
// value or malformed JSON; 409 when the database refuses the row (duplicate key, foreign key);
// 503 with Retry-After when no connection frees up within the checkout timeout, when the
// database cannot be reached, or when the connection broke under the insert (then with
// "outcome": "unknown": it may have committed). A deadlock or a Galera certification conflict is
// tried again, up to three times. The URL may name a cluster (docs/cluster.md):
//   insert_api --url 'mysql://app@db1,db2,db3/shop?topology=galera'.
// GET /metrics, GET /health. With --debug-routes, POST /tables/{name}?fail=mid-session inserts,
// then throws before committing (what a crashing handler does), for load tests.

#include <tabula/tabula.hpp>

#include <httplib.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <sys/socket.h>

#include <iostream>
#include <memory>
#include <thread>

namespace {

struct Options {
  std::string url = "sqlite:///tmp/tabula-insert-api.db";
  int port = 8080;
  std::size_t max_connections = 12;
  std::size_t threads = 64;
  bool debug_routes = false;
  bool self_test = false;
};

std::string error_json(std::string_view message) {
  return nlohmann::json{{"error", message}}.dump();
}

void answer_insert(tabula::Engine& engine, const httplib::Request& req, httplib::Response& res,
                   bool debug_routes) {
  const std::string table = req.matches[1];
  try {
    if (debug_routes && req.get_param_value("fail") == "mid-session") {
      tabula::Session session = engine.session();
      session.add(engine.models().at(table).from_json(req.body));
      session.flush();  // the row is sent, the transaction open...
      throw std::runtime_error("handler failed mid-session (debug route)");  // ...never committed
    }
    // A deadlock, a lock wait timeout or a Galera certification conflict rolled the row back:
    // sending it again is safe, and a second try usually succeeds.
    for (int attempt = 1;; ++attempt) {
      try {
        res.set_content(engine.insert(table, req.body), "application/json");
        res.status = 201;
        return;
      } catch (const tabula::SqlError& e) {
        if (!e.is_retryable() || e.is_disconnect() || attempt == 3) throw;
      }
    }
  } catch (const tabula::PoolTimeout& e) {
    res.status = 503;
    res.set_header("Retry-After", "1");
    res.set_content(error_json("busy: no database connection free, try again"), "application/json");
  } catch (const tabula::SqlError& e) {
    if (e.is_disconnect()) {
      // The server went away under the insert (a failover, say): it may or may not have
      // committed. The client is told so, and to check before sending it again.
      res.status = 503;
      res.set_header("Retry-After", "1");
      res.set_content(nlohmann::json{{"error", e.what()}, {"outcome", "unknown"}}.dump(),
                      "application/json");
      return;
    }
    bool refused = e.sqlstate().rfind("23", 0) == 0;  // integrity constraint
    res.status = refused ? 409 : e.is_retryable() ? 503 : 500;
    res.set_content(error_json(e.what()), "application/json");
  } catch (const tabula::ConnectError& e) {
    res.status = 503;
    res.set_header("Retry-After", "1");
    res.set_content(error_json(e.what()), "application/json");
  } catch (const tabula::Error& e) {  // unknown table or column, bad value, bad JSON
    res.status = 400;
    res.set_content(error_json(e.what()), "application/json");
  } catch (const std::exception& e) {
    res.status = 500;
    res.set_content(error_json(e.what()), "application/json");
  }
}

// Binds `server` to host:port (port 0: any free port); returns the port, or -1. cpp-httplib 0.11
// (Debian 12's) listens with a backlog of 5: a burst of new connections overflows it (the kernel
// counts TcpExtListenOverflows) and clients see requests go unanswered. Linux takes a second
// listen() on the bound socket as its new backlog.
int bind_with_backlog(httplib::Server& server, const std::string& host, int port) {
  auto socket = std::make_shared<socket_t>(-1);
  server.set_socket_options([socket](socket_t s) {
    httplib::default_socket_options(s);
    *socket = s;
  });
  int bound = port == 0                         ? server.bind_to_any_port(host)
              : server.bind_to_port(host, port) ? port
                                                : -1;
  if (bound >= 0 && *socket >= 0) ::listen(*socket, SOMAXCONN);
  return bound;
}

int self_test(tabula::Engine& engine, httplib::Server& server) {
  engine.execute("DROP TABLE IF EXISTS api_item");
  bool mysql = engine.dialect() == tabula::Dialect::mysql;
  engine.execute(std::string("CREATE TABLE api_item (id INTEGER PRIMARY KEY") +
                 (mysql ? " AUTO_INCREMENT" : "") +
                 ", name VARCHAR(40) NOT NULL UNIQUE, qty INTEGER NOT NULL DEFAULT 1)");
  int port = bind_with_backlog(server, "127.0.0.1", 0);
  std::thread serving([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  httplib::Client client("127.0.0.1", port);
  auto show = [&](const char* what, const httplib::Result& r) {
    std::cout << what << " -> " << (r ? r->status : -1) << " " << (r ? r->body : "") << "\n";
  };
  show("POST {\"name\":\"bolt\"}",
       client.Post("/tables/api_item", R"({"name": "bolt"})", "application/json"));
  show("POST duplicate",
       client.Post("/tables/api_item", R"({"name": "bolt"})", "application/json"));
  show("POST unknown table",
       client.Post("/tables/api_itme", R"({"name": "x"})", "application/json"));
  show("POST unknown column",
       client.Post("/tables/api_item", R"({"nmae": "x"})", "application/json"));
  show("POST bad value",
       client.Post("/tables/api_item", R"({"name": "n", "qty": "many"})", "application/json"));
  show("GET /health", client.Get("/health"));
  auto metrics = client.Get("/metrics");
  std::cout << "GET /metrics -> " << (metrics ? metrics->status : -1) << ", "
            << (metrics && metrics->body.find("tabula_pool_open") != std::string::npos
                    ? "has tabula_pool_open"
                    : "no pool metrics")
            << "\n";
  server.stop();
  serving.join();
  engine.execute("DROP TABLE api_item");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"insert_api: POST JSON rows into an automapped database", "insert_api"};
  app.add_option("--url", o.url, "Database URL")->capture_default_str();
  app.add_option("--port", o.port, "HTTP port")->capture_default_str();
  app.add_option("--max-connections", o.max_connections, "Database connections, at most")
      ->capture_default_str();
  app.add_option("--threads", o.threads, "HTTP worker threads")->capture_default_str();
  app.add_flag("--debug-routes", o.debug_routes, "Enable ?fail=mid-session (for load tests)");
  app.add_flag("--self-test", o.self_test, "Start on a free port, send a few requests, exit");
  CLI11_PARSE(app, argc, argv);
  // A password written in --url anyway: gone from `ps` and /proc/<pid>/cmdline from here on.
  tabula::hide_url_passwords(argc, argv);

  try {
    tabula::Engine engine(
        o.url, {.max_connections = o.max_connections, .checkout_timeout = std::chrono::seconds{2}});
    httplib::Server server;
    server.new_task_queue = [&] { return new httplib::ThreadPool(o.threads); };
    server.Post(R"(/tables/([A-Za-z0-9_$]+))",
                [&](const httplib::Request& req, httplib::Response& res) {
                  answer_insert(engine, req, res, o.debug_routes);
                });
    server.Get("/metrics", [&](const httplib::Request&, httplib::Response& res) {
      res.set_content(tabula::to_prometheus(engine.pool().stats()), "text/plain; version=0.0.4");
    });
    server.Get("/health", [&](const httplib::Request&, httplib::Response& res) {
      std::optional<tabula::Lease> lease = engine.pool().try_checkout(std::chrono::seconds{1});
      bool ok = lease && (*lease)->ping(std::chrono::seconds{1});
      res.status = ok ? 200 : 503;
      res.set_content(nlohmann::json{{"status", ok ? "ok" : "database unavailable"}}.dump(),
                      "application/json");
    });
    if (o.self_test) return self_test(engine, server);
    std::cout << "insert_api: listening on port " << o.port << ", database " << engine.url()
              << ", at most " << o.max_connections << " connections\n";
    if (bind_with_backlog(server, "0.0.0.0", o.port) < 0) {
      std::cerr << "insert_api: cannot listen on port " << o.port << "\n";
      return 1;
    }
    server.listen_after_bind();
  } catch (const tabula::Error& e) {
    std::cerr << "insert_api: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
