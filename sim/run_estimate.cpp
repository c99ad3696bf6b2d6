#include "run_estimate.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "migsim/error.hpp"

namespace migsim {

namespace {

// An agent's arrays take 35 bytes (sim/migrants/population.hpp); growth by doubling, the
// departed kept until compaction and the per-step buffers at most about treble that.
constexpr double kBytesPerAgent = 112;
// The scenario, its tables, employers, municipalities and the output cubes: measured about
// 180 MB for Japan (1,741 municipalities, 24,086 establishment rows, 332,652 stock rows).
constexpr double kFixedBytes = 512.0 * 1024 * 1024;

}  // namespace

RunEstimate estimate_run(const Scenario& s) {
  RunEstimate e;
  for (const auto& cell : s.initial_stock) e.initial_persons += static_cast<double>(cell.persons);
  for (std::size_t o = 0; o < s.origins.size(); ++o) {
    double push = 1.0;  // every push of this origin as if in force together
    for (const auto& p : s.sending_pushes)
      if (p.origin == o) push *= std::max(1.0, p.applicant_multiplier);
    e.applicants_per_year +=
        std::max(0.0, s.origins[o].applicants_per_year) * std::max(0.0, s.applicants_multiplier) * push;
  }
  e.years = static_cast<double>(s.end - s.start) / 12.0;
  e.family_factor = 1.0 + s.family.spouse_probability + s.family.children_mean;
  e.agents = (e.initial_persons + e.applicants_per_year * e.years) * e.family_factor * s.scale;
  const double bytes = e.agents * kBytesPerAgent + kFixedBytes;
  e.bytes = bytes >= 1.8e19 ? UINT64_MAX : static_cast<std::uint64_t>(bytes);
  return e;
}

std::uint64_t default_max_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page_size = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_size <= 0) return UINT64_MAX;  // unknown: no limit
  return static_cast<std::uint64_t>(pages) / 4 * 3 * static_cast<std::uint64_t>(page_size);
}

std::uint64_t parse_memory_size(const std::string& text) {
  const auto bad = [&] {
    return InputError({"command line", 0, 0}, "--max-memory",
                      "expected a size like 8G, 512M or a number of bytes, got '" + text + "'");
  };
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 15 || text.size() > digits + 1) throw bad();
  std::uint64_t value = std::stoull(text.substr(0, digits));
  if (text.size() == digits + 1) {
    const std::string units = "KMGT";
    const auto power = units.find(static_cast<char>(std::toupper(static_cast<unsigned char>(text.back()))));
    if (power == std::string::npos) throw bad();
    for (std::size_t k = 0; k <= power; ++k) {
      if (value > UINT64_MAX / 1024) throw bad();
      value *= 1024;
    }
  }
  return value;
}

std::string format_bytes(std::uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f GiB", static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
  return text;
}

}  // namespace migsim
