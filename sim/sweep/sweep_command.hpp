// `migsim sweep` and `migsim sweep-merge` (docs/sweeps.md). Exit status: 0 every run succeeded,
// 3 some runs failed (recorded in the result), 2 bad input, 1 internal error.
#pragma once

#include <string>
#include <vector>

namespace migsim::sweep {

constexpr int kSomeRunsFailed = 3;

int command_sweep(const std::vector<std::string>& args);
int command_sweep_merge(const std::vector<std::string>& args);

}  // namespace migsim::sweep
