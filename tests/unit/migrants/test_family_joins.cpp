// Families in runs: allowed families join and stay, integration speeds reunification.
#include <catch2/catch.hpp>

#include <cmath>

#include "../model_helpers.hpp"

using namespace migsim;
using namespace migsim::test;

TEST_CASE("allowing family raises dependants and school-age children and lowers exits", "[model]") {
  const Scenario alone = small_quickstart({"end=2026-10"});
  const Scenario with_family =
      small_quickstart({"end=2026-10", "statuses.SSW1.family=allowed", "statuses.TITP.family=allowed"});
  const auto a = run(alone);
  const auto b = run(with_family);
  CHECK(status_sum(with_family, b.back(), "stock", "DEPENDENT") > status_sum(alone, a.back(), "stock", "DEPENDENT"));
  CHECK(total(b.back(), b.back().municipality, "school_age_children") >
        total(a.back(), a.back().municipality, "school_age_children"));
  std::int64_t exits_alone = 0, exits_family = 0;
  for (const auto& y : a) exits_alone += status_sum(alone, y, "exits", "SSW1") + status_sum(alone, y, "exits", "TITP");
  for (const auto& y : b)
    exits_family += status_sum(with_family, y, "exits", "SSW1") + status_sum(with_family, y, "exits", "TITP");
  INFO(exits_alone << " -> " << exits_family);
  CHECK(exits_family < exits_alone);
}

TEST_CASE("integration speeds family reunification and settlement", "[model][integration]") {
  const Scenario plain = small_quickstart({"integration.family_join_boost=0", "integration.settlement_boost=0"});
  const Scenario boosted = small_quickstart({"integration.family_join_boost=5", "integration.settlement_boost=3"});
  const auto a = run(plain);
  const auto b = run(boosted);
  std::int64_t joined_a = 0, joined_b = 0, settled_a = 0, settled_b = 0;
  for (const auto& y : a)
    joined_a += total(y, y.national, "family_joined"), settled_a += status_sum(plain, y, "transitions_in", "PERMANENT");
  for (const auto& y : b)
    joined_b += total(y, y.national, "family_joined"),
        settled_b += status_sum(boosted, y, "transitions_in", "PERMANENT");
  INFO("family joined " << joined_a << " -> " << joined_b << "; to PERMANENT " << settled_a << " -> " << settled_b);
  CHECK(joined_b > joined_a);
  CHECK(settled_b > settled_a);
}

TEST_CASE("a permanent resident's family joins, follows and leaves as spouses, an engineer's as dependants",
          "[model]") {
  // No one enters as a spouse or dependant from abroad and neither leaves on its own: those who
  // enter, change status or leave in these statuses are linked families, with their principals
  // (permanent residents leave often here, so that some leave with their families).
  const Scenario s = small_quickstart(
      {"statuses.SPOUSE_OR_LONG_TERM.entries_open=false", "statuses.SPOUSE_OR_LONG_TERM.exit_rate_per_year=0",
       "statuses.DEPENDENT.exit_rate_per_year=0", "statuses.PERMANENT.exit_rate_per_year=0.5"});
  REQUIRE(s.statuses[*s.status_index("PERMANENT")].family_joins_as == s.status_index("SPOUSE_OR_LONG_TERM"));
  REQUIRE(!s.statuses[*s.status_index("ENGINEER")].family_joins_as);
  const auto years = run(s);  // the run checks its live counts against a full count at every census
  auto sum = [&](const std::string& measure, const std::vector<std::string>& statuses) {
    std::int64_t n = 0;
    for (const auto& y : years)
      for (const auto& status : statuses) n += status_sum(s, y, measure, status);
    return n;
  };
  const auto joined_permanent = sum("family_joined", {"PERMANENT", "SPOUSE_OR_LONG_TERM"});
  const auto joined_dependent = sum("family_joined", {"SSW2", "ENGINEER", "HIGHLY_SKILLED", "STUDENT"});
  INFO("joined permanent/spouse " << joined_permanent << ", others " << joined_dependent);
  CHECK(joined_permanent > 0);
  CHECK(joined_dependent > 0);
  CHECK(sum("entries", {"SPOUSE_OR_LONG_TERM"}) == joined_permanent);
  CHECK(sum("entries", {"DEPENDENT"}) == joined_dependent);
  // They leave with their principals under the status they hold.
  CHECK(sum("exits", {"SPOUSE_OR_LONG_TERM"}) > 0);
  CHECK(sum("exits", {"DEPENDENT"}) > 0);
  // A highly skilled professional or engineer who becomes permanent takes its family off 家族滞在.
  CHECK(sum("transitions_out", {"DEPENDENT"}) > 0);
  CHECK(sum("transitions_in", {"SPOUSE_OR_LONG_TERM"}) == sum("transitions_out", {"DEPENDENT"}));
}

TEST_CASE("initial residents kept with a family abroad bring it, as often as the join rate left it there", "[model]") {
  // Engineers only may bring family, and none enter: the joins come from the initial engineers (and from
  // the students who become engineers, the same in every run).
  const std::vector<std::string> engineers_only = {"end=2024-10", "statuses.ENGINEER.entries_open=false",
                                                   "statuses.SSW2.family=none", "statuses.HIGHLY_SKILLED.family=none",
                                                   "statuses.STUDENT.family=none"};
  auto with = [&](std::vector<std::string> extra) {
    extra.insert(extra.begin(), engineers_only.begin(), engineers_only.end());
    return small_quickstart(extra);
  };
  const Scenario reunited = with({});
  const Scenario abroad = with({"statuses.ENGINEER.initial_families=by_months_in_status"});
  const Scenario all_joined = with({"statuses.ENGINEER.initial_families=by_months_in_status",
                                    "statuses.ENGINEER.family_delay_months=0", "family.join_rate_per_month=1"});
  auto joined = [](const Scenario& s) {
    std::int64_t n = 0;
    for (const auto& y : run(s)) n += status_sum(s, y, "family_joined", "ENGINEER");
    return n;
  };
  const auto none_abroad = joined(reunited), some_abroad = joined(abroad), few_abroad = joined(all_joined);
  INFO("reunited " << none_abroad << ", by months " << some_abroad << ", rate 1 " << few_abroad);
  CHECK(some_abroad > 3 * none_abroad);
  // At a join rate of 1 every family allowed to join for a month or more has joined before the start; only
  // those of engineers in their first month in status are left to come.
  CHECK(few_abroad < some_abroad);
}
