#include "municipalities/schools.hpp"

#include <algorithm>

#include "migrants/learning.hpp"

namespace migsim {

SchoolJapanese::SchoolJapanese(const Scenario& scenario)
    : municipalities_(scenario.municipalities.size()),
      boost_(scenario.integration.ajt_learning_boost),
      needed_points_(scenario.integration.children_japanese_needed),
      from_{0},
      before_(municipalities_, 0.0),
      pace_(municipalities_, 1.0) {
  for (const auto& origin : scenario.origins)
    points_per_month_.push_back(scenario.integration.children_japanese_points_per_month *
                                language_pace(origin.language_proximity));
}

void SchoolJapanese::set_coverage(std::int32_t from, const std::vector<double>& coverage) {
  if (from != from_.back()) {
    const std::size_t last = from_.size() - 1;
    for (std::size_t k = 0; k < municipalities_; ++k)
      before_.push_back(before_[last * municipalities_ + k] +
                        static_cast<double>(from - from_[last]) * pace_[last * municipalities_ + k]);
    pace_.resize(pace_.size() + municipalities_);
    from_.push_back(from);
  }
  double* pace = pace_.data() + (from_.size() - 1) * municipalities_;
  for (std::size_t k = 0; k < municipalities_; ++k) pace[k] = 1.0 + boost_ * coverage[k];
}

double SchoolJapanese::school_months(std::size_t k, std::int32_t step) const {
  // The period holding `step`; the first one also holds the months before the run.
  const auto later = std::upper_bound(from_.begin() + 1, from_.end(), step);
  const auto p = static_cast<std::size_t>(later - from_.begin() - 1);
  return before_[p * municipalities_ + k] + static_cast<double>(step - from_[p]) * pace_[p * municipalities_ + k];
}

}  // namespace migsim
