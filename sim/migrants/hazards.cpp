#include "migrants/hazards.hpp"

#include <algorithm>
#include <cmath>

namespace migsim {

namespace {

double monthly_probability(double rate_per_year) { return 1.0 - std::pow(1.0 - rate_per_year, 1.0 / 12.0); }

Bound bound_of(double p) {
  p = std::clamp(p, 0.0, 1.0);
  return Bound{p, std::log1p(-p)};
}

}  // namespace

Hazards::Hazards(const Scenario& scenario)
    : scenario_(scenario),
      behaviour_(scenario.behaviour),
      integration_(scenario.integration),
      family_(scenario.family) {
  const double family_join =
      scenario.family.join_rate_per_month * std::max(1.0, 1.0 + scenario.integration.family_join_boost);
  family_bound_ = {std::min(1.0, family_join), std::log1p(-std::min(1.0, family_join))};
}

void Hazards::set_integration_floors(const Municipalities& municipalities) {
  const std::size_t count = scenario_.municipalities.size();
  std::vector<double> floor_of(count);
  for (std::size_t k = 0; k < count; ++k) floor_of[k] = std::min(1.0, municipalities.policies_integration(k));
  integration_floors_ = floor_of;
  std::sort(integration_floors_.begin(), integration_floors_.end());
  integration_floors_.erase(std::unique(integration_floors_.begin(), integration_floors_.end()),
                            integration_floors_.end());
  if (integration_floors_.empty()) integration_floors_.push_back(0.0);  // no municipality
  integration_floor_.resize(count);
  for (std::size_t k = 0; k < count; ++k)
    integration_floor_[k] = static_cast<std::uint8_t>(
        std::lower_bound(integration_floors_.begin(), integration_floors_.end(), floor_of[k]) -
        integration_floors_.begin());
}

void Hazards::rebuild(const StatusRules& rules, double satisfaction_weight_total) {
  const std::size_t statuses = scenario_.statuses.size();
  exit_probability_.resize(statuses);
  abscond_probability_.resize(statuses);
  for (std::size_t s = 0; s < statuses; ++s) {
    exit_probability_[s] = monthly_probability(rules[s].exit_rate_per_year);
    abscond_probability_[s] = monthly_probability(rules[s].abscond_rate_per_year);
  }
  const auto& b = scenario_.behaviour;
  const auto& g = scenario_.integration;
  const std::size_t floors = integration_floors_.size();
  exit_bound_.resize(statuses * kFamilyStates * floors);
  abscond_bound_.resize(statuses * 256);
  search_bound_.resize(statuses * 256 * floors);
  for (std::size_t s = 0; s < statuses; ++s) {
    for (std::size_t q = 0; q < floors; ++q) {
      // At integration I >= the floor, satisfaction is at least its integration part (its wage
      // and conditions parts are not negative); exit_reduction and exit_satisfaction_reduction
      // lie in [0, 1], so both factors are at their largest at the floor.
      const double low = integration_floors_[q];
      const double exit =
          exit_probability_[s] * (1.0 - g.exit_reduction * low) *
          (1.0 - b.exit_satisfaction_reduction * b.satisfaction_weight_integration * low / satisfaction_weight_total);
      exit_bound_[(s * kFamilyStates + kNoFamily) * floors + q] = bound_of(exit);
      exit_bound_[(s * kFamilyStates + kFamilyHere) * floors + q] = bound_of(exit * b.exit_family_present);
      // Once the separation is long.
      exit_bound_[(s * kFamilyStates + kFamilyAbroad) * floors + q] =
          bound_of(exit * std::max(1.0, b.exit_family_separated));
    }
    for (std::size_t c = 0; c < 256; ++c) {
      const double bad = kBadConditionsAt[c];
      abscond_bound_[s * 256 + c] = bound_of(abscond_probability_[s] * std::max(1.0, b.abscond_when_change_allowed) *
                                             std::max(0.0, 1.0 + b.abscond_bad_conditions_multiplier * bad));
      for (std::size_t q = 0; q < floors; ++q)  // onward_move_push is at least 0
        search_bound_[(s * 256 + c) * floors + q] =
            bound_of(rules[s].job_search_rate_per_month * (1.0 + g.onward_move_push * (1.0 - integration_floors_[q])) *
                     std::max(0.0, 1.0 + b.search_bad_conditions_multiplier * bad));
    }
  }
}

}  // namespace migsim
