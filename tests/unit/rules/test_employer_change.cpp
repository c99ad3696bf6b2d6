// The employer-change rule, status by status: who may look for another employer, from when, in
// which fields, and when the year-2 raise is due.
#include <catch2/catch.hpp>

#include "rules/employer_change.hpp"

using namespace migsim;

namespace {

// A rule of `kind`; after_months: 12 months in field 0, 24 in field 1.
StatusRule rule_of(EmployerChangeRule kind) {
  StatusRule rule;
  rule.employer_change = kind;
  rule.employer_change_after_months = {12, 24};
  return rule;
}

}  // namespace

TEST_CASE("a bound status never changes employer; a free one always may", "[rules]") {
  const auto never = rule_of(EmployerChangeRule::never);
  CHECK_FALSE(employer_change::ever_allowed(never));
  CHECK_FALSE(employer_change::allowed_now(never, 0, 1000));
  for (const auto kind : {EmployerChangeRule::within_field, EmployerChangeRule::free}) {
    const auto rule = rule_of(kind);
    CHECK(employer_change::ever_allowed(rule));
    CHECK(employer_change::allowed_now(rule, 0, 0));
    CHECK(employer_change::search_from(rule, 1, 5, 7) == 7);  // from now
  }
}

TEST_CASE("after_months allows a change once the field's months with the employer are served", "[rules]") {
  const auto rule = rule_of(EmployerChangeRule::after_months);
  CHECK(employer_change::ever_allowed(rule));
  CHECK_FALSE(employer_change::allowed_now(rule, 0, 11));
  CHECK(employer_change::allowed_now(rule, 0, 12));
  CHECK_FALSE(employer_change::allowed_now(rule, 1, 23));
  CHECK(employer_change::allowed_now(rule, 1, 24));
  // A job begun at step 5 in field 1 may be left from step 29; a plan made later starts then.
  CHECK(employer_change::search_from(rule, 1, 5, 10) == 29);
  CHECK(employer_change::search_from(rule, 1, 5, 40) == 40);
}

TEST_CASE("only a free status may change field", "[rules]") {
  CHECK(employer_change::may_change_field(rule_of(EmployerChangeRule::free)));
  for (const auto kind :
       {EmployerChangeRule::never, EmployerChangeRule::after_months, EmployerChangeRule::within_field})
    CHECK_FALSE(employer_change::may_change_field(rule_of(kind)));
}

TEST_CASE("the year-2 raise is owed where a job binds for more than a year, from month 12", "[rules]") {
  const auto rule = rule_of(EmployerChangeRule::after_months);
  CHECK_FALSE(employer_change::raise_in_year_two(rule, 0));  // 12 months: not more than a year
  CHECK(employer_change::raise_in_year_two(rule, 1));        // 24 months
  CHECK_FALSE(employer_change::raise_in_year_two(rule_of(EmployerChangeRule::never), 1));
  CHECK_FALSE(employer_change::raise_due(rule, true, 11));
  CHECK(employer_change::raise_due(rule, true, 12));
  CHECK_FALSE(employer_change::raise_due(rule, false, 30));
}

TEST_CASE("the year-2 raise's month and restriction threshold are the rule's", "[rules]") {
  auto rule = rule_of(EmployerChangeRule::after_months);
  rule.second_year_wage_raise_after_months = 18;
  rule.second_year_wage_raise_if_restriction_over_months = 6;
  CHECK(employer_change::raise_in_year_two(rule, 0));  // 12 months: over 6
  CHECK_FALSE(employer_change::raise_due(rule, true, 17));
  CHECK(employer_change::raise_due(rule, true, 18));
  rule.second_year_wage_raise_if_restriction_over_months = 24;
  CHECK_FALSE(employer_change::raise_in_year_two(rule, 1));  // 24 months: not over 24
}
