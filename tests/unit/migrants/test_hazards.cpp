// The hazards and their bounds: thinning is exact only if no hazard ever exceeds the bound its
// clock ticks at, whatever the agent's satisfaction, integration, family and employer.
#include <catch2/catch.hpp>

#include <algorithm>

#include "../helpers.hpp"
#include "migrants/hazards.hpp"
#include "municipalities/municipalities.hpp"
#include "rules/status_rules.hpp"

using namespace migsim;
using namespace migsim::test;

namespace {

struct Tables {
  Scenario scenario;
  Municipalities municipalities;
  StatusRules rules;
  Hazards hazards;
  double weight_total;
  explicit Tables(Scenario s) : scenario(std::move(s)), municipalities(scenario), rules(scenario), hazards(scenario) {
    municipalities.populate();
    rules.derive();
    hazards.set_integration_floors(municipalities);
    const auto& b = scenario.behaviour;
    weight_total = b.satisfaction_weight_wage + b.satisfaction_weight_conditions + b.satisfaction_weight_integration;
    hazards.rebuild(rules, weight_total);
  }
};

constexpr double kTolerance = 1.0 + 1e-12;

}  // namespace

TEST_CASE("no hazard exceeds the bound its clock ticks at", "[migrants][hazards]") {
  // Integration policies and family effects in the quickstart, strengthened so bounds matter.
  const Tables t(small_quickstart({"behaviour.exit_family_separated=2.0", "integration.onward_move_push=1.5"}));
  const auto& s = t.scenario;
  const std::uint8_t families[] = {0, kFamilyHereBit, kSpouseBit | 2, 3};
  for (std::uint8_t status = 0; status < s.statuses.size(); ++status)
    for (std::uint16_t place = 0; place < s.municipalities.size(); place += 7) {
      // Integration never falls below what the place's policies give at the start.
      const double floor = std::min(1.0, t.municipalities.policies_integration(place));
      for (const double integration : {floor, (floor + 1.0) / 2, 1.0}) {
        const double least_satisfaction = s.behaviour.satisfaction_weight_integration * integration / t.weight_total;
        for (const double satisfaction : {least_satisfaction, 1.0})
          for (const auto family : families)
            for (const std::int32_t months : {0, 1000}) {
              const double exit =
                  t.hazards.exit(status, integration, satisfaction, t.hazards.exit_family_factor(family, months));
              CHECK(exit <= t.hazards.exit_bound(status, family, place).p * kTolerance);
            }
        for (int conditions = 0; conditions < 256; conditions += 15) {
          const auto c = static_cast<std::uint8_t>(conditions);
          const double bad = Hazards::bad_conditions(c);
          for (const bool allowed : {false, true})
            CHECK(t.hazards.abscond(status, bad, allowed) <= t.hazards.abscond_bound(status, c).p * kTolerance);
          CHECK(t.hazards.search(t.rules[status], bad, integration) <=
                t.hazards.search_bound(status, c, place).p * kTolerance);
        }
        CHECK(t.hazards.family_join(integration) <= t.hazards.family_bound().p * kTolerance);
      }
    }
}

TEST_CASE("working conditions from abusive to good run from 1 to 0 of badness", "[migrants][hazards]") {
  CHECK(Hazards::bad_conditions(0) == 1.0);
  CHECK(Hazards::bad_conditions(255) == 0.0);
  CHECK(Hazards::bad_conditions(100) > Hazards::bad_conditions(200));
}
