// The runs of a sweep: each (variant, design point, replicate), its seed and its overrides.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "migsim/scenario.hpp"
#include "migsim/scenario_io.hpp"
#include "sweep/designs.hpp"
#include "sweep/sweep_file.hpp"

namespace migsim::sweep {

// A run's seed from the sweep's seed and the replicate only: replicate r draws the same numbers
// at every point and variant (common random numbers). SplitMix64 of the pair, kept below 2^63.
std::uint64_t run_seed(std::uint64_t sweep_seed, int replicate);

struct PlannedRun {
  int index = 0;
  int variant = 0;
  int point = 0;
  int replicate = 0;
  std::uint64_t seed = 0;
};

class SweepPlan {
 public:
  explicit SweepPlan(SweepSpec spec);

  const SweepSpec& spec() const { return spec_; }
  const Design& design() const { return design_; }
  int point_count() const { return static_cast<int>(design_.points.size()); }
  int run_count() const;
  // run = ((variant * points) + point) * replicates + replicate
  PlannedRun run(int index) const;

  // The hex SHA-256 of the sweep file's bytes: a result or its parts belong to this sweep only.
  const std::string& sweep_hash() const { return hash_; }
  // {"type":..., "samples":..., "factors":[...], "sampler_seed":...}
  std::string design_json() const;

 private:
  SweepSpec spec_;
  Design design_;
  std::string hash_;
};

// Each variant's scenario read once (in this process), resolved for any run of the plan.
class SweepScenarios {
 public:
  explicit SweepScenarios(const SweepPlan& plan);
  // The run's scenario: the variant, the point's factor values, the run's seed. Throws InputError.
  Scenario resolve(const PlannedRun& run) const;
  // The overrides resolve() applies (factor values and the seed), as --set texts.
  std::vector<std::string> overrides(const PlannedRun& run) const;

 private:
  const SweepPlan& plan_;
  std::vector<std::unique_ptr<LoadedScenario>> variants_;
};

// Resolves every (variant, point) of the plan and checks that all runs give cubes of the same
// shape; a bad one is an InputError naming the sweep file's factor or variant. Returns the
// scenario of run 0 (its labels and years are every run's).
Scenario validate_plan(const SweepPlan& plan, const SweepScenarios& scenarios);

// The text of a number that reads back as the same double: 0.3, not 0.29999999999999999.
std::string shortest(double value);

// The hex SHA-256 of some bytes.
std::string sha256_hex(const std::string& bytes);

}  // namespace migsim::sweep
