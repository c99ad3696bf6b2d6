#include <algorithm>
#include <array>
#include <optional>
#include <stdexcept>

#include "migrants/migrants.hpp"
#include "migrants/wakes.hpp"

namespace migsim {

// Only what a month's action reads of every actor (learning and dates are read when needed),
// into the L2 cache only: nine lines an actor, several actors ahead, are more misses than the
// first-level cache keeps in flight.
[[gnu::always_inline]] inline void Migrants::prefetch_actor(std::size_t i) const {
  prefetch_at<kToL2>(i, store_.id, store_.status, store_.field, store_.origin, store_.municipality, store_.employer,
                     store_.status_since, store_.wake_clocks, store_.family);
}

// The agents who act this month: those whose clocks tick or whose status sets a date now, and
// the holders of a status whose rule changes now (their clocks re-drawn from the new rule first).
void Migrants::act() {
  const std::size_t n = store_.size();
  const std::uint8_t* changed = policy_.rules_changing_at(now_);
  const bool everyone = std::any_of(changed, changed + dims_.statuses, [](std::uint8_t c) { return c != 0; });
  const auto today = static_cast<std::int16_t>(now_);
  if (chunks_.size() < chunks_of(n)) chunks_.resize(chunks_of(n));
  for_chunks(n, [&](std::size_t chunk, std::size_t begin, std::size_t end) {
    ChunkRequests& requests = chunks_[chunk];
    requests.clear();
    Tally& tally = counts_.tallies.local();
    StepDelta& delta = counts_.deltas.local();
    // The chunk's actors first, then each acted for with the next few actors' state already
    // on its way from memory: actors are a few in a hundred, so each is a cache miss per array.
    auto& actors = requests.actors;
    if (everyone)
      for (std::size_t i = begin; i < end; ++i)
        if (changed[store_.status[i]]) schedule(i, now_);
    gather_due(begin, end, today, actors);
    // Each actor's stream is started (its first block drawn) a few actors ahead too: the
    // block's arithmetic then overlaps the actions before it instead of waiting behind their
    // branches.
    std::array<Stream, kSeekerRing> streams;
    auto start_stream = [&](std::size_t k) {
      streams[k % kSeekerRing].restart(seed_, Purpose::migrant_step, static_cast<std::uint32_t>(now_),
                                       store_.id[actors[k]]);
    };
    for (std::size_t k = 0; k < std::min(kActorAhead, actors.size()); ++k) prefetch_actor(actors[k]);
    for (std::size_t k = 0; k < std::min(kActorAhead / 2, actors.size()); ++k) start_stream(k);
    for (std::size_t k = 0; k < actors.size(); ++k) {
      if (k + kActorAhead < actors.size()) prefetch_actor(actors[k + kActorAhead]);
      // Then its employer's card, once the actor's employer has had time to arrive, and, if
      // a clock that may make it leave ticks, the family that leaves with it.
      if (k + kActorAhead / 2 < actors.size()) {
        const auto ahead = actors[k + kActorAhead / 2];
        if (const auto employer = store_.employer[ahead]; employer != kNone32)
          __builtin_prefetch(&employers_.card(employer));
        if (store_.wake_clocks[ahead] & (kExitClock | kAbscondClock)) __builtin_prefetch(&store_.linked_family[ahead]);
        // And its learning, if it may attempt a transition (whose requirements read it).
        if (rules_.may_attempt_transition(store_.status[ahead], now_ - store_.status_since[ahead])) {
          prefetch_at(ahead, store_.learning);
          learning_.prefetch(store_.municipality[ahead], store_.origin[ahead]);
        }
        start_stream(k + kActorAhead / 2);
      }
      const auto i = actors[k];
      act_one(i, store_.next_wake[i] == today ? store_.wake_clocks[i] : 0, streams[k % kSeekerRing], requests, tally,
              delta);
    }
  });
  counts_.absorb_deltas();
}

// Sets `due` to the agents in [begin, end) whose next_wake is at most `today`, in order
// (sim/migrants/wakes.hpp), written without a capacity check to a list sized for all.
inline void Migrants::gather_due(std::size_t begin, std::size_t end, std::int16_t today,
                                 UninitialisedVector<std::uint32_t>& due) const {
  due.resize(end - begin);
  due.resize(migsim::gather_due(store_.next_wake.data(), begin, end, today, due.data()));
}

// Agent i's month: a ticking clock becomes its event with probability hazard / bound (exit
// first, then absconding), then transitions, expiry, job search and family (decide).
// `r` is the agent's stream of this month (Purpose::migrant_step), from its start.
inline void Migrants::act_one(std::size_t i, std::uint8_t clocks, Stream& r, ChunkRequests& requests, Tally& tally,
                              StepDelta& delta) {
  const auto status = store_.status[i];
  const auto& rule = rules_[status];
  const bool employed = store_.employer[i] != kNone32;
  const double bad_conditions = bad_conditions_of(i);
  if (clocks & kExitClock) {
    const auto municipality = store_.municipality[i];
    // A family living here stays longer where AJTs cover the children (never above the bound).
    const double family_factor =
        hazards_.exit_family_factor(store_.family[i], months_in_status(i)) *
        ((store_.family[i] & kFamilyHereBit) ? municipalities_.family_stay_factor(municipality) : 1.0);
    const double exit =
        hazards_.exit(status, municipalities_.integration(municipality), satisfaction(i), family_factor);
    const Bound& bound = exit_bound_of(i);
    if (Hazards::exceeds(exit, bound)) throw std::logic_error("internal error: an exit hazard exceeds its bound");
    if (r.uniform() * bound.p < exit) {
      leave(i, kExit, tally, delta, requests.separations);
      return;
    }
  }
  if (employed && (clocks & kAbscondClock)) {
    const double abscond = hazards_.abscond(
        status, bad_conditions, employer_change::allowed_now(rule, store_.field[i], months_with_employer(i)));
    if (r.uniform() * abscond_bound_of(i).p < abscond) {
      leave(i, kAbscond, tally, delta, requests.separations);
      return;
    }
  }
  if (decide(i, r, rule, employed, bad_conditions, clocks, requests, tally, delta)) plan(i, now_ + 1, &r);
}

// Transitions, expiry, job search and family for one agent who neither left nor absconded.
// Returns whether the agent stays.
inline bool Migrants::decide(std::size_t i, Stream& r, const StatusRule& rule, bool employed, double bad_conditions,
                             std::uint8_t clocks, ChunkRequests& requests, Tally& tally, StepDelta& delta) {
  const std::int32_t in_status = months_in_status(i);
  const bool expiring = in_status >= rule.max_stay_months;
  const auto field = store_.field[i];
  const auto status = store_.status[i];
  // Outside the months a transition is attempted in, none is (most actions are clock ticks).
  if (rules_.may_attempt_transition(status, in_status))
    for (const auto& tr : rule.transitions) {
      // One attempt when eligible, one more when the stay runs out.
      const bool attempt = in_status == StatusRules::attempt_month(tr) || (expiring && tr.after_months <= in_status);
      if (!attempt || !tr.fields_allowed[field]) continue;
      learn_until(i);  // Japanese and skill are added up only when they are read
      if (store_.learning[i].japanese < (tr.requires_japanese << kPointShift)) continue;
      // Integration helps settlement: transitions into statuses without a stay limit pass more often.
      const double screening =
          rules_[tr.to_status].max_stay_months == kUnlimitedMonths
              ? std::min(1.0, tr.pass_rate * (1.0 + integration_.settlement_boost *
                                                        municipalities_.integration(store_.municipality[i])))
              : tr.pass_rate;
      const double pass = screening * learning_.skill_test_pass(store_.learning[i].skill, tr.requires_skill);
      if (!r.bernoulli(pass)) continue;
      if (caps_.capped(dims_.status_field(tr.to_status, field))) {
        requests.capped.push_back({static_cast<std::uint32_t>(i), tr.to_status, expiring});
      } else {
        change_status(i, tr.to_status, tally, delta, &requests, nullptr);
      }
      return true;
    }
  if (expiring || (in_status == rule.first_term_months && !r.bernoulli(rule.renewal_share))) {
    // A closure strands some whose stay ends: they stay on under another status instead.
    if (const double stay_on = policy_.stay_on_share();
        stay_on > 0.0 && status != policy_.stay_on_status() && r.bernoulli(stay_on)) {
      change_status(i, policy_.stay_on_status(), tally, delta, &requests, nullptr);
      return true;
    }
    leave(i, kExit, tally, delta, requests.separations);
    return false;
  }
  // A seeker is recorded after its family may have joined, so its record holds the family
  // it has when it takes a job.
  std::optional<std::pair<std::uint8_t, bool>> seeks;  // (target field, must move)
  const std::size_t status_field = dims_.status_field(status, field);
  const std::uint8_t covered = rules_.covered_field(status_field);
  if (covered != field) {
    seeks.emplace(covered, true);
  } else if (rules_.works_in(status_field)) {
    auto searches = [&] {
      const double search = hazards_.search(rule, bad_conditions, municipalities_.integration(store_.municipality[i]));
      const Bound& bound = search_bound_of(i);
      if (Hazards::exceeds(search, bound)) throw std::logic_error("internal error: a search hazard exceeds its bound");
      return r.uniform() * bound.p < search;
    };
    if (!employed || ((clocks & kSearchClock) &&
                      employer_change::allowed_now(rule, store_.field[i], months_with_employer(i)) && searches())) {
      auto target = field;
      if (employer_change::may_change_field(rule) && rules_.employing_fields().size() > 1 &&
          r.bernoulli(rule.field_change_share)) {
        target = rules_.employing_fields()[r.below(static_cast<std::uint32_t>(rules_.employing_fields().size()))];
      }
      seeks.emplace(target, false);
    }
  }
  if ((clocks & kFamilyClock) && rule.family_allowed && abroad(store_.family[i]) != 0 &&
      in_status >= rule.family_delay_months &&
      r.uniform() * hazards_.family_bound().p <
          hazards_.family_join(municipalities_.integration(store_.municipality[i]))) {
    join_family(i, tally, delta, requests.joined);
  }
  if (seeks) record_seeker(requests.seekers_for(seeks->first), i, seeks->first, seeks->second);
  return true;
}

}  // namespace migsim
