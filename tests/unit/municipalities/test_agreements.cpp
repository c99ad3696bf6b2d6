// Municipal agreements with origins in runs: signed when employers lack workers, and what they draw.
#include <catch2/catch.hpp>

#include <cmath>

#include "../model_helpers.hpp"

using namespace migsim;
using namespace migsim::test;

TEST_CASE("an agreement with an origin raises that origin's entries into that municipality", "[model]") {
  // Municipalities sign nothing of their own accord here; Ota (Gunma) signs with Indonesia.
  const auto no_adoption = without_policy_adoption({"end=2026-10"});
  auto signing = no_adoption;
  signing.push_back("events=[{type: agreement, date: 2022-10, municipality: 10205, origin: indonesia}]");
  const Scenario plain = small_quickstart(no_adoption);
  const Scenario signed_up = small_quickstart(signing);
  const auto before = entries_into(plain, run(plain), 10205, "indonesia");
  const auto after = entries_into(signed_up, run(signed_up), 10205, "indonesia");
  INFO(before << " -> " << after);
  CHECK(after > before);
  const auto years = run(signed_up);
  CHECK(total(years.back(), years.back().municipality, "agreements") == 1);
}

TEST_CASE("municipalities sign agreements when employers lack workers, within budget", "[model][municipal]") {
  const std::vector<std::string> keen{"municipal_policy.base_adoption_per_year=0", "municipal_policy.peer_effect=0",
                                      "municipal_policy.vacancy_effect=20", "end=2025-10"};
  auto broke = keen;
  broke.push_back("municipal_policy.budget_yen_per_resident=0");
  const Scenario s = small_quickstart(keen);
  const Scenario no_money = small_quickstart(broke);
  const auto years = run(s);
  CHECK(total(years.front(), years.front().municipality, "agreements") == 0);
  CHECK(total(years.back(), years.back().municipality, "agreements") > 0);
  const auto none = run(no_money);
  CHECK(total(none.back(), none.back().municipality, "agreements") == 0);
}
