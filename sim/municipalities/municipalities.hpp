// The municipalities: their policy portfolios (adopted yearly, within budget, copied from council
// peers), cooperation agreements with origins, assistant Japanese teachers (AJTs), and the
// integration level these give; with what entrants and job seekers weigh of a place (urbanity,
// distance from each origin).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "migsim/scenario.hpp"
#include "municipalities/municipality_state.hpp"

namespace migsim {

class Municipalities {
 public:
  explicit Municipalities(const Scenario& scenario);

  // Their state at the start: policies, AJTs, agreements signed by then, urbanity and proximity.
  void populate();

  const MunicipalityState& state() const { return state_; }
  std::size_t prefecture_of(std::uint16_t municipality) const { return prefecture_[municipality]; }
  double integration(std::size_t municipality) const { return state_.integration[municipality]; }
  bool agreement(std::size_t municipality, std::size_t origin) const {
    return state_.agreements[municipality * origins_ + origin] != 0;
  }
  // 0 for the smallest municipality to 1 for the largest, on log population.
  double urbanity(std::size_t municipality) const { return urbanity_[municipality]; }
  // [municipality * origins + origin]: exp(−km / distance decay) from where the origin's emigrants leave.
  double proximity(std::size_t cell) const { return proximity_[cell]; }

  // The part of municipality k's integration its policies give (before the cap at 1); the AJT
  // coverage term adds to it.
  double policies_integration(std::size_t k) const;

  // Agreements dated `date` come into force.
  void sign_agreements_of(MonthIndex date);
  // Yearly, after a census: each municipality may adopt policies it lacks and sign an agreement,
  // if its budget allows (agents per municipality and per municipality and origin; the share of
  // its employers' places left unfilled).
  void adapt_policies(int year, const std::vector<std::int64_t>& residents,
                      const std::vector<std::int64_t>& residents_by_origin, const std::vector<double>& unfilled_share);
  // Yearly: AJTs hired to the children-per-teacher target (school-age agents per municipality at
  // the census), the spending and the integration level.
  void update(const std::vector<std::int64_t>& children_at_census);

 private:
  const Scenario& scenario_;
  std::size_t count_, origins_;
  std::int64_t persons_per_agent_;
  MunicipalityState state_;
  std::vector<std::uint16_t> prefecture_;
  std::vector<double> urbanity_, proximity_;

  double draw_ajt_ability(std::size_t municipality, std::int32_t teacher) const;
  double portfolio_cost(std::size_t k) const;
  std::size_t agreements_of(std::size_t k) const;
};

}  // namespace migsim
