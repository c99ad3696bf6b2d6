// The rule of each status in force, and what the month reads of it per (status, field) in small
// tables: the field a status covers, whether it works there, whether the year-2 raise applies, and
// the months in status a transition is attempted in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "migsim/scenario.hpp"

namespace migsim {

class StatusRules {
 public:
  explicit StatusRules(const Scenario& scenario);

  const StatusRule& operator[](std::size_t status) const { return rules_[status]; }
  // A status's rule from now on (a dated change); derive() then brings the tables up to date.
  void set(std::size_t status, const StatusRule& rule) { rules_[status] = rule; }
  void derive();
  // Each transition's pass rate in force in `year` (its pass_rate_by_year). Years only advance,
  // and set() brings back the rule's own rates, so it is called after set() and every month.
  void use_year(int year);

  // (status, field) pairs are indexed status * fields + field (Dims::status_field).
  // The field a worker of the status in this field should work in: this one if the status covers
  // it, else the first field the status admits entrants to.
  std::uint8_t covered_field(std::size_t status_field) const { return covered_field_[status_field]; }
  // Whether holders of the status work in the field (the status works, the field employs).
  bool works_in(std::size_t status_field) const { return works_in_[status_field] != 0; }
  // Whether a job in the field binds holders for more than a year (employer_change.hpp).
  bool raise_in_year_two(std::size_t status_field) const { return raise_in_year_two_[status_field] != 0; }

  // The month in status a transition is attempted in: months in status are counted from 1 after
  // the first month, so after_months 0 means month 1.
  static std::int32_t attempt_month(const StatusTransition& transition) { return std::max(transition.after_months, 1); }
  // The last month in status any of the status's transitions is attempted in.
  std::int32_t last_attempt(std::size_t status) const { return last_attempt_[status]; }
  // Whether a holder for `in_status` months may attempt a transition: within the months its status
  // attempts them in, or once its stay runs out.
  bool may_attempt_transition(std::uint8_t status, std::int32_t in_status) const {
    return (in_status >= first_attempt_[status] && in_status <= last_attempt_[status]) ||
           in_status >= rules_[status].max_stay_months;
  }

  // The status the family of a holder of `status` joins as and holds while linked to it (its rule's
  // family_joins_as, else family.dependent_status); fixed for the run, so it follows the holder's status.
  std::uint8_t family_status(std::size_t status) const { return family_status_[status]; }

  // The fields that employ, in order, and the first that employs nobody (where non-workers are).
  const std::vector<std::uint8_t>& employing_fields() const { return employing_fields_; }
  std::uint8_t none_field() const { return none_field_; }

 private:
  const std::vector<Field>& fields_;
  std::vector<StatusRule> rules_;
  std::vector<std::uint8_t> employing_fields_;
  std::uint8_t none_field_ = 0;
  std::vector<std::uint8_t> covered_field_, works_in_, raise_in_year_two_;
  std::vector<std::uint8_t> family_status_;
  std::vector<std::int32_t> first_attempt_, last_attempt_;

  std::uint8_t find_covered_field(const StatusRule& rule, std::uint8_t field) const;
};

}  // namespace migsim
