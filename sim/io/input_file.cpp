#include "io/input_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "migsim/error.hpp"

namespace migsim::detail {

namespace {

std::string with_units(std::size_t bytes) {
  return bytes >= (std::size_t{1} << 20) ? std::to_string(bytes >> 20) + " MiB" : std::to_string(bytes) + " bytes";
}

class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

std::string read_input_file(const std::string& path, const InputFileLimits& limits) {
  const std::string what = limits.what;
  auto fail = [&](const std::string& expected) -> InputError { return InputError({path, 0, 0}, "", expected); };
  // O_NONBLOCK: a fifo without a writer must not hang the open; reads below wait as usual.
  Descriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (file.get() < 0) throw fail("cannot open the " + what + ": " + std::strerror(errno));
  struct stat status {};
  if (::fstat(file.get(), &status) != 0) throw fail("cannot read the " + what + ": " + std::strerror(errno));
  if (S_ISDIR(status.st_mode)) throw fail("expected a " + what + ", but this is a folder");
  const int flags = ::fcntl(file.get(), F_GETFL);
  if (flags >= 0) ::fcntl(file.get(), F_SETFL, flags & ~O_NONBLOCK);
  if (S_ISREG(status.st_mode) && static_cast<std::uintmax_t>(status.st_size) > limits.max_bytes)
    throw fail("expected a " + what + " of at most " + with_units(limits.max_bytes) + ", but it has " +
               with_units(static_cast<std::size_t>(status.st_size)));

  std::string text;
  if (S_ISREG(status.st_mode)) text.reserve(static_cast<std::size_t>(status.st_size));
  std::size_t line = 1, line_start = 0;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(file.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw fail("cannot read the " + what + ": " + std::strerror(errno));
    if (n == 0) break;
    if (text.size() + static_cast<std::size_t>(n) > limits.max_bytes)  // a pipe, or a file that grew
      throw fail("expected a " + what + " of at most " + with_units(limits.max_bytes));
    const std::size_t from = text.size();
    text.append(buffer, static_cast<std::size_t>(n));
    for (std::size_t k = from; k < text.size(); ++k) {
      if (text[k] != '\n') continue;
      if (k - line_start > limits.max_line_bytes) break;
      ++line;
      line_start = k + 1;
    }
    // Checked as it is read: a file of one huge line is refused at its first megabyte.
    const std::size_t end = text.find('\n', line_start);
    if ((end == std::string::npos ? text.size() : end) - line_start > limits.max_line_bytes)
      throw InputError({path, static_cast<int>(line), 1}, "",
                       "expected lines of at most " + with_units(limits.max_line_bytes) + " in a " + what);
  }
  return text;
}

}  // namespace migsim::detail
