// The dated events in force: a status rule change takes effect at its date (and, at the start,
// every change dated before it), border closures and sending pushes hold only between their
// dates, and the holders of a changed rule are flagged to re-plan in the month it changes.
#include <catch2/catch.hpp>

#include "../helpers.hpp"
#include "rules/caps.hpp"
#include "rules/policy_in_force.hpp"
#include "rules/status_rules.hpp"

using namespace migsim;

namespace {

// The quickstart's statuses, fields and origins, run 2020-2021.
constexpr MonthIndex kStart = month_index(2020, 1);
Scenario two_year_scenario() {
  Scenario s = test::small_quickstart();
  s.start = kStart;
  s.end = month_index(2021, 12);
  s.rule_changes.clear();
  s.border_closures.clear();
  s.sending_pushes.clear();
  s.caps.clear();
  return s;
}

StatusRuleChange stay_change(const Scenario& s, MonthIndex date, std::uint8_t status, std::int32_t months) {
  StatusRuleChange change;
  change.date = date;
  change.status = status;
  change.rule = s.statuses[status];
  change.rule.max_stay_months = months;
  return change;
}

}  // namespace

TEST_CASE("a status rule change takes effect at its date, and at the start if dated before it", "[rules][policy]") {
  auto s = two_year_scenario();
  s.rule_changes = {stay_change(s, kStart - 6, 0, 24), stay_change(s, month_index(2021, 4), 1, 30)};
  REQUIRE(s.statuses[0].max_stay_months != 24);
  REQUIRE(s.statuses[1].max_stay_months != 30);
  StatusRules rules(s);
  CapLedger caps(s);
  PolicyInForce policy(s);
  CHECK(policy.apply(kStart, true, rules, caps));
  CHECK(rules[0].max_stay_months == 24);
  CHECK(rules[1].max_stay_months == s.statuses[1].max_stay_months);
  CHECK_FALSE(policy.apply(month_index(2021, 3), false, rules, caps));
  CHECK(policy.apply(month_index(2021, 4), false, rules, caps));
  CHECK(rules[1].max_stay_months == 30);
}

TEST_CASE("the holders of a changed rule are flagged in the month it changes, not before or after",
          "[rules][policy]") {
  auto s = two_year_scenario();
  s.rule_changes = {stay_change(s, month_index(2021, 4), 1, 30)};
  PolicyInForce policy(s);
  const auto step = month_index(2021, 4) - kStart;
  CHECK(policy.rules_changing_at(step)[1] == 1);
  CHECK(policy.rules_changing_at(step)[0] == 0);
  CHECK(policy.rules_changing_at(step - 1)[1] == 0);
  CHECK(policy.rules_changing_at(step + 1)[1] == 0);
}

TEST_CASE("a border closure and a sending push hold only between their dates", "[rules][policy]") {
  auto s = two_year_scenario();
  s.border_closures = {{month_index(2020, 4), month_index(2020, 9), 0.1, {}}};
  s.sending_pushes = {{1, month_index(2020, 6), month_index(2021, 5), 1.5},
                      {1, month_index(2021, 1), month_index(2021, 12), 2.0}};
  StatusRules rules(s);
  CapLedger caps(s);
  PolicyInForce policy(s);
  policy.apply(month_index(2020, 3), true, rules, caps);
  CHECK(policy.entry_share(0) == 1.0);
  CHECK(policy.origin_push()[1] == 1.0);
  policy.apply(month_index(2020, 4), false, rules, caps);
  CHECK(policy.entry_share(0) == 0.1);
  policy.apply(month_index(2020, 9), false, rules, caps);
  CHECK(policy.entry_share(0) == 0.1);
  CHECK(policy.origin_push()[1] == 1.5);
  CHECK(policy.origin_push()[0] == 1.0);
  policy.apply(month_index(2020, 10), false, rules, caps);
  CHECK(policy.entry_share(0) == 1.0);
  // Two pushes in force at once multiply.
  policy.apply(month_index(2021, 2), false, rules, caps);
  CHECK(policy.origin_push()[1] == Approx(3.0));
  policy.apply(month_index(2021, 6), false, rules, caps);
  CHECK(policy.origin_push()[1] == 2.0);
}

TEST_CASE("a closure admits each status its own share, the event's share where it names none", "[rules][policy]") {
  auto s = two_year_scenario();
  const std::size_t statuses = s.statuses.size();
  BorderClosure wide{month_index(2020, 4), month_index(2020, 12), 0.3, std::vector<double>(statuses, 0.3)};
  wide.admit_share_by_status[0] = 0.0;  // one channel shut
  wide.admit_share_by_status[1] = 0.8;
  // A shorter, stricter closure on top: the smaller share holds where both are in force.
  BorderClosure strict{month_index(2020, 6), month_index(2020, 7), 0.5, {}};
  s.border_closures = {wide, strict};
  StatusRules rules(s);
  CapLedger caps(s);
  PolicyInForce policy(s);
  policy.apply(month_index(2020, 4), true, rules, caps);
  CHECK(policy.entry_share(0) == 0.0);
  CHECK(policy.entry_share(1) == 0.8);
  CHECK(policy.entry_share(2) == 0.3);
  CHECK(policy.any_entry());
  policy.apply(month_index(2020, 6), false, rules, caps);
  CHECK(policy.entry_share(0) == 0.0);
  CHECK(policy.entry_share(1) == 0.5);
  CHECK(policy.entry_share(2) == 0.3);
  policy.apply(month_index(2021, 1), false, rules, caps);
  for (std::size_t status = 0; status < statuses; ++status) CHECK(policy.entry_share(status) == 1.0);
  // Every share 0: nobody enters at all.
  s.border_closures = {{month_index(2020, 4), month_index(2020, 5), 0.0, std::vector<double>(statuses, 0.0)}};
  PolicyInForce shut(s);
  shut.apply(month_index(2020, 4), true, rules, caps);
  CHECK_FALSE(shut.any_entry());
}
