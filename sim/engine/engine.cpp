// The monthly step of DESIGN §4, as a list of named steps over the units that model them.
// Parallel phases write only the agent they own, per-chunk buffers, or thread-local integer
// tallies (summed order-free); chunks have a fixed size, so the same seed gives the same bytes for
// any thread count.
#include "migsim/engine.hpp"

#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/task_arena.h>
#include <tbb/task_group.h>

#include <chrono>
#include <numeric>
#include <stdexcept>
#include <utility>

#include "census/census.hpp"
#include "employers/employers.hpp"
#include "engine/tally.hpp"
#include "engine/world.hpp"
#include "market/applicants.hpp"
#include "market/matching.hpp"
#include "migrants/entrants.hpp"
#include "migrants/hazards.hpp"
#include "migrants/learning.hpp"
#include "migrants/migrants.hpp"
#include "municipalities/municipalities.hpp"
#include "rules/caps.hpp"
#include "rules/policy_in_force.hpp"
#include "rules/status_rules.hpp"

namespace migsim {

const Measure& YearOutput::find(const std::vector<Measure>& group, const std::string& name) const {
  for (const auto& measure : group)
    if (measure.name == name) return measure;
  throw std::out_of_range("no measure " + name);
}

namespace {

// Seconds since the last lap (or since construction).
class Stopwatch {
 public:
  double lap() {
    const auto now = std::chrono::steady_clock::now();
    const double seconds = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    return seconds;
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

}  // namespace

struct Engine::Impl {
  Scenario scenario;
  Dims dims;
  // The units, in the order they are built: each reads those before it.
  Municipalities municipalities;
  Employers employers;
  StatusRules rules;
  CapLedger caps;
  PolicyInForce policy;
  Hazards hazards;
  LearningRates learning;
  EntrantDraws entrants;
  MonthCounts counts;
  Migrants migrants;
  ApplicantsFromAbroad applicants;
  LabourMarket market;

  std::int32_t now = 0;                          // the step being simulated (0: the start)
  std::vector<std::int64_t> children_at_census;  // per municipality: school-age agents needing Japanese
  std::vector<NewAgent> new_agents;              // this month's, in id order
  PhaseTimes timings;
  std::vector<std::int64_t> residents_at_census;  // agents per municipality at the last census (budgets)

  explicit Impl(const Scenario& scenario_to_run)
      : scenario(scenario_to_run),
        dims{scenario.statuses.size(), scenario.fields.size(), scenario.origins.size(), scenario.prefectures.size(),
             scenario.municipalities.size()},
        municipalities(scenario),
        employers(scenario, municipalities),
        rules(scenario),
        caps(scenario),
        policy(scenario),
        hazards(scenario),
        learning(scenario, municipalities),
        entrants(scenario.family),
        counts(dims),
        migrants(scenario, dims, rules, caps, policy, hazards, learning, employers, municipalities, entrants, counts),
        applicants(scenario, dims, rules, policy, municipalities, entrants),
        market(scenario, dims, rules, municipalities, entrants) {}

  // The municipalities, the initial agents and their employers: made in run(), so with its threads.
  void populate() {
    municipalities.populate();
    children_at_census.assign(dims.municipalities, 0);
    residents_at_census.assign(dims.municipalities, 0);
    hazards.set_integration_floors(municipalities);
    const auto workers_at = migrants.create_initial();
    migrants.take_initial_jobs(employers.create(workers_at, migrants.store()));
    const MigrantStore& store = migrants.store();
    for (std::size_t i = 0; i < store.size(); ++i)
      counts.live.add(store.status[i], store.field[i], store.municipality[i], store.origin[i], 1);
  }

  // The dated events of `date` (at the start, every rule change up to it); the hazards follow the
  // rules alone.
  void apply_events(MonthIndex date, bool starting = false) {
    const bool rules_changed = policy.apply(date, starting, rules, caps);
    municipalities.sign_agreements_of(date);
    if (rules_changed) hazards.rebuild(rules, employers.satisfaction_weight_total());
  }

  // Yearly: the municipalities' AJTs and integration, then the learning rates they give.
  void update_municipalities() {
    municipalities.update(children_at_census, residents_at_census, now);
    learning.tabulate_period(now);
  }

  std::int64_t alive() const {
    return std::accumulate(counts.live.residents.begin(), counts.live.residents.end(), std::int64_t{0});
  }

  // The live counts must equal a full count at every census: a cheap guard on their bookkeeping.
  void check_live_counts(const PopulationCount& count) const {
    std::vector<std::int64_t> status_field(dims.statuses * dims.fields, 0);
    for (std::size_t s = 0; s < dims.statuses; ++s)
      for (std::size_t f = 0; f < dims.fields; ++f)
        for (std::size_t o = 0; o < dims.origins; ++o)
          status_field[dims.status_field(s, f)] += count.stock[dims.cell(s, f, o)];
    if (status_field != counts.live.status_field || count.residents != counts.live.residents)
      throw std::logic_error("internal error: the live stock counts differ from the census count");
  }

  // The census of `year`; yearly policy adaptation follows every census but the initial one.
  YearOutput census(int year, bool adapt = true) {
    const auto count = count_population(migrants, employers, municipalities, dims, scenario.family, now);
    children_at_census = count.children_needing_japanese;
    residents_at_census = count.residents;
    check_live_counts(count);
    Stopwatch clock;
    if (adapt)
      municipalities.adapt_policies(year, count.residents, counts.live.residents_by_origin,
                                    employers.unfilled_share_by_municipality());
    update_municipalities();
    timings.municipalities += clock.lap();
    YearTally flows(dims);
    for (const auto& tally : counts.tallies) flows.add(tally);
    for (auto& tally : counts.tallies) tally.clear();
    return year_output(year, count, flows, employers, municipalities, dims, scenario);
  }

  // One month, in DESIGN §4's order; the census, at the census month, follows in run().
  void step(std::uint32_t step_number, MonthIndex date) {
    now = static_cast<std::int32_t>(step_number);
    migrants.start_month(now);
    timings.migrant_steps += alive();
    Stopwatch clock;
    apply_events(date);
    update_employers(step_number, date);
    timings.employers += clock.lap();
    const std::size_t chunk_count = chunks_of(migrants.size());
    migrants.act();
    release_separations(chunk_count);
    migrants.admit_capped_transitions(chunk_count, caps, employers);
    timings.migrants += clock.lap();
    market.run(step_number, chunk_count, migrants, employers, applicants, caps, counts);
    timings.matching += clock.lap();
    add_new_agents(chunk_count);
    remove_departed_when_due();
    timings.migrants += clock.lap();
  }

  // The minimum wages of the month's revision (wages follow them); at the census month, employers'
  // capacity grows and wages fall back towards their market's; the market wages follow.
  void update_employers(std::uint32_t step_number, MonthIndex date) {
    const bool census_month = month_of(date) == scenario.census_month;
    if (employers.revise_minimum_wages(date) || census_month) {
      if (census_month) employers.grow(step_number, counts.tallies);
      employers.count_market_wages();
      employers.update_market_wages();
    }
    if (census_month && scenario.employers.wage_reversion_per_year > 0.0) {
      employers.revert_wages();
      employers.count_market_wages();
    }
    employers.update_market_wages();
  }

  // The month's new agents, in id order: entrants without a job, entrants hired in the markets
  // (field by field), then family members who joined (counted when they joined).
  void add_new_agents(std::size_t chunk_count) {
    new_agents.assign(applicants.direct().begin(), applicants.direct().end());
    for (std::size_t f = 0; f < dims.fields; ++f)
      new_agents.insert(new_agents.end(), market.arrivals(f).begin(), market.arrivals(f).end());
    const std::size_t arrivals = new_agents.size();
    for (std::size_t c = 0; c < chunk_count; ++c)
      new_agents.insert(new_agents.end(), migrants.requests(c).joined.begin(), migrants.requests(c).joined.end());
    migrants.append(new_agents, applicants.direct().size(), arrivals);
  }

  // Departed agents are removed once they hold a third of the places: each compaction moves every
  // survivor, and the departed cost the monthly passes little meanwhile.
  void remove_departed_when_due() {
    if (static_cast<std::int64_t>(migrants.size()) - alive() >= static_cast<std::int64_t>(migrants.size() / 3))
      migrants.compact();
  }

  // The employers the month's leavers and movers left, in chunk order.
  void release_separations(std::size_t chunk_count) {
    Tally& tally = counts.tallies.local();
    const EmployerStore& store = employers.store();
    for (std::size_t c = 0; c < chunk_count; ++c) {
      const auto& separations = migrants.requests(c).separations;
      for (std::size_t j = 0; j < separations.size(); ++j) {
        if (j + kAhead < separations.size())
          prefetch_at(separations[j + kAhead], store.filled, store.municipality, store.field);
        employers.release(separations[j], tally);
      }
    }
  }
};

Engine::Engine(const Scenario& scenario) : impl_(std::make_unique<Impl>(scenario)) {}
Engine::~Engine() = default;

void Engine::run(OutputSink& sink, const RunOptions& options) {
  const int threads = options.threads > 0 ? options.threads : tbb::info::default_concurrency();
  // The arena sets the threads used; global_control lets it exceed the core count quietly.
  tbb::global_control allow(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  tbb::task_arena arena(threads);
  arena.execute([&] {
    const Scenario& scenario = impl_->scenario;
    auto& timings = impl_->timings;
    Stopwatch clock;
    // Each year is written while the next is simulated, by whichever thread is free: writing is
    // sequential (one year at a time, in order), and the other threads would otherwise wait.
    // `pending` is declared first so that it outlives the task writing it: if the simulation
    // throws, the task group's destructor waits for that task before `pending` is destroyed.
    YearOutput pending;
    tbb::task_group writing;
    auto write = [&](YearOutput year) {
      writing.wait();  // the year before is written (or its error thrown here)
      pending = std::move(year);
      writing.run([&] { sink.write_year(pending); });
    };
    impl_->populate();
    impl_->apply_events(scenario.start, true);
    impl_->migrants.schedule_all(1);
    impl_->update_municipalities();
    timings.setup += clock.lap();
    write(impl_->census(scenario.first_year(), false));
    timings.output += clock.lap();
    const int steps = scenario.end - scenario.start;
    for (int step = 1; step <= steps; ++step) {
      const MonthIndex date = scenario.start + step;
      impl_->step(static_cast<std::uint32_t>(step), date);
      clock.lap();
      if (month_of(date) == scenario.census_month) {
        const double before = timings.municipalities;
        YearOutput year = impl_->census(year_of(date));
        const double census_seconds = clock.lap();
        write(std::move(year));
        // census() times its municipal part itself; the rest is output.
        timings.output += census_seconds - (timings.municipalities - before) + clock.lap();
      }
      if (options.progress) options.progress(step, steps);
    }
    writing.wait();
    timings.output += clock.lap();
  });
  if (options.timings) *options.timings = impl_->timings;
}

}  // namespace migsim
