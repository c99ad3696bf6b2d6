#include "sweep/designs.hpp"

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/sobol.hpp>
#include <boost/random/uniform_01.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <numeric>
#include <utility>

namespace migsim::sweep {

std::vector<std::vector<double>> lhs_unit_points(int samples, int factors, std::uint64_t seed) {
  // Boost.Random's engines and distributions give the same numbers on every platform.
  boost::random::mt19937_64 engine(seed);
  boost::random::uniform_01<double> uniform;
  const auto n = static_cast<std::size_t>(samples);
  std::vector<std::vector<double>> points(n, std::vector<double>(static_cast<std::size_t>(factors)));
  for (std::size_t f = 0; f < static_cast<std::size_t>(factors); ++f) {
    std::vector<std::size_t> stratum(n);
    std::iota(stratum.begin(), stratum.end(), std::size_t{0});
    for (std::size_t i = n; i > 1; --i) {  // Fisher-Yates: each factor's strata in a random order
      boost::random::uniform_int_distribution<std::size_t> pick(0, i - 1);
      std::swap(stratum[i - 1], stratum[pick(engine)]);
    }
    for (std::size_t p = 0; p < n; ++p)
      points[p][f] = (static_cast<double>(stratum[p]) + uniform(engine)) / static_cast<double>(n);
  }
  return points;
}

std::vector<std::vector<double>> sobol_unit_points(int samples, int dimensions) {
  // Boost's engine starts after the all-zero point: the points are scipy's
  // qmc.Sobol(d, scramble=False) from its second point on.
  boost::random::sobol engine(static_cast<std::size_t>(dimensions));
  std::vector<std::vector<double>> points(static_cast<std::size_t>(samples),
                                          std::vector<double>(static_cast<std::size_t>(dimensions)));
  for (auto& point : points)
    for (auto& u : point) u = std::ldexp(static_cast<double>(engine()), -64);
  return points;
}

double factor_value(const Factor& factor, double u) {
  double value = factor.scale == FactorScale::log
                     ? std::exp(std::log(factor.min) + u * (std::log(factor.max) - std::log(factor.min)))
                     : factor.min + u * (factor.max - factor.min);
  if (u >= 1.0) value = factor.max;  // exactly the bound, not exp(log(max)) one ulp off
  if (u <= 0.0) value = factor.min;
  return factor.whole_numbers ? std::round(value) : value;
}

namespace {

Design grid_design(const SweepSpec& spec) {
  Design d;
  std::size_t count = 1;
  for (const auto& f : spec.factors) count *= f.values.size();
  // The last factor varies fastest, as nested loops written in the file's order.
  for (std::size_t p = 0; p < count; ++p) {
    std::vector<double> point(spec.factors.size());
    std::size_t rest = p;
    for (std::size_t f = spec.factors.size(); f-- > 0;) {
      point[f] = spec.factors[f].values[rest % spec.factors[f].values.size()];
      rest /= spec.factors[f].values.size();
    }
    d.points.push_back(point);
    d.roles.emplace_back();
  }
  return d;
}

std::vector<double> map_point(const SweepSpec& spec, const std::vector<double>& unit) {
  std::vector<double> out(spec.factors.size());
  for (std::size_t f = 0; f < out.size(); ++f) out[f] = factor_value(spec.factors[f], unit[f]);
  return out;
}

// Saltelli (2010): A and B are the two halves of a Sobol sequence of 2k dimensions; AB_i is A with
// column i taken from B. Blocks in the order A, B, AB_0 .. AB_{k-1}, each of `samples` rows.
Design saltelli_design(const SweepSpec& spec) {
  Design d;
  const std::size_t k = spec.factors.size();
  const auto unit = sobol_unit_points(spec.samples, static_cast<int>(2 * k));
  auto a_row = [&](std::size_t row) {
    return std::vector<double>(unit[row].begin(), unit[row].begin() + static_cast<std::ptrdiff_t>(k));
  };
  auto b_row = [&](std::size_t row) {
    return std::vector<double>(unit[row].begin() + static_cast<std::ptrdiff_t>(k), unit[row].end());
  };
  for (std::size_t block = 0; block < k + 2; ++block) {
    for (std::size_t row = 0; row < unit.size(); ++row) {
      std::vector<double> u = block == 1 ? b_row(row) : a_row(row);
      if (block >= 2) u[block - 2] = b_row(row)[block - 2];
      d.points.push_back(map_point(spec, u));
      PointRole role;
      role.block = static_cast<int>(block);
      role.row = static_cast<int>(row);
      d.roles.push_back(role);
    }
  }
  return d;
}

// Morris (1991) trajectories on a grid of p levels with the jump delta = p / (2 (p - 1)): a random
// start, then each factor moved once, in a random order, up or down by delta.
Design morris_design(const SweepSpec& spec) {
  Design d;
  const std::size_t k = spec.factors.size();
  const int p = spec.morris_levels;
  const double step = 1.0 / (p - 1);
  const int jump_levels = p / 2;  // delta in levels
  boost::random::mt19937_64 engine(spec.sampler_seed);
  boost::random::uniform_int_distribution<int> start_level(0, p - 1 - jump_levels);
  boost::random::uniform_int_distribution<int> coin(0, 1);
  for (int t = 0; t < spec.samples; ++t) {
    std::vector<int> level(k), direction(k);
    for (std::size_t f = 0; f < k; ++f) {
      const int base = start_level(engine);
      direction[f] = coin(engine) ? 1 : -1;
      level[f] = direction[f] > 0 ? base : base + jump_levels;  // so the move stays on the grid
    }
    std::vector<std::size_t> order(k);
    std::iota(order.begin(), order.end(), std::size_t{0});
    for (std::size_t i = k; i > 1; --i) {
      boost::random::uniform_int_distribution<std::size_t> pick(0, i - 1);
      std::swap(order[i - 1], order[pick(engine)]);
    }
    auto emit = [&](int s, int changed) {
      std::vector<double> u(k);
      for (std::size_t f = 0; f < k; ++f) u[f] = level[f] * step;
      d.points.push_back(map_point(spec, u));
      PointRole role;
      role.trajectory = t;
      role.step = s;
      role.changed_factor = changed;
      d.roles.push_back(role);
    };
    emit(0, -1);
    for (std::size_t s = 0; s < k; ++s) {
      level[order[s]] += direction[order[s]] * jump_levels;
      emit(static_cast<int>(s + 1), static_cast<int>(order[s]));
    }
  }
  return d;
}

}  // namespace

Design make_design(const SweepSpec& spec) {
  if (spec.factors.empty()) return Design{{{}}, {PointRole{}}};
  switch (spec.design) {
    case DesignType::grid:
      return grid_design(spec);
    case DesignType::lhs:
    case DesignType::sobol: {
      Design d;
      const auto unit = spec.design == DesignType::lhs
                            ? lhs_unit_points(spec.samples, static_cast<int>(spec.factors.size()), spec.sampler_seed)
                            : sobol_unit_points(spec.samples, static_cast<int>(spec.factors.size()));
      for (const auto& u : unit) {
        d.points.push_back(map_point(spec, u));
        d.roles.emplace_back();
      }
      return d;
    }
    case DesignType::saltelli:
      return saltelli_design(spec);
    case DesignType::morris:
      return morris_design(spec);
  }
  return {};
}

}  // namespace migsim::sweep
