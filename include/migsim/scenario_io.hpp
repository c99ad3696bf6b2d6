// Reading scenario files: YAML with `extends:` and command-line `--set` overrides, checked
// strictly into a Scenario. Every error is an InputError naming file, line, column and key.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "migsim/scenario.hpp"

namespace migsim {

struct ScenarioSource {
  std::string path;                    // the scenario file
  std::vector<std::string> overrides;  // "key.path=value", applied in order after extends
};

// Throws InputError on any bad input; never touches an output file.
Scenario load_scenario(const ScenarioSource& source);

// A scenario's files and tables read once, resolved again with more overrides for each run of a
// sweep (reading Japan's tables is a fifth of a run at scale 0.1: it must not be paid per run).
// resolve() may be called from several threads; the calls of a process take turns.
class LoadedScenario {
 public:
  explicit LoadedScenario(const ScenarioSource& source);
  ~LoadedScenario();
  LoadedScenario(const LoadedScenario&) = delete;
  LoadedScenario& operator=(const LoadedScenario&) = delete;

  // The scenario with `overrides` ("key.path=value") applied after the source's own; throws
  // InputError like load_scenario.
  Scenario resolve(const std::vector<std::string>& overrides) const;
  // The number at `key_path` in the scenario as read (before resolve's overrides), or nullopt.
  std::optional<double> number_at(const std::string& key_path) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace migsim
