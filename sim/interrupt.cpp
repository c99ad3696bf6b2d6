// The handler may run on any thread at any moment, so it touches only a fixed table of atomics
// and character arrays, and calls only unlink, write and _exit (async-signal-safe).
#include "interrupt.hpp"

#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace migsim {

namespace {

constexpr std::size_t kSlots = 256;       // temporary files alive at once (a sweep's parallel runs)
constexpr std::size_t kPathBytes = 4096;  // PATH_MAX on Linux, with its terminating zero

enum SlotState : int { kFree = 0, kFilling = 1, kRegistered = 2 };

struct Slot {
  std::atomic<int> state{kFree};
  char path[kPathBytes];
};

std::array<Slot, kSlots> slots;
std::atomic<bool> installed{false};
std::atomic_flag handling = ATOMIC_FLAG_INIT;

static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs lock-free atomics");

// Writes a decimal number into `out`; returns the characters written.
std::size_t format_count(std::size_t value, char* out) {
  char reversed[24];
  std::size_t n = 0;
  do {
    reversed[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  for (std::size_t k = 0; k < n; ++k) out[k] = reversed[n - 1 - k];
  return n;
}

void append(char* buffer, std::size_t& used, std::size_t capacity, const char* text) {
  for (; *text != '\0' && used < capacity; ++text) buffer[used++] = *text;
}

extern "C" void on_interrupt(int signo) {
  // A second signal, on this thread or another, waits for the first handler's _exit.
  if (handling.test_and_set()) {
    for (;;) ::pause();
  }
  std::size_t removed = 0;
  for (auto& slot : slots)
    if (slot.state.load(std::memory_order_acquire) == kRegistered && ::unlink(slot.path) == 0) ++removed;
  char message[160];
  std::size_t used = 0;
  append(message, used, sizeof message, "migsim: interrupted by ");
  append(message, used, sizeof message, signo == SIGINT ? "SIGINT" : "SIGTERM");
  append(message, used, sizeof message, "; removed ");
  used += format_count(removed, message + used);
  append(message, used, sizeof message, " temporary file(s)\n");
  for (std::size_t written = 0; written < used;) {
    const ssize_t n = ::write(STDERR_FILENO, message + written, used - written);
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  ::_exit(128 + signo);
}

}  // namespace

void install_interrupt_handlers() {
  if (installed.exchange(true)) return;
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  sigaddset(&action.sa_mask, SIGINT);
  sigaddset(&action.sa_mask, SIGTERM);
  action.sa_flags = 0;
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

TemporaryFileGuard::TemporaryFileGuard(const std::string& path) {
  // Absolute, so that the handler removes the right file whatever the working folder is then.
  const std::string absolute = std::filesystem::absolute(path).string();
  if (absolute.size() + 1 > kPathBytes)
    throw std::length_error("temporary file path longer than " + std::to_string(kPathBytes - 1) +
                            " bytes: " + absolute);
  for (std::size_t k = 0; k < kSlots; ++k) {
    int expected = kFree;
    if (!slots[k].state.compare_exchange_strong(expected, kFilling, std::memory_order_acquire)) continue;
    std::memcpy(slots[k].path, absolute.c_str(), absolute.size() + 1);
    slots[k].state.store(kRegistered, std::memory_order_release);
    slot_ = k;
    return;
  }
  throw std::length_error("more than " + std::to_string(kSlots) + " temporary files open at once");
}

TemporaryFileGuard::~TemporaryFileGuard() { slots[slot_].state.store(kFree, std::memory_order_release); }

}  // namespace migsim
