// A sweep file (docs/sweeps.md): a base scenario, variants, a design over factors, replicates.
// Read by the scenario's strict YAML reader: every error names file, line, column and key path.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace migsim::sweep {

enum class DesignType { grid, lhs, sobol, saltelli, morris };
const char* to_string(DesignType type);

enum class FactorScale { linear, log, grid };
const char* to_string(FactorScale scale);

// One axis of the design: a value written into one key path (or into several at once, `sets`),
// or a multiplier applied to the values of several key paths (`multiplies`).
struct Factor {
  std::string name;                    // the key path, or the name given to a multiplier
  std::vector<std::string> key_paths;  // where the value goes
  bool multiplier = false;             // the value multiplies each key's value in the scenario
  bool whole_numbers = false;          // values rounded to whole numbers (integer keys)
  FactorScale scale = FactorScale::linear;
  double min = 0, max = 0;     // sampled designs
  std::vector<double> values;  // grid
  int line = 0, column = 0;    // where the factor is written (for errors found later)
};

struct Variant {
  std::string name;
  std::string file;                    // a scenario that extends the base, or "" for the base itself
  std::vector<std::string> overrides;  // "key.path=value", applied after the file
  int line = 0, column = 0;
};

struct SweepSpec {
  std::string path;  // the sweep file as given
  std::string text;  // its bytes (stored in the result, hashed for --resume)
  std::string base;  // the base scenario, relative to the working folder
  std::optional<double> scale;
  std::uint64_t seed = 1;
  int replicates = 1;
  std::vector<Variant> variants;  // at least one: {"base"} when the file names none
  DesignType design = DesignType::grid;
  int samples = 0;                 // lhs, sobol: points; saltelli: base rows; morris: trajectories
  int morris_levels = 4;           // morris: levels of the grid each factor moves on
  std::uint64_t sampler_seed = 1;  // lhs and morris draw their points from it
  std::vector<Factor> factors;
  std::vector<std::string> groups;  // output groups kept; empty: all the scenario writes
  std::vector<int> years;           // census years kept; empty: all
};

// Throws InputError (file:line:column, key path, what was expected).
SweepSpec read_sweep_file(const std::string& path);

// The name a factor's dataset takes in the result: every character outside [A-Za-z0-9_] as '_'.
std::string dataset_name(const std::string& factor_name);

}  // namespace migsim::sweep
