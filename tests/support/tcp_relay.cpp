#include "tcp_relay.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace tabula::test {
namespace {

// A command packet carrying COM_QUIT: length 1, sequence 0, command byte 0x01.
constexpr unsigned char kComQuit[] = {0x01, 0x00, 0x00, 0x00, 0x01};

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

int connect_to(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return -1;
  int fd = -1;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd >= 0 && ::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  return fd;
}

}  // namespace

TcpRelay::TcpRelay(const std::string& host, int port, RelayFaults faults)
    : host_(host), target_port_(port), faults_(faults) {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener_ < 0) throw std::runtime_error("relay: socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener_, 128) != 0 ||
      ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(listener_);
    throw std::runtime_error(std::string("relay: cannot listen: ") + std::strerror(errno));
  }
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

TcpRelay::~TcpRelay() {
  stop_ = true;
  acceptor_.join();  // reaps every link on its way out
  ::close(listener_);
}

void TcpRelay::reap(bool all) {
  for (auto it = links_.begin(); it != links_.end();) {
    Link& link = **it;
    if (!all && !link.done.load()) {
      ++it;
      continue;
    }
    if (!link.done.load()) ::shutdown(link.client, SHUT_RDWR);  // wakes its relay
    link.thread.join();
    ::close(link.client);
    ::close(link.server);
    it = links_.erase(it);
  }
}

void TcpRelay::accept_loop() {
  while (!stop_) {
    reap(false);
    pollfd p{listener_, POLLIN, 0};
    if (::poll(&p, 1, 20) <= 0) continue;
    int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    int server = connect_to(host_, target_port_);
    if (server < 0) {
      ::close(client);
      continue;
    }
    auto link = std::make_unique<Link>();
    link->client = client;
    link->server = server;
    Link* raw = link.get();
    link->thread = std::thread([this, raw] { relay(*raw); });
    links_.push_back(std::move(link));
  }
  reap(true);
}

void TcpRelay::relay(Link& link) {
  // Each direction runs until its sender ends its stream; that end is passed on to the receiver.
  bool client_open = true;
  bool server_open = true;
  char buffer[16384];
  while ((client_open || server_open) && !stop_) {
    // A side whose stream has ended is left out (a negative fd), or its hang-up would wake
    // poll() at once, again and again.
    pollfd p[2] = {{client_open ? link.client : -1, POLLIN, 0},
                   {server_open ? link.server : -1, POLLIN, 0}};
    if (::poll(p, 2, 50) <= 0) continue;
    for (int side = 0; side < 2; ++side) {
      if (p[side].revents == 0) continue;
      int from = side == 0 ? link.client : link.server;
      int to = side == 0 ? link.server : link.client;
      ssize_t n = ::recv(from, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n > 0 && side == 0 && faults_.quit_delay.count() > 0 &&
          static_cast<std::size_t>(n) >= sizeof kComQuit &&
          std::memcmp(buffer, kComQuit, sizeof kComQuit) == 0) {
        ++quits_delayed_;
        std::this_thread::sleep_for(faults_.quit_delay);
      }
      if (n <= 0 || !write_all(to, buffer, static_cast<std::size_t>(n))) {
        ::shutdown(to, SHUT_WR);  // pass the end of stream on
        (side == 0 ? client_open : server_open) = false;
      }
    }
  }
  link.done = true;
}

}  // namespace tabula::test
