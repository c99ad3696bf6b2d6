// The tables read of the rules in force: the field a status covers, whether it works there, the
// months its transitions are attempted in.
#include <catch2/catch.hpp>

#include "../helpers.hpp"
#include "rules/status_rules.hpp"

using namespace migsim;
using namespace migsim::test;

TEST_CASE("a status covers the fields it admits entrants to, else sends its holders to one", "[rules]") {
  const Scenario s = small_quickstart();
  StatusRules rules(s);
  rules.derive();
  const std::size_t fields = s.fields.size();
  for (std::size_t status = 0; status < s.statuses.size(); ++status)
    for (std::size_t field = 0; field < fields; ++field) {
      const auto& rule = s.statuses[status];
      const auto covered = rules.covered_field(status * fields + field);
      CHECK(rules.works_in(status * fields + field) == (rule.works && s.fields[field].employs));
      if (!rule.works || !s.fields[field].employs || rule.entry_fields[field]) {
        CHECK(covered == field);
      } else if (covered != field) {
        CHECK(rule.entry_fields[covered]);  // a field it admits entrants to, that employs
        CHECK(s.fields[covered].employs);
      }
    }
  CHECK_FALSE(s.fields[rules.none_field()].employs);
  for (const auto field : rules.employing_fields()) CHECK(s.fields[field].employs);
}

TEST_CASE("transitions are attempted from their month in status, and once the stay runs out", "[rules]") {
  Scenario s = small_quickstart();
  const auto titp = *s.status_index("TITP");
  auto& rule = s.statuses[titp];
  REQUIRE_FALSE(rule.transitions.empty());
  rule.max_stay_months = 60;
  // Two transitions: one attempted in month 1, one in month 36.
  rule.transitions.resize(1);
  rule.transitions.push_back(rule.transitions.front());
  rule.transitions.front().after_months = 0;  // month 1
  rule.transitions.back().after_months = 36;
  StatusRules rules(s);
  rules.derive();
  CHECK(StatusRules::attempt_month(rule.transitions.front()) == 1);
  CHECK(rules.last_attempt(titp) == 36);
  CHECK_FALSE(rules.may_attempt_transition(static_cast<std::uint8_t>(titp), 0));
  CHECK(rules.may_attempt_transition(static_cast<std::uint8_t>(titp), 1));
  CHECK(rules.may_attempt_transition(static_cast<std::uint8_t>(titp), 36));
  CHECK_FALSE(rules.may_attempt_transition(static_cast<std::uint8_t>(titp), 37));
  CHECK(rules.may_attempt_transition(static_cast<std::uint8_t>(titp), 60));  // the stay runs out
}
