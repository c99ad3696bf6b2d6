// The cap ledger: which field caps are in force, and what each has let in. A stock cap bounds the
// holders of its statuses in its field; an admissions cap, the admissions since it came into force
// (entries, transitions into its statuses, moves into its field).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "migsim/scenario.hpp"

namespace migsim {

class CapLedger {
 public:
  explicit CapLedger(const Scenario& scenario);

  // The caps in force at `date`.
  void set_in_force(MonthIndex date);

  // (status, field) pairs are indexed status * fields + field (Dims::status_field).
  // Whether some cap in force restricts admissions of the status into the field.
  bool capped(std::size_t status_field) const { return !in_force_[status_field].empty(); }
  // Whether one more admission of `status` into `field` fits every cap in force, with the stock
  // per (status, field) `stock`.
  // Inlined: every entrant from abroad asks.
  bool allows(std::size_t status, std::size_t field, const std::vector<std::int64_t>& stock) const {
    for (const auto c : in_force_[status * fields_ + field]) {
      const auto& cap = caps_[c];
      if (cap.kind == FieldCap::Kind::admissions) {
        if (admitted_[c] + 1 > limit_agents_[c]) return false;
      } else {
        std::int64_t holders = 0;
        for (std::size_t s = 0; s < statuses_; ++s)
          if (cap.statuses[s]) holders += stock[s * fields_ + field];
        if (holders + 1 > limit_agents_[c]) return false;
      }
    }
    return true;
  }
  // One admission of the status into the field, counted by the caps in force on it.
  void count_admission(std::size_t status_field) {
    for (const auto cap : in_force_[status_field]) ++admitted_[cap];
  }

  // A cap's limit in agents (persons × multiplier × scale), and its admissions so far.
  std::int64_t limit_agents(std::size_t cap) const { return limit_agents_[cap]; }
  std::int64_t admitted(std::size_t cap) const { return admitted_[cap]; }

 private:
  const std::vector<FieldCap>& caps_;
  std::size_t statuses_, fields_;
  std::vector<std::vector<std::uint32_t>> in_force_;  // per (status, field): the caps in force on it
  std::vector<std::int64_t> limit_agents_, admitted_;
};

}  // namespace migsim
