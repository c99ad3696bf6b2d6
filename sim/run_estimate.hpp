// Before a run starts: an upper estimate of its agents and memory from the scenario, refused
// with a clear message above --max-memory rather than ended by the kernel's OOM killer.
#pragma once

#include <cstdint>
#include <string>

#include "migsim/scenario.hpp"

namespace migsim {

struct RunEstimate {
  double initial_persons = 0;      // the initial stock, persons
  double applicants_per_year = 0;  // at most, every push in force at once, persons
  double years = 0;                // of the run
  double family_factor = 1;        // 1 + spouse probability + mean children
  double agents = 0;               // at most: nobody leaves, every applicant admitted with family, at scale
  std::uint64_t bytes = 0;         // memory for those agents and the rest of the run
};

// Conservative on purpose (it ignores exits, caps and vacancies): the runs it refuses could not
// be sure to fit, and the shipped scenarios at scale 1 stay far below a few GiB.
RunEstimate estimate_run(const Scenario& s);

// Three quarters of the machine's physical memory (sysconf), the default of --max-memory.
std::uint64_t default_max_memory_bytes();

// "8G", "512M", "2048K" or a number of bytes (binary units); throws InputError on anything else.
std::uint64_t parse_memory_size(const std::string& text);

std::string format_bytes(std::uint64_t bytes);  // "3.2 GiB"

}  // namespace migsim
