// The migrants: the population store (every agent's state, one array per variable) and what
// happens to an agent in a month: its plan (the month it next acts, from its hazard clocks and the
// dates its status fixes), its action (exit, absconding, transitions, expiry, job search, family),
// its hire, its arrival and its departure. The unit writes only its own store; what it reads of
// the rules, hazards, employers and municipalities it holds by const reference, and what it counts
// goes to the thread's tallies.
#pragma once

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "employers/employers.hpp"
#include "engine/rng.hpp"
#include "engine/tally.hpp"
#include "engine/world.hpp"
#include "migrants/clocks.hpp"
#include "migrants/entrants.hpp"
#include "migrants/family.hpp"
#include "migrants/hazards.hpp"
#include "migrants/learning.hpp"
#include "migrants/population.hpp"
#include "migsim/scenario.hpp"
#include "municipalities/municipalities.hpp"
#include "rules/caps.hpp"
#include "rules/employer_change.hpp"
#include "rules/policy_in_force.hpp"
#include "rules/status_rules.hpp"

namespace migsim {

class Migrants {
 public:
  Migrants(const Scenario& scenario, const Dims& dims, const StatusRules& rules, const CapLedger& caps,
           const PolicyInForce& policy, const Hazards& hazards, const LearningRates& learning,
           const Employers& employers, const Municipalities& municipalities, const EntrantDraws& entrants,
           MonthCounts& counts)
      : scenario_(scenario),
        dims_(dims),
        rules_(rules),
        caps_(caps),
        policy_(policy),
        hazards_(hazards),
        learning_(learning),
        employers_(employers),
        municipalities_(municipalities),
        entrants_(entrants),
        counts_(counts),
        seed_(scenario.seed),
        behaviour_(scenario.behaviour),
        integration_(scenario.integration),
        family_(scenario.family) {}

  // ---- the population (population.cpp) ----
  // The initial agents: each stock cell's persons times the scale, rounded stochastically per cell,
  // with what their months in Japan taught them. Returns the workers per (field, municipality),
  // [field * municipalities + municipality], for whom employers are made.
  std::vector<std::int64_t> create_initial();
  // Each initial agent's employer (kNone32 for those who do not work).
  void take_initial_jobs(const std::vector<std::uint32_t>& employer_of);
  // This month's new agents in order, written in parallel (each its own places in the arrays)
  // and planned from the next month while their state is at hand. The first `arrivals` came
  // from abroad and are counted as residents here; of those, the first `direct` entered without
  // a job and are counted as entries here too (an entrant with a job was counted in its stock
  // cell and as an entry in its market, a family member when it joined).
  void append(const std::vector<NewAgent>& agents, std::size_t direct, std::size_t arrivals);
  // Departed agents and the family who left with them removed, by a stable compaction.
  void compact();

  const MigrantStore& store() const { return store_; }
  // The status a linked family member holds: the one its principal's status gives its family (a
  // member's own entry is brought up to date only at compaction).
  std::uint8_t family_status(std::uint8_t principal_status) const { return rules_.family_status(principal_status); }
  std::size_t size() const { return store_.size(); }

  // ---- the month ----
  void start_month(std::int32_t now) { now_ = now; }
  // Every agent planned from step `from` (at the start).
  void schedule_all(std::int32_t from) { schedule_range(0, store_.size(), from); }
  // The agents who act this month: those whose clocks tick or whose status sets a date now, and
  // the holders of a status whose rule changes now (their clocks re-drawn from the new rule
  // first). What they ask of later phases is left in each chunk's requests (decisions.cpp).
  void act();
  const ChunkRequests& requests(std::size_t chunk) const { return chunks_[chunk]; }
  // Transitions into capped statuses asked for this month, in id order, against the caps in
  // force; the employers left are released (capped_transitions.cpp).
  void admit_capped_transitions(std::size_t chunk_count, CapLedger& caps, Employers& employers);
  // Field f's job seekers in agent order (the chunks' in chunk order), then those whose new
  // status sent them (in the order of the status changes) (hiring.cpp).
  void gather_seekers(std::size_t field, std::size_t chunk_count, std::vector<Seeker>& list) const;
  void forget_status_changer_seekers() { status_changer_seekers_.clear(); }
  // The seekers hired in field f's market take their jobs, after the market (which reads nothing
  // of them), in one pass (hiring.cpp).
  void take_jobs(std::size_t field, const std::vector<Seeker>& seekers, const std::vector<Hire>& hires,
                 Employers& employers, Tally& tally, StepDelta& delta);

  // Agent i's wage to the nearest yen (rounded only when raised: the employer's wage is whole yen).
  std::int64_t whole_wage_of(std::size_t i) const {
    const auto wage = employers_.card(store_.employer[i]).wage_yen;
    const double factor = wage_factor(i);
    return factor == 1.0 ? wage : std::llround(wage * factor);
  }

 private:
  bool still_abroad(Stream& r, const StatusRule& rule, std::int32_t months_in_status) const;

  const Scenario& scenario_;
  const Dims dims_;  // by value: read by every action
  const StatusRules& rules_;
  const CapLedger& caps_;
  const PolicyInForce& policy_;
  const Hazards& hazards_;
  const LearningRates& learning_;
  const Employers& employers_;
  const Municipalities& municipalities_;
  const EntrantDraws& entrants_;
  MonthCounts& counts_;
  // Held by value, not through the scenario: read by every action.
  const std::uint64_t seed_;
  const BehaviourParameters behaviour_;
  const IntegrationParameters integration_;
  const FamilyParameters family_;

  MigrantStore store_;
  std::uint32_t next_id_ = 0;
  std::int32_t now_ = 0;  // the step being simulated (0: the start)
  std::vector<ChunkRequests> chunks_;
  std::vector<Seeker> status_changer_seekers_;  // from admissions to capped statuses, in id order
  std::vector<std::uint32_t> new_place_;        // reused by compact()

  enum Clock : std::uint8_t { kExitClock = 1, kAbscondClock = 2, kSearchClock = 4, kFamilyClock = 8 };

  std::int32_t months_in_status(std::size_t i) const { return now_ - store_.status_since[i]; }
  std::int32_t months_with_employer(std::size_t i) const { return now_ - store_.employer_since[i]; }

  // What planning and learning read of an agent: its arrays, each read only if needed (an agent
  // that acts), or values already at hand (a hired seeker's record and its new job).
  struct StoredAgent {
    const MigrantStore& store;
    std::size_t i;
    std::uint32_t id() const { return store.id[i]; }
    std::uint32_t employer() const { return store.employer[i]; }
    std::uint16_t municipality() const { return store.municipality[i]; }
    std::int16_t status_since() const { return store.status_since[i]; }
    std::int16_t employer_since() const { return store.employer_since[i]; }
    std::uint8_t status() const { return store.status[i]; }
    std::uint8_t field() const { return store.field[i]; }
    std::uint8_t origin() const { return store.origin[i]; }
    std::uint8_t family() const { return store.family[i]; }
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
  void learn_until(std::size_t i) { learn_until(i, StoredAgent{store_, i}); }
  template <class Agent>
  void learn_until(std::size_t i, const Agent& a) {
    learning_.add_up(store_.learning[i], a, now_);
  }

  // The bounds of agent i's hazard clocks, from its status, family, employer (whose working
  // conditions are its own for good) and municipality (its integration floor); each holds until
  // one of them changes, and every such change re-plans the agent.
  const Bound& exit_bound_of(std::size_t i) const {
    return hazards_.exit_bound(store_.status[i], store_.family[i], store_.municipality[i]);
  }
  const Bound& abscond_bound_of(std::size_t i) const {
    return hazards_.abscond_bound(store_.status[i], employers_.card(store_.employer[i]).conditions);
  }
  const Bound& search_bound_of(std::size_t i) const {
    return hazards_.search_bound(store_.status[i], employers_.card(store_.employer[i]).conditions,
                                 store_.municipality[i]);
  }
  double bad_conditions_of(std::size_t i) const {
    return store_.employer[i] != kNone32 ? Hazards::bad_conditions(employers_.card(store_.employer[i]).conditions)
                                         : 0.0;
  }

  // The monthly wage agent i earns: the employer's, raised in year 2 where the rules require it.
  // Whether agent i is owed the year-2 raise of a status whose restriction is longer than its rule's threshold.
  bool second_year_raise(std::size_t i) const {
    return employer_change::raise_due(rules_[store_.status[i]],
                                      rules_.raise_in_year_two(dims_.status_field(store_.status[i], store_.field[i])),
                                      months_with_employer(i));
  }

  // What agent i's employer's wage is multiplied by: the year-2 raise, or 1.
  double wage_factor(std::size_t i) const {
    return second_year_raise(i) ? 1.0 + rules_[store_.status[i]].second_year_wage_raise : 1.0;
  }
  double wage_of(std::size_t i) const { return employers_.card(store_.employer[i]).wage_yen * wage_factor(i); }

  // Satisfaction 0-1 from the wage (against the prefectural minimum and what the field pays
  // there), working conditions and the municipality's integration; asked only when an exit
  // clock ticks, so computed then.
  double satisfaction(std::size_t i) const {
    const double integration = municipalities_.integration(store_.municipality[i]);
    if (store_.employer[i] == kNone32) return integration;
    return employers_.job_satisfaction(store_.employer[i], wage_of(i)) +
           behaviour_.satisfaction_weight_integration * integration / employers_.satisfaction_weight_total();
  }

  // Plans agent i's next month of action from step `from` on: the dates its status fixes (a
  // transition's attempt, the end of the stay, the month a clock may start) and the first tick
  // of its hazard clocks. Ticks are geometric, hence memoryless: re-planning at any step is
  // exact with fresh draws (`r`: the acting agent's stream, else one of its own).
  void schedule(std::size_t i, std::int32_t from, Stream* r = nullptr) {
    if (store_.fate[i] != kStay || store_.principal[i] != kNone32) {
      store_.next_wake[i] = kNeverStep;
      store_.wake_clocks[i] = 0;
      return;
    }
    plan(i, from, r);
  }

  // schedule() for an agent known to be here and not a linked family member.
  void plan(std::size_t i, std::int32_t from, Stream* r = nullptr) { plan(i, StoredAgent{store_, i}, from, r); }
  template <class Agent>
  void plan(std::size_t i, const Agent& a, std::int32_t from, Stream* r = nullptr) {
    const auto status = a.status();
    const auto& rule = rules_[status];
    const std::int64_t since = a.status_since();
    std::int64_t next = kNeverStep;
    if (since + rules_.last_attempt(status) >= from)
      for (const auto& tr : rule.transitions) {
        const std::int64_t attempt = since + StatusRules::attempt_month(tr);
        if (attempt >= from) next = std::min(next, attempt);
      }
    if (rule.max_stay_months != kUnlimitedMonths)
      next = std::min(next, std::max<std::int64_t>(from, since + rule.max_stay_months));
    if (rule.first_term_months > 0 && since + rule.first_term_months >= from)
      next = std::min(next, since + rule.first_term_months);
    const auto field = a.field();
    const auto employer = a.employer();
    const bool employed = employer != kNone32;
    const std::size_t status_field = dims_.status_field(status, field);
    const bool at_work = rules_.works_in(status_field);
    const bool covered = rules_.covered_field(status_field) == field;
    // Acting every month: a worker without a job looks for one, one whose status no longer
    // covers their field for a job in one it does.
    if (!covered || (at_work && !employed)) next = from;
    // The clocks, and the months they start ticking: from now, or later (a search once the rules
    // allow one, a family once it may join). The agent's clocks in their order (exit, absconding,
    // search, family): those its state has, written out (a call per clock cost as much as a plan).
    const auto family = a.family();
    const auto municipality = a.municipality();
    std::array<const Bound*, 4> clock_bound;
    std::array<std::int64_t, 4> clock_start;
    std::array<std::uint8_t, 4> clock_bit;
    std::size_t count = 0;
    clock_bound[count] = &hazards_.exit_bound(status, family, municipality);
    clock_start[count] = from;
    clock_bit[count++] = kExitClock;
    if (employed) {
      const auto conditions = employers_.card(employer).conditions;
      clock_bound[count] = &hazards_.abscond_bound(status, conditions);
      clock_start[count] = from;
      clock_bit[count++] = kAbscondClock;
      if (at_work && covered && employer_change::ever_allowed(rule)) {
        clock_bound[count] = &hazards_.search_bound(status, conditions, municipality);
        clock_start[count] = employer_change::search_from(rule, field, a.employer_since(), from);
        clock_bit[count++] = kSearchClock;
      }
    }
    if (rule.family_allowed && abroad(family) != 0) {
      clock_bound[count] = &hazards_.family_bound();
      clock_start[count] = std::max<std::int64_t>(from, since + rule.family_delay_months);
      clock_bit[count++] = kFamilyClock;
    }
    // Between one start and the next, the clocks started tick together in a month with
    // probability 1 - prod(1 - bound): one geometric draw gives the first such month, then which
    // of them tick, given that one does. No tick before the next start: the months being
    // independent, the draw is made again from there with the clock that starts.
    std::uint8_t clocks = 0;
    std::optional<Stream> own;
    for (std::int64_t segment = from; segment <= next && segment < kNeverStep;) {
      // The stretch being drawn: the started clocks that can tick, in order (their bounds and
      // bits), and the next start, where it ends (most plans have no other).
      std::array<double, 4> live_bound;
      std::array<std::uint8_t, 4> live_clock;
      std::size_t live = 0;
      double none_tick = 1.0, log_none = 0.0;
      std::int64_t segment_end = kNeverStep;
      for (std::size_t k = 0; k < count; ++k) {
        if (clock_start[k] > segment) {
          segment_end = std::min(segment_end, clock_start[k]);
        } else if (const double p = clock_bound[k]->p; p > 0.0) {
          none_tick *= 1.0 - p;
          log_none += clock_bound[k]->log_none;
          live_bound[live] = p;
          live_clock[live++] = clock_bit[k];
        }
      }
      if (none_tick < 1.0) {
        if (!r) r = &own.emplace(seed_, Purpose::schedule, static_cast<std::uint32_t>(from), a.id());
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
    }
    store_.next_wake[i] = static_cast<std::int16_t>(std::min<std::int64_t>(next, kNeverStep));
    store_.wake_clocks[i] = next < kNeverStep ? clocks : 0;
  }

  void schedule_range(std::size_t begin, std::size_t end, std::int32_t from) {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(begin, end, kChunk), [&](const auto& range) {
      for (std::size_t i = range.begin(); i < range.end(); ++i) schedule(i, from);
    });
  }

  // Agent i leaves the foreign-resident population (`how`), and the family living with it.
  // `Delta`: a thread's changes (StepDelta) or, in a sequential phase, the counts themselves.
  template <class Delta>
  void leave(std::size_t i, Fate how, Tally& tally, Delta& delta, std::vector<std::uint32_t>& separations) {
    store_.fate[i] = how;
    store_.next_wake[i] = kNeverStep;
    const auto municipality = store_.municipality[i];
    const auto p = municipalities_.prefecture_of(municipality);
    ++tally.national(how == kExit ? kExits : kAbsconded, store_.status[i], store_.field[i], store_.origin[i]);
    if (how == kExit) ++tally.prefecture(kPrefExits, p, store_.status[i], store_.field[i]);
    if (store_.employer[i] != kNone32) separations.push_back(store_.employer[i]);
    delta.add(store_.status[i], store_.field[i], municipality, store_.origin[i], -1);
    if (const std::int32_t family = store_.linked_family[i]) {
      const auto dependent = rules_.family_status(store_.status[i]);
      tally.national(kExits, dependent, rules_.none_field(), store_.origin[i]) += family;
      tally.prefecture(kPrefExits, p, dependent, rules_.none_field()) += family;
      delta.add(dependent, rules_.none_field(), municipality, store_.origin[i], -family);
    }
  }

  // Agent i's seeker record, added to `list` field by field where it is kept: a record built
  // aside is copied with wide loads just after its narrow fields were stored, and such a load
  // waits until those stores are written (no store forwarding).
  void record_seeker(std::vector<Seeker>& list, std::size_t i, std::uint8_t target_field, bool must_move) const {
    Seeker& s = list.emplace_back();
    s.agent = static_cast<std::uint32_t>(i);
    s.id = store_.id[i];
    s.employer = store_.employer[i];
    s.municipality = store_.municipality[i];
    s.status_since = store_.status_since[i];
    s.status = store_.status[i];
    s.field = store_.field[i];
    s.origin = store_.origin[i];
    s.family = store_.family[i];
    s.target_field = target_field;
    s.must_move = must_move;
  }

  // Status change of agent i in its own cell; a status that does not work leaves the job.
  template <class Delta>
  void change_status(std::size_t i, std::uint8_t to, Tally& tally, Delta& delta, ChunkRequests* requests,
                     std::vector<std::uint32_t>* separations) {
    learn_until(i);
    const auto from = store_.status[i];
    const auto field = store_.field[i];
    const auto origin = store_.origin[i];
    ++tally.national(kTransitionsOut, from, field, origin);
    delta.status_field[dims_.status_field(from, field)] -= 1;
    // The family living with it takes the status the new status's family holds (a permanent
    // resident's family cannot stay on 家族滞在).
    if (const std::int32_t family = store_.linked_family[i]) {
      const auto family_from = rules_.family_status(from), family_to = rules_.family_status(to);
      if (family_from != family_to) {
        const auto none = rules_.none_field();
        tally.national(kTransitionsOut, family_from, none, origin) += family;
        tally.national(kTransitionsIn, family_to, none, origin) += family;
        delta.status_field[dims_.status_field(family_from, none)] -= family;
        delta.status_field[dims_.status_field(family_to, none)] += family;
      }
    }
    store_.status[i] = to;
    store_.status_since[i] = static_cast<std::int16_t>(now_);
    if (!rules_[to].works && scenario_.fields[field].employs) {
      if (store_.employer[i] != kNone32) {
        if (requests) requests->separations.push_back(store_.employer[i]);
        if (separations) separations->push_back(store_.employer[i]);
      }
      store_.employer[i] = kNone32;
      ++tally.national(kTransitionsIn, to, field, origin);
      ++tally.national(kFieldChangesOut, to, field, origin);
      ++tally.national(kFieldChangesIn, to, rules_.none_field(), origin);
      store_.field[i] = rules_.none_field();
    } else {
      ++tally.national(kTransitionsIn, to, field, origin);
      // A status that does not cover this field (a student who becomes an engineer): look for
      // a job in one it does, keeping this one until then (and every month after).
      const std::uint8_t covered = rules_.covered_field(dims_.status_field(to, field));
      if (covered != field) {
        record_seeker(requests ? requests->seekers_for(covered) : status_changer_seekers_, i, covered, true);
      }
    }
    delta.status_field[dims_.status_field(to, store_.field[i])] += 1;
  }

  // Agent `id` written at place i, from `a`. It arrives with a random fraction of a point of
  // Japanese and skill, so learning spreads a cohort out: the first word of `learning`, its
  // stream (seed, learning, 0, id).
  void place(std::size_t i, const NewAgent& a, std::uint32_t id, Stream& learning) {
    const std::uint32_t fraction = learning();
    const auto today = static_cast<std::int16_t>(now_);
    store_.id[i] = id;
    store_.fate[i] = kStay;
    store_.status[i] = a.status;
    store_.field[i] = a.field;
    store_.origin[i] = a.origin;
    store_.municipality[i] = a.municipality;
    store_.employer[i] = a.employer;
    store_.born[i] = static_cast<std::int16_t>(now_ - a.age_months);
    store_.status_since[i] = today;
    store_.employer_since[i] = today;
    store_.next_wake[i] = kNeverStep;
    store_.wake_clocks[i] = 0;
    store_.family[i] = a.family_abroad;
    store_.linked_family[i] = 0;
    store_.principal[i] = a.principal;
    // What the status asks of entrants.
    store_.learning[i].japanese = static_cast<std::uint16_t>(
        (std::uint32_t{rules_[a.status].entry_japanese} << kPointShift) + (fraction & 0xFFU));
    store_.learning[i].skill = static_cast<std::uint16_t>((std::uint32_t{rules_[a.status].entry_skill} << kPointShift) +
                                                          ((fraction >> 8) & 0xFFU));
    store_.learning[i].learned_to = today;
  }

  // ---- the month's action (decisions.cpp, family_joins.cpp); those defined inline there are
  // inlined into the phase that calls them (one call site each) ----
  void gather_due(std::size_t begin, std::size_t end, std::int16_t today,
                  UninitialisedVector<std::uint32_t>& due) const;
  void prefetch_actor(std::size_t i) const;
  void act_one(std::size_t i, std::uint8_t clocks, Stream& r, ChunkRequests& requests, Tally& tally, StepDelta& delta);
  bool decide(std::size_t i, Stream& r, const StatusRule& rule, bool employed, double bad_conditions,
              std::uint8_t clocks, ChunkRequests& requests, Tally& tally, StepDelta& delta);
  void join_family(std::size_t i, Tally& tally, StepDelta& delta, std::vector<NewAgent>& joined);
  void move_to(std::size_t i, const Seeker& s, std::uint16_t to, std::uint8_t new_field, Tally& tally,
               StepDelta& delta);
};

}  // namespace migsim
