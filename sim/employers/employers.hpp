// The employers of foreign workers: created from the establishments of each field and
// municipality, with capacities, wages and working conditions; their places filled and freed,
// wages raised when a worker leaves for a rival, capacity grown yearly with labour demand.
#pragma once

#include <tbb/enumerable_thread_specific.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "employers/employer_store.hpp"
#include "engine/tally.hpp"
#include "migrants/population.hpp"
#include "migsim/scenario.hpp"
#include "municipalities/municipalities.hpp"

namespace migsim {

// What is read of an employer looked up at random (by the agents who act, by the market), in one
// place: one cache line per look rather than one per array. A copy of the store's arrays, written
// wherever they are (set_wage; the rest never change after the start).
struct EmployerCard {
  std::uint32_t wage_yen;
  std::uint16_t municipality;
  std::uint8_t field, conditions;
};

class Employers {
 public:
  Employers(const Scenario& scenario, const Municipalities& municipalities);

  // Per (field, municipality) with workers (`workers_at`: initial workers, [field * municipalities
  // + municipality]), enough employers of the mean size, their sizes spread lognormally, with
  // spare capacity; fields are contiguous so each field's market owns a range. Returns each
  // initial migrant's employer (kNone32 for those who do not work): workers go to their place's
  // employers in turn, each up to its share.
  std::vector<std::uint32_t> create(const std::vector<std::int64_t>& workers_at, const MigrantStore& migrants);

  std::size_t size() const { return store_.size(); }
  const EmployerStore& store() const { return store_; }
  const EmployerCard& card(std::uint32_t k) const { return cards_[k]; }
  const std::vector<EmployerCard>& cards() const { return cards_; }

  // One place of employer k taken (by a hire or an arrival).
  void fill(std::uint32_t k) { ++store_.filled[k]; }
  // One worker of employer k gone: a place freed and counted as a vacancy posted.
  void release(std::uint32_t k, Tally& tally) {
    if (store_.filled[k] > 0) --store_.filled[k];
    ++tally.market(kVacanciesPosted, municipalities_.prefecture_of(store_.municipality[k]), store_.field[k]);
  }
  // One worker of employer k gone to a rival: released, and a raise to keep the rest, up to the
  // ceiling over the minimum wage.
  void lose_worker_to_rival(std::uint32_t k, Tally& tally);

  // The prefectural minimum wages in force in month `date` (the path of the scenario); where they
  // changed, every wage is raised in proportion (an employer keeps its premium over the minimum).
  // Returns whether any changed; the market sums are then to be counted again.
  bool revise_minimum_wages(MonthIndex date);
  // Yearly: each wage moves its share of the way to its market's wage, never below the minimum (so
  // wages raised to keep workers fall back). The market sums are then to be counted again.
  void revert_wages();

  // Yearly: each employer's capacity grows with its field's labour demand (and a municipal
  // subsidy), from a stream of its own, counted in its thread's tally: in parallel.
  void grow(std::uint32_t step, tbb::enumerable_thread_specific<Tally>& tallies);

  // Mean wage offered per (prefecture, field), weighted by places: what "the market" pays. Its
  // sums are kept as wages change (set_wage) and counted again when capacities do.
  void count_market_wages();
  void update_market_wages();
  // The wage and conditions part of satisfaction for a worker paid `wage` by employer k (inlined:
  // asked whenever an exit clock ticks).
  double job_satisfaction(std::uint32_t k, double wage) const {
    const auto& b = scenario_.behaviour;
    const auto& card = cards_[k];
    const auto p = municipalities_.prefecture_of(card.municipality);
    const double minimum = minimum_monthly_wage_[p];
    const double market = std::max(1.0, market_wage_[p * fields_ + card.field]);
    const double above_minimum = std::clamp((wage / minimum - 1.0) / (b.wage_full_marks_over_minimum - 1.0), 0.0, 1.0);
    const double against_market = std::clamp(0.5 + 0.5 * (wage / market - 1.0) / b.wage_market_span, 0.0, 1.0);
    const double wage_term = b.wage_minimum_share * above_minimum + (1.0 - b.wage_minimum_share) * against_market;
    return (b.satisfaction_weight_wage * wage_term + b.satisfaction_weight_conditions * card.conditions / 255.0) /
           satisfaction_weight_total_;
  }
  // Diaspora-owned employers with an open place now, per (owner origin, field): [origin * fields + field].
  // Counted per firm, not per place: news of a firm hiring travels through its owner's network.
  void count_diaspora_openings(std::vector<std::int64_t>& open_by_origin_field) const;

  // Per municipality: the share of its employers' places left unfilled (what drives subsidies and
  // agreements).
  std::vector<double> unfilled_share_by_municipality() const;
  // The sum of the satisfaction weights (wage, conditions, integration), which each part is divided by.
  double satisfaction_weight_total() const { return satisfaction_weight_total_; }

 private:
  const Scenario& scenario_;
  const Municipalities& municipalities_;
  std::size_t statuses_, fields_, municipalities_count_;
  EmployerStore store_;
  std::vector<EmployerCard> cards_;
  std::vector<std::uint32_t> diaspora_owned_;  // the employers with a diaspora owner, in index order
  std::vector<double> minimum_monthly_wage_;   // [prefecture], yen, in force this month
  double satisfaction_weight_total_ = 1.0;
  std::vector<double> market_wage_;      // [prefecture * fields + field], this month
  std::vector<std::int64_t> wage_bill_;  // its sums: wage × capacity, and capacity
  std::vector<std::int64_t> places_offered_;

  std::size_t market_cell(std::size_t k) const {
    return municipalities_.prefecture_of(store_.municipality[k]) * fields_ + store_.field[k];
  }
  void set_wage(std::uint32_t k, std::uint32_t wage_yen);
  // Per (field, prefecture, status), [(field * prefectures + prefecture) * statuses + status]: the
  // chance that an employer there hires the status, the field's share × (the status's share of the
  // place's initial workers in the field / its share nationally) ^ the status's hiring_follows_stock,
  // at most 1 (interns are hired where interns work).
  std::vector<double> hiring_share_by_place(const MigrantStore& migrants) const;
  // The monthly minimum wage of prefecture p in month `date`, in yen.
  double minimum_monthly_wage_in(std::size_t p, MonthIndex date) const;
  void grow(std::size_t k, std::uint32_t step, Tally& tally);
};

}  // namespace migsim
