// The labour market in runs: where seekers move, who small and diaspora employers recruit, a status change that needs another field.
#include <catch2/catch.hpp>

#include <cmath>

#include "../model_helpers.hpp"

using namespace migsim;
using namespace migsim::test;

TEST_CASE("job seekers move towards cities and towards integration", "[model][search]") {
  // Ota (Gunma) is the smallest municipality and has no integration policy.
  const auto neutral = without_policy_adoption({"behaviour.urban_pull=0", "behaviour.integration_pull=0"});
  auto with = [&](const std::string& extra) {
    auto o = neutral;
    o.push_back(extra);
    return small_quickstart(o);
  };
  const Scenario flat = small_quickstart(neutral);
  const Scenario urban = with("behaviour.urban_pull=5");
  const Scenario integrating = with("behaviour.integration_pull=5");
  const auto base = net_moves_out(flat, run(flat), 10);
  const auto to_cities = net_moves_out(urban, run(urban), 10);
  const auto to_integration = net_moves_out(integrating, run(integrating), 10);
  INFO("net moves out of Gunma: " << base << ", urban pull " << to_cities << ", integration pull " << to_integration);
  CHECK(to_cities > base);
  CHECK(to_integration > base);
}

TEST_CASE("small employers recruit abroad only through an agreement", "[model][channels]") {
  // Every employer small, none diaspora-owned: the open market is closed to them all.
  const auto all_small =
      without_policy_adoption({"employers.small_employer_places=100000", "employers.diaspora_share=0", "end=2025-10"});
  auto working_entries = [](const Scenario& s, const YearOutput& y, const char* origin) {
    return national_sum(s, y, "entries", [&](auto&, auto& field, auto& o) {
      return field != "none" && (origin == nullptr || o == origin);
    });
  };
  const Scenario closed = small_quickstart(all_small);
  for (const auto& y : run(closed)) CHECK(working_entries(closed, y, nullptr) == 0);

  auto with_agreement = all_small;
  with_agreement.push_back("events=[{type: agreement, date: 2022-10, municipality: 10205, origin: indonesia}]");
  const Scenario opened = small_quickstart(with_agreement);
  std::int64_t indonesians = 0, everyone = 0;
  for (const auto& y : run(opened)) {
    indonesians += working_entries(opened, y, "indonesia");
    everyone += working_entries(opened, y, nullptr);
  }
  CHECK(indonesians > 0);
  CHECK(everyone == indonesians);
}

TEST_CASE("diaspora-owned employers hire their co-nationals", "[model][channels]") {
  auto korean_it_entries = [](const Scenario& s) {
    std::int64_t sum = 0;
    for (const auto& y : run(s))
      sum += national_sum(s, y, "entries",
                          [](auto&, auto& field, auto& o) { return field == "it_professional" && o == "korea"; });
    return sum;
  };
  // No Korean works in IT at the start, so no IT employer has a Korean owner.
  const Scenario open_market = small_quickstart({"employers.diaspora_share=0"});
  const Scenario diaspora =
      small_quickstart({"employers.diaspora_share=1", "employers.diaspora_other_origin_acceptance=0"});
  CHECK(korean_it_entries(open_market) > 0);
  CHECK(korean_it_entries(diaspora) == 0);
}

TEST_CASE("a student who becomes an engineer moves on to a job the new status covers", "[model][market]") {
  const Scenario s = small_quickstart();
  std::int64_t moved_out_of_food_service = 0, became_engineers = 0;
  for (const auto& y : run(s)) {
    became_engineers += national_sum(s, y, "transitions_in",
                                     [](auto& st, auto& f, auto&) { return st == "ENGINEER" && f == "food_service"; });
    moved_out_of_food_service += national_sum(
        s, y, "field_changes_out", [](auto& st, auto& f, auto&) { return st == "ENGINEER" && f == "food_service"; });
  }
  INFO(became_engineers << " students became engineers; " << moved_out_of_food_service << " left food service");
  CHECK(became_engineers > 0);
  CHECK(moved_out_of_food_service > became_engineers / 2);
}
