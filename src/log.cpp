#include <tabula/log.hpp>

#include <atomic>
#include <iostream>
#include <memory>
#include <mutex>

namespace tabula {
namespace {

void default_handler(LogLevel level, std::string_view message) {
  if (level < LogLevel::warning) return;
  std::cerr << "tabula " << to_string(level) << ": " << message << '\n';
}

// The handler is swapped under a mutex and called through a shared_ptr copy, so a handler that is
// being replaced stays alive until the calls already in it return.
struct HandlerSlot {
  std::mutex mutex;
  std::shared_ptr<const LogHandler> handler;
};

HandlerSlot& slot() {
  static auto* instance =
      new HandlerSlot;  // never destroyed: threads may log while the process exits
  return *instance;
}

struct StatementSlot {
  std::mutex mutex;
  std::shared_ptr<const StatementHandler> handler;
  std::atomic<bool> installed{false};
};

StatementSlot& statement_slot() {
  static auto* instance =
      new StatementSlot;  // never destroyed: threads may log while the process exits
  return *instance;
}

}  // namespace

std::string_view to_string(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::warning:
      return "warning";
    case LogLevel::error:
      return "error";
  }
  return "unknown";
}

void set_log_handler(LogHandler handler) {
  auto next = handler ? std::make_shared<const LogHandler>(std::move(handler)) : nullptr;
  std::lock_guard lock(slot().mutex);
  slot().handler = std::move(next);
}

void log(LogLevel level, std::string_view message) noexcept {
  std::shared_ptr<const LogHandler> handler;
  {
    std::lock_guard lock(slot().mutex);
    handler = slot().handler;
  }
  try {
    if (handler) {
      (*handler)(level, message);
    } else {
      default_handler(level, message);
    }
  } catch (const std::exception& e) {
    std::cerr << "tabula: the log handler threw (" << e.what() << ") for: " << message << '\n';
  } catch (...) {
    std::cerr << "tabula: the log handler threw for: " << message << '\n';
  }
}

void set_statement_handler(StatementHandler handler) {
  auto next = handler ? std::make_shared<const StatementHandler>(std::move(handler)) : nullptr;
  StatementSlot& s = statement_slot();
  std::lock_guard lock(s.mutex);
  s.installed.store(next != nullptr, std::memory_order_release);
  s.handler = std::move(next);
}

bool has_statement_handler() noexcept {
  return statement_slot().installed.load(std::memory_order_acquire);
}

void report_statement(std::string_view sql, std::size_t values) noexcept {
  StatementSlot& s = statement_slot();
  if (!s.installed.load(std::memory_order_acquire)) return;
  std::shared_ptr<const StatementHandler> handler;
  {
    std::lock_guard lock(s.mutex);
    handler = s.handler;
  }
  try {
    if (handler) (*handler)(sql, values);
  } catch (...) {
    log(LogLevel::warning, "the statement handler threw; ignored");
  }
}

}  // namespace tabula
