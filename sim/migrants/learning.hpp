// Japanese and skill learnt in Japan, added up only when read (a transition's requirements) or
// before the rates change for an agent (a move, a new job, a new status). Japanese is learnt at a
// rate per municipality and origin (language classes, integration, the origin's language), which
// changes only with the municipalities' portfolios, so the rates are tabulated once per period
// between censuses; skill at one rate while employed.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/arrays.hpp"
#include "migrants/population.hpp"
#include "migsim/scenario.hpp"
#include "municipalities/municipalities.hpp"

namespace migsim {

// How fast Japanese comes to speakers of an origin's language, adults and children alike: half
// the pace with no proximity, one and a half times with the closest.
inline double language_pace(double language_proximity) { return 0.5 + language_proximity; }

class LearningRates {
 public:
  LearningRates(const Scenario& scenario, const Municipalities& municipalities);

  // The rates of the municipalities' portfolios now, from step `now` + 1 on (after each census).
  void tabulate_period(std::int32_t now);

  // Japanese points learnt a month: faster from a close language and where classes are run.
  double japanese_per_month(std::size_t origin, std::size_t municipality) const;
  double skill_per_month() const { return scenario_.learning.skill_points_per_month; }

  // The probability of passing a skills test that requires `required` points with `skill` (fixed
  // point): rising smoothly with skill, a half at the requirement; a threshold at width 0.
  double skill_test_pass(std::uint16_t skill, std::uint8_t required) const {
    if (required == 0) return 1.0;
    const double above = static_cast<double>(skill) / (1 << kPointShift) - required;
    const double width = scenario_.learning.skill_test_width_points;
    if (width <= 0.0) return above >= 0.0 ? 1.0 : 0.0;
    return 1.0 / (1.0 + std::exp(-above / width));
  }

  // `learnt` plus the learning of the months since it was last added up to `now`, at the rates of
  // the agent's place and job in those months (`agent`: its municipality, origin and employer,
  // read only if needed), the rates of each period for its months.
  template <class Agent>
  void add_up(Learning& learnt, const Agent& agent, std::int32_t now) const {
    const std::int32_t from = learnt.learned_to;
    if (now <= from) return;
    learnt.learned_to = static_cast<std::int16_t>(now);
    if (learnt.japanese < kMaxPoints) {
      const std::size_t cell = agent.municipality() * origins_ + agent.origin();
      // Learning is counted from the first period on; period p holds the months after
      // period_from_[p] - 1, up to the next period's.
      auto learnt_by = [&](std::int32_t step, std::size_t p) {
        const Cell& c = periods_[p][cell];
        return c.before + static_cast<std::uint64_t>(step - (period_from_[p] - 1)) * c.rate;
      };
      const std::int32_t start = std::max(from, period_from_.front() - 1);
      const auto period_of_start = static_cast<std::size_t>(
          std::upper_bound(period_from_.begin(), period_from_.end(), start + 1) - period_from_.begin() - 1);
      const std::uint64_t points =
          learnt.japanese + learnt_by(now, period_from_.size() - 1) - learnt_by(start, period_of_start);
      learnt.japanese = static_cast<std::uint16_t>(std::min<std::uint64_t>(kMaxPoints, points));
    }
    if (agent.employer() != kNone32 && learnt.skill < kMaxPoints)
      learnt.skill = static_cast<std::uint16_t>(
          std::min<std::uint32_t>(kMaxPoints, learnt.skill + static_cast<std::uint32_t>(now - from) * skill_rate_));
  }
  // Asks for the current rate of a (municipality, origin) cell from memory, ahead of add_up.
  [[gnu::always_inline]] void prefetch(std::size_t municipality, std::size_t origin) const {
    __builtin_prefetch(&periods_.back()[municipality * origins_ + origin]);
  }

  // Points plus `more` (points, not fixed point), rounded to fixed point, at most the maximum.
  static std::uint16_t add_points(std::uint16_t points, double more) {
    return static_cast<std::uint16_t>(std::min<double>(kMaxPoints, points + std::round(more * (1 << kPointShift))));
  }

 private:
  // One period's rate for a (municipality, origin) cell, and what the months before the period
  // added up to, so any stretch of months takes two looks (each one cache line: the two side by side).
  struct Cell {
    std::uint64_t before;  // points learnt in the months before the period
    std::uint32_t rate;    // points a month in the period
  };
  const Scenario& scenario_;
  const Municipalities& municipalities_;
  std::size_t origins_;
  std::vector<std::vector<Cell>> periods_;  // [period][municipality * origins + origin]
  std::vector<std::int32_t> period_from_;   // the first step of each period
  std::uint32_t skill_rate_;                // fixed-point skill points a month at work
};

}  // namespace migsim
