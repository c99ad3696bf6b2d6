// Errors a user can act on: where (file, line, column, key path) and what was expected.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace migsim {

// A place in an input: a scenario file (1-based line and column) or the command line.
struct SourceLocation {
  std::string file;  // "command line" for --set overrides and flags
  int line = 0;      // 0 when not known
  int column = 0;
};

// Bad input (scenario, sweep, command line): exit status 2, nothing written.
class InputError : public std::runtime_error {
 public:
  InputError(SourceLocation where, std::string key_path, std::string what_expected)
      : std::runtime_error(format(where, key_path, what_expected)),
        where_(std::move(where)),
        key_path_(std::move(key_path)) {}

  explicit InputError(const std::string& message) : std::runtime_error(message) {}

  const SourceLocation& where() const { return where_; }
  const std::string& key_path() const { return key_path_; }

  static std::string format(const SourceLocation& where, const std::string& key_path,
                            const std::string& what_expected) {
    std::ostringstream out;
    out << where.file;
    if (where.line > 0) out << ':' << where.line << ':' << where.column;
    out << ": ";
    if (!key_path.empty()) out << "key '" << key_path << "': ";
    out << what_expected;
    return out.str();
  }

 private:
  SourceLocation where_;
  std::string key_path_;
};

// A run that cannot write its output (full disk, I/O error): exit status 1, one line naming the
// file and the reason; the temporary file is removed and an existing output is left as it was.
class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace migsim
