#pragma once

// A TCP relay on 127.0.0.1 between a test's client and the real server, for faults a healthy
// loopback never shows. It forwards bytes both ways, passes each side's end of stream on to the
// other, and can hold a client's COM_QUIT for a while before passing it on: the server then acts on
// the quit late, as a busy server does, which opens the window in which a pool that frees a slot
// on sending COM_QUIT meets its old connection at the server.
//
//   test::TcpRelay relay("127.0.0.1", server_port, {.quit_delay = 50ms});
//   Url url = ... with port relay.port() ...
//
// Each relayed connection runs on a thread of its own, reaped when it ends; all are joined on
// destruction.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace tabula::test {

struct RelayFaults {
  // How long a client's COM_QUIT packet is held before it is forwarded to the server.
  std::chrono::milliseconds quit_delay{0};
};

class TcpRelay {
 public:
  // Listens on 127.0.0.1 (a free port) and relays to `host`:`port`. Throws std::runtime_error.
  TcpRelay(const std::string& host, int port, RelayFaults faults = {});
  ~TcpRelay();
  TcpRelay(const TcpRelay&) = delete;
  TcpRelay& operator=(const TcpRelay&) = delete;

  int port() const { return port_; }
  // COM_QUIT packets held back so far.
  int quits_delayed() const { return quits_delayed_.load(); }

 private:
  struct Link {
    int client = -1;
    int server = -1;
    std::atomic<bool> done{false};
    std::thread thread;
  };

  void accept_loop();
  void relay(Link& link);
  void reap(bool all);

  std::string host_;
  int target_port_;
  RelayFaults faults_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> quits_delayed_{0};
  std::vector<std::unique_ptr<Link>> links_;  // the acceptor's own
  std::thread acceptor_;
};

}  // namespace tabula::test
