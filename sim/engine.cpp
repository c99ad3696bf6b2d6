// The monthly step of DESIGN §4. Parallel phases write only the agent they own, per-chunk
// buffers, or thread-local integer tallies (summed order-free); chunks have a fixed size, so
// the same seed gives the same bytes for any thread count.
#include "migsim/engine.hpp"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <tbb/task_arena.h>
#include <tbb/task_group.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/random/binomial_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <chrono>
#include <cmath>
#include <cstring>
#include <functional>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <utility>

#include "employers/employers.hpp"
#include "employers/split_exactly.hpp"
#include "engine/tally.hpp"
#include "engine/world.hpp"
#include "rules/caps.hpp"
#include "rules/employer_change.hpp"
#include "rules/policy_in_force.hpp"
#include "rules/status_rules.hpp"
#include "market/open_places.hpp"
#include "migrants/family.hpp"
#include "migrants/hazards.hpp"
#include "migrants/learning.hpp"
#include "migrants/population.hpp"
#include "municipalities/municipalities.hpp"
#include "migrants/clocks.hpp"
#include "engine/rng.hpp"
#include "migrants/wakes.hpp"

namespace migsim {

const Measure& YearOutput::find(const std::vector<Measure>& group, const std::string& name) const {
  for (const auto& m : group)
    if (m.name == name) return m;
  throw std::out_of_range("no measure " + name);
}

namespace {

struct Applicants {
  std::uint8_t origin, status;
  std::int64_t count;
};

// One origin's applicants of a month, drawn apart from the other origins'.
struct OriginDraws {
  std::vector<std::pair<std::size_t, Applicants>> to_fields;  // (field, applicants), in order
  std::vector<NewAgent> direct;                               // entrants who need no job
};


}  // namespace

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

struct Engine::Impl {
  Scenario sc;
  Dims d;
  std::int64_t persons_per_agent;
  MigrantStore m;
  Municipalities municipalities;
  Employers employers;
  Hazards hazards;
  LearningRates learning_rates;
  std::uint32_t next_id = 0;
  std::int32_t now = 0;  // the step being simulated (0: the start)

  // Policy in force this month: the status rules, the caps, and the other dated events.
  StatusRules rules;
  CapLedger caps;
  PolicyInForce policy;
  PhaseTimes timings;
  std::vector<std::uint32_t> new_place;  // reused by compact()
  std::vector<std::int64_t> children_at_census;  // agents aged 6-14 per municipality
  std::vector<double> destination_weight;        // [municipality * origins + origin], this month

  std::vector<ChunkRequests> chunks;
  tbb::enumerable_thread_specific<Tally> tallies;
  tbb::enumerable_thread_specific<StepDelta> step_counts;
  StepCounts counts;

  // Per-field work lists for the labour market, reused month to month.
  std::vector<std::vector<Seeker>> field_seekers;
  std::vector<std::vector<Applicants>> field_applicants;
  std::vector<std::vector<NewAgent>> field_arrivals;
  // Employers left for another: [market field * fields + the employer's field].
  std::vector<std::vector<std::uint32_t>> field_departures;
  std::vector<std::vector<Hire>> field_hires;
  std::vector<OpenPlaces> field_places;
  std::vector<double> place_score;  // [municipality * origins + origin]: a job's pull there, this month
  std::vector<NewAgent> other_arrivals;
  std::vector<OriginDraws> origin_draws;
  // Children left abroad per entrant (built once: its set-up takes an exponential).
  boost::random::poisson_distribution<int> children_abroad{1.0};
  std::vector<NewAgent> new_agents;            // this month's, in id order
  std::vector<Seeker> status_changer_seekers;  // from admissions to capped statuses, in id order

  explicit Impl(const Scenario& scenario)
      : sc(scenario),
        d{scenario.statuses.size(), scenario.fields.size(), scenario.origins.size(), scenario.prefectures.size(),
          scenario.municipalities.size()},
        persons_per_agent(scenario.persons_per_agent()),
        municipalities(sc),
        employers(sc, municipalities),
        hazards(sc),
        learning_rates(sc, municipalities),
        rules(sc),
        caps(sc),
        policy(sc),
        tallies([this] { return Tally(d); }),
        step_counts([this] { return StepDelta(d); }),
        counts(d),
        field_seekers(d.fields),
        field_applicants(d.fields),
        field_arrivals(d.fields),
        field_departures(d.fields * d.fields),
        field_hires(d.fields),
        field_places(d.fields) {
    if (sc.family.children_mean > 0)
      children_abroad = boost::random::poisson_distribution<int>(sc.family.children_mean);
  }

  // The municipalities, the initial agents and their employers: made in run(), so with its
  // threads.
  void populate() {
    municipalities.populate();
    children_at_census.assign(d.municipalities, 0);
    hazards.set_integration_floors(municipalities);
    init_agents_and_employers();
    for (std::size_t i = 0; i < m.size(); ++i) counts.add(m.status[i], m.field[i], m.municipality[i], m.origin[i], 1);
  }

  std::size_t prefecture_of(std::uint16_t municipality) const { return municipalities.prefecture_of(municipality); }

  // ---- initial state ----------------------------------------------------------------------

  std::uint8_t draw_family(Stream& r, std::uint8_t status) const {
    if (status == sc.family.dependent_status) return 0;
    std::uint8_t packed = r.bernoulli(sc.family.spouse_probability) ? kSpouseBit : 0;
    if (sc.family.children_mean > 0) packed |= static_cast<std::uint8_t>(std::min(children_abroad(r), 20));
    return packed;
  }

  std::uint16_t draw_entry_age_months(Stream& r, const StatusRule& rule) const {
    const auto span = static_cast<std::uint32_t>((rule.entry_age_max_years - rule.entry_age_min_years + 1) * 12);
    return static_cast<std::uint16_t>(rule.entry_age_min_years * 12 + static_cast<int>(r.below(span)));
  }

  // This month's new agents in order, written in parallel (each its own places in the arrays)
  // and planned from the next month while their state is at hand. The first `arrivals` came
  // from abroad and are counted as residents here; of those, the first `direct` entered without
  // a job and are counted as entries here too (an entrant with a job was counted in its stock
  // cell and as an entry in its market, a family member when it joined).
  void append_all(const std::vector<NewAgent>& agents, std::size_t direct, std::size_t arrivals) {
    const std::size_t first = m.size();
    m.for_each_array([&](auto& array) { array.resize(first + agents.size()); });
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, agents.size(), 4096), [&](const auto& range) {
      Tally& t = tallies.local();
      StepDelta& delta = step_counts.local();
      for (std::size_t k = range.begin(); k < range.end(); ++k) {
        // Planning reads the employer's card (scattered): asked for a few agents ahead.
        if (k + kAhead < range.end())
          if (const auto employer = agents[k + kAhead].employer; employer != kNone32)
            __builtin_prefetch(&employers.card(employer));
        const auto& a = agents[k];
        if (k < arrivals) {
          delta.add(a.status, a.field, a.municipality, a.origin, 1);
          if (k >= direct) {
            --delta.status_field[d.status_field(a.status, a.field)];
          } else {
            ++t.national(kEntries, a.status, a.field, a.origin);
            ++t.prefecture(kPrefEntries, prefecture_of(a.municipality), a.status, a.field);
            ++t.municipal_entries(a.municipality, a.origin);
          }
        }
        // Its first plan goes on with the stream its learning fraction came from: one block for both.
        const auto id = next_id + static_cast<std::uint32_t>(k);
        Stream r(sc.seed, Purpose::learning, 0, id);
        place(first + k, a, id, r);
        schedule(first + k, now + 1, &r);
      }
    });
    for (auto& delta : step_counts) counts.absorb(delta);
    next_id += static_cast<std::uint32_t>(agents.size());
  }

  // Agent `id` written at place i, from `a`. It arrives with a random fraction of a point of
  // Japanese and skill, so learning spreads a cohort out: the first word of `learning`, its
  // stream (seed, learning, 0, id).
  void place(std::size_t i, const NewAgent& a, std::uint32_t id, Stream& learning) {
    const std::uint32_t fraction = learning();
    const auto today = static_cast<std::int16_t>(now);
    m.id[i] = id;
    m.fate[i] = kStay;
    m.status[i] = a.status;
    m.field[i] = a.field;
    m.origin[i] = a.origin;
    m.municipality[i] = a.municipality;
    m.employer[i] = a.employer;
    m.born[i] = static_cast<std::int16_t>(now - a.age_months);
    m.status_since[i] = today;
    m.employer_since[i] = today;
    m.next_wake[i] = kNeverStep;
    m.wake_clocks[i] = 0;
    m.family[i] = a.family_abroad;
    m.linked_family[i] = 0;
    m.principal[i] = a.principal;
    // What the status asks of entrants.
    m.learning[i].japanese =
        static_cast<std::uint16_t>((std::uint32_t{rules[a.status].entry_japanese} << kPointShift) + (fraction & 0xFFU));
    m.learning[i].skill = static_cast<std::uint16_t>((std::uint32_t{rules[a.status].entry_skill} << kPointShift) +
                                                     ((fraction >> 8) & 0xFFU));
    m.learning[i].learned_to = today;
  }

  // The monthly wage agent i earns: the employer's, raised in year 2 where the rules require it.
  // Whether agent i is owed the year-2 raise of a status with a restriction longer than a year.
  bool second_year_raise(std::size_t i) const {
    return employer_change::raise_due(rules.raise_in_year_two(d.status_field(m.status[i], m.field[i])), months_with_employer(i));
  }

  // What agent i's employer's wage is multiplied by: the year-2 raise, or 1.
  double wage_factor(std::size_t i) const {
    return second_year_raise(i) ? 1.0 + rules[m.status[i]].second_year_wage_raise : 1.0;
  }
  double wage_of(std::size_t i) const { return employers.card(m.employer[i]).wage_yen * wage_factor(i); }
  // wage_of(i) to the nearest yen (rounded only when raised: the employer's wage is whole yen).
  std::int64_t whole_wage_of(std::size_t i) const {
    const auto wage = employers.card(m.employer[i]).wage_yen;
    const double factor = wage_factor(i);
    return factor == 1.0 ? wage : std::llround(wage * factor);
  }

  // Satisfaction 0-1 from the wage (against the prefectural minimum and what the field pays
  // there), working conditions and the municipality's integration; asked only when an exit
  // clock ticks, so computed then.
  double satisfaction(std::size_t i) const {
    const double integration = municipalities.integration(m.municipality[i]);
    if (m.employer[i] == kNone32) return integration;
    return employers.job_satisfaction(m.employer[i], wage_of(i)) +
           sc.behaviour.satisfaction_weight_integration * integration / employers.satisfaction_weight_total();
  }

  // Whether employer k recruits an applicant of `origin` from abroad: diaspora owners prefer
  // co-nationals; small employers cannot pay brokers on the open market and recruit only
  // through their municipality's agreement with the origin (DESIGN §2 recruitment channels).
  bool recruits_from(const OpenPlaces::Place& place, std::uint16_t municipality, std::size_t origin,
                     std::size_t status, Stream& r) const {
    if (place.owner_origin != kNone8)
      return (place.owner_origin == origin || r.uniform() < sc.employers.diaspora_other_origin_acceptance) &&
             employers.store().hires_status(place.employer, status);
    if (place.agreement_only && !municipalities.agreement(municipality, origin)) return false;
    return employers.store().hires_status(place.employer, status);
  }

  // How a job seeker of `origin` rates employer k's opening.
  double job_score(std::uint32_t k, std::size_t origin) const {
    return employers.card(k).wage_yen * place_score[employers.card(k).municipality * d.origins + origin];
  }

  // What a place adds to a job's score (city, co-nationals, integration): fixed during a market,
  // since moves are counted after it.
  void update_place_scores() {
    place_score.resize(d.municipal_origin());
    for (std::size_t place = 0; place < d.municipalities; ++place) {
      const double residents = std::max<double>(1.0, static_cast<double>(counts.residents[place]));
      for (std::size_t origin = 0; origin < d.origins; ++origin) {
        const double conationals =
            static_cast<double>(counts.residents_by_origin[place * d.origins + origin]) / residents;
        place_score[place * d.origins + origin] = (1.0 + sc.behaviour.urban_pull * municipalities.urbanity(place)) *
                                                  (1.0 + sc.origins[origin].network_elasticity * conationals) *
                                                  (1.0 + sc.behaviour.integration_pull * municipalities.integration(place));
      }
    }
  }

  void init_agents_and_employers() {
    // Agents: each stock cell's persons times the scale, rounded stochastically per cell; ids
    // in cell order. Each agent draws from a stream of its own id, so the cells are filled in
    // parallel once their first ids are known.
    std::vector<std::int64_t> workers_at(d.fields * d.municipalities, 0);
    std::vector<std::size_t> first_of_cell(sc.initial_stock.size() + 1, 0);
    for (std::size_t c = 0; c < sc.initial_stock.size(); ++c) {
      const auto& cell = sc.initial_stock[c];
      Stream cell_stream(sc.seed, Purpose::initial_agent, 0, c);
      const double expected = static_cast<double>(cell.persons) * sc.scale;
      auto agents = static_cast<std::int64_t>(std::floor(expected));
      if (cell_stream.uniform() < expected - static_cast<double>(agents)) ++agents;
      first_of_cell[c + 1] = first_of_cell[c] + static_cast<std::size_t>(agents);
      if (sc.fields[cell.field].employs) workers_at[cell.field * d.municipalities + cell.municipality] += agents;
    }
    const std::size_t agents = first_of_cell.back();
    // Room for four times the agents (the baseline's grow 2.6-fold by 2040, and up to a third of
    // the places are departed agents awaiting compaction) before an array has to grow, which
    // copies it and briefly holds both copies; pages not yet used cost no memory.
    m.for_each_array([agents](auto& array) {
      array.reserve(4 * agents);
      array.resize(agents);
    });
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, sc.initial_stock.size(), 256), [&](const auto& range) {
      for (std::size_t c = range.begin(); c < range.end(); ++c) {
        const auto& cell = sc.initial_stock[c];
        const auto& rule = sc.statuses[cell.status];
        for (std::size_t i = first_of_cell[c]; i < first_of_cell[c + 1]; ++i) {
          const auto id = next_id + static_cast<std::uint32_t>(i);
          Stream r(sc.seed, Purpose::initial_agent, 1, id);
          const std::int32_t stay_span =
              std::min<std::int32_t>(rule.max_stay_months, sc.family.initial_months_in_status_max);
          const auto in_status = static_cast<std::uint16_t>(r.below(static_cast<std::uint32_t>(stay_span)));
          NewAgent a{cell.status, cell.field,
                     cell.origin, cell.municipality,
                     kNone32,     static_cast<std::uint16_t>(draw_entry_age_months(r, rule) + in_status),
                     0,           kNone32};
          // Residents whose status allows family are taken to have reunited already (their
          // families are in the initial DEPENDENT stock); the others left theirs abroad.
          const std::uint8_t family = draw_family(r, cell.status);
          a.family_abroad = rule.family_allowed ? 0 : family;
          Stream learning(sc.seed, Purpose::learning, 0, id);
          place(i, a, id, learning);
          if (rule.family_allowed && family != 0) m.family[i] |= kFamilyHereBit;
          m.status_since[i] = static_cast<std::int16_t>(-in_status);
          m.employer_since[i] = static_cast<std::int16_t>(-in_status);
          // What the months already spent in Japan taught them.
          m.learning[i].japanese =
              LearningRates::add_points(m.learning[i].japanese, in_status * learning_rates.japanese_per_month(cell.origin, cell.municipality));
          if (sc.fields[cell.field].employs)
            m.learning[i].skill = LearningRates::add_points(m.learning[i].skill, in_status * learning_rates.skill_per_month());
        }
      }
    });
    next_id += static_cast<std::uint32_t>(agents);

    employers.create(workers_at, m);
  }

  // ---- events and policy state -----------------------------------------------------------

  // Events of `date`; at the start, every rule change dated up to it. Each change holds the whole
  // rule as it stands from its date (earlier changes included), so applying in date order is enough.
  void apply_events(MonthIndex date, bool starting = false) {
    const bool rules_change = policy.apply(date, starting, rules, caps);
    municipalities.sign_agreements_of(date);
    if (rules_change) hazards.rebuild(rules, employers.satisfaction_weight_total());  // they follow the rules alone
  }

  // ---- the month's phases ----------------------------------------------------------------

  template <class Body>
  void for_chunks(std::size_t n, Body body) {
    const std::size_t chunk_count = (n + kChunk - 1) / kChunk;
    if (chunks.size() < chunk_count) chunks.resize(chunk_count);
    tbb::parallel_for(
        tbb::blocked_range<std::size_t>(0, chunk_count, 1),
        [&](const tbb::blocked_range<std::size_t>& range) {
          for (std::size_t c = range.begin(); c != range.end(); ++c) body(c, c * kChunk, std::min(n, (c + 1) * kChunk));
        },
        tbb::simple_partitioner());
  }

  // ---- agents: clocks, acting, leaving ----------------------------------------------------

  enum Clock : std::uint8_t { kExitClock = 1, kAbscondClock = 2, kSearchClock = 4, kFamilyClock = 8 };

  std::int32_t months_in_status(std::size_t i) const { return now - m.status_since[i]; }
  std::int32_t months_with_employer(std::size_t i) const { return now - m.employer_since[i]; }
  std::int64_t alive() const {
    return std::accumulate(counts.residents.begin(), counts.residents.end(), std::int64_t{0});
  }

  // What planning and learning read of an agent: its arrays, each read only if needed (an agent
  // that acts), or values already at hand (a hired seeker's record and its new job).
  struct StoredAgent {
    const MigrantStore& m;
    std::size_t i;
    std::uint32_t id() const { return m.id[i]; }
    std::uint32_t employer() const { return m.employer[i]; }
    std::uint16_t municipality() const { return m.municipality[i]; }
    std::int16_t status_since() const { return m.status_since[i]; }
    std::int16_t employer_since() const { return m.employer_since[i]; }
    std::uint8_t status() const { return m.status[i]; }
    std::uint8_t field() const { return m.field[i]; }
    std::uint8_t origin() const { return m.origin[i]; }
    std::uint8_t family() const { return m.family[i]; }
  };
  struct KnownAgent {
    std::uint32_t id_, employer_;
    std::uint16_t municipality_;
    std::int16_t status_since_, employer_since_;
    std::uint8_t status_, field_, origin_, family_;
    std::uint32_t id() const { return id_; }
    std::uint32_t employer() const { return employer_; }
    std::uint16_t municipality() const { return municipality_; }
    std::int16_t status_since() const { return status_since_; }
    std::int16_t employer_since() const { return employer_since_; }
    std::uint8_t status() const { return status_; }
    std::uint8_t field() const { return field_; }
    std::uint8_t origin() const { return origin_; }
    std::uint8_t family() const { return family_; }
  };

  // Adds the learning of the months since it was last added, at the rates of the agent's place
  // and job in those months (the rates of each period between censuses for its months): called
  // before the place or the job changes, and before the agent's Japanese or skill is read.
  void learn_until(std::size_t i) { learn_until(i, StoredAgent{m, i}); }
  template <class Agent>
  void learn_until(std::size_t i, const Agent& a) {
    learning_rates.add_up(m.learning[i], a, now);
  }

  // The bounds of agent i's hazard clocks, from its status, family, employer (whose working
  // conditions are its own for good) and municipality (its integration floor); each holds until
  // one of them changes, and every such change re-plans the agent.
  const Bound& exit_bound_of(std::size_t i) const {
    return hazards.exit_bound(m.status[i], m.family[i], m.municipality[i]);
  }
  const Bound& abscond_bound_of(std::size_t i) const {
    return hazards.abscond_bound(m.status[i], employers.card(m.employer[i]).conditions);
  }
  const Bound& search_bound_of(std::size_t i) const {
    return hazards.search_bound(m.status[i], employers.card(m.employer[i]).conditions, m.municipality[i]);
  }
  double bad_conditions_of(std::size_t i) const {
    return m.employer[i] != kNone32 ? Hazards::bad_conditions(employers.card(m.employer[i]).conditions) : 0.0;
  }

  // Plans agent i's next month of action from step `from` on: the dates its status fixes (a
  // transition's attempt, the end of the stay, the month a clock may start) and the first tick
  // of its hazard clocks. Ticks are geometric, hence memoryless: re-planning at any step is
  // exact with fresh draws (`r`: the acting agent's stream, else one of its own).
  void schedule(std::size_t i, std::int32_t from, Stream* r = nullptr) {
    if (m.fate[i] != kStay || m.principal[i] != kNone32) {
      m.next_wake[i] = kNeverStep;
      m.wake_clocks[i] = 0;
      return;
    }
    plan(i, from, r);
  }

  // schedule() for an agent known to be here and not a linked family member.
  void plan(std::size_t i, std::int32_t from, Stream* r = nullptr) { plan(i, StoredAgent{m, i}, from, r); }
  template <class Agent>
  void plan(std::size_t i, const Agent& a, std::int32_t from, Stream* r = nullptr) {
    const auto status = a.status();
    const auto& rule = rules[status];
    const std::int64_t since = a.status_since();
    std::int64_t next = kNeverStep;
    if (since + rules.last_attempt(status) >= from)
      for (const auto& tr : rule.transitions) {
        const std::int64_t attempt = since + StatusRules::attempt_month(tr);
        if (attempt >= from) next = std::min(next, attempt);
      }
    if (rule.max_stay_months != kUnlimitedMonths)
      next = std::min(next, std::max<std::int64_t>(from, since + rule.max_stay_months));
    const auto field = a.field();
    const auto employer = a.employer();
    const bool employed = employer != kNone32;
    const std::size_t status_field = d.status_field(status, field);
    const bool at_work = rules.works_in(status_field);
    const bool covered = rules.covered_field(status_field) == field;
    // Acting every month: a worker without a job looks for one, one whose status no longer
    // covers their field for a job in one it does.
    if (!covered || (at_work && !employed)) next = from;
    // The clocks, and the months they start ticking: from now, or later (a search once the rules
    // allow one, a family once it may join).
    const auto family = a.family();
    // The agent's clocks in their order (exit, absconding, search, family): those its state has.
    struct Ticking {
      const Bound* bound;
      std::int64_t start;
      std::uint8_t clock;
    };
    std::array<Ticking, 4> ticking;
    std::size_t count = 0;
    // Between one start and the next, the clocks started tick together in a month with
    // probability 1 - prod(1 - bound): one geometric draw gives the first such month, then which
    // of them tick, given that one does. No tick before the next start: the months being
    // independent, the draw is made again from there with the clock that starts.
    // The stretch being drawn: the started clocks that can tick, in order (their bounds and
    // bits), and the next start, where it ends. The first stretch is counted as the clocks are
    // listed (most plans have no other).
    std::array<double, 4> live_bound;
    std::array<std::uint8_t, 4> live_clock;
    std::size_t live = 0;
    double none_tick = 1.0, log_none = 0.0;
    std::int64_t segment_end = kNeverStep;
    auto count_live = [&](const Bound& bound, std::int64_t start, std::uint8_t clock, std::int64_t segment) {
      if (start > segment) {
        segment_end = std::min(segment_end, start);
      } else if (const double p = bound.p; p > 0.0) {
        none_tick *= 1.0 - p;
        log_none += bound.log_none;
        live_bound[live] = p;
        live_clock[live++] = clock;
      }
    };
    auto add_clock = [&](const Bound& bound, std::int64_t start, std::uint8_t clock) {
      ticking[count++] = {&bound, start, clock};
      count_live(bound, start, clock, from);
    };
    const auto municipality = a.municipality();
    add_clock(hazards.exit_bound(status, family, municipality), from, kExitClock);
    if (employed) add_clock(hazards.abscond_bound(status, employers.card(employer).conditions), from, kAbscondClock);
    if (employed && at_work && covered && employer_change::ever_allowed(rule))
      add_clock(hazards.search_bound(status, employers.card(employer).conditions, municipality),
                employer_change::search_from(rule, field, a.employer_since(), from), kSearchClock);
    if (rule.family_allowed && abroad(family) != 0)
      add_clock(hazards.family_bound(), std::max<std::int64_t>(from, since + rule.family_delay_months), kFamilyClock);
    std::uint8_t clocks = 0;
    std::optional<Stream> own;
    for (std::int64_t segment = from; segment <= next && segment < kNeverStep;) {
      if (none_tick < 1.0) {
        if (!r) r = &own.emplace(sc.seed, Purpose::schedule, static_cast<std::uint32_t>(from), a.id());
        // u in (0, 1], its logarithm in single precision (half the instructions of a double's):
        // the floor below moves only where log(u) / log(none) lies within about 1e-7 of a whole
        // month, and the 24 bits lost near u = 1 are months of less than 1e-5.
        const auto u = static_cast<float>((static_cast<double>((*r)()) + 1.0) * (1.0 / 4294967296.0));
        // Months before the tick: log(u) / log(none) is never negative, so the cast floors it.
        const double months = none_tick > 0.0 ? static_cast<double>(std::log(u)) / log_none : 0.0;
        const std::int64_t tick = segment + static_cast<std::int64_t>(std::min(months, 30000.0));
        if (tick < segment_end && tick <= next) {
          next = tick;
          clocks = ticking_clocks(live_bound.data(), live_clock.data(), live, none_tick, *r);
          break;
        }
      }
      // The next stretch, from the next start.
      segment = segment_end;
      if (segment > next || segment >= kNeverStep) break;
      live = 0;
      none_tick = 1.0, log_none = 0.0;
      segment_end = kNeverStep;
      for (std::size_t k = 0; k < count; ++k)
        count_live(*ticking[k].bound, ticking[k].start, ticking[k].clock, segment);
    }
    m.next_wake[i] = static_cast<std::int16_t>(std::min<std::int64_t>(next, kNeverStep));
    m.wake_clocks[i] = next < kNeverStep ? clocks : 0;
  }

  void schedule_range(std::size_t begin, std::size_t end, std::int32_t from) {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(begin, end, kChunk), [&](const auto& range) {
      for (std::size_t i = range.begin(); i < range.end(); ++i) schedule(i, from);
    });
  }

  // Agent i leaves the foreign-resident population (`how`), and the family living with it.
  // `Delta`: a thread's changes (StepDelta) or, in a sequential phase, the counts themselves.
  template <class Delta>
  void leave(std::size_t i, Fate how, Tally& t, Delta& delta, std::vector<std::uint32_t>& separations) {
    m.fate[i] = how;
    m.next_wake[i] = kNeverStep;
    const auto municipality = m.municipality[i];
    const auto p = prefecture_of(municipality);
    ++t.national(how == kExit ? kExits : kAbsconded, m.status[i], m.field[i], m.origin[i]);
    if (how == kExit) ++t.prefecture(kPrefExits, p, m.status[i], m.field[i]);
    if (m.employer[i] != kNone32) separations.push_back(m.employer[i]);
    delta.add(m.status[i], m.field[i], municipality, m.origin[i], -1);
    if (const std::int32_t family = m.linked_family[i]) {
      const auto dependent = sc.family.dependent_status;
      t.national(kExits, dependent, rules.none_field(), m.origin[i]) += family;
      t.prefecture(kPrefExits, p, dependent, rules.none_field()) += family;
      delta.add(dependent, rules.none_field(), municipality, m.origin[i], -family);
    }
  }

  // Agent i's seeker record, added to `list` field by field where it is kept: a record built
  // aside is copied with wide loads just after its narrow fields were stored, and such a load
  // waits until those stores are written (no store forwarding).
  void record_seeker(std::vector<Seeker>& list, std::size_t i, std::uint8_t target_field, bool must_move) const {
    Seeker& s = list.emplace_back();
    s.agent = static_cast<std::uint32_t>(i);
    s.id = m.id[i];
    s.employer = m.employer[i];
    s.municipality = m.municipality[i];
    s.status_since = m.status_since[i];
    s.status = m.status[i];
    s.field = m.field[i];
    s.origin = m.origin[i];
    s.family = m.family[i];
    s.target_field = target_field;
    s.must_move = must_move;
  }

  // Status change of agent i in its own cell; a status that does not work leaves the job.
  template <class Delta>
  void change_status(std::size_t i, std::uint8_t to, Tally& t, Delta& delta, ChunkRequests* requests,
                     std::vector<std::uint32_t>* separations) {
    learn_until(i);
    const auto from = m.status[i];
    const auto field = m.field[i];
    const auto origin = m.origin[i];
    ++t.national(kTransitionsOut, from, field, origin);
    delta.status_field[d.status_field(from, field)] -= 1;
    m.status[i] = to;
    m.status_since[i] = static_cast<std::int16_t>(now);
    if (!rules[to].works && sc.fields[field].employs) {
      if (m.employer[i] != kNone32) {
        if (requests) requests->separations.push_back(m.employer[i]);
        if (separations) separations->push_back(m.employer[i]);
      }
      m.employer[i] = kNone32;
      ++t.national(kTransitionsIn, to, field, origin);
      ++t.national(kFieldChangesOut, to, field, origin);
      ++t.national(kFieldChangesIn, to, rules.none_field(), origin);
      m.field[i] = rules.none_field();
    } else {
      ++t.national(kTransitionsIn, to, field, origin);
      // A status that does not cover this field (a student who becomes an engineer): look for
      // a job in one it does, keeping this one until then (and every month after).
      const std::uint8_t covered = rules.covered_field(d.status_field(to, field));
      if (covered != field) {
        record_seeker(requests ? requests->seekers_for(covered) : status_changer_seekers, i, covered, true);
      }
    }
    delta.status_field[d.status_field(to, m.field[i])] += 1;
  }

  // The agents who act this month: those whose clocks tick or whose status sets a date now, and
  // the holders of a status whose rule changes now (their clocks re-drawn from the new rule first).
  void migrant_phase() {
    const std::size_t n = m.size();
    const std::uint8_t* changed = policy.rules_changing_at(now);
    const bool everyone = std::any_of(changed, changed + d.statuses, [](std::uint8_t c) { return c != 0; });
    const auto today = static_cast<std::int16_t>(now);
    for_chunks(n, [&](std::size_t chunk, std::size_t begin, std::size_t end) {
      ChunkRequests& requests = chunks[chunk];
      requests.clear();
      Tally& t = tallies.local();
      StepDelta& delta = step_counts.local();
      // The chunk's actors first, then each acted for with the next few actors' state already
      // on its way from memory: actors are a few in a hundred, so each is a cache miss per array.
      auto& actors = requests.actors;
      if (everyone)
        for (std::size_t i = begin; i < end; ++i)
          if (changed[m.status[i]]) schedule(i, now);
      gather_due(begin, end, today, actors);
      // Each actor's stream is started (its first block drawn) a few actors ahead too: the
      // block's arithmetic then overlaps the actions before it instead of waiting behind their
      // branches.
      std::array<Stream, kSeekerRing> streams;
      auto start_stream = [&](std::size_t k) {
        streams[k % kSeekerRing].restart(sc.seed, Purpose::migrant_step, static_cast<std::uint32_t>(now),
                                         m.id[actors[k]]);
      };
      for (std::size_t k = 0; k < std::min(kActorAhead, actors.size()); ++k) prefetch_actor(actors[k]);
      for (std::size_t k = 0; k < std::min(kActorAhead / 2, actors.size()); ++k) start_stream(k);
      for (std::size_t k = 0; k < actors.size(); ++k) {
        if (k + kActorAhead < actors.size()) prefetch_actor(actors[k + kActorAhead]);
        // Then its employer's card, once the actor's employer has had time to arrive, and, if
        // a clock that may make it leave ticks, the family that leaves with it.
        if (k + kActorAhead / 2 < actors.size()) {
          const auto ahead = actors[k + kActorAhead / 2];
          if (const auto employer = m.employer[ahead]; employer != kNone32) __builtin_prefetch(&employers.card(employer));
          if (m.wake_clocks[ahead] & (kExitClock | kAbscondClock)) __builtin_prefetch(&m.linked_family[ahead]);
          // And its learning, if it may attempt a transition (whose requirements read it).
          if (rules.may_attempt_transition(m.status[ahead], now - m.status_since[ahead])) {
            prefetch_at(ahead, m.learning);
            learning_rates.prefetch(m.municipality[ahead], m.origin[ahead]);
          }
          start_stream(k + kActorAhead / 2);
        }
        const auto i = actors[k];
        act(i, m.next_wake[i] == today ? m.wake_clocks[i] : 0, streams[k % kSeekerRing], requests, t, delta);
      }
    });
    for (auto& delta : step_counts) counts.absorb(delta);
  }

  // Sets `due` to the agents in [begin, end) whose next_wake is at most `today`, in order
  // (migsim/wakes.hpp), written without a capacity check to a list sized for all.
  void gather_due(std::size_t begin, std::size_t end, std::int16_t today,
                  UninitialisedVector<std::uint32_t>& due) const {
    due.resize(end - begin);
    due.resize(migsim::gather_due(m.next_wake.data(), begin, end, today, due.data()));
  }

  // How many agents ahead the census asks for what they look up (agents are read in order).
  static constexpr std::size_t kCensusAhead = 32;
  // How many agents ahead a loop over scattered agents asks for their state.
  static constexpr std::size_t kAhead = 6;
  // How many actors ahead the migrant phase asks for an actor's state (into the L2 cache); its
  // employer's card, its learning and its stream follow at half the distance.
  static constexpr std::size_t kActorAhead = 10;
  static constexpr std::size_t kSeekerRing = 8;  // streams started ahead and held (seekers', actors')
  static_assert(kSeekerRing > kAhead && kSeekerRing > kActorAhead / 2,
                "a stream is held until its seeker or actor is served");

  // Only what a month's action reads of every actor (learning and dates are read when needed),
  // into the L2 cache only: nine lines an actor, several actors ahead, are more misses than the
  // first-level cache keeps in flight (measured: −1.5 % in all over fourteen paired rounds).
  [[gnu::always_inline]] void prefetch_actor(std::size_t i) const {
    prefetch_at<kToL2>(i, m.id, m.status, m.field, m.origin, m.municipality, m.employer, m.status_since, m.wake_clocks,
                       m.family);
  }

  // Asks for element i of each array from memory, ahead of its use. Functions that only prefetch
  // must be inlined: GCC otherwise finds them free of side effects and drops their calls (until
  // this was found, the actors' prefetches were missing from the binary). `Locality` is
  // __builtin_prefetch's: 3 (the default) into every cache level, kToL2 into the L2 cache only.
  static constexpr int kToL2 = 2;
  template <int Locality = 3, class... Arrays>
  [[gnu::always_inline]] static void prefetch_at(std::size_t i, const Arrays&... arrays) {
    (__builtin_prefetch(&arrays[i], 0, Locality), ...);
  }

  // Agent i's month: a ticking clock becomes its event with probability hazard / bound (exit
  // first, then absconding), then transitions, expiry, job search and family (decide).
  // `r` is the agent's stream of this month (Purpose::migrant_step), from its start.
  void act(std::size_t i, std::uint8_t clocks, Stream& r, ChunkRequests& requests, Tally& t, StepDelta& delta) {
    const auto status = m.status[i];
    const auto& rule = rules[status];
    const bool employed = m.employer[i] != kNone32;
    const double bad_conditions = bad_conditions_of(i);
    if (clocks & kExitClock) {
      const double exit = hazards.exit(status, municipalities.integration(m.municipality[i]), satisfaction(i),
                                       hazards.exit_family_factor(m.family[i], months_in_status(i)));
      const Bound& bound = exit_bound_of(i);
      if (Hazards::exceeds(exit, bound)) throw std::logic_error("internal error: an exit hazard exceeds its bound");
      if (r.uniform() * bound.p < exit) {
        leave(i, kExit, t, delta, requests.separations);
        return;
      }
    }
    if (employed && (clocks & kAbscondClock)) {
      const double abscond = hazards.abscond(
          status, bad_conditions, employer_change::allowed_now(rule, m.field[i], months_with_employer(i)));
      if (r.uniform() * abscond_bound_of(i).p < abscond) {
        leave(i, kAbscond, t, delta, requests.separations);
        return;
      }
    }
    if (decide(i, r, rule, employed, bad_conditions, clocks, requests, t, delta)) plan(i, now + 1, &r);
  }

  // Transitions, expiry, job search and family for one agent who neither left nor absconded.
  // Returns whether the agent stays.
  bool decide(std::size_t i, Stream& r, const StatusRule& rule, bool employed, double bad_conditions,
              std::uint8_t clocks, ChunkRequests& requests, Tally& t, StepDelta& delta) {
    const std::int32_t in_status = months_in_status(i);
    const bool expiring = in_status >= rule.max_stay_months;
    const auto field = m.field[i];
    const auto status = m.status[i];
    // Outside the months a transition is attempted in, none is (most actions are clock ticks).
    if (rules.may_attempt_transition(status, in_status))
      for (const auto& tr : rule.transitions) {
        // One attempt when eligible, one more when the stay runs out.
        const bool attempt = in_status == StatusRules::attempt_month(tr) || (expiring && tr.after_months <= in_status);
        if (!attempt || !tr.fields_allowed[field]) continue;
        learn_until(i);  // Japanese and skill are added up only when they are read
        if (m.learning[i].japanese < (tr.requires_japanese << kPointShift) ||
            m.learning[i].skill < (tr.requires_skill << kPointShift))
          continue;
        // Integration helps settlement: transitions into statuses without a stay limit pass more often.
        const double pass = rules[tr.to_status].max_stay_months == kUnlimitedMonths
                                ? std::min(1.0, tr.pass_rate * (1.0 + sc.integration.settlement_boost *
                                                                          municipalities.integration(m.municipality[i])))
                                : tr.pass_rate;
        if (!r.bernoulli(pass)) continue;
        if (caps.capped(d.status_field(tr.to_status, field))) {
          requests.capped.push_back({static_cast<std::uint32_t>(i), tr.to_status, expiring});
        } else {
          change_status(i, tr.to_status, t, delta, &requests, nullptr);
        }
        return true;
      }
    if (expiring) {
      leave(i, kExit, t, delta, requests.separations);
      return false;
    }
    // A seeker is recorded after its family may have joined, so its record holds the family
    // it has when it takes a job.
    std::optional<std::pair<std::uint8_t, bool>> seeks;  // (target field, must move)
    const std::size_t status_field = d.status_field(status, field);
    const std::uint8_t covered = rules.covered_field(status_field);
    if (covered != field) {
      seeks.emplace(covered, true);
    } else if (rules.works_in(status_field)) {
      auto searches = [&] {
        const double search = hazards.search(rule, bad_conditions, municipalities.integration(m.municipality[i]));
        const Bound& bound = search_bound_of(i);
        if (Hazards::exceeds(search, bound)) throw std::logic_error("internal error: a search hazard exceeds its bound");
        return r.uniform() * bound.p < search;
      };
      if (!employed || ((clocks & kSearchClock) && employer_change::allowed_now(rule, m.field[i], months_with_employer(i)) && searches())) {
        auto target = field;
        if (employer_change::may_change_field(rule) && rules.employing_fields().size() > 1 &&
            r.bernoulli(rule.field_change_share)) {
          target = rules.employing_fields()[r.below(static_cast<std::uint32_t>(rules.employing_fields().size()))];
        }
        seeks.emplace(target, false);
      }
    }
    if ((clocks & kFamilyClock) && rule.family_allowed && abroad(m.family[i]) != 0 &&
        in_status >= rule.family_delay_months &&
        r.uniform() * hazards.family_bound().p < hazards.family_join(municipalities.integration(m.municipality[i]))) {
      join_family(i, t, delta, requests.joined);
    }
    if (seeks) record_seeker(requests.seekers_for(seeks->first), i, seeks->first, seeks->second);
    return true;
  }

  // Principal i's family abroad joins it, unless a border closure keeps them out this month
  // (then it asks again later): DEPENDENT agents linked to it, who live where it lives and leave
  // with it (DESIGN §2), so they never act on their own. Its plan, made after its action, sees
  // the family at hand.
  void join_family(std::size_t i, Tally& t, StepDelta& delta, std::vector<NewAgent>& joined) {
    if (policy.entry_share() <= 0.0) return;  // family members come from abroad too
    Stream r(sc.seed, Purpose::family, static_cast<std::uint32_t>(now), m.id[i]);
    if (policy.entry_share() < 1.0 && !r.bernoulli(policy.entry_share())) return;
    const auto dependent = sc.family.dependent_status;
    const auto packed = abroad(m.family[i]);
    const auto members = family_size(packed);
    const auto origin = m.origin[i];
    const auto municipality = m.municipality[i];
    t.national(kFamilyJoined, m.status[i], m.field[i], origin) += members;
    t.national(kEntries, dependent, rules.none_field(), origin) += members;
    t.prefecture(kPrefEntries, prefecture_of(municipality), dependent, rules.none_field()) += members;
    t.municipal_entries(municipality, origin) += members;
    delta.add(dependent, rules.none_field(), municipality, origin, members);
    for (std::uint8_t k = 0; k < members; ++k) {
      const bool spouse = (packed & kSpouseBit) && k == 0;
      const auto age = spouse ? static_cast<std::uint16_t>(now - m.born[i])
                              : static_cast<std::uint16_t>(
                                    r.below(static_cast<std::uint32_t>((sc.family.children_max_age_years + 1) * 12)));
      joined.push_back({dependent, rules.none_field(), origin, municipality, kNone32, age, 0, static_cast<std::uint32_t>(i)});
    }
    m.family[i] = kFamilyHereBit;  // none abroad any more
    m.linked_family[i] = members;
  }

  // Transitions into capped statuses, in id order, against the caps in force.
  void admit_capped_transitions(std::size_t chunk_count) {
    Tally& t = tallies.local();
    std::vector<std::uint32_t> separations;
    for (std::size_t c = 0; c < chunk_count; ++c) {
      for (const auto& candidate : chunks[c].capped) {
        const auto i = candidate.agent;
        const auto field = m.field[i];
        if (caps.allows(candidate.to_status, field, counts.status_field)) {
          change_status(i, candidate.to_status, t, counts, nullptr, &separations);
          caps.count_admission(d.status_field(m.status[i], m.field[i]));
          schedule(i, now + 1);
        } else {
          ++t.market(kCapBlocked, prefecture_of(m.municipality[i]), field);
          if (candidate.expiring) leave(i, kExit, t, counts, separations);
        }
      }
    }
    for (const auto employer : separations) employers.release(employer, t);
  }

  void apply_separations(std::size_t chunk_count) {
    Tally& t = tallies.local();
    for (std::size_t c = 0; c < chunk_count; ++c) {
      const auto& separations = chunks[c].separations;
      for (std::size_t j = 0; j < separations.size(); ++j) {
        if (j + kAhead < separations.size()) prefetch_at(separations[j + kAhead], employers.store().filled, employers.store().municipality, employers.store().field);
        employers.release(separations[j], t);
      }
    }
  }

  // Applicants from abroad this month: per origin and open channel, spread over fields by their
  // open places (`open`, per field); non-working channels enter directly.
  void draw_applicants(std::uint32_t step, const std::vector<std::int64_t>& open) {
    for (auto& list : field_applicants) list.clear();
    other_arrivals.clear();
    if (policy.entry_share() <= 0.0) return;
    // Destinations of non-working entrants: municipalities weighted by foreign residents.
    // Where entrants of each origin go: agreements and co-national networks pull (DESIGN §2).
    destination_weight.assign(d.municipal_origin(), 1.0);
    std::vector<double> largest(d.origins, 0.0);
    for (std::size_t k = 0; k < d.municipalities; ++k) {
      const double residents = std::max<double>(1.0, static_cast<double>(counts.residents[k]));
      for (std::size_t o = 0; o < d.origins; ++o) {
        const double share = static_cast<double>(counts.residents_by_origin[k * d.origins + o]) / residents;
        const double w = (1.0 + sc.behaviour.agreement_recruitment_weight * municipalities.state().agreements[k * d.origins + o]) *
                         (1.0 + sc.origins[o].network_elasticity * share) * municipalities.proximity(k * d.origins + o);
        destination_weight[k * d.origins + o] = w;
        largest[o] = std::max(largest[o], w);
      }
    }
    // Pulls that all underflow (a tiny distance decay) carry no preference: treat them as equal.
    for (std::size_t o = 0; o < d.origins; ++o) {
      if (largest[o] > 1e-300) continue;
      for (std::size_t k = 0; k < d.municipalities; ++k) destination_weight[k * d.origins + o] = 1.0;
    }
    // Origins in parallel (each draws from streams of its own), their applicants gathered in
    // origin order after.
    origin_draws.resize(d.origins);
    tbb::parallel_for(std::size_t{0}, d.origins, [&](std::size_t o) {
      auto& out = origin_draws[o];
      out.to_fields.clear();
      out.direct.clear();
      draw_origin(o, step, open, out.to_fields, out.direct);
    });
    for (const auto& out : origin_draws) {
      for (const auto& [f, a] : out.to_fields) field_applicants[f].push_back(a);
      other_arrivals.insert(other_arrivals.end(), out.direct.begin(), out.direct.end());
    }
  }

  // Origin o's applicants this month: those for fields that employ, spread over the fields, and
  // those who enter directly, with where they settle.
  void draw_origin(std::size_t o, std::uint32_t step, const std::vector<std::int64_t>& open,
                   std::vector<std::pair<std::size_t, Applicants>>& to_fields, std::vector<NewAgent>& direct) const {
    const auto& origin = sc.origins[o];
    const double weight_sum = std::accumulate(origin.channel_weights.begin(), origin.channel_weights.end(), 0.0);
    if (weight_sum <= 0 || origin.applicants_per_year <= 0) return;
    std::vector<double> cumulative_residents(d.municipalities);
    std::vector<std::size_t> guide(d.municipalities);
    // Entrants who need no job settle where foreign residents live, pulled the same way.
    double total_residents = 0;
    for (std::size_t k = 0; k < d.municipalities; ++k)
      cumulative_residents[k] =
          (total_residents += (static_cast<double>(counts.residents[k]) + 1.0) * destination_weight[k * d.origins + o]);
    // A guide to the search (Chen and Asau): where the first municipality past each of as
    // many equal steps of the total lies, so a draw starts next to its answer.
    for (std::size_t g = 0, k = 0; g < guide.size(); ++g) {
      const double step_start = total_residents * static_cast<double>(g) / static_cast<double>(guide.size());
      while (k < cumulative_residents.size() && cumulative_residents[k] <= step_start) ++k;
      guide[g] = k;
    }
    // The first municipality whose cumulative weight exceeds u (what upper_bound finds).
    auto settle_at = [&](double u) {
      auto g =
          std::min(guide.size() - 1, static_cast<std::size_t>(u / total_residents * static_cast<double>(guide.size())));
      std::size_t k = guide[g];
      while (k > 0 && cumulative_residents[k - 1] > u) --k;
      while (k < cumulative_residents.size() && cumulative_residents[k] <= u) ++k;
      return k;
    };
    for (std::size_t s = 0; s < d.statuses; ++s) {
      const auto& rule = rules[s];
      if (!rule.entries_open || origin.channel_weights[s] <= 0) continue;
      const double mean = origin.applicants_per_year * origin.orientation_to_work_abroad * policy.origin_push()[o] *
                          policy.entry_share() * sc.scale / 12.0 * origin.channel_weights[s] / weight_sum;
      Stream r(sc.seed, Purpose::entries, step, o * d.statuses + s);
      boost::random::poisson_distribution<std::int64_t> poisson(mean);
      std::int64_t applicants = mean > 0 ? poisson(r) : 0;
      if (applicants == 0) continue;
      // Entrants into a field that employs need a vacancy; the others enter directly.
      const bool needs_job = std::any_of(rules.employing_fields().begin(), rules.employing_fields().end(),
                                         [&](std::uint8_t f) { return rule.entry_fields[f] != 0; });
      if (needs_job) {
        std::int64_t weight_left = 0;
        for (std::size_t f = 0; f < d.fields; ++f)
          if (rule.entry_fields[f] && sc.fields[f].employs) weight_left += open[f];
        for (std::size_t f = 0; f < d.fields && applicants > 0 && weight_left > 0; ++f) {
          if (!rule.entry_fields[f] || !sc.fields[f].employs || open[f] == 0) continue;
          boost::random::binomial_distribution<std::int64_t> share(
              applicants, static_cast<double>(open[f]) / static_cast<double>(weight_left));
          const std::int64_t here = weight_left == open[f] ? applicants : share(r);
          weight_left -= open[f];
          applicants -= here;
          if (here > 0) to_fields.push_back({f, {static_cast<std::uint8_t>(o), static_cast<std::uint8_t>(s), here}});
        }
      } else {
        std::uint8_t entry_field = rules.none_field();
        for (std::size_t f = 0; f < d.fields; ++f)
          if (rule.entry_fields[f] && !sc.fields[f].employs) {
            entry_field = static_cast<std::uint8_t>(f);
            break;
          }
        for (std::int64_t k = 0; k < applicants; ++k) {
          const auto where = static_cast<std::uint16_t>(settle_at(r.uniform() * total_residents));
          NewAgent a{static_cast<std::uint8_t>(s),
                     entry_field,
                     static_cast<std::uint8_t>(o),
                     std::min<std::uint16_t>(where, static_cast<std::uint16_t>(d.municipalities - 1)),
                     kNone32,
                     draw_entry_age_months(r, rule),
                     draw_family(r, static_cast<std::uint8_t>(s)),
                     kNone32};
          direct.push_back(a);
        }
      }
    }
  }

  // Hired seeker s (agent i) and the family living with it move to `to`; the caller has added up
  // their learning at the old place first.
  void move_to(std::size_t i, const Seeker& s, std::uint16_t to, std::uint8_t new_field, Tally& t, StepDelta& delta) {
    const auto from = s.municipality;
    if (from == to) return;
    const auto old_pref = prefecture_of(from), new_pref = prefecture_of(to);
    const std::int32_t family = m.linked_family[i];
    if (old_pref != new_pref) {
      ++t.prefecture(kMovesOut, old_pref, s.status, s.field);
      ++t.prefecture(kMovesIn, new_pref, s.status, new_field);
      if (family > 0) {
        const auto dependent = sc.family.dependent_status;
        t.prefecture(kMovesOut, old_pref, dependent, rules.none_field()) += family;
        t.prefecture(kMovesIn, new_pref, dependent, rules.none_field()) += family;
      }
    }
    delta.move(from, to, s.origin, 1 + family);
    m.municipality[i] = to;
  }

  // One field's market: job seekers first (in id order), then arrivals from abroad, over the
  // field's open places. Touches only this field's employers, its own seekers and this field's
  // stock counts; other counts change through the thread's delta, summed after the market.
  void match_field(std::size_t f, std::uint32_t step) {
    Tally& t = tallies.local();
    StepDelta& delta = step_counts.local();
    Stream r(sc.seed, Purpose::matching, step, f);
    auto& places = field_places[f];
    places.build(employers.store(), employers.store().field_begin[f], d.origins);
    for (std::size_t g = 0; g < d.fields; ++g) field_departures[f * d.fields + g].clear();
    auto& hires = field_hires[f];
    hires.clear();
    // Each seeker draws from a stream of its own. A few seekers ahead, its first two words are
    // drawn (where its two openings are looked for first) and those places and its employer's
    // card asked for from memory: the listing is too large for the cache and read at random.
    const auto& seekers = field_seekers[f];
    std::array<Stream, kSeekerRing> ring;
    auto draw_ahead = [&](std::size_t q) {
      auto& draws = ring[q % kSeekerRing];
      draws.restart(sc.seed, Purpose::job_search, step, seekers[q].id);
      places.prefetch_first(draws.peek(0));
      places.prefetch_first(draws.peek(1));
      if (const auto employer = seekers[q].employer; employer != kNone32) __builtin_prefetch(&employers.card(employer));
    };
    for (std::size_t q = 0; q < std::min(kAhead, seekers.size()); ++q) draw_ahead(q);
    for (std::size_t q = 0; q < seekers.size(); ++q) {
      if (places.open() == 0) break;
      if (q + kAhead < seekers.size()) draw_ahead(q + kAhead);
      const auto& seeker = seekers[q];
      const auto status = seeker.status;
      const auto origin = seeker.origin;
      // Look at two openings and take the one that scores better (wage, city, co-nationals,
      // integration); a worker with a job moves only if it beats the job they have.
      auto& own = ring[q % kSeekerRing];
      auto opening = places.uniform(own);
      const auto second = places.uniform(own);
      auto score = [&](const OpenPlaces::Opening& o) {
        return places.place(o).wage_yen * place_score[places.municipality(o) * d.origins + origin];
      };
      if (score(second) > score(opening)) opening = second;
      places.prefetch_ends(opening.segment);
      const std::uint32_t pick = places.employer(opening);
      if (!employers.store().hires_status(pick, status)) continue;  // that employer does not hire this status
      const std::uint32_t old_employer = seeker.employer;
      if (old_employer != kNone32 && !seeker.must_move &&
          (pick == old_employer ||
           score(opening) <= job_score(old_employer, origin) * (1.0 + sc.behaviour.change_threshold)))
        continue;
      const auto old_field = seeker.field;
      // Moving into a capped field is an admission like any other.
      if (old_field != f && caps.capped(d.status_field(status, f))) {
        if (!caps.allows(status, f, counts.status_field)) {
          ++t.market(kCapBlocked, prefecture_of(places.municipality(opening)), f);
          continue;
        }
        caps.count_admission(d.status_field(status, f));
      }
      places.take(opening);
      const auto municipality = places.municipality(opening);
      if (old_field != f) {
        ++t.national(kFieldChangesOut, status, old_field, origin);
        ++t.national(kFieldChangesIn, status, f, origin);
        ++counts.status_field[d.status_field(status, f)];  // this field's: seen by the next cap check
        --delta.status_field[d.status_field(status, old_field)];
      }
      if (old_employer != kNone32) {
        ++t.national(kEmployerChanges, status, f, origin);
        ++t.prefecture(kPrefEmployerChanges, prefecture_of(municipality), status, f);
        field_departures[f * d.fields + employers.card(old_employer).field].push_back(old_employer);
      }
      hires.push_back({static_cast<std::uint32_t>(q), pick, municipality});
    }
    settle_hires(f, t, delta);

    auto& arrivals = field_arrivals[f];
    arrivals.clear();
    auto& applicants = field_applicants[f];
    std::int64_t waiting = 0;
    for (const auto& a : applicants) waiting += a.count;
    while (waiting > 0 && places.open() > 0) {
      // Next applicant: a random one of those still waiting, so no origin goes first.
      auto ticket = static_cast<std::int64_t>(r.uniform() * static_cast<double>(waiting));
      std::size_t g = 0;
      while (ticket >= applicants[g].count) ticket -= applicants[g++].count;
      --applicants[g].count;
      --waiting;
      const auto status = applicants[g].status;
      const auto origin = applicants[g].origin;
      // This origin's pulls and agreements, one municipality every `stride`, held by value.
      const double* const pulls = destination_weight.data() + origin;
      const std::uint8_t* const agreements = municipalities.state().agreements.data() + origin;
      const std::size_t stride = d.origins;
      // An opening drawn in proportion to the vacancies open to this origin × the destination's
      // pull for it, taken if its employer recruits this applicant (bounded tries, then the
      // applicant is lost).
      std::optional<OpenPlaces::Opening> opening;
      std::uint32_t pick = 0;
      for (int attempt = 0; attempt < 64 && !opening && !places.offers_none(origin); ++attempt) {
        opening = places.pulled(
            origin, [pulls, stride](std::uint16_t place) { return pulls[place * stride]; },
            [agreements, stride](std::uint16_t place) { return agreements[place * stride] != 0; }, r);
        if (!opening) continue;
        places.prefetch_ends(opening->segment);
        if (!recruits_from(places.place(*opening), places.municipality(*opening), origin, status, r)) opening.reset();
      }
      if (!opening) continue;  // no employer here recruits this applicant
      pick = places.employer(*opening);
      const auto municipality = places.municipality(*opening);  // the employer's, from the cached segment
      const auto pref = prefecture_of(municipality);
      if (!caps.allows(status, f, counts.status_field)) {
        ++t.market(kCapBlocked, pref, f);
        continue;
      }
      places.take(*opening);
      caps.count_admission(d.status_field(status, f));
      ++counts.status_field[d.status_field(status, f)];  // residents are counted when the agent is added
      ++t.national(kEntries, status, f, origin);
      ++t.prefecture(kPrefEntries, pref, status, f);
      ++t.municipal_entries(municipality, origin);
      Stream agent_stream(sc.seed, Purpose::entry_agent, step, (static_cast<std::uint64_t>(f) << 32) | arrivals.size());
      arrivals.push_back({status, static_cast<std::uint8_t>(f), origin, municipality, pick,
                          draw_entry_age_months(agent_stream, rules[status]), draw_family(agent_stream, status),
                          kNone32});
    }
    // The places taken are added to their employers' filled counts after the market, which reads
    // none of them: the employers are scattered, so their counts are asked for a few ahead.
    for (std::size_t a = 0; a < arrivals.size(); ++a) {
      if (a + kAhead < arrivals.size()) __builtin_prefetch(&employers.store().filled[arrivals[a + kAhead].employer], 1);
      employers.fill(arrivals[a].employer);
    }
  }

  // The agents hired in field f's market take their jobs, after the market (it reads nothing of
  // them), in one pass.
  void settle_hires(std::size_t f, Tally& t, StepDelta& delta) {
    const auto& seekers = field_seekers[f];
    const auto field = static_cast<std::uint8_t>(f);
    const auto today = static_cast<std::int16_t>(now);
    const auto& hires = field_hires[f];
    for (std::size_t h = 0; h < hires.size(); ++h) {
      // What a hire a few ahead reads and writes of the agent arrays and tables, asked for from
      // memory now (the hires are scattered over them), from its seeker's record, asked for
      // twice as far ahead (the market read it long before).
      if (h + 2 * kAhead < hires.size()) __builtin_prefetch(&seekers[hires[h + 2 * kAhead].seeker]);
      if (h + kAhead < hires.size()) {
        const auto& ahead = hires[h + kAhead];
        const Seeker& record = seekers[ahead.seeker];
        prefetch_at(record.agent, m.learning, m.linked_family, m.municipality, m.employer, m.field, m.employer_since,
                    m.next_wake, m.wake_clocks);
        learning_rates.prefetch(record.municipality, record.origin);
        __builtin_prefetch(&employers.card(ahead.employer));
        __builtin_prefetch(&employers.store().filled[ahead.employer], 1);
      }
      const auto& hire = hires[h];
      employers.fill(hire.employer);  // after the market (which reads no filled count), asked for ahead
      const Seeker& s = seekers[hire.seeker];
      const auto i = s.agent;
      // The agent as the seeker's record holds it (not read again from the arrays): its learning
      // at the old job and place is added up, then it moves and is planned with the new job
      // (whose start, read by planning alone, is set from the first).
      KnownAgent agent{s.id, s.employer, s.municipality, s.status_since, today, s.status, s.field, s.origin, s.family};
      learn_until(i, agent);
      move_to(i, s, hire.municipality, field, t, delta);
      agent.employer_ = m.employer[i] = hire.employer;
      agent.municipality_ = hire.municipality;
      agent.field_ = m.field[i] = field;
      m.employer_since[i] = today;
      plan(i, agent, now + 1);  // a seeker is here and not a linked family member
    }
  }

  // Field f's seekers in agent order (the chunks' in chunk order), then those whose new status
  // sent them (in the order of the status changes). They are still here: an agent who leaves
  // this month does so before it could ask.
  void gather_seekers(std::size_t f, std::size_t chunk_count) {
    auto& list = field_seekers[f];
    list.clear();
    for (std::size_t c = 0; c < chunk_count; ++c)
      if (f < chunks[c].seekers.size())
        list.insert(list.end(), chunks[c].seekers[f].begin(), chunks[c].seekers[f].end());
    for (const auto& s : status_changer_seekers)
      if (s.target_field == f) list.push_back(s);
  }

  void labour_market(std::uint32_t step, std::size_t chunk_count) {
    // Each field's open places, counted once (each field's in parallel): they spread the
    // applicants over the fields, and each market's listing is built from them.
    std::vector<std::int64_t> open(d.fields);
    tbb::parallel_for(std::size_t{0}, d.fields, [&](std::size_t f) {
      open[f] =
          field_places[f].count_open(employers.store(), employers.store().field_begin[f], employers.store().field_begin[f + 1], sc.employers.small_employer_places);
    });
    draw_applicants(step, open);
    update_place_scores();
    // Fields with the most to do first, each taken by the next free thread, so that a large
    // field does not start last (which field a thread takes does not change the result).
    std::vector<std::int64_t> work(d.fields);
    for (std::size_t f = 0; f < d.fields; ++f) {
      work[f] = (employers.store().field_begin[f + 1] - employers.store().field_begin[f]) / 4;
      for (std::size_t c = 0; c < chunk_count; ++c) work[f] += static_cast<std::int64_t>(chunks[c].seekers_in(f));
      for (const auto& a : field_applicants[f]) work[f] += a.count;
    }
    std::vector<std::size_t> order(d.fields);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return work[a] > work[b]; });
    std::atomic<std::size_t> next{0};
    tbb::parallel_for(0, tbb::this_task_arena::max_concurrency(), [&](int) {
      for (std::size_t k; (k = next.fetch_add(1)) < order.size();) {
        gather_seekers(order[k], chunk_count);
        match_field(order[k], step);
      }
    });
    status_changer_seekers.clear();
    for (auto& delta : step_counts) counts.absorb(delta);
    // Employers who lost a worker to a rival: freed place, and a raise to keep the rest. Each
    // field's employers by one task, in the order of the markets and hires that took the workers.
    tbb::parallel_for(std::size_t{0}, d.fields, [&](std::size_t g) {
      Tally& t = tallies.local();
      for (std::size_t f = 0; f < d.fields; ++f) {
        const auto& departures = field_departures[f * d.fields + g];
        for (std::size_t j = 0; j < departures.size(); ++j) {
          // What an employer a few further on reads and writes, asked for now (they are scattered).
          if (j + kAhead < departures.size()) {
            const auto& store = employers.store();
            prefetch_at(departures[j + kAhead], store.filled, store.municipality, store.field, store.wage_yen,
                        store.capacity, employers.cards());
          }
          employers.lose_worker_to_rival(departures[j], t);
        }
      }
    });
  }

  void compact() {
    const std::size_t n = m.size();
    const std::size_t chunk_count = (n + kChunk - 1) / kChunk;
    new_place.resize(n);
    // Places counted within each chunk, then offset by the survivors of the chunks before.
    std::vector<std::uint32_t> kept_before(chunk_count + 1, 0);
    std::vector<std::vector<std::pair<std::size_t, std::size_t>>> chunk_runs(chunk_count);  // [from, to) of survivors
    for_chunks(n, [&](std::size_t c, std::size_t begin, std::size_t end) {
      std::uint32_t kept = 0;
      for (std::size_t i = begin; i < end; ++i) {
        const bool stays = m.fate[i] == kStay && (m.principal[i] == kNone32 || m.fate[m.principal[i]] == kStay);
        new_place[i] = stays ? kept++ : kNone32;
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
        if (new_place[i] != kNone32) new_place[i] += kept_before[c];
    });
    // Family members keep pointing at their principal, and take its place of residence.
    for_chunks(n, [&](std::size_t, std::size_t begin, std::size_t end) {
      for (std::size_t i = begin; i < end; ++i) {
        const auto p = m.principal[i];
        if (new_place[i] == kNone32 || p == kNone32) continue;
        m.municipality[i] = m.municipality[p];
        m.principal[i] = new_place[p];
      }
    });
    std::vector<std::pair<std::size_t, std::size_t>> runs;
    for (const auto& list : chunk_runs) runs.insert(runs.end(), list.begin(), list.end());
    std::vector<std::function<void()>> passes;
    m.for_each_array([&](auto& array) {
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

  // Yearly: the municipalities' AJTs and integration, then the learning rates they give.
  void update_municipalities() {
    municipalities.update(children_at_census);
    learning_rates.tabulate_period(now);
  }

  // ---- census ---------------------------------------------------------------------------

  // The live counts must equal a full count at every census: a cheap guard on their bookkeeping.
  void check_live_counts(const std::vector<std::int64_t>& stock, const std::vector<std::int64_t>& residents) const {
    std::vector<std::int64_t> status_field(d.statuses * d.fields, 0);
    for (std::size_t st = 0; st < d.statuses; ++st)
      for (std::size_t f = 0; f < d.fields; ++f)
        for (std::size_t o = 0; o < d.origins; ++o) status_field[d.status_field(st, f)] += stock[d.cell(st, f, o)];
    if (status_field != counts.status_field || residents != counts.residents)
      throw std::logic_error("internal error: the live stock counts differ from the census count");
  }

  // The census of `year`; yearly policy adaptation follows every census but the initial one.
  YearOutput census(int year, bool adapt = true) {
    // Each thread's counts, grouped by the index they are counted at, so that an agent's counts
    // take four tables (four pointers held, not eight) and those at one index share a line.
    struct CellCount {
      std::int64_t stock = 0, workers = 0;  // [status, field, origin]
    };
    struct PlaceCount {
      std::int64_t residents = 0, workers = 0, children = 0;  // [municipality]
    };
    struct WageCount {
      std::int64_t sum = 0, n = 0;  // [prefecture, field]
    };
    struct Counts {
      std::vector<CellCount> cells;
      std::vector<std::int64_t> pref_stock;  // [prefecture, status, field]
      std::vector<PlaceCount> places;
      std::vector<WageCount> wages;
    };
    const std::size_t n = m.size();
    tbb::enumerable_thread_specific<Counts> local([this] {
      return Counts{std::vector<CellCount>(d.national()), std::vector<std::int64_t>(d.prefecture()),
                    std::vector<PlaceCount>(d.municipalities), std::vector<WageCount>(d.market())};
    });
    const int school_from_months = 12 * sc.family.school_age_min_years;
    const auto school_months =
        static_cast<unsigned>(std::max(0, 12 * (sc.family.school_age_max_years + 1) - school_from_months));
    for_chunks(n, [&](std::size_t, std::size_t begin, std::size_t end) {
      Counts& s = local.local();
      // Sizes and tables held locally: a count stored through the thread's tables could, for the
      // compiler, change the sizes (same integer type), which it would then read again each time.
      const Dims dims = d;
      // School age as steps of birth, held by value (a capture by reference is read again per agent).
      const int school_born_by = now - school_from_months;
      const unsigned school_span = school_months;
      CellCount* const cells = s.cells.data();
      std::int64_t* const pref_stock = s.pref_stock.data();
      PlaceCount* const places = s.places.data();
      WageCount* const wages = s.wages.data();
      auto count = [&](std::size_t i) {
        if (m.fate[i] != kStay) return;
        auto municipality = m.municipality[i];
        if (const auto principal = m.principal[i]; principal != kNone32) {
          if (m.fate[principal] != kStay) return;  // left with its principal
          municipality = m.municipality[principal];
        }
        const std::size_t field = m.field[i], status_field = dims.status_field(m.status[i], field);
        CellCount& cell = cells[dims.cell_of(status_field, m.origin[i])];
        PlaceCount& place = places[municipality];
        const auto p = prefecture_of(municipality);
        ++cell.stock;
        ++pref_stock[dims.pref_cell_of(p, status_field)];
        ++place.residents;
        // School age in whole years, as months of age (no division per agent); one compare.
        if (static_cast<unsigned>(school_born_by - m.born[i]) < school_span) ++place.children;
        if (m.employer[i] != kNone32) {
          ++cell.workers;
          ++place.workers;
          WageCount& wage = wages[p * dims.fields + field];
          wage.sum += whole_wage_of(i);
          ++wage.n;
        }
      };
      // What an agent further on will look up elsewhere (its employer's card, its principal),
      // asked for now: the agents are read in order, those look-ups at random.
      const std::size_t last_ahead = end - begin > kCensusAhead ? end - kCensusAhead : begin;
      std::size_t i = begin;
      for (; i < last_ahead; ++i) {
        const std::size_t ahead = i + kCensusAhead;
        if (const auto employer = m.employer[ahead]; employer != kNone32) __builtin_prefetch(&employers.card(employer));
        if (const auto principal = m.principal[ahead]; principal != kNone32) {
          __builtin_prefetch(&m.fate[principal]);
          __builtin_prefetch(&m.municipality[principal]);
        }
        count(i);
      }
      for (; i < end; ++i) count(i);
    });
    struct Totals {
      std::vector<std::int64_t> stock, workers, pref_stock, residents, municipal_workers, children, wage_sum, wage_n;
    };
    Totals total{std::vector<std::int64_t>(d.national()),     std::vector<std::int64_t>(d.national()),
                 std::vector<std::int64_t>(d.prefecture()),   std::vector<std::int64_t>(d.municipalities),
                 std::vector<std::int64_t>(d.municipalities), std::vector<std::int64_t>(d.municipalities),
                 std::vector<std::int64_t>(d.market()),       std::vector<std::int64_t>(d.market())};
    for (const auto& s : local) {
      for (std::size_t k = 0; k < d.national(); ++k) {
        total.stock[k] += s.cells[k].stock;
        total.workers[k] += s.cells[k].workers;
      }
      for (std::size_t k = 0; k < d.prefecture(); ++k) total.pref_stock[k] += s.pref_stock[k];
      for (std::size_t k = 0; k < d.municipalities; ++k) {
        total.residents[k] += s.places[k].residents;
        total.municipal_workers[k] += s.places[k].workers;
        total.children[k] += s.places[k].children;
      }
      for (std::size_t k = 0; k < d.market(); ++k) {
        total.wage_sum[k] += s.wages[k].sum;
        total.wage_n[k] += s.wages[k].n;
      }
    }
    children_at_census = total.children;
    check_live_counts(total.stock, total.residents);
    Stopwatch clock;
    if (adapt) {
      std::vector<double> places(d.municipalities, 0.0), open(d.municipalities, 0.0),
          unfilled_share(d.municipalities, 0.0);
      for (std::size_t q = 0; q < employers.store().size(); ++q) {
        places[employers.store().municipality[q]] += employers.store().capacity[q];
        if (employers.store().capacity[q] > employers.store().filled[q]) open[employers.store().municipality[q]] += employers.store().capacity[q] - employers.store().filled[q];
      }
      for (std::size_t q = 0; q < d.municipalities; ++q) unfilled_share[q] = places[q] > 0 ? open[q] / places[q] : 0.0;
      municipalities.adapt_policies(year, total.residents, counts.residents_by_origin, unfilled_share);
    }
    update_municipalities();
    timings.municipalities += clock.lap();

    YearTally flows(d);
    for (const auto& t : tallies) flows.add(t);
    for (auto& t : tallies) t.clear();

    const std::int64_t k = persons_per_agent;
    auto persons = [k](std::vector<std::int64_t> v) {
      for (auto& x : v) x *= k;
      return v;
    };
    auto slice = [&](std::size_t offset, std::size_t size) {
      return persons(std::vector<std::int64_t>(flows.v.begin() + static_cast<std::ptrdiff_t>(offset),
                                               flows.v.begin() + static_cast<std::ptrdiff_t>(offset + size)));
    };
    YearOutput out;
    out.year = year;
    const std::size_t nat = d.national();
    auto nat_flow = [&](NationalFlow f) { return slice(f * nat, nat); };
    out.national = {
        {"stock", "foreign residents at the census month", "persons", persons(total.stock), {}},
        {"workers", "of the stock, in employment", "persons", persons(total.workers), {}},
        {"entries", "arrivals from abroad (family members who joined included)", "persons", nat_flow(kEntries), {}},
        {"exits",
         "left the foreign-resident population: return abroad, death, naturalisation, expiry",
         "persons",
         nat_flow(kExits),
         {}},
        {"absconded", "left their status without permission", "persons", nat_flow(kAbsconded), {}},
        {"transitions_in",
         "status changes, counted in the cell of the new status",
         "persons",
         nat_flow(kTransitionsIn),
         {}},
        {"transitions_out",
         "status changes, counted in the cell of the old status",
         "persons",
         nat_flow(kTransitionsOut),
         {}},
        {"field_changes_in",
         "field changes, counted in the cell of the new field",
         "persons",
         nat_flow(kFieldChangesIn),
         {}},
        {"field_changes_out",
         "field changes, counted in the cell of the old field",
         "persons",
         nat_flow(kFieldChangesOut),
         {}},
        {"employer_changes",
         "changes of employer, in the cell after the change",
         "persons",
         nat_flow(kEmployerChanges),
         {}},
        {"family_joined", "family members who joined a principal of this cell", "persons", nat_flow(kFamilyJoined), {}},
    };
    const std::size_t pref_offset = kNationalFlows * nat;
    const std::size_t pn = d.prefecture();
    auto pref_flow = [&](PrefectureFlow f) { return slice(pref_offset + f * pn, pn); };
    out.prefecture = {
        {"stock", "foreign residents at the census month", "persons", persons(total.pref_stock), {}},
        {"entries", "arrivals from abroad", "persons", pref_flow(kPrefEntries), {}},
        {"exits", "left the foreign-resident population", "persons", pref_flow(kPrefExits), {}},
        {"moves_in", "arrived from another prefecture", "persons", pref_flow(kMovesIn), {}},
        {"moves_out", "left for another prefecture", "persons", pref_flow(kMovesOut), {}},
        {"employer_changes",
         "changes of employer, where the new employer is",
         "persons",
         pref_flow(kPrefEmployerChanges),
         {}},
    };
    std::vector<std::int64_t> ajts(municipalities.state().ajts.begin(), municipalities.state().ajts.end());
    auto flags = [](const std::vector<std::uint8_t>& v) { return std::vector<std::int64_t>(v.begin(), v.end()); };
    std::vector<std::int64_t> spending(d.municipalities);
    for (std::size_t q = 0; q < d.municipalities; ++q) spending[q] = std::llround(municipalities.state().spending_yen[q]);
    std::vector<std::int64_t> agreements(d.municipalities, 0);
    for (std::size_t q = 0; q < d.municipalities; ++q)
      for (std::size_t o = 0; o < d.origins; ++o) agreements[q] += municipalities.state().agreements[q * d.origins + o];
    out.municipality = {
        {"foreign_residents", "foreign residents at the census month", "persons", persons(total.residents), {}},
        {"foreign_workers", "foreign residents in employment", "persons", persons(total.municipal_workers), {}},
        {"school_age_children",
         "foreign residents of school age (" + std::to_string(sc.family.school_age_min_years) + "-" +
             std::to_string(sc.family.school_age_max_years) + ")",
         "persons",
         persons(total.children),
         {}},
        {"ajts", "assistant Japanese teachers for foreign children", "teachers", ajts, {}},
        {"integration_index", "integration level from the policy portfolio (0-1)", "1", {}, municipalities.state().integration},
        {"agreements", "cooperation agreements with origins", "agreements", agreements, {}},
        {"language_classes", "runs Japanese classes (0/1)", "1", flags(municipalities.state().language_classes), {}},
        {"consultation", "runs a consultation service (0/1)", "1", flags(municipalities.state().consultation), {}},
        {"residents_assembly", "has a foreign residents' assembly (0/1)", "1", flags(municipalities.state().residents_assembly), {}},
        {"employer_subsidy", "subsidises employers of foreign workers (0/1)", "1", flags(municipalities.state().employer_subsidy), {}},
        {"policy_spending_yen", "yearly cost of the portfolio", "yen per year", spending, {}},
        {"entries_by_origin",
         "arrivals from abroad by nationality",
         "persons",
         slice(kNationalFlows * nat + kPrefectureFlows * pn + kMarketFlows * d.market(), d.municipal_origin()),
         {},
         {"municipality", "origin"}},
    };
    const std::size_t market_offset = pref_offset + kPrefectureFlows * pn;
    const std::size_t mn = d.market();
    std::vector<std::int64_t> unfilled(mn, 0), mean_wage(mn, 0), establishments(mn, 0);
    for (std::size_t q = 0; q < employers.store().size(); ++q) ++establishments[prefecture_of(employers.store().municipality[q]) * d.fields + employers.store().field[q]];
    for (std::size_t q = 0; q < employers.store().size(); ++q)
      if (employers.store().capacity[q] > employers.store().filled[q])
        unfilled[prefecture_of(employers.store().municipality[q]) * d.fields + employers.store().field[q]] += employers.store().capacity[q] - employers.store().filled[q];
    for (std::size_t q = 0; q < mn; ++q)
      mean_wage[q] = total.wage_n[q] ? (total.wage_sum[q] + total.wage_n[q] / 2) / total.wage_n[q] : 0;
    out.labour_market = {
        {"vacancies_posted",
         "places opened for foreign workers during the year",
         "persons",
         slice(market_offset + kVacanciesPosted * mn, mn),
         {}},
        {"vacancies_unfilled", "open places at the census month", "persons", persons(unfilled), {}},
        {"cap_blocked",
         "admissions refused by a field cap",
         "persons",
         slice(market_offset + kCapBlocked * mn, mn),
         {}},
        {"mean_wage_yen", "mean monthly wage of foreign workers employed", "yen per month", mean_wage, {}},
        {"employers",
         "establishments employing foreign workers (each employer agent stands for persons_per_agent of them)",
         "establishments",
         persons(establishments),
         {}},
    };
    return out;
  }

  void step(std::uint32_t step_number, MonthIndex date) {
    now = static_cast<std::int32_t>(step_number);
    timings.migrant_steps += alive();
    Stopwatch clock;
    apply_events(date);
    const bool census_month = month_of(date) == sc.census_month;
    if (census_month) {
      employers.grow(step_number, tallies);
      employers.count_market_wages();
    }
    employers.update_market_wages();
    timings.employers += clock.lap();
    migrant_phase();
    const std::size_t chunk_count = (m.size() + kChunk - 1) / kChunk;
    apply_separations(chunk_count);
    admit_capped_transitions(chunk_count);
    timings.migrants += clock.lap();
    labour_market(step_number, chunk_count);
    timings.matching += clock.lap();
    // New agents: residents counted here (an arrival's stock cell was counted in its market).
    new_agents.assign(other_arrivals.begin(), other_arrivals.end());
    for (const auto& list : field_arrivals) new_agents.insert(new_agents.end(), list.begin(), list.end());
    const std::size_t arrivals = new_agents.size();
    for (std::size_t c = 0; c < chunk_count; ++c)  // counted when their family joined
      new_agents.insert(new_agents.end(), chunks[c].joined.begin(), chunks[c].joined.end());
    append_all(new_agents, other_arrivals.size(), arrivals);
    // Departed agents are removed once they hold a third of the places: each compaction moves
    // every survivor, and the departed cost the monthly passes little meanwhile (a fifth measured
    // about 0.5 s slower over the baseline at two threads: bench/RESULTS.md).
    if (static_cast<std::int64_t>(m.size()) - alive() >= static_cast<std::int64_t>(m.size() / 3)) compact();
    timings.migrants += clock.lap();
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
    auto& s = impl_->sc;
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
    impl_->apply_events(s.start, true);
    impl_->schedule_range(0, impl_->m.size(), 1);
    impl_->update_municipalities();
    timings.setup += clock.lap();
    write(impl_->census(s.first_year(), false));
    timings.output += clock.lap();
    const int steps = s.end - s.start;
    for (int t = 1; t <= steps; ++t) {
      const MonthIndex date = s.start + t;
      impl_->step(static_cast<std::uint32_t>(t), date);
      clock.lap();
      if (month_of(date) == s.census_month) {
        const double before = timings.municipalities;
        YearOutput year = impl_->census(year_of(date));
        const double census_seconds = clock.lap();
        write(std::move(year));
        // census() times its municipal part itself; the rest is output.
        timings.output += census_seconds - (timings.municipalities - before) + clock.lap();
      }
      if (options.progress) options.progress(t, steps);
    }
    writing.wait();
    timings.output += clock.lap();
  });
  if (options.timings) *options.timings = impl_->timings;
}

}  // namespace migsim
