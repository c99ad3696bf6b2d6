// Children's Japanese at school, read off the periods between censuses: the same as a month-by-month
// sum, faster under AJT coverage, and the need for instruction ends at the level needed.
#include <catch2/catch.hpp>

#include <vector>

#include "../helpers.hpp"
#include "municipalities/schools.hpp"

using namespace migsim;
using namespace migsim::test;

TEST_CASE("children learn at school at the pace of each period, faster under AJT coverage", "[municipalities]") {
  const Scenario s = small_quickstart();
  SchoolJapanese school(s);
  const std::size_t k = 1, origin = 0;
  const double rate = s.integration.children_japanese_points_per_month * (0.5 + s.origins[origin].language_proximity);
  // Before any coverage (and before the run): the rate without AJTs.
  CHECK(school.points(k, origin, -24, 0) == Approx(24 * rate));
  std::vector<double> coverage(s.municipalities.size(), 0.0);
  coverage[k] = 0.5;
  school.set_coverage(13, coverage);  // from month 13
  coverage[k] = 1.0;
  school.set_coverage(25, coverage);  // from month 25
  const double boost = s.integration.ajt_learning_boost;
  double monthly = 0.0;
  for (std::int32_t month = -5; month < 30; ++month) monthly += school.points(k, origin, month, month + 1);
  CHECK(school.points(k, origin, -5, 30) == Approx(monthly));
  CHECK(school.points(k, origin, -5, 30) == Approx(rate * (18 + 12 * (1 + 0.5 * boost) + 5 * (1 + boost))));
  // Another municipality, not covered, keeps the rate without AJTs.
  CHECK(school.points(0, origin, -5, 30) == Approx(35 * rate));
  // A second call for the same month replaces the first.
  coverage[k] = 0.0;
  school.set_coverage(25, coverage);
  CHECK(school.points(k, origin, 25, 30) == Approx(5 * rate));
}

TEST_CASE("a child needs Japanese instruction until it reaches the level needed", "[municipalities]") {
  const Scenario s = small_quickstart({"integration.children_japanese_needed=A2"});
  SchoolJapanese school(s);
  const double rate = s.integration.children_japanese_points_per_month * (0.5 + s.origins[0].language_proximity);
  const auto months = static_cast<std::int32_t>(100.0 / rate);  // just short of A2 (100 points)
  CHECK(school.needs_instruction(0, 0, 0, months));
  CHECK_FALSE(school.needs_instruction(0, 0, 0, months + 2));
}
