// SIGINT and SIGTERM end a run cleanly: the temporary files registered here are removed, one line
// says so on stderr, and the process exits 128 + the signal's number (130 for SIGINT, 143 for SIGTERM).
#pragma once

#include <cstddef>
#include <string>

namespace migsim {

// Installs the SIGINT/SIGTERM handlers (idempotent). On a signal: unlinks every registered
// temporary file, writes "migsim: interrupted by SIGINT (or SIGTERM); removed <n> temporary file(s)"
// to stderr with write(2), and _exit(128 + signo). Async-signal-safe: a fixed-size table of paths.
void install_interrupt_handlers();

// Registers a path to unlink if a signal arrives while this object lives; the destructor
// unregisters it (it does not unlink). Registration is thread-safe. A relative path is made
// absolute first. Throws std::length_error when the table is full or the path too long.
class TemporaryFileGuard {
 public:
  explicit TemporaryFileGuard(const std::string& path);
  ~TemporaryFileGuard();
  TemporaryFileGuard(const TemporaryFileGuard&) = delete;
  TemporaryFileGuard& operator=(const TemporaryFileGuard&) = delete;

 private:
  std::size_t slot_;
};

}  // namespace migsim
