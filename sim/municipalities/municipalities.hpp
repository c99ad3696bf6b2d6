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
#include "municipalities/schools.hpp"

namespace migsim {

class Municipalities {
 public:
  explicit Municipalities(const Scenario& scenario);

  // Their state at the start: policies, AJTs, agreements signed by then, urbanity and proximity.
  void populate();

  const MunicipalityState& state() const { return state_; }
  std::size_t prefecture_of(std::uint16_t municipality) const { return prefecture_[municipality]; }
  const std::vector<std::uint16_t>& prefectures() const { return prefecture_; }  // [municipality]
  double integration(std::size_t municipality) const { return state_.integration[municipality]; }
  // The exit hazard of a resident whose family lives with it is multiplied by this.
  double family_stay_factor(std::size_t municipality) const { return state_.family_stay_factor[municipality]; }
  // Whether a school-age child of `origin` living here since step `since` still needs Japanese
  // instruction at step `now`.
  bool child_needs_japanese(std::size_t municipality, std::size_t origin, std::int32_t since, std::int32_t now) const {
    return school_.needs_instruction(municipality, origin, since, now);
  }
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
  // Yearly, at the census of step `now`: the budgets (foreign residents, agents per municipality),
  // AJTs hired to the children-per-teacher target (school-age agents who need Japanese
  // instruction), their coverage, the spending and the integration level.
  void update(const std::vector<std::int64_t>& children_needing_japanese, const std::vector<std::int64_t>& residents,
              std::int32_t now);

 private:
  const Scenario& scenario_;
  std::size_t count_, origins_;
  std::int64_t persons_per_agent_;
  MunicipalityState state_;
  std::vector<std::uint16_t> prefecture_;
  std::vector<double> urbanity_, proximity_;
  SchoolJapanese school_;

  double draw_ajt_ability(std::size_t municipality, std::int32_t teacher) const;
  double portfolio_cost(std::size_t k) const;
  std::size_t agreements_of(std::size_t k) const;
};

}  // namespace migsim
