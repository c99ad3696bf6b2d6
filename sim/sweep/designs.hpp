// The points of a design: each factor's value at each point, in the order docs/sweeps.md gives.
#pragma once

#include <cstdint>
#include <vector>

#include "sweep/sweep_file.hpp"

namespace migsim::sweep {

// Where a point sits in a sensitivity design (absent for grid, lhs and sobol).
struct PointRole {
  int block = -1;           // saltelli: 0 = A, 1 = B, 2 + i = AB_i (column i from B)
  int row = -1;             // saltelli: the base sample's row
  int trajectory = -1;      // morris
  int step = -1;            // morris: 0..k
  int changed_factor = -1;  // morris: the factor moved at this step, -1 at step 0
};

struct Design {
  std::vector<std::vector<double>> points;  // points[p][factor]: the value written into the scenario
  std::vector<PointRole> roles;             // one per point
};

// Points of the unit cube [0, 1]^k before they are mapped onto the factors' ranges.
std::vector<std::vector<double>> lhs_unit_points(int samples, int factors, std::uint64_t seed);
std::vector<std::vector<double>> sobol_unit_points(int samples, int dimensions);

// Maps u in [0, 1] onto a factor's range (linear or log), rounded for whole-number factors.
double factor_value(const Factor& factor, double u);

// The design of a sweep file; at least one point (a sweep without factors has one, empty).
Design make_design(const SweepSpec& spec);

}  // namespace migsim::sweep
