#include "rules/policy_in_force.hpp"

#include <algorithm>

namespace migsim {

namespace {

// The share of `status`'s entries a closure admits while it holds.
double admitted_share(const BorderClosure& closure, std::size_t status) {
  return closure.admit_share_by_status.empty() ? closure.admit_share : closure.admit_share_by_status[status];
}

}  // namespace

PolicyInForce::PolicyInForce(const Scenario& scenario)
    : scenario_(scenario),
      statuses_(scenario.statuses.size()),
      entry_share_(statuses_, 1.0),
      origin_push_(scenario.origins.size(), 1.0) {
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
  std::fill(entry_share_.begin(), entry_share_.end(), 1.0);
  stay_on_share_ = 0.0;
  for (const auto& closure : scenario_.border_closures)
    if (closure.from <= date && date <= closure.to && closure.stay_on_share > stay_on_share_) {
      stay_on_share_ = closure.stay_on_share;
      stay_on_status_ = closure.stay_on_status;
    }
  for (const auto& closure : scenario_.border_closures)
    if (closure.from <= date && date <= closure.to)
      for (std::size_t s = 0; s < statuses_; ++s)
        entry_share_[s] = std::min(entry_share_[s], admitted_share(closure, s));
  // After a closure, those it kept out who still come: a month of the channel's applicants for
  // every month it was shut, times the share who still come, spread over the months after it.
  for (const auto& closure : scenario_.border_closures)
    if (closure.catch_up_share > 0.0 && closure.to < date && date <= closure.to + closure.catch_up_months) {
      const double shut_months = static_cast<double>(closure.to - closure.from + 1);
      for (std::size_t s = 0; s < statuses_; ++s)
        entry_share_[s] *= 1.0 + closure.catch_up_share * (1.0 - admitted_share(closure, s)) * shut_months /
                                     static_cast<double>(closure.catch_up_months);
    }
  any_entry_ = std::any_of(entry_share_.begin(), entry_share_.end(), [](double share) { return share > 0.0; });
  std::fill(origin_push_.begin(), origin_push_.end(), 1.0);
  for (const auto& push : scenario_.sending_pushes)
    if (push.from <= date && date <= push.to) origin_push_[push.origin] *= push.applicant_multiplier;
  caps.set_in_force(date);
  if (rules_change) rules.derive();
  rules.use_year(year_of(date));
  return rules_change;
}

}  // namespace migsim
