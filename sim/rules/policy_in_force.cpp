#include "rules/policy_in_force.hpp"

#include <algorithm>

namespace migsim {

PolicyInForce::PolicyInForce(const Scenario& scenario)
    : scenario_(scenario), statuses_(scenario.statuses.size()), origin_push_(scenario.origins.size(), 1.0) {
  rules_changed_.assign((static_cast<std::size_t>(scenario.end - scenario.start) + 1) * statuses_, 0);
  for (const auto& change : scenario.rule_changes)
    if (change.date > scenario.start && change.date <= scenario.end)
      rules_changed_[static_cast<std::size_t>(change.date - scenario.start) * statuses_ + change.status] = 1;
}

bool PolicyInForce::apply(MonthIndex date, bool starting, StatusRules& rules, CapLedger& caps) {
  bool rules_change = starting;
  for (const auto& change : scenario_.rule_changes)
    if (change.date == date || (starting && change.date < date)) {
      rules.set(change.status, change.rule);
      rules_change = true;
    }
  entry_share_ = 1.0;
  for (const auto& closure : scenario_.border_closures)
    if (closure.from <= date && date <= closure.to) entry_share_ = std::min(entry_share_, closure.admit_share);
  std::fill(origin_push_.begin(), origin_push_.end(), 1.0);
  for (const auto& push : scenario_.sending_pushes)
    if (push.from <= date && date <= push.to) origin_push_[push.origin] *= push.applicant_multiplier;
  caps.set_in_force(date);
  if (rules_change) rules.derive();
  rules.use_year(year_of(date));
  return rules_change;
}

}  // namespace migsim
