// The migrants' hazards in runs: working conditions and absconding, exits at the yearly rate their status sets.
#include <catch2/catch.hpp>

#include <cmath>

#include "../model_helpers.hpp"

using namespace migsim;
using namespace migsim::test;

TEST_CASE("bad working conditions raise absconding", "[model]") {
  const Scenario good = small_quickstart({"employers.conditions_mean=0.95", "employers.conditions_sd=0.02"});
  const Scenario bad = small_quickstart({"employers.conditions_mean=0.2", "employers.conditions_sd=0.02"});
  const auto absconded_good = over_years(good, run(good), "absconded", "TITP");
  const auto absconded_bad = over_years(bad, run(bad), "absconded", "TITP");
  INFO(absconded_good << " vs " << absconded_bad);
  CHECK(absconded_bad > absconded_good);
}

// Agents act only when a hazard clock ticks (a geometric draw against a bound) and a tick becomes
// an exit with probability hazard / bound: over years that must give the yearly rate set.
TEST_CASE("agents leave at the yearly exit rate their status sets, clocks thinned to the hazard", "[model][clocks]") {
  const auto s =
      small_quickstart({"scale=0.25", "statuses.SPECIAL_PERMANENT.exit_rate_per_year=0.3",
                        "integration.exit_reduction=0", "behaviour.exit_satisfaction_reduction=0",
                        "behaviour.exit_family_present=1", "behaviour.exit_family_separated=1", "end=2027-10"});
  const auto years = run(s);
  const double start = static_cast<double>(status_sum(s, years.front(), "stock", "SPECIAL_PERMANENT"));
  REQUIRE(start > 1000);
  for (std::size_t y = 1; y < years.size(); ++y) {
    const double expected = start * std::pow(0.7, static_cast<double>(y));
    // Binomial over agents, each standing for persons_per_agent persons.
    const double sd = static_cast<double>(s.persons_per_agent()) *
                      std::sqrt(start / static_cast<double>(s.persons_per_agent()) *
                                std::pow(0.7, static_cast<double>(y)) * (1.0 - std::pow(0.7, static_cast<double>(y))));
    const double got = static_cast<double>(status_sum(s, years[y], "stock", "SPECIAL_PERMANENT"));
    INFO("year " << y << ": " << got << " of " << start << ", expected " << expected << " +- " << sd);
    CHECK(std::abs(got - expected) < 4.0 * sd);
  }
}
