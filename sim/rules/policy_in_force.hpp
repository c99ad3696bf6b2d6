// The scenario's dated events applied month by month: status rule changes (into StatusRules),
// field caps (into the CapLedger), border closures and sending-country pushes (held here).
// Agreements with origins are the municipalities' (Municipalities::sign_agreements_of).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "migsim/scenario.hpp"
#include "rules/caps.hpp"
#include "rules/status_rules.hpp"

namespace migsim {

class PolicyInForce {
 public:
  explicit PolicyInForce(const Scenario& scenario);

  // The events of `date`; at the start (`starting`), every rule change dated up to it too. Each
  // rule change holds the whole rule as it stands from its date (earlier changes included), so
  // applying them in date order is enough; then the pass rates of the year of `date`. Returns
  // whether a status's rule changed.
  bool apply(MonthIndex date, bool starting, StatusRules& rules, CapLedger& caps);

  // Share of entries from abroad into `status` a border closure still admits (1: no closure; above
  // 1 in the months after a closure while those it kept out catch up).
  double entry_share(std::size_t status) const { return entry_share_[status]; }
  // Whether a closure admits anybody at all this month.
  bool any_entry() const { return any_entry_; }
  // Share of the holders whose stay ends this month who cannot go home and stay on under
  // stay_on_status() (0: no closure strands anybody).
  double stay_on_share() const { return stay_on_share_; }
  std::uint8_t stay_on_status() const { return stay_on_status_; }
  // Per origin: what its applicants are multiplied by (sending-country pushes in force).
  const std::vector<double>& origin_push() const { return origin_push_; }
  // Per status: whether its rule changes at step `step` (its holders re-plan).
  const std::uint8_t* rules_changing_at(std::int32_t step) const {
    return &rules_changed_[static_cast<std::size_t>(step) * statuses_];
  }

 private:
  const Scenario& scenario_;
  std::size_t statuses_;
  std::vector<double> entry_share_;  // per status
  bool any_entry_ = true;
  double stay_on_share_ = 0.0;
  std::uint8_t stay_on_status_ = 0;
  std::vector<double> origin_push_;
  std::vector<std::uint8_t> rules_changed_;  // [step * statuses + status]
};

}  // namespace migsim
