// The engine: runs a Scenario month by month and hands each census year's cubes to a sink.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "migsim/scenario.hpp"

namespace migsim {

// One dataset of a group for one year, flattened in the group's dimension order.
struct Measure {
  Measure() = default;
  Measure(std::string name_, std::string description_, std::string units_, std::vector<std::int64_t> counts_,
          std::vector<double> reals_, std::vector<std::string> dims_ = {})
      : name(std::move(name_)),
        description(std::move(description_)),
        units(std::move(units_)),
        counts(std::move(counts_)),
        reals(std::move(reals_)),
        dims(std::move(dims_)) {}

  std::string name;
  std::string description;
  std::string units;
  std::vector<std::int64_t> counts;  // integer measures
  std::vector<double> reals;         // real measures (exactly one of the two is filled)
  std::vector<std::string> dims;     // dimensions after year when not the group's own
};

// Dimension orders (DESIGN §5): national (status, field, origin); prefecture (prefecture,
// status, field); municipality (municipality; entries_by_origin: municipality, origin);
// labour_market (prefecture, field).
struct YearOutput {
  int year = 0;
  std::vector<Measure> national;
  std::vector<Measure> prefecture;
  std::vector<Measure> municipality;
  std::vector<Measure> labour_market;

  const Measure& find(const std::vector<Measure>& group, const std::string& name) const;
};

// Receives each census year's cubes. Engine::run calls write_year once a year, in year order and
// one call at a time, on one of the run's threads while the next year is simulated; it has
// returned from the last call when run() returns.
class OutputSink {
 public:
  virtual ~OutputSink() = default;
  virtual void write_year(const YearOutput& year) = 0;
};

// Wall time spent in each phase of a run, in seconds, and the work done (for bench/).
struct PhaseTimes {
  double setup = 0;                // the initial population, its first plans and municipal state
  double migrants = 0;             // ageing, learning, decisions, exits, family, compaction
  double matching = 0;             // applicants from abroad and the labour market
  double employers = 0;            // capacity growth and market wages
  double municipalities = 0;       // policy adaptation and integration (yearly)
  double output = 0;               // census tallies, and waiting for the last year to be written
  std::int64_t migrant_steps = 0;  // agents alive at the start of each month, summed over months
};

struct RunOptions {
  int threads = 0;  // 0: all cores
  std::function<void(int step, int steps)> progress;
  PhaseTimes* timings = nullptr;  // filled in when given
};

class Engine {
 public:
  explicit Engine(const Scenario& scenario);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Runs from start to end; each census year (the start included) goes to `sink`.
  void run(OutputSink& sink, const RunOptions& options);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A sink that keeps every year in memory (tests, summaries).
class CollectingSink : public OutputSink {
 public:
  void write_year(const YearOutput& year) override { years.push_back(year); }
  std::vector<YearOutput> years;
};

}  // namespace migsim
