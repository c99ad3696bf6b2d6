#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <utility>

#include "migrants/migrants.hpp"

namespace migsim {

namespace {

// The months in status of initial residents, per status: the scenario's bands with their
// cumulative shares, or (no bands) a uniform draw below `span`.
class InitialMonthsInStatus {
 public:
  InitialMonthsInStatus(const Scenario& scenario, std::int32_t months_max) : bands_(scenario.statuses.size()) {
    for (std::size_t s = 0; s < scenario.statuses.size(); ++s)
      span_.push_back(std::min<std::int32_t>(scenario.statuses[s].max_stay_months, months_max));
    std::vector<double> cumulative(scenario.statuses.size(), 0.0);
    for (const auto& band : scenario.initial_months_in_status) {
      if (band.share <= 0.0) continue;
      cumulative[band.status] += band.share;
      bands_[band.status].push_back({cumulative[band.status], band});
    }
  }
  std::int32_t draw(std::uint8_t status, Stream& r) const {
    const auto& bands = bands_[status];
    if (bands.empty()) return static_cast<std::int32_t>(r.below(static_cast<std::uint32_t>(span_[status])));
    const double u = r.uniform() * bands.back().first;
    std::size_t k = 0;
    while (k + 1 < bands.size() && bands[k].first <= u) ++k;
    const auto& band = bands[k].second;
    const double within = (u - (bands[k].first - band.share)) / band.share;
    const std::int32_t width = band.to_months - band.from_months;
    return band.from_months +
           std::clamp(static_cast<std::int32_t>(within * static_cast<double>(width)), std::int32_t{0}, width - 1);
  }

 private:
  std::vector<std::vector<std::pair<double, InitialMonthsBand>>> bands_;  // (cumulative share, band)
  std::vector<std::int32_t> span_;
};

}  // namespace

// Whether an initial resident's family is still abroad: with `by_months_in_status`, the chance it
// has not joined at the join rate in the months since it was allowed to join (no draw otherwise).
bool Migrants::still_abroad(Stream& r, const StatusRule& rule, std::int32_t months_in_status) const {
  if (rule.initial_families != StatusRule::InitialFamilies::by_months_in_status) return false;
  const auto months_allowed = std::max(0, months_in_status - rule.family_delay_months);
  return r.uniform() < std::pow(1.0 - family_.join_rate_per_month, months_allowed);
}

std::vector<std::int64_t> Migrants::create_initial() {
  // Agents: each stock cell's persons times the scale, rounded stochastically per cell; ids
  // in cell order. Each agent draws from a stream of its own id, so the cells are filled in
  // parallel once their first ids are known.
  std::vector<std::int64_t> workers_at(dims_.fields * dims_.municipalities, 0);
  std::vector<std::size_t> first_of_cell(scenario_.initial_stock.size() + 1, 0);
  for (std::size_t c = 0; c < scenario_.initial_stock.size(); ++c) {
    const auto& cell = scenario_.initial_stock[c];
    Stream cell_stream(seed_, Purpose::initial_agent, 0, c);
    const double expected = static_cast<double>(cell.persons) * scenario_.scale;
    auto agents = static_cast<std::int64_t>(std::floor(expected));
    if (cell_stream.uniform() < expected - static_cast<double>(agents)) ++agents;
    first_of_cell[c + 1] = first_of_cell[c] + static_cast<std::size_t>(agents);
    if (scenario_.fields[cell.field].employs)
      workers_at[cell.field * dims_.municipalities + cell.municipality] += agents;
  }
  const std::size_t agents = first_of_cell.back();
  // Room for four times the agents (the baseline's grow 2.6-fold by 2040, and up to a third of
  // the places are departed agents awaiting compaction) before an array has to grow, which
  // copies it and briefly holds both copies; pages not yet used cost no memory.
  const InitialMonthsInStatus initial_months(scenario_, family_.initial_months_in_status_max);
  store_.for_each_array([agents](auto& array) {
    array.reserve(4 * agents);
    array.resize(agents);
  });
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, scenario_.initial_stock.size(), 256), [&](const auto& range) {
    for (std::size_t c = range.begin(); c < range.end(); ++c) {
      const auto& cell = scenario_.initial_stock[c];
      const auto& rule = scenario_.statuses[cell.status];
      for (std::size_t i = first_of_cell[c]; i < first_of_cell[c + 1]; ++i) {
        const auto id = next_id_ + static_cast<std::uint32_t>(i);
        Stream r(seed_, Purpose::initial_agent, 1, id);
        const auto in_status = static_cast<std::uint16_t>(initial_months.draw(cell.status, r));
        NewAgent a{cell.status, cell.field,
                   cell.origin, cell.municipality,
                   kNone32,     static_cast<std::uint16_t>(EntrantDraws::age_months(r, rule) + in_status),
                   0,           kNone32};
        // Residents whose status allows family have reunited (their families are in the initial
        // stock), unless the scenario keeps a family abroad as often as the join rate would have
        // left it there; the others left theirs abroad.
        const std::uint8_t family = entrants_.family(r, cell.status);
        const bool reunited = rule.family_allowed && family != 0 && !still_abroad(r, rule, in_status);
        a.family_abroad = reunited ? 0 : family;
        Stream learning(seed_, Purpose::learning, 0, id);
        place(i, a, id, learning);
        if (reunited) store_.family[i] |= kFamilyHereBit;
        store_.status_since[i] = static_cast<std::int16_t>(-in_status);
        store_.employer_since[i] = static_cast<std::int16_t>(-in_status);
        // What the months already spent in Japan taught them.
        store_.learning[i].japanese = LearningRates::add_points(
            store_.learning[i].japanese, in_status * learning_.japanese_per_month(cell.origin, cell.municipality));
        if (scenario_.fields[cell.field].employs)
          store_.learning[i].skill =
              LearningRates::add_points(store_.learning[i].skill, in_status * learning_.skill_per_month());
      }
    }
  });
  next_id_ += static_cast<std::uint32_t>(agents);
  return workers_at;
}

void Migrants::take_initial_jobs(const std::vector<std::uint32_t>& employer_of) {
  for (std::size_t i = 0; i < store_.size(); ++i) store_.employer[i] = employer_of[i];
}

// This month's new agents in order, written in parallel (each its own places in the arrays)
// and planned from the next month while their state is at hand. The first `arrivals` came
// from abroad and are counted as residents here; of those, the first `direct` entered without
// a job and are counted as entries here too (an entrant with a job was counted in its stock
// cell and as an entry in its market, a family member when it joined).
void Migrants::append(const std::vector<NewAgent>& agents, std::size_t direct, std::size_t arrivals) {
  const std::size_t first = store_.size();
  store_.for_each_array([&](auto& array) { array.resize(first + agents.size()); });
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, agents.size(), 4096), [&](const auto& range) {
    Tally& tally = counts_.tallies.local();
    StepDelta& delta = counts_.deltas.local();
    for (std::size_t k = range.begin(); k < range.end(); ++k) {
      // Planning reads the employer's card (scattered): asked for a few agents ahead.
      if (k + kAhead < range.end())
        if (const auto employer = agents[k + kAhead].employer; employer != kNone32)
          __builtin_prefetch(&employers_.card(employer));
      const auto& a = agents[k];
      if (k < arrivals) {
        delta.add(a.status, a.field, a.municipality, a.origin, 1);
        if (k >= direct) {
          --delta.status_field[dims_.status_field(a.status, a.field)];
        } else {
          ++tally.national(kEntries, a.status, a.field, a.origin);
          ++tally.prefecture(kPrefEntries, municipalities_.prefecture_of(a.municipality), a.status, a.field);
          ++tally.municipal_entries(a.municipality, a.origin);
        }
      }
      // Its first plan goes on with the stream its learning fraction came from: one block for both.
      const auto id = next_id_ + static_cast<std::uint32_t>(k);
      Stream r(seed_, Purpose::learning, 0, id);
      place(first + k, a, id, r);
      schedule(first + k, now_ + 1, &r);
    }
  });
  counts_.absorb_deltas();
  next_id_ += static_cast<std::uint32_t>(agents.size());
}

void Migrants::compact() {
  const std::size_t n = store_.size();
  const std::size_t chunk_count = (n + kChunk - 1) / kChunk;
  new_place_.resize(n);
  // Places counted within each chunk, then offset by the survivors of the chunks before.
  std::vector<std::uint32_t> kept_before(chunk_count + 1, 0);
  std::vector<std::vector<std::pair<std::size_t, std::size_t>>> chunk_runs(chunk_count);  // [from, to) of survivors
  for_chunks(n, [&](std::size_t c, std::size_t begin, std::size_t end) {
    std::uint32_t kept = 0;
    for (std::size_t i = begin; i < end; ++i) {
      const bool stays =
          store_.fate[i] == kStay && (store_.principal[i] == kNone32 || store_.fate[store_.principal[i]] == kStay);
      new_place_[i] = stays ? kept++ : kNone32;
      if (!stays) continue;
      if (!chunk_runs[c].empty() && chunk_runs[c].back().second == i)
        ++chunk_runs[c].back().second;
      else
        chunk_runs[c].emplace_back(i, i + 1);
    }
    kept_before[c + 1] = kept;
  });
  for (std::size_t c = 0; c < chunk_count; ++c) kept_before[c + 1] += kept_before[c];
  const std::uint32_t kept = kept_before[chunk_count];
  if (kept == n) return;
  for_chunks(n, [&](std::size_t c, std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i)
      if (new_place_[i] != kNone32) new_place_[i] += kept_before[c];
  });
  // Family members keep pointing at their principal, and take its place of residence and the
  // status its family holds.
  for_chunks(n, [&](std::size_t, std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      const auto p = store_.principal[i];
      if (new_place_[i] == kNone32 || p == kNone32) continue;
      store_.municipality[i] = store_.municipality[p];
      store_.status[i] = rules_.family_status(store_.status[p]);
      store_.principal[i] = new_place_[p];
    }
  });
  std::vector<std::pair<std::size_t, std::size_t>> runs;
  for (const auto& list : chunk_runs) runs.insert(runs.end(), list.begin(), list.end());
  std::vector<std::function<void()>> passes;
  store_.for_each_array([&](auto& array) {
    passes.emplace_back([&array, &runs, kept] {
      auto* data = array.data();
      std::size_t write = 0;
      for (const auto& [from, to] : runs) {
        if (write != from) std::memmove(data + write, data + from, (to - from) * sizeof(*data));
        write += to - from;
      }
      array.resize(kept);
    });
  });
  tbb::parallel_for(std::size_t{0}, passes.size(), [&](std::size_t k) { passes[k](); });
}

}  // namespace migsim
