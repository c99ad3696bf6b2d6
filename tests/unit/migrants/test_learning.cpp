// Learning added up when read: the same points whether added month by month or at once, across
// the periods the rates are tabulated for; skill only while employed; never above the maximum.
#include <catch2/catch.hpp>

#include <cmath>

#include "../helpers.hpp"
#include "migrants/learning.hpp"
#include "municipalities/municipalities.hpp"

using namespace migsim;
using namespace migsim::test;

namespace {

struct Agent {
  std::uint16_t municipality_;
  std::uint8_t origin_;
  std::uint32_t employer_;
  std::uint16_t municipality() const { return municipality_; }
  std::uint8_t origin() const { return origin_; }
  std::uint32_t employer() const { return employer_; }
};

std::uint32_t fixed(double points) { return static_cast<std::uint32_t>(std::llround(points * (1 << kPointShift))); }

}  // namespace

TEST_CASE("learning added up at once equals learning added up month by month, across periods", "[migrants]") {
  const Scenario s = small_quickstart();
  Municipalities municipalities(s);
  municipalities.populate();
  LearningRates rates(s, municipalities);
  rates.tabulate_period(0);   // months 1-12
  rates.tabulate_period(12);  // from month 13
  const Agent worker{3, 1, 42};
  Learning at_once{0, 0, 0}, monthly{0, 0, 0};
  rates.add_up(at_once, worker, 30);
  for (std::int32_t month = 1; month <= 30; ++month) rates.add_up(monthly, worker, month);
  CHECK(at_once.japanese == monthly.japanese);
  CHECK(at_once.skill == monthly.skill);
  CHECK(at_once.learned_to == 30);
  CHECK(at_once.japanese == 30 * fixed(rates.japanese_per_month(worker.origin(), worker.municipality())));
  CHECK(at_once.skill == 30 * fixed(rates.skill_per_month()));
  // Asked again the same month: nothing more.
  rates.add_up(at_once, worker, 30);
  CHECK(at_once.japanese == monthly.japanese);
}

TEST_CASE("skill grows only at work, and points stop at the maximum", "[migrants]") {
  const Scenario s = small_quickstart({"learning.japanese_points_per_month=40"});
  Municipalities municipalities(s);
  municipalities.populate();
  LearningRates rates(s, municipalities);
  rates.tabulate_period(0);
  Learning learnt{0, 0, 0};
  rates.add_up(learnt, Agent{0, 0, kNone32}, 200);
  CHECK(learnt.skill == 0);
  CHECK(learnt.japanese == kMaxPoints);
}

TEST_CASE("the skills test passes half at the requirement, more with more skill; width 0 is a threshold",
          "[migrants]") {
  Scenario s = small_quickstart({"learning.skill_test_width_points=15"});
  Municipalities municipalities(s);
  municipalities.populate();
  const LearningRates rates(s, municipalities);
  auto pass = [&](double skill) {
    return rates.skill_test_pass(static_cast<std::uint16_t>(fixed(skill)), std::uint8_t{100});
  };
  CHECK(pass(100) == Approx(0.5));
  CHECK(pass(70) < pass(90));
  CHECK(pass(110) < pass(130));  // no knife edge: more skill above the requirement still helps
  CHECK(pass(115) == Approx(1.0 / (1.0 + std::exp(-1.0))));
  CHECK(rates.skill_test_pass(0, 0) == 1.0);  // no requirement, no test
  s.learning.skill_test_width_points = 0;
  CHECK(pass(99.9) == 0.0);
  CHECK(pass(100) == 1.0);
  CHECK(pass(250) == 1.0);
}
