// The census: the population counted at the census month, and the year's outcome cubes under
// the output contract's names (DESIGN §5; the Python contract check and docs/output_format.md
// follow these names).
#pragma once

#include <cstdint>
#include <vector>

#include "employers/employers.hpp"
#include "engine/tally.hpp"
#include "migrants/migrants.hpp"
#include "migsim/engine.hpp"
#include "migsim/scenario.hpp"
#include "municipalities/municipalities.hpp"

namespace migsim {

// What the census counts of the population, in agents.
struct PopulationCount {
  std::vector<std::int64_t> stock, workers;                          // [status, field, origin]
  std::vector<std::int64_t> pref_stock;                              // [prefecture, status, field]
  std::vector<std::int64_t> residents, municipal_workers, children;  // [municipality]; children of school age
  std::vector<std::int64_t> wage_sum, wage_n;           // [prefecture, field]: wages of the employed, and how many
  std::vector<std::int64_t> children_needing_japanese;  // [municipality]: of school age, below the level needed
  std::vector<std::int64_t> wage_square_sum;            // [prefecture, field]: squared wages (yen², exact)
};

// The population at step `now`, counted in parallel over fixed chunks (integer sums: any order).
PopulationCount count_population(const Migrants& migrants, const Employers& employers,
                                 const Municipalities& municipalities, const Dims& dims, const FamilyParameters& family,
                                 std::int32_t now);

// The cubes of `year`: stocks from `count`, the year's flows, and the employers' and
// municipalities' state now, in persons.
YearOutput year_output(int year, const PopulationCount& count, const YearTally& flows, const Employers& employers,
                       const Municipalities& municipalities, const Dims& dims, const Scenario& scenario);

}  // namespace migsim
