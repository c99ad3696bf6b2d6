// Foreign children at school: they learn Japanese there, faster where assistant Japanese teachers
// (AJTs) cover the children who still need Japanese instruction (the Toyota study). A
// municipality's pace changes only at a census, with its AJTs, so it is kept as periods between
// censuses and a child's Japanese is read off them when the child is counted: nothing is stored or
// updated per child.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "migsim/scenario.hpp"

namespace migsim {

class SchoolJapanese {
 public:
  explicit SchoolJapanese(const Scenario& scenario);

  // The AJT coverage (0-1) of each municipality, in force from step `from` on (the step after a
  // census); a second call for the same step replaces the first. Before the first call (and for
  // the months before the run) children learn without AJTs.
  void set_coverage(std::int32_t from, const std::vector<double>& coverage);

  // Japanese points a child of `origin` has learnt at step `now` living in municipality k since
  // step `since` (it arrives with none).
  double points(std::size_t k, std::size_t origin, std::int32_t since, std::int32_t now) const {
    return points_per_month_[origin] * (school_months(k, now) - school_months(k, since));
  }
  // Whether that child still needs Japanese instruction (its level is below the one needed).
  bool needs_instruction(std::size_t k, std::size_t origin, std::int32_t since, std::int32_t now) const {
    return points(k, origin, since, now) < needed_points_;
  }

 private:
  // Months at school up to `step`, each weighed by the pace of its period, 1 + boost × coverage,
  // counted from step 0 (negative before it).
  double school_months(std::size_t k, std::int32_t step) const;

  std::size_t municipalities_;
  double boost_, needed_points_;
  std::vector<double> points_per_month_;  // [origin], without AJTs
  std::vector<std::int32_t> from_;        // the first step of each period; the first is 0
  std::vector<double> before_, pace_;     // [period * municipalities + k]: months weighed up to from_, pace
};

}  // namespace migsim
