#include "migrants/learning.hpp"

#include <cmath>

namespace migsim {

namespace {

std::uint32_t to_fixed_points(double points) {
  return static_cast<std::uint32_t>(std::llround(std::max(0.0, points) * (1 << kPointShift)));
}

}  // namespace

LearningRates::LearningRates(const Scenario& scenario, const Municipalities& municipalities)
    : scenario_(scenario),
      municipalities_(municipalities),
      origins_(scenario.origins.size()),
      skill_rate_(to_fixed_points(scenario.learning.skill_points_per_month)) {}

double LearningRates::japanese_per_month(std::size_t origin, std::size_t municipality) const {
  const auto& learning = scenario_.learning;
  return learning.japanese_points_per_month * language_pace(scenario_.origins[origin].language_proximity) *
         (1.0 + learning.language_class_boost * municipalities_.state().language_classes[municipality]) *
         (1.0 + scenario_.integration.learning_boost * municipalities_.integration(municipality));
}

void LearningRates::tabulate_period(std::int32_t now) {
  const std::size_t places = scenario_.municipalities.size();
  // The earlier periods stay for the learning not yet added up.
  auto& period = periods_.emplace_back(places * origins_, Cell{0, 0});
  if (!period_from_.empty()) {
    const auto& last = periods_[periods_.size() - 2];
    for (std::size_t cell = 0; cell < period.size(); ++cell)
      period[cell].before =
          last[cell].before + static_cast<std::uint64_t>(now + 1 - period_from_.back()) * last[cell].rate;
  }
  period_from_.push_back(now + 1);
  for (std::size_t k = 0; k < places; ++k)
    for (std::size_t o = 0; o < origins_; ++o)
      period[k * origins_ + o].rate = to_fixed_points(japanese_per_month(o, k));
}

}  // namespace migsim
