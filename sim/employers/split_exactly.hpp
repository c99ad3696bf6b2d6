// Whole parts of a total in proportion to weights (employers' capacities, their initial workers).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <utility>
#include <vector>

namespace migsim {

// Splits `total` over `weights` by largest remainders, so the parts add up exactly.
inline std::vector<std::int64_t> split_exactly(std::int64_t total, const std::vector<double>& weights) {
  const double sum = std::accumulate(weights.begin(), weights.end(), 0.0);
  std::vector<std::int64_t> parts(weights.size());
  std::vector<std::pair<double, std::size_t>> remainders;
  std::int64_t given = 0;
  for (std::size_t j = 0; j < weights.size(); ++j) {
    const double exact = static_cast<double>(total) * weights[j] / sum;
    parts[j] = static_cast<std::int64_t>(std::floor(exact));
    given += parts[j];
    remainders.emplace_back(exact - static_cast<double>(parts[j]), j);
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::int64_t k = 0; k < total - given; ++k) ++parts[remainders[static_cast<std::size_t>(k)].second];
  return parts;
}

}  // namespace migsim
