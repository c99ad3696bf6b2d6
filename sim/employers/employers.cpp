#include "employers/employers.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <cmath>
#include <numeric>

#include "employers/split_exactly.hpp"
#include "engine/rng.hpp"
#include "engine/world.hpp"

namespace migsim {

Employers::Employers(const Scenario& scenario, const Municipalities& municipalities)
    : scenario_(scenario),
      municipalities_(municipalities),
      statuses_(scenario.statuses.size()),
      fields_(scenario.fields.size()),
      municipalities_count_(scenario.municipalities.size()) {
  for (std::size_t p = 0; p < scenario.prefectures.size(); ++p)
    minimum_monthly_wage_.push_back(minimum_monthly_wage_in(p, scenario.start));
  const auto& b = scenario.behaviour;
  satisfaction_weight_total_ =
      b.satisfaction_weight_wage + b.satisfaction_weight_conditions + b.satisfaction_weight_integration;
}

std::vector<std::uint32_t> Employers::create(const std::vector<std::int64_t>& workers_at,
                                             const MigrantStore& migrants) {
  // Employers: per (field, municipality) with workers, enough firms of the mean size, their
  // sizes spread lognormally, with spare capacity; fields are contiguous so each field's
  // market owns a range, and within it each prefecture's (the market draws openings by prefecture).
  std::vector<std::uint16_t> by_prefecture(municipalities_count_);
  std::iota(by_prefecture.begin(), by_prefecture.end(), std::uint16_t{0});
  std::stable_sort(by_prefecture.begin(), by_prefecture.end(), [&](std::uint16_t a, std::uint16_t b) {
    return municipalities_.prefecture_of(a) < municipalities_.prefecture_of(b);
  });
  std::vector<std::int64_t> establishments_at(fields_ * municipalities_count_, -1);
  for (const auto& cell : scenario_.employers.establishments)
    establishments_at[cell.field * municipalities_count_ + cell.municipality] = cell.establishments;
  std::vector<std::uint32_t> first_employer(fields_ * municipalities_count_, kNone32);
  std::vector<std::uint32_t> quota;  // initial workers each employer receives
  store_.field_begin.assign(fields_ + 1, 0);
  for (std::size_t f = 0; f < fields_; ++f) {
    store_.field_begin[f] = static_cast<std::uint32_t>(size());
    for (const std::size_t mi : by_prefecture) {
      const std::int64_t workers = workers_at[f * municipalities_count_ + mi];
      if (workers == 0) continue;
      const std::int64_t listed = establishments_at[f * municipalities_count_ + mi];
      const double expected_employers = listed >= 0
                                            ? static_cast<double>(listed) * scenario_.scale
                                            : static_cast<double>(workers) / scenario_.employers.workers_per_employer;
      const auto n = static_cast<std::uint32_t>(std::max<std::int64_t>(1, std::llround(expected_employers)));
      const auto total_capacity = static_cast<std::int64_t>(
          std::ceil(static_cast<double>(workers) * (1.0 + scenario_.employers.initial_vacancy_rate)));
      first_employer[f * municipalities_count_ + mi] = static_cast<std::uint32_t>(size());
      const double minimum_monthly =
          minimum_monthly_wage_[municipalities_.prefecture_of(static_cast<std::uint16_t>(mi))];
      std::vector<double> relative_size(n);
      for (std::uint32_t j = 0; j < n; ++j) {
        Stream r(scenario_.seed, Purpose::initial_employer, 0, size());
        boost::random::normal_distribution<double> log_size(0.0, scenario_.employers.size_sd);
        relative_size[j] = std::exp(log_size(r));
        boost::random::normal_distribution<double> premium(scenario_.employers.wage_premium_mean,
                                                           scenario_.employers.wage_premium_sd);
        store_.field.push_back(static_cast<std::uint8_t>(f));
        store_.municipality.push_back(static_cast<std::uint16_t>(mi));
        store_.filled.push_back(0);
        // Nobody may legally pay below the prefectural minimum wage.
        store_.wage_yen.push_back(static_cast<std::uint32_t>(std::lround(minimum_monthly * std::max(1.0, premium(r)))));
        boost::random::normal_distribution<double> conditions(scenario_.employers.conditions_mean,
                                                              scenario_.employers.conditions_sd);
        store_.conditions.push_back(
            static_cast<std::uint8_t>(std::lround(255.0 * std::clamp(conditions(r), 0.0, 1.0))));
        store_.owner_origin.push_back(kNone8);
      }
      const auto capacity = split_exactly(total_capacity, relative_size);
      const std::vector<double> capacity_weights(capacity.begin(), capacity.end());
      const auto workers_each = split_exactly(workers, capacity_weights);  // never above capacity
      for (std::uint32_t j = 0; j < n; ++j) {
        store_.capacity.push_back(static_cast<std::uint32_t>(capacity[j]));
        quota.push_back(static_cast<std::uint32_t>(workers_each[j]));
      }
    }
  }
  store_.field_begin[fields_] = static_cast<std::uint32_t>(size());

  // Workers go to their place's employers in turn, each up to its quota; an employer's first
  // worker gives the origin of a diaspora owner.
  std::vector<std::uint32_t> cursor(first_employer);
  std::vector<std::uint8_t> first_origin(size(), kNone8);
  std::vector<std::uint32_t> employer_of(migrants.size(), kNone32);
  for (std::size_t i = 0; i < migrants.size(); ++i) {
    if (!scenario_.fields[migrants.field[i]].employs) continue;
    const std::size_t key = migrants.field[i] * municipalities_count_ + migrants.municipality[i];
    while (store_.filled[cursor[key]] >= quota[cursor[key]]) ++cursor[key];
    const std::uint32_t employer = cursor[key];
    employer_of[i] = employer;
    if (store_.filled[employer]++ == 0) first_origin[employer] = migrants.origin[i];
  }
  store_.hires_words = (size() + 63) / 64;
  store_.hires.assign(store_.hires_words * statuses_, 0);
  const auto hiring_share = hiring_share_by_place(migrants);
  for (std::size_t k = 0; k < size(); ++k) {
    Stream hiring(scenario_.seed, Purpose::initial_employer, 3, k);
    const std::size_t cell = (store_.field[k] * scenario_.prefectures.size() +
                              municipalities_.prefecture_of(store_.municipality[k])) * statuses_;
    for (std::size_t st = 0; st < statuses_; ++st)
      if (hiring.bernoulli(hiring_share[cell + st]))
        store_.hires[st * store_.hires_words + k / 64] |= 1ULL << (k % 64);
  }
  for (std::size_t k = 0; k < size(); ++k) {
    Stream r(scenario_.seed, Purpose::initial_employer, 2, k);
    if (first_origin[k] != kNone8 && r.bernoulli(scenario_.employers.diaspora_share)) {
      store_.owner_origin[k] = first_origin[k];
      diaspora_owned_.push_back(static_cast<std::uint32_t>(k));
    }
  }
  cards_.resize(size());
  for (std::size_t k = 0; k < size(); ++k)
    cards_[k] = {store_.wage_yen[k], store_.municipality[k], store_.field[k], store_.conditions[k]};
  count_market_wages();
  return employer_of;
}

std::vector<double> Employers::hiring_share_by_place(const MigrantStore& migrants) const {
  const std::size_t prefectures = scenario_.prefectures.size();
  // Initial workers per (field, prefecture, status), and their sums over statuses and prefectures.
  std::vector<double> workers(fields_ * prefectures * statuses_, 0.0), in_place(fields_ * prefectures, 0.0),
      in_nation(fields_ * statuses_, 0.0), in_field(fields_, 0.0);
  for (std::size_t i = 0; i < migrants.size(); ++i) {
    const std::size_t f = migrants.field[i], st = migrants.status[i];
    if (!scenario_.fields[f].employs) continue;
    const std::size_t p = municipalities_.prefecture_of(migrants.municipality[i]);
    workers[(f * prefectures + p) * statuses_ + st] += 1.0;
    in_place[f * prefectures + p] += 1.0;
    in_nation[f * statuses_ + st] += 1.0;
    in_field[f] += 1.0;
  }
  std::vector<double> share(workers.size());
  for (std::size_t f = 0; f < fields_; ++f)
    for (std::size_t p = 0; p < prefectures; ++p)
      for (std::size_t st = 0; st < statuses_; ++st) {
        const std::size_t cell = (f * prefectures + p) * statuses_ + st;
        const double weight = scenario_.statuses[st].hiring_follows_stock;
        double local_over_national = 1.0;
        if (weight > 0.0 && in_place[f * prefectures + p] > 0.0 && in_nation[f * statuses_ + st] > 0.0)
          local_over_national = (workers[cell] / in_place[f * prefectures + p]) /
                                (in_nation[f * statuses_ + st] / in_field[f]);
        share[cell] = std::min(1.0, scenario_.fields[f].hires_share[st] * std::pow(local_over_national, weight));
      }
  return share;
}

void Employers::set_wage(std::uint32_t k, std::uint32_t wage_yen) {
  wage_bill_[market_cell(k)] +=
      (static_cast<std::int64_t>(wage_yen) - static_cast<std::int64_t>(store_.wage_yen[k])) * store_.capacity[k];
  store_.wage_yen[k] = wage_yen;
  cards_[k].wage_yen = wage_yen;
}

void Employers::lose_worker_to_rival(std::uint32_t k, Tally& tally) {
  release(k, tally);
  const auto& e = scenario_.employers;
  double raised = std::round(store_.wage_yen[k] * (1.0 + e.wage_raise_on_loss));
  if (e.wage_ceiling_over_minimum > 0.0) {
    const double ceiling = std::round(e.wage_ceiling_over_minimum *
                                      minimum_monthly_wage_[municipalities_.prefecture_of(store_.municipality[k])]);
    raised = std::max<double>(store_.wage_yen[k], std::min(raised, ceiling));  // a raise never cuts
  }
  set_wage(k, static_cast<std::uint32_t>(raised));
}

double Employers::minimum_monthly_wage_in(std::size_t p, MonthIndex date) const {
  const auto& e = scenario_.employers;
  double yen_per_hour = scenario_.prefectures[p].minimum_wage_yen_per_hour;
  if (e.minimum_wage_year > 0 && e.minimum_wage_growth_per_year != 0.0) {
    // The fiscal year whose revision is in force: revisions take effect in the revision month.
    const int fiscal_year = year_of(date) - (month_of(date) < e.minimum_wage_revision_month ? 1 : 0);
    // Minimum wages are set in whole yen an hour.
    yen_per_hour = std::round(yen_per_hour * std::pow(1.0 + e.minimum_wage_growth_per_year,
                                                      static_cast<double>(fiscal_year - e.minimum_wage_year)));
  }
  return yen_per_hour * e.hours_per_month;
}

bool Employers::revise_minimum_wages(MonthIndex date) {
  if (month_of(date) != scenario_.employers.minimum_wage_revision_month) return false;
  std::vector<double> ratio(minimum_monthly_wage_.size(), 1.0);
  bool changed = false;
  for (std::size_t p = 0; p < ratio.size(); ++p) {
    const double next = minimum_monthly_wage_in(p, date);
    ratio[p] = next / minimum_monthly_wage_[p];
    changed = changed || next != minimum_monthly_wage_[p];
    minimum_monthly_wage_[p] = next;
  }
  if (!changed) return false;
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, size(), kChunk), [&](const auto& range) {
    for (std::size_t k = range.begin(); k < range.end(); ++k) {
      const auto wage = static_cast<std::uint32_t>(
          std::lround(store_.wage_yen[k] * ratio[municipalities_.prefecture_of(store_.municipality[k])]));
      store_.wage_yen[k] = cards_[k].wage_yen = wage;
    }
  });
  return true;
}

void Employers::revert_wages() {
  const double share = scenario_.employers.wage_reversion_per_year;
  if (share <= 0.0) return;
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, size(), kChunk), [&](const auto& range) {
    for (std::size_t k = range.begin(); k < range.end(); ++k) {
      const double market = market_wage_[market_cell(k)];
      if (market <= 0.0) continue;
      const double minimum = minimum_monthly_wage_[municipalities_.prefecture_of(store_.municipality[k])];
      const double wage = store_.wage_yen[k] + share * (market - store_.wage_yen[k]);
      store_.wage_yen[k] = cards_[k].wage_yen = static_cast<std::uint32_t>(std::lround(std::max(minimum, wage)));
    }
  });
}

void Employers::update_market_wages() {
  market_wage_.resize(wage_bill_.size());
  for (std::size_t cell = 0; cell < market_wage_.size(); ++cell)
    market_wage_[cell] = places_offered_[cell] > 0
                             ? static_cast<double>(wage_bill_[cell]) / static_cast<double>(places_offered_[cell])
                             : 0.0;
}

void Employers::count_market_wages() {
  wage_bill_.assign(scenario_.prefectures.size() * fields_, 0);
  places_offered_.assign(scenario_.prefectures.size() * fields_, 0);
  for (std::size_t k = 0; k < size(); ++k) {
    wage_bill_[market_cell(k)] += static_cast<std::int64_t>(store_.wage_yen[k]) * store_.capacity[k];
    places_offered_[market_cell(k)] += store_.capacity[k];
  }
}

void Employers::count_diaspora_openings(std::vector<std::int64_t>& open_by_origin_field) const {
  open_by_origin_field.assign(scenario_.origins.size() * fields_, 0);
  for (const auto k : diaspora_owned_)
    if (store_.capacity[k] > store_.filled[k])
      ++open_by_origin_field[store_.owner_origin[k] * fields_ + store_.field[k]];
}

std::vector<double> Employers::unfilled_share_by_municipality() const {
  std::vector<double> places(municipalities_count_, 0.0), open(municipalities_count_, 0.0),
      unfilled_share(municipalities_count_, 0.0);
  for (std::size_t k = 0; k < size(); ++k) {
    places[store_.municipality[k]] += store_.capacity[k];
    if (store_.capacity[k] > store_.filled[k]) open[store_.municipality[k]] += store_.capacity[k] - store_.filled[k];
  }
  for (std::size_t q = 0; q < municipalities_count_; ++q) unfilled_share[q] = places[q] > 0 ? open[q] / places[q] : 0.0;
  return unfilled_share;
}

void Employers::grow(std::uint32_t step, tbb::enumerable_thread_specific<Tally>& tallies) {
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, size(), kChunk), [&](const auto& range) {
    Tally& tally = tallies.local();
    for (std::size_t k = range.begin(); k < range.end(); ++k) grow(k, step, tally);
  });
}

void Employers::grow(std::size_t k, std::uint32_t step, Tally& tally) {
  const double growth =
      scenario_.fields[store_.field[k]].growth_in(year_of(scenario_.start + static_cast<MonthIndex>(step))) +
      (municipalities_.state().employer_subsidy[store_.municipality[k]]
           ? scenario_.municipal_policy.subsidy_capacity_growth
           : 0.0);
  if (growth == 0.0) return;
  Stream r(scenario_.seed, Purpose::employer_update, step, k);
  const double target = store_.capacity[k] * (1.0 + growth);
  auto next = static_cast<std::int64_t>(std::floor(target));
  if (r.uniform() < target - static_cast<double>(next)) ++next;
  next = std::max<std::int64_t>(next, 0);
  if (next > store_.capacity[k])
    tally.market(kVacanciesPosted, municipalities_.prefecture_of(store_.municipality[k]), store_.field[k]) +=
        static_cast<std::int32_t>(next - store_.capacity[k]);
  store_.capacity[k] = static_cast<std::uint32_t>(next);
}

}  // namespace migsim
