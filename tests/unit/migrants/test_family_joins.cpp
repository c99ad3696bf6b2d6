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
