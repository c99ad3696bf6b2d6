// The employer-change rule of a status (TITP never, TES after some months with the employer in the
// same field, SSW within its field, residents freely): the only reader of it. May this holder look
// for another employer now, from which month, may they change field, and is the year-2 raise due.
#pragma once

#include <algorithm>
#include <cstdint>

#include "migsim/scenario.hpp"

namespace migsim::employer_change {

// Whether holders may ever change employer at their own request.
inline bool ever_allowed(const StatusRule& rule) { return rule.employer_change != EmployerChangeRule::never; }

// Whether a holder working in `field` for `months_with_employer` months may change employer now.
inline bool allowed_now(const StatusRule& rule, std::uint8_t field, std::int32_t months_with_employer) {
  switch (rule.employer_change) {
    case EmployerChangeRule::never:
      return false;
    case EmployerChangeRule::after_months:
      return months_with_employer >= rule.employer_change_after_months[field];
    case EmployerChangeRule::within_field:
    case EmployerChangeRule::free:
      return true;
  }
  return false;
}

// The first step, from `from` on, a holder in `field` with an employer since `employer_since` may
// look for another (ever_allowed must hold).
inline std::int64_t search_from(const StatusRule& rule, std::uint8_t field, std::int64_t employer_since,
                                std::int64_t from) {
  return rule.employer_change == EmployerChangeRule::after_months
             ? std::max<std::int64_t>(from, employer_since + rule.employer_change_after_months[field])
             : from;
}

// Whether a search may aim at another field (only where the change is free of any bound).
inline bool may_change_field(const StatusRule& rule) { return rule.employer_change == EmployerChangeRule::free; }

// Whether a job in `field` binds its holder longer than the rule's threshold, so that employers owe
// the year-2 raise (TES: a wage raise where the restriction is two years).
inline bool raise_in_year_two(const StatusRule& rule, std::uint8_t field) {
  return rule.employer_change == EmployerChangeRule::after_months &&
         rule.employer_change_after_months[field] > rule.second_year_wage_raise_if_restriction_over_months;
}

// Whether the year-2 raise is due to a holder of such a job after `months_with_employer` months.
inline bool raise_due(const StatusRule& rule, bool raise_in_year_two, std::int32_t months_with_employer) {
  return raise_in_year_two && months_with_employer >= rule.second_year_wage_raise_after_months;
}

}  // namespace migsim::employer_change
