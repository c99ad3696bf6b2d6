// The employer-change rule in runs: what allowing a change does to changes and absconding.
#include <catch2/catch.hpp>

#include <cmath>

#include "../model_helpers.hpp"

using namespace migsim;
using namespace migsim::test;

TEST_CASE("allowing a change after 12 months instead of never raises changes and lowers absconding", "[model]") {
  const Scenario never = small_quickstart(tes_only("never"));
  const Scenario after = small_quickstart(tes_only("after_months"));
  const auto bound = run(never);
  const auto free_after_a_year = run(after);
  const auto changes_bound = over_years(never, bound, "employer_changes", "TES");
  const auto changes_free = over_years(after, free_after_a_year, "employer_changes", "TES");
  const auto abscond_bound = over_years(never, bound, "absconded", "TES");
  const auto abscond_free = over_years(after, free_after_a_year, "absconded", "TES");
  INFO("changes " << changes_bound << " -> " << changes_free << ", absconded " << abscond_bound << " -> "
                  << abscond_free);
  CHECK(changes_bound == 0);
  CHECK(changes_free > 0);
  CHECK(abscond_free < abscond_bound);
}
