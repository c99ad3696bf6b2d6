#include "municipalities/municipalities.hpp"

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <cmath>

#include "engine/rng.hpp"
#include "municipalities/assembly.hpp"
#include "municipalities/budget.hpp"

namespace migsim {

Municipalities::Municipalities(const Scenario& scenario)
    : scenario_(scenario),
      count_(scenario.municipalities.size()),
      origins_(scenario.origins.size()),
      persons_per_agent_(scenario.persons_per_agent()),
      school_(scenario) {
  for (const auto& place : scenario.municipalities) prefecture_.push_back(place.prefecture);
}

void Municipalities::populate() {
  const std::size_t n = count_;
  state_.ajts.resize(n);
  state_.integration.assign(n, 0.0);
  state_.agreements.assign(n * origins_, 0);
  state_.language_classes.resize(n);
  state_.consultation.resize(n);
  state_.residents_assembly.resize(n);
  state_.hires_ajts.resize(n);
  state_.employer_subsidy.resize(n);
  state_.council_member.resize(n);
  state_.ajt_ability.resize(n);
  state_.ajt_coverage.assign(n, 0.0);
  state_.family_stay_factor.assign(n, 1.0);
  state_.budget_yen.resize(n);
  state_.spending_yen.assign(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& p = scenario_.municipalities[i].policy;
    state_.ajts[i] = p.ajts;
    state_.language_classes[i] = p.language_classes;
    state_.consultation[i] = p.consultation;
    state_.residents_assembly[i] = p.residents_assembly;
    state_.hires_ajts[i] = p.hires_ajts;
    state_.employer_subsidy[i] = p.employer_subsidy;
    state_.council_member[i] = p.council_member;
    state_.budget_yen[i] = policy_budget_yen(scenario_.municipalities[i], scenario_.municipal_policy, 0);
    state_.ajt_ability[i] = 0.0;
    for (std::int32_t k = 0; k < state_.ajts[i]; ++k) state_.ajt_ability[i] += draw_ajt_ability(i, k);
    for (std::size_t o = 0; o < origins_; ++o) state_.agreements[i * origins_ + o] = p.agreements[o];
  }
  for (const auto& a : scenario_.agreements)
    if (a.date <= scenario_.start) state_.agreements[a.municipality * origins_ + a.origin] = 1;
  // Urbanity: log population scaled from the smallest (0) to the largest (1) municipality.
  double smallest_log = 1e300, largest_log = 0.0;
  for (const auto& place : scenario_.municipalities) {
    const double l = std::log(std::max(1.0, static_cast<double>(place.population)));
    smallest_log = std::min(smallest_log, l);
    largest_log = std::max(largest_log, l);
  }
  // Geographic proximity: great-circle distance from where emigrants leave to the town hall.
  proximity_.assign(n * origins_, 1.0);
  if (scenario_.behaviour.distance_decay_km > 0) {
    constexpr double kEarthRadiusKm = 6371.0, kRadian = 3.14159265358979323846 / 180.0;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t o = 0; o < origins_; ++o) {
        const auto& to = scenario_.municipalities[i].location;
        const auto& from = scenario_.origins[o].location;
        if (!to || !from) continue;
        const double a = std::pow(std::sin((to->first - from->first) * kRadian / 2), 2) +
                         std::cos(from->first * kRadian) * std::cos(to->first * kRadian) *
                             std::pow(std::sin((to->second - from->second) * kRadian / 2), 2);
        const double km = 2 * kEarthRadiusKm * std::asin(std::sqrt(a));
        proximity_[i * origins_ + o] = std::exp(-km / scenario_.behaviour.distance_decay_km);
      }
  }
  urbanity_.resize(n);
  for (std::size_t i = 0; i < n; ++i)
    urbanity_[i] =
        largest_log > smallest_log
            ? (std::log(std::max(1.0, static_cast<double>(scenario_.municipalities[i].population))) - smallest_log) /
                  (largest_log - smallest_log)
            : 1.0;
}

double Municipalities::policies_integration(std::size_t k) const {
  const auto& g = scenario_.integration;
  return g.weight_language_classes * state_.language_classes[k] + g.weight_consultation * state_.consultation[k] +
         g.weight_residents_assembly * state_.residents_assembly[k];
}

// An AJT's ability: the effect of AJTs on children is uneven (Toyota City's experience).
double Municipalities::draw_ajt_ability(std::size_t municipality, std::int32_t teacher) const {
  Stream r(scenario_.seed, Purpose::municipality_update, 0,
           (static_cast<std::uint64_t>(municipality) << 32) | static_cast<std::uint32_t>(teacher));
  boost::random::normal_distribution<double> ability(scenario_.municipal_policy.ajt_ability_mean,
                                                     scenario_.municipal_policy.ajt_ability_sd);
  return std::clamp(ability(r), 0.2, 2.0);
}

double Municipalities::portfolio_cost(std::size_t k) const {
  const auto& c = scenario_.municipal_policy;
  return c.cost_language_classes_yen * state_.language_classes[k] + c.cost_consultation_yen * state_.consultation[k] +
         c.cost_residents_assembly_yen * state_.residents_assembly[k] +
         c.cost_employer_subsidy_yen * state_.employer_subsidy[k] + c.cost_per_ajt_yen * state_.ajts[k] +
         c.cost_per_agreement_yen * static_cast<double>(agreements_of(k));
}

std::size_t Municipalities::agreements_of(std::size_t k) const {
  std::size_t n = 0;
  for (std::size_t o = 0; o < origins_; ++o) n += state_.agreements[k * origins_ + o];
  return n;
}

void Municipalities::adapt_policies(int year, const std::vector<std::int64_t>& residents,
                                    const std::vector<std::int64_t>& residents_by_origin,
                                    const std::vector<double>& unfilled_share) {
  const auto& c = scenario_.municipal_policy;
  // What council members run, before anyone adapts this year (so the order of visits is moot).
  struct Policy {
    std::vector<std::uint8_t>* flags;
    double cost;
    bool vacancy_driven;
    bool asked_by_residents;  // what a foreign residents' assembly asks for
  };
  std::vector<Policy> policies{{&state_.language_classes, c.cost_language_classes_yen, false, true},
                               {&state_.consultation, c.cost_consultation_yen, false, true},
                               {&state_.residents_assembly, c.cost_residents_assembly_yen, false, false},
                               {&state_.employer_subsidy, c.cost_employer_subsidy_yen, true, false},
                               {&state_.hires_ajts, 0.0, false, true}};
  std::vector<double> peer_share(policies.size(), 0.0);
  std::size_t members = 0;
  for (std::size_t k = 0; k < count_; ++k) members += state_.council_member[k];
  for (std::size_t q = 0; q < policies.size(); ++q) {
    std::size_t running = 0;
    for (std::size_t k = 0; k < count_; ++k) running += state_.council_member[k] && (*policies[q].flags)[k];
    peer_share[q] = members > 0 ? static_cast<double>(running) / static_cast<double>(members) : 0.0;
  }
  std::vector<std::size_t> peer_agreements(origins_, 0);  // council members with each origin
  std::size_t members_with_agreements = 0;
  for (std::size_t k = 0; k < count_; ++k) {
    if (!state_.council_member[k]) continue;
    members_with_agreements += static_cast<std::size_t>(agreements_of(k) > 0);
    for (std::size_t o = 0; o < origins_; ++o) peer_agreements[o] += state_.agreements[k * origins_ + o];
  }
  const double peer_agreement_share =
      members > 0 ? static_cast<double>(members_with_agreements) / static_cast<double>(members) : 0.0;
  for (std::size_t k = 0; k < count_; ++k) {
    Stream r(scenario_.seed, Purpose::municipality_update, static_cast<std::uint32_t>(year), k);
    const double population = std::max<double>(1.0, static_cast<double>(scenario_.municipalities[k].population));
    const double foreign_share = static_cast<double>(residents[k] * persons_per_agent_) / population;
    for (std::size_t q = 0; q < policies.size(); ++q) {
      auto& flag = (*policies[q].flags)[k];
      const double chance = c.base_adoption_per_year + c.foreign_share_effect * foreign_share +
                            (state_.council_member[k] ? c.peer_effect * peer_share[q] : 0.0) +
                            (policies[q].vacancy_driven ? c.vacancy_effect * unfilled_share[k] : 0.0) +
                            assembly_voice(c, state_.residents_assembly[k] != 0, policies[q].asked_by_residents);
      if (flag || !r.bernoulli(std::min(1.0, chance))) continue;
      if (portfolio_cost(k) + policies[q].cost <= state_.budget_yen[k]) flag = 1;
    }
    // A cooperation agreement with a sending country, wanted by employers short of workers,
    // copied from peers: with the origin peers sign with most, else the largest community here.
    const double chance = c.base_adoption_per_year + c.vacancy_effect * unfilled_share[k] +
                          (state_.council_member[k] ? c.peer_effect * peer_agreement_share : 0.0);
    if (!r.bernoulli(std::min(1.0, chance)) || portfolio_cost(k) + c.cost_per_agreement_yen > state_.budget_yen[k])
      continue;
    std::size_t best = origins_;
    double best_score = 0.0;
    for (std::size_t o = 0; o < origins_; ++o) {
      if (state_.agreements[k * origins_ + o]) continue;
      const double score = (state_.council_member[k] ? 1e12 * static_cast<double>(peer_agreements[o]) : 0.0) +
                           static_cast<double>(residents_by_origin[k * origins_ + o]);
      if (score > best_score) best_score = score, best = o;
    }
    if (best < origins_) state_.agreements[k * origins_ + best] = 1;
  }
}

void Municipalities::update(const std::vector<std::int64_t>& children_needing_japanese,
                            const std::vector<std::int64_t>& residents, std::int32_t now) {
  const auto& g = scenario_.integration;
  for (std::size_t k = 0; k < count_; ++k) {
    state_.budget_yen[k] =
        policy_budget_yen(scenario_.municipalities[k], scenario_.municipal_policy, residents[k] * persons_per_agent_);
    const double children = static_cast<double>(children_needing_japanese[k] * persons_per_agent_);
    if (state_.hires_ajts[k]) {
      // Hire towards the children-per-teacher target, as far as the budget goes.
      const auto wanted = static_cast<std::int32_t>(std::ceil(children / g.ajt_children_per_teacher));
      while (state_.ajts[k] < wanted &&
             portfolio_cost(k) + scenario_.municipal_policy.cost_per_ajt_yen <= state_.budget_yen[k]) {
        state_.ajt_ability[k] += draw_ajt_ability(k, state_.ajts[k]);
        ++state_.ajts[k];
      }
    }
    state_.spending_yen[k] = portfolio_cost(k);
    const double coverage = children <= 0
                                ? (state_.ajts[k] > 0 ? 1.0 : 0.0)
                                : std::min(1.0, state_.ajt_ability[k] * g.ajt_children_per_teacher / children);
    state_.ajt_coverage[k] = coverage;
    state_.family_stay_factor[k] = 1.0 - g.ajt_family_stay_effect * coverage;
    state_.integration[k] = std::min(1.0, policies_integration(k) + g.weight_ajt_coverage * coverage);
  }
  school_.set_coverage(now + 1, state_.ajt_coverage);
}

void Municipalities::sign_agreements_of(MonthIndex date) {
  for (const auto& a : scenario_.agreements)
    if (a.date == date) state_.agreements[a.municipality * origins_ + a.origin] = 1;
}

}  // namespace migsim
