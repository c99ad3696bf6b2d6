// Whole parts of a total in proportion to weights: they add up exactly, each within one of its share.
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>
#include <vector>

#include "employers/split_exactly.hpp"

using namespace migsim;

TEST_CASE("a total split by weights adds up exactly, each part within one of its share", "[employers]") {
  const std::vector<double> weights{0.7, 2.1, 1.0, 0.2, 5.0};
  const double sum = std::accumulate(weights.begin(), weights.end(), 0.0);
  for (const std::int64_t total : {0, 1, 7, 100, 12345}) {
    const auto parts = split_exactly(total, weights);
    REQUIRE(parts.size() == weights.size());
    CHECK(std::accumulate(parts.begin(), parts.end(), std::int64_t{0}) == total);
    for (std::size_t k = 0; k < parts.size(); ++k)
      CHECK(std::abs(static_cast<double>(parts[k]) - static_cast<double>(total) * weights[k] / sum) < 1.0);
  }
}

TEST_CASE("the units left over go to the largest remainders, the first of equal ones first", "[employers]") {
  CHECK(split_exactly(10, {1.0, 1.0, 1.0}) == std::vector<std::int64_t>{4, 3, 3});
  CHECK(split_exactly(7, {2.0, 3.0, 5.0}) == std::vector<std::int64_t>{1, 2, 4});  // 1.4, 2.1, 3.5
  CHECK(split_exactly(5, {0.1, 0.5, 0.4}) == std::vector<std::int64_t>{1, 2, 2});  // 0.5, 2.5, 2.0
  CHECK(split_exactly(4, {3.0, 1.0}) == std::vector<std::int64_t>{3, 1});
}
