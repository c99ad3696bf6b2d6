// What a month counts: the year's flows (thread-local tallies, summed at the census) and the live
// stock counts every arrival, departure, status change and move keeps up to date.
#pragma once

#include <tbb/enumerable_thread_specific.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace migsim {

// Flow tallies of one year, in agents. Flat so thread-local copies sum with one loop.
enum NationalFlow : std::size_t {
  kEntries,
  kExits,
  kAbsconded,
  kTransitionsIn,
  kTransitionsOut,
  kFieldChangesIn,
  kFieldChangesOut,
  kEmployerChanges,
  kFamilyJoined,
  kNationalFlows
};
enum PrefectureFlow : std::size_t {
  kPrefEntries,
  kPrefExits,
  kMovesIn,
  kMovesOut,
  kPrefEmployerChanges,
  kPrefectureFlows
};
enum MarketFlow : std::size_t { kVacanciesPosted, kCapBlocked, kMarketFlows };

struct Dims {
  std::size_t statuses, fields, origins, prefectures, municipalities;
  std::size_t national() const { return statuses * fields * origins; }
  std::size_t prefecture() const { return prefectures * statuses * fields; }
  std::size_t market() const { return prefectures * fields; }
  std::size_t municipal_origin() const { return municipalities * origins; }
  // A (status, field) pair's index, from which both its national and its prefectural cells follow.
  std::size_t status_field(std::size_t s, std::size_t f) const { return s * fields + f; }
  std::size_t cell_of(std::size_t status_field, std::size_t o) const { return status_field * origins + o; }
  std::size_t pref_cell_of(std::size_t p, std::size_t status_field) const {
    return p * statuses * fields + status_field;
  }
  std::size_t cell(std::size_t s, std::size_t f, std::size_t o) const { return cell_of(status_field(s, f), o); }
  std::size_t pref_cell(std::size_t p, std::size_t s, std::size_t f) const {
    return pref_cell_of(p, status_field(s, f));
  }
};

// Counter: a thread's tallies of the months since the last census fit 32 bits (half the cache
// of 64), the year's sum over the threads is 64.
template <class Counter>
struct BasicTally {
  std::vector<Counter> v;
  const Dims* d = nullptr;
  // Where each group of flows starts in v (computed once: every tally of an event adds to it).
  std::size_t prefecture_base = 0, market_base = 0, municipal_base = 0;

  explicit BasicTally(const Dims& dims)
      : d(&dims),
        prefecture_base(kNationalFlows * dims.national()),
        market_base(prefecture_base + kPrefectureFlows * dims.prefecture()),
        municipal_base(market_base + kMarketFlows * dims.market()) {
    v.assign(municipal_base + dims.municipal_origin(), 0);
  }
  Counter& national(NationalFlow m, std::size_t s, std::size_t f, std::size_t o) {
    return v[m * d->national() + d->cell(s, f, o)];
  }
  Counter& prefecture(PrefectureFlow m, std::size_t p, std::size_t s, std::size_t f) {
    return v[prefecture_base + m * d->prefecture() + d->pref_cell(p, s, f)];
  }
  Counter& market(MarketFlow m, std::size_t p, std::size_t f) {
    return v[market_base + m * d->market() + p * d->fields + f];
  }
  Counter& municipal_entries(std::size_t municipality, std::size_t origin) {
    return v[municipal_base + municipality * d->origins + origin];
  }
  template <class Other>
  void add(const BasicTally<Other>& other) {
    for (std::size_t i = 0; i < v.size(); ++i) v[i] += other.v[i];
  }
  void clear() { std::fill(v.begin(), v.end(), 0); }
};
using Tally = BasicTally<std::int32_t>;      // a thread's
using YearTally = BasicTally<std::int64_t>;  // their sum

// Live counts: current stock per (status, field) and residents per municipality, kept up to
// date by every arrival, departure, status change and move rather than recounted each month.
// Parallel phases record their changes in thread-local copies (deltas), summed afterwards.
// Counter: 64 bits for the counts, 32 for a thread's changes of one phase (half the cache).
template <class Counter>
struct BasicStepCounts {
  std::vector<Counter> status_field;
  std::vector<Counter> residents;
  std::vector<Counter> residents_by_origin;  // co-nationals per municipality, for networks
  std::size_t fields, origins;
  BasicStepCounts(const Dims& d)
      : status_field(d.statuses * d.fields, 0),
        residents(d.municipalities, 0),
        residents_by_origin(d.municipal_origin(), 0),
        fields(d.fields),
        origins(d.origins) {}
  void add(std::size_t status, std::size_t field, std::size_t municipality, std::size_t origin, Counter k) {
    status_field[status * fields + field] += k;
    residents[municipality] += k;
    residents_by_origin[municipality * origins + origin] += k;
  }
  void move(std::size_t from, std::size_t to, std::size_t origin, Counter k) {
    residents[from] -= k;
    residents[to] += k;
    residents_by_origin[from * origins + origin] -= k;
    residents_by_origin[to * origins + origin] += k;
  }
  // Adds `delta` and clears it.
  template <class Other>
  void absorb(BasicStepCounts<Other>& delta) {
    auto take = [](std::vector<Counter>& into, std::vector<Other>& from) {
      for (std::size_t k = 0; k < into.size(); ++k) into[k] += std::exchange(from[k], 0);
    };
    take(status_field, delta.status_field);
    take(residents, delta.residents);
    take(residents_by_origin, delta.residents_by_origin);
  }
};
using StepCounts = BasicStepCounts<std::int64_t>;
using StepDelta = BasicStepCounts<std::int32_t>;

// The month's counting: each thread's flows of the year, each thread's changes to the live counts
// in a parallel phase, and the live counts.
struct MonthCounts {
  explicit MonthCounts(const Dims& dims)
      : tallies([&dims] { return Tally(dims); }), deltas([&dims] { return StepDelta(dims); }), live(dims) {}
  tbb::enumerable_thread_specific<Tally> tallies;
  tbb::enumerable_thread_specific<StepDelta> deltas;
  StepCounts live;
  // The threads' changes added to the live counts (after a parallel phase).
  void absorb_deltas() {
    for (auto& delta : deltas) live.absorb(delta);
  }
};

}  // namespace migsim
