// Reading scenario files: YAML with `extends:` and command-line `--set` overrides, checked
// strictly into a Scenario. Every error is an InputError naming file, line, column and key.
#pragma once

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

}  // namespace migsim
