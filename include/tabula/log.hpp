#pragma once

// The logging hook: where tabula reports what it cannot throw (a connection that failed to reset
// on return, a lease held past the leak threshold, a clamped pool option). One process-wide
// handler; the default writes warnings and errors to stderr. No message ever contains a password.
//
//   tabula::set_log_handler([](tabula::LogLevel level, std::string_view message) {
//     my_logger.log(level >= tabula::LogLevel::warning ? "WARN" : "INFO", message);
//   });

#include <cstddef>
#include <functional>
#include <string_view>

namespace tabula {

enum class LogLevel { debug, info, warning, error };

std::string_view to_string(LogLevel level) noexcept;

// Called for every message. It may be called from any thread, including the pool's housekeeping
// thread and destructors, so it must be thread-safe and must not throw (an exception is dropped).
using LogHandler = std::function<void(LogLevel, std::string_view)>;

// Installs `handler` for the whole process; an empty handler restores the default. Thread-safe.
void set_log_handler(LogHandler handler);

// Sends a message to the current handler. Never throws.
void log(LogLevel level, std::string_view message) noexcept;

// The statement hook: called with the text of every statement a Session sends, before it is
// sent, with `?` where values go (values are never passed: they may be personal data) and the
// number of values. For tracing and for tests that check what SQL a flush produced.
//
//   tabula::set_statement_handler([](std::string_view sql, std::size_t values) { ... });
//
// Same rules as the log handler: process-wide, thread-safe, must not throw. None by default;
// with none installed the hook costs one atomic load per statement.
using StatementHandler = std::function<void(std::string_view sql, std::size_t values)>;
void set_statement_handler(StatementHandler handler);
void report_statement(std::string_view sql, std::size_t values) noexcept;
// True while a statement handler is installed: statements whose reported text costs something
// to build (a page of a thousand rows of `?`) build it only then.
bool has_statement_handler() noexcept;

}  // namespace tabula
