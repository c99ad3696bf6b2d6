// libFuzzer target: the scenario loader on a scenario file and, optionally, a CSV table beside it.
// The input is the YAML text, then (if present) a line "#---table.csv---" and the table's text,
// which the YAML may name as {csv: table.csv}. Bad input must end in an InputError; any other
// exception, a crash, a sanitizer report or a hang is a finding.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "migsim/error.hpp"
#include "migsim/scenario_io.hpp"

namespace {

// A folder of this process for the two files, removed when the fuzzer exits.
struct ScratchFolder {
  std::filesystem::path path = std::filesystem::temp_directory_path() / ("migsim_fuzz_" + std::to_string(::getpid()));
  ScratchFolder() { std::filesystem::create_directories(path); }
  ~ScratchFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

const std::filesystem::path& folder() {
  static const ScratchFolder scratch;
  return scratch.path;
}

void write(const std::filesystem::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  constexpr std::string_view separator = "\n#---table.csv---\n";
  const auto split = input.find(separator);
  const auto scenario = folder() / "scenario.yaml";
  const auto table = folder() / "table.csv";
  write(scenario, input.substr(0, split));
  if (split != std::string_view::npos)
    write(table, input.substr(split + separator.size()));
  else
    std::filesystem::remove(table);
  try {
    migsim::load_scenario({scenario.string(), {}});
  } catch (const migsim::InputError&) {
    // the expected end of bad input
  } catch (const std::exception& e) {
    std::fprintf(stderr, "not an InputError: %s\n", e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "not an InputError: an exception of another type\n");
    std::abort();
  }
  return 0;
}
