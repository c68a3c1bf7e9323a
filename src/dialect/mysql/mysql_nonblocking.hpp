#pragma once

// Connector/C's non-blocking API (MYSQL_OPT_NONBLOCK is set on every connection): an operation is
// started (mysql_*_start), says what it waits for, and is resumed (mysql_*_cont) until it says 0.
// The waiting in between is done here with poll(), so the caller chooses what happens meanwhile:
// the ping and reset of a returned connection bound it by a deadline; a prepared page binds the
// next page while the server runs it (mysql_prepared_insert.cpp).
//
//   int ret = 0;
//   int status = mysql_stmt_execute_start(&ret, stmt);
//   ...  // other work while the server runs the statement
//   bool done = finish_nonblocking(conn, status, Clock::time_point::max(),
//                                  [&](int events) { return mysql_stmt_execute_cont(&ret, stmt,
//                                                                                   events); });

#include <mysql.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

namespace tabula::dialect::mysql {

// Waits for what `status` says the operation waits for and resumes it (`resume(events)` returns
// the next status) until it reports 0: true. False when `deadline` passed or poll failed: the
// handle is then mid-operation and must be closed, not reused. The library's own timeouts (the
// read and write timeouts) come as MYSQL_WAIT_TIMEOUT and end the operation with its error.
template <class Resume>
bool finish_nonblocking(MYSQL* conn, int status, std::chrono::steady_clock::time_point deadline,
                        Resume resume) noexcept {
  using Clock = std::chrono::steady_clock;
  constexpr std::chrono::milliseconds kLongestPoll{60'000};  // a wait is an int of milliseconds
  while (status != 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    int wait_ms = static_cast<int>(std::min(left, kLongestPoll).count());
    if ((status & MYSQL_WAIT_TIMEOUT) != 0) {
      wait_ms = std::min<int>(wait_ms, static_cast<int>(mysql_get_timeout_value_ms(conn)));
    }
    pollfd fd{mysql_get_socket(conn), 0, 0};
    if ((status & MYSQL_WAIT_READ) != 0) fd.events |= POLLIN;
    if ((status & MYSQL_WAIT_WRITE) != 0) fd.events |= POLLOUT;
    if ((status & MYSQL_WAIT_EXCEPT) != 0) fd.events |= POLLPRI;
    int ready = ::poll(&fd, 1, wait_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    int events = 0;
    if (ready == 0) {
      if ((status & MYSQL_WAIT_TIMEOUT) == 0) continue;  // our deadline: checked at loop top
      events = MYSQL_WAIT_TIMEOUT;
    }
    if ((fd.revents & (POLLIN | POLLHUP | POLLERR)) != 0) events |= MYSQL_WAIT_READ;
    if ((fd.revents & POLLOUT) != 0) events |= MYSQL_WAIT_WRITE;
    if ((fd.revents & POLLPRI) != 0) events |= MYSQL_WAIT_EXCEPT;
    status = resume(events);
  }
  return true;
}

// Starts an operation and finishes it within `timeout`, as finish_nonblocking.
template <class Start, class Resume>
bool drive_nonblocking(MYSQL* conn, std::chrono::milliseconds timeout, Start start,
                       Resume resume) noexcept {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  return finish_nonblocking(conn, start(), deadline, resume);
}

}  // namespace tabula::dialect::mysql
