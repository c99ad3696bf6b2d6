// Dated policy events in runs: sending-country pushes in their years, rule changes in date order.
#include <catch2/catch.hpp>

#include <cmath>

#include "../model_helpers.hpp"

using namespace migsim;
using namespace migsim::test;

TEST_CASE("a sending-policy push raises that origin's entries in its years", "[model]") {
  // Indonesia sends three times as many applicants during census year 2025.
  const std::vector<std::string> base_overrides{"end=2026-10", "statuses.TITP.exit_rate_per_year=0.3"};
  auto with_push = base_overrides;
  with_push.push_back(
      "events=[{type: sending_push, origin: indonesia, from: 2024-11, to: 2025-10, applicant_multiplier: 3}]");
  const Scenario plain = small_quickstart(base_overrides);
  const Scenario pushed = small_quickstart(with_push);
  const auto a = run(plain);
  const auto b = run(pushed);
  auto indonesian_entries = [](const Scenario& s, const YearOutput& y) {
    return national_sum(s, y, "entries", [](auto&, auto&, auto& origin) { return origin == "indonesia"; });
  };
  REQUIRE(a.size() == 5);
  INFO(indonesian_entries(plain, a[3]) << " -> " << indonesian_entries(pushed, b[3]));
  CHECK(indonesian_entries(pushed, b[3]) > indonesian_entries(plain, a[3]));
  // Common random numbers: years before the push are the same draw for draw.
  CHECK(indonesian_entries(pushed, b[1]) == indonesian_entries(plain, a[1]));
}

TEST_CASE("rule changes apply in date order whatever order the file lists them", "[model]") {
  const Scenario s =
      small_quickstart({"events=[{type: status_rule, date: 2028-04, status: TITP, set: {abscond_rate_per_year: 0.1}},"
                        " {type: status_rule, date: 2025-04, status: TITP, set: {max_stay_months: 48}}]"});
  REQUIRE(s.rule_changes.size() == 2);
  CHECK(s.rule_changes[0].date == month_index(2025, 4));
  CHECK(s.rule_changes[1].date == month_index(2028, 4));
  CHECK(s.rule_changes[1].rule.max_stay_months == 48);  // the later change keeps the earlier one
  CHECK(s.rule_changes[1].rule.abscond_rate_per_year == 0.1);
}
