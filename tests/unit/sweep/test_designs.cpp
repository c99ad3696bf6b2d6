// The designs' documented points (docs/sweeps.md), the seeds and the run order of a sweep.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>

#include "sweep/designs.hpp"
#include "sweep/plan.hpp"

using namespace migsim::sweep;

namespace {

Factor range(const std::string& name, double min, double max, FactorScale scale = FactorScale::linear) {
  Factor f;
  f.name = name;
  f.key_paths = {name};
  f.min = min;
  f.max = max;
  f.scale = scale;
  return f;
}

Factor values(const std::string& name, std::vector<double> v) {
  Factor f;
  f.name = name;
  f.key_paths = {name};
  f.values = std::move(v);
  f.scale = FactorScale::grid;
  return f;
}

SweepSpec spec_of(DesignType design, int samples, std::vector<Factor> factors) {
  SweepSpec s;
  s.design = design;
  s.samples = samples;
  s.factors = std::move(factors);
  s.sampler_seed = 11;
  return s;
}

}  // namespace

TEST_CASE("a grid is every combination, the last factor varying fastest", "[sweep]") {
  const auto d = make_design(spec_of(DesignType::grid, 0, {values("a", {1, 2}), values("b", {10, 20, 30})}));
  const std::vector<std::vector<double>> expected{{1, 10}, {1, 20}, {1, 30}, {2, 10}, {2, 20}, {2, 30}};
  CHECK(d.points == expected);
}

TEST_CASE("a sweep without factors has one point", "[sweep]") {
  const auto d = make_design(spec_of(DesignType::grid, 0, {}));
  REQUIRE(d.points.size() == 1);
  CHECK(d.points[0].empty());
}

TEST_CASE("sobol points are scipy's unscrambled Sobol sequence from its second point", "[sweep]") {
  // scipy.stats.qmc.Sobol(2, scramble=False).random(5)[1:]
  const std::vector<std::vector<double>> expected{{0.5, 0.5}, {0.75, 0.25}, {0.25, 0.75}, {0.375, 0.375}};
  CHECK(sobol_unit_points(4, 2) == expected);
  const auto d = make_design(spec_of(DesignType::sobol, 4, {range("a", 0, 10), range("b", 1, 100, FactorScale::log)}));
  CHECK(d.points[0][0] == 5.0);
  CHECK(d.points[0][1] == Approx(10.0));  // the middle of a log range is the geometric mean
  CHECK(d.points[1][0] == 7.5);
}

TEST_CASE("a latin hypercube puts one point in each of the n strata of every factor", "[sweep]") {
  const auto points = lhs_unit_points(10, 3, 5);
  REQUIRE(points.size() == 10);
  for (std::size_t f = 0; f < 3; ++f) {
    std::set<int> strata;
    for (const auto& p : points) {
      CHECK(p[f] >= 0.0);
      CHECK(p[f] < 1.0);
      strata.insert(static_cast<int>(p[f] * 10));
    }
    CHECK(strata.size() == 10);
  }
  CHECK(lhs_unit_points(10, 3, 5) == points);  // the sampler seed fixes the design
  CHECK(lhs_unit_points(10, 3, 6) != points);
}

TEST_CASE("saltelli blocks are A, B and each AB_i: A with column i from B", "[sweep]") {
  const int n = 4;
  const auto d = make_design(spec_of(DesignType::saltelli, n, {range("a", 0, 1), range("b", 0, 1), range("c", 0, 1)}));
  REQUIRE(d.points.size() == static_cast<std::size_t>(n * (3 + 2)));
  const auto unit = sobol_unit_points(n, 6);  // A = columns 0-2, B = columns 3-5
  for (std::size_t p = 0; p < d.points.size(); ++p) {
    const auto& role = d.roles[p];
    const auto& row = unit[static_cast<std::size_t>(role.row)];
    CHECK(role.block == static_cast<int>(p) / n);
    CHECK(role.row == static_cast<int>(p) % n);
    for (std::size_t f = 0; f < 3; ++f) {
      const bool from_b = role.block == 1 || (role.block >= 2 && static_cast<std::size_t>(role.block - 2) == f);
      CHECK(d.points[p][f] == (from_b ? row[3 + f] : row[f]));
    }
  }
}

TEST_CASE("a morris trajectory moves each factor once by delta on the grid of levels", "[sweep]") {
  auto spec = spec_of(DesignType::morris, 5, {range("a", 0, 1), range("b", 0, 1), range("c", 0, 1)});
  spec.morris_levels = 4;
  const auto d = make_design(spec);
  REQUIRE(d.points.size() == 5 * 4);
  const double delta = 4.0 / (2.0 * 3.0);
  for (int t = 0; t < 5; ++t) {
    std::set<int> changed;
    for (int s = 0; s <= 3; ++s) {
      const auto p = static_cast<std::size_t>(t * 4 + s);
      CHECK(d.roles[p].trajectory == t);
      CHECK(d.roles[p].step == s);
      for (double x : d.points[p]) {
        CHECK(x >= 0.0);
        CHECK(x <= 1.0);
        CHECK(std::abs(x * 3 - std::round(x * 3)) < 1e-12);  // on the levels 0, 1/3, 2/3, 1
      }
      if (s == 0) {
        CHECK(d.roles[p].changed_factor == -1);
        continue;
      }
      const int f = d.roles[p].changed_factor;
      changed.insert(f);
      for (int g = 0; g < 3; ++g) {
        const double step = d.points[p][static_cast<std::size_t>(g)] - d.points[p - 1][static_cast<std::size_t>(g)];
        CHECK(std::abs(step) == Approx(g == f ? delta : 0.0).margin(1e-12));
      }
    }
    CHECK(changed.size() == 3);
  }
}

TEST_CASE("factor values: log ranges, bounds and whole numbers", "[sweep]") {
  auto f = range("x", 5e4, 2e5, FactorScale::log);
  CHECK(factor_value(f, 0.0) == 5e4);
  CHECK(factor_value(f, 1.0) == 2e5);
  CHECK(factor_value(f, 0.5) == Approx(1e5));
  auto months = range("m", 6, 24);
  months.whole_numbers = true;
  CHECK(factor_value(months, 0.49) == 15.0);
}

TEST_CASE("a run's seed depends on the replicate only, and runs go variant, point, replicate", "[sweep]") {
  CHECK(run_seed(7, 0) == run_seed(7, 0));
  CHECK(run_seed(7, 0) != run_seed(7, 1));
  CHECK(run_seed(7, 0) != run_seed(8, 0));
  for (int r = 0; r < 100; ++r) CHECK(run_seed(7, r) <= static_cast<std::uint64_t>(INT64_MAX));

  auto spec = spec_of(DesignType::grid, 0, {values("a", {1, 2, 3})});
  spec.replicates = 2;
  spec.variants = {{"base", "", {}, 0, 0}, {"other", "", {}, 0, 0}};
  spec.seed = 7;
  const SweepPlan plan(spec);
  CHECK(plan.run_count() == 2 * 3 * 2);
  const auto r = plan.run(((1 * 3) + 2) * 2 + 1);  // variant 1, point 2, replicate 1
  CHECK(r.variant == 1);
  CHECK(r.point == 2);
  CHECK(r.replicate == 1);
  CHECK(r.seed == run_seed(7, 1));
  CHECK(plan.run(1).seed == r.seed);  // common random numbers across points and variants
}
