// Shared helpers for the Catch2 tests: paths into the source tree and runs of real scenarios.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "migsim/engine.hpp"
#include "migsim/scenario.hpp"
#include "migsim/scenario_io.hpp"

namespace migsim::test {

inline std::string source_path(const std::string& relative) { return std::string(MIGSIM_SOURCE_DIR) + "/" + relative; }

inline const std::string& quickstart() {
  static const std::string path = source_path("scenarios/quickstart.yaml");
  return path;
}

// The quickstart at 1/16 scale (about 13,000 agents) with extra overrides: fast enough for
// many runs, large enough for every mechanism to act.
inline Scenario small_quickstart(std::vector<std::string> overrides = {}) {
  overrides.insert(overrides.begin(), "scale=0.0625");
  return load_scenario({quickstart(), overrides});
}

inline std::vector<YearOutput> run(const Scenario& s, int threads = 2) {
  Engine engine(s);
  CollectingSink sink;
  RunOptions options;
  options.threads = threads;
  engine.run(sink, options);
  return sink.years;
}

// Sum of a national measure over the cells whose (status, field, origin) the filter accepts.
inline std::int64_t national_sum(
    const Scenario& s, const YearOutput& y, const std::string& measure,
    const std::function<bool(const std::string&, const std::string&, const std::string&)>& keep) {
  const auto& values = y.find(y.national, measure).counts;
  const std::size_t F = s.fields.size(), O = s.origins.size();
  std::int64_t total = 0;
  for (std::size_t st = 0; st < s.statuses.size(); ++st)
    for (std::size_t f = 0; f < F; ++f)
      for (std::size_t o = 0; o < O; ++o)
        if (keep(s.statuses[st].name, s.fields[f].name, s.origins[o].name)) total += values[(st * F + f) * O + o];
  return total;
}

inline std::int64_t status_sum(const Scenario& s, const YearOutput& y, const std::string& measure,
                               const std::string& status) {
  return national_sum(s, y, measure,
                      [&](const std::string& st, const std::string&, const std::string&) { return st == status; });
}

inline std::int64_t total(const YearOutput& y, const std::vector<Measure>& group, const std::string& measure) {
  std::int64_t sum = 0;
  for (auto v : y.find(group, measure).counts) sum += v;
  return sum;
}

}  // namespace migsim::test
