// A migrant's monthly hazards (return, absconding, job search, family joining), each formula
// beside its upper bound. An agent's clocks tick at the bounds and a tick becomes an event with
// probability hazard / bound (thinning), so an agent is visited in the months it may act, not
// every month. The bounds are tabulated where planning draws them: per status, and per the
// agent's family state, its employer's working conditions and its municipality's integration
// floor, each of which, when it changes, re-plans the agent.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "migrants/family.hpp"
#include "migsim/scenario.hpp"
#include "municipalities/municipalities.hpp"
#include "rules/status_rules.hpp"

namespace migsim {

// A bound and the log of its complement.
struct Bound {
  double p = 0.0, log_none = 0.0;
};

class Hazards {
 public:
  explicit Hazards(const Scenario& scenario);

  // Each municipality's integration floor: what its policies at the start give (integration adds
  // AJT coverage to it, and policies are never dropped). Once, before the first rebuild.
  void set_integration_floors(const Municipalities& municipalities);
  // The hazards and bounds of the rules in force (after a rule changes).
  void rebuild(const StatusRules& rules, double satisfaction_weight_total);

  // How bad working conditions c (0-255) are, 1 - c / 255: read by every action of a worker.
  static double bad_conditions(std::uint8_t conditions) { return kBadConditionsAt[conditions]; }

  // Return hazard: lowered by integration, satisfaction and a family at hand; raised by long
  // separation from a family abroad (family_factor).
  double exit(std::uint8_t status, double integration, double satisfaction, double family_factor) const {
    return exit_probability_[status] * (1.0 - integration_.exit_reduction * integration) *
           (1.0 - behaviour_.exit_satisfaction_reduction * satisfaction) * family_factor;
  }
  double exit_family_factor(std::uint8_t family, std::int32_t months_in_status) const {
    const auto& behaviour = behaviour_;
    if (family & kFamilyHereBit) return behaviour.exit_family_present;
    if (abroad(family) != 0 && months_in_status > behaviour.family_separation_months)
      return behaviour.exit_family_separated;
    return 1.0;
  }
  const Bound& exit_bound(std::uint8_t status, std::uint8_t family, std::uint16_t municipality) const {
    return exit_bound_[(status * std::size_t{kFamilyStates} + kFamilyState[family]) * integration_floors_.size() +
                       integration_floor_[municipality]];
  }

  // Absconding: bad conditions push workers out; where the rules let them change employer, most
  // change legally instead (the TITP pattern where they cannot).
  double abscond(std::uint8_t status, double bad_conditions, bool change_allowed) const {
    const auto& behaviour = behaviour_;
    return abscond_probability_[status] * (1.0 + behaviour.abscond_bad_conditions_multiplier * bad_conditions) *
           (change_allowed ? behaviour.abscond_when_change_allowed : 1.0);
  }
  const Bound& abscond_bound(std::uint8_t status, std::uint8_t conditions) const {
    return abscond_bound_[status * 256U + conditions];
  }

  // Job search of a worker the rules let look: pushed by bad conditions and by low integration.
  double search(const StatusRule& rule, double bad_conditions, double integration) const {
    return rule.job_search_rate_per_month * (1.0 + behaviour_.search_bad_conditions_multiplier * bad_conditions) *
           (1.0 + integration_.onward_move_push * (1.0 - integration));
  }
  const Bound& search_bound(std::uint8_t status, std::uint8_t conditions, std::uint16_t municipality) const {
    return search_bound_[(status * 256U + conditions) * integration_floors_.size() + integration_floor_[municipality]];
  }

  // The family abroad joins, once the status allows: faster where integration is higher.
  double family_join(double integration) const {
    return family_.join_rate_per_month * (1.0 + integration_.family_join_boost * integration);
  }
  const Bound& family_bound() const { return family_bound_; }

  // A hazard drawn against its bound must not exceed it, but for rounding (the same factors
  // multiplied in another order).
  static bool exceeds(double hazard, const Bound& bound) { return hazard > bound.p * kBoundTolerance && bound.p < 1.0; }

 private:
  static constexpr std::array<double, 256> kBadConditionsAt = [] {
    std::array<double, 256> bad{};
    for (std::size_t c = 0; c < bad.size(); ++c) bad[c] = 1.0 - static_cast<double>(c) / 255.0;
    return bad;
  }();
  static constexpr double kBoundTolerance = 1.0 + 1e-12;

  const Scenario& scenario_;
  // Held by value, not through the scenario: read by every hazard an action draws.
  const BehaviourParameters behaviour_;
  const IntegrationParameters integration_;
  const FamilyParameters family_;
  std::vector<double> exit_probability_, abscond_probability_;  // [status], monthly
  // The exit and search hazards fall as integration rises, and a municipality's integration never
  // falls below what its policies (language classes, consultation, residents' assembly) give at
  // the start, since policies are adopted but never dropped: so those bounds are tabulated for
  // each such floor in use, and a municipality's residents are planned with its own.
  std::vector<double> integration_floors_;       // the distinct floors, ascending
  std::vector<std::uint8_t> integration_floor_;  // [municipality]: its floor's place in them
  std::vector<Bound> exit_bound_;                // [(status * 3 + FamilyState) * floors + floor]
  std::vector<Bound> abscond_bound_;             // [status * 256 + the employer's conditions]
  std::vector<Bound> search_bound_;              // [(status * 256 + the employer's conditions) * floors + floor]
  Bound family_bound_;                           // the same for everyone: join_rate × the largest integration boost
};

}  // namespace migsim
