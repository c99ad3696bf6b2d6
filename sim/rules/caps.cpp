#include "rules/caps.hpp"

#include <cmath>

namespace migsim {

CapLedger::CapLedger(const Scenario& scenario)
    : caps_(scenario.caps),
      statuses_(scenario.statuses.size()),
      fields_(scenario.fields.size()),
      in_force_(statuses_ * fields_),
      limit_agents_(caps_.size()),
      admitted_(caps_.size(), 0) {
  for (std::size_t c = 0; c < caps_.size(); ++c)
    limit_agents_[c] = static_cast<std::int64_t>(
        std::floor(static_cast<double>(caps_[c].limit_persons) * scenario.cap_multiplier * scenario.scale + 1e-9));
}

void CapLedger::set_in_force(MonthIndex date) {
  for (auto& caps : in_force_) caps.clear();
  for (std::size_t c = 0; c < caps_.size(); ++c) {
    const auto& cap = caps_[c];
    if (cap.from > date || date > cap.to) continue;
    for (std::size_t s = 0; s < statuses_; ++s)
      if (cap.statuses[s]) in_force_[s * fields_ + cap.field].push_back(static_cast<std::uint32_t>(c));
  }
}

}  // namespace migsim
