// Reading a scenario's input files whole, with limits checked while reading: a file is refused
// (InputError, exit 2) when it is a folder, cannot be opened (with the system's reason), or is
// larger or has longer lines than a scenario file or table can sensibly have.
#pragma once

#include <cstddef>
#include <string>

namespace migsim::detail {

struct InputFileLimits {
  const char* what;            // "scenario file", "table file": how messages name it
  std::size_t max_bytes;       // the whole file
  std::size_t max_line_bytes;  // one line
};

// The documented limits (docs/reliability.md).
constexpr InputFileLimits kScenarioFileLimits{"scenario file", std::size_t{16} << 20, std::size_t{1} << 20};
constexpr InputFileLimits kTableFileLimits{"table file", std::size_t{256} << 20, std::size_t{1} << 20};

// The file's bytes; the file is closed on return.
std::string read_input_file(const std::string& path, const InputFileLimits& limits);

}  // namespace migsim::detail
