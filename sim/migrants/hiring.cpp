#include "migrants/migrants.hpp"

namespace migsim {

// Field f's seekers in agent order (the chunks' in chunk order), then those whose new status
// sent them (in the order of the status changes). They are still here: an agent who leaves
// this month does so before it could ask.
void Migrants::gather_seekers(std::size_t f, std::size_t chunk_count, std::vector<Seeker>& list) const {
  list.clear();
  for (std::size_t c = 0; c < chunk_count; ++c)
    if (f < chunks_[c].seekers.size())
      list.insert(list.end(), chunks_[c].seekers[f].begin(), chunks_[c].seekers[f].end());
  for (const auto& s : status_changer_seekers_)
    if (s.target_field == f) list.push_back(s);
}

// The agents hired in field f's market take their jobs, after the market (it reads nothing of
// them), in one pass.
void Migrants::take_jobs(std::size_t f, const std::vector<Seeker>& seekers, const std::vector<Hire>& hires,
                         Employers& employers, Tally& tally, StepDelta& delta) {
  const auto field = static_cast<std::uint8_t>(f);
  const auto today = static_cast<std::int16_t>(now_);
  for (std::size_t h = 0; h < hires.size(); ++h) {
    // What a hire a few ahead reads and writes of the agent arrays and tables, asked for from
    // memory now (the hires are scattered over them), from its seeker's record, asked for
    // twice as far ahead (the market read it long before).
    if (h + 2 * kAhead < hires.size()) __builtin_prefetch(&seekers[hires[h + 2 * kAhead].seeker]);
    if (h + kAhead < hires.size()) {
      const auto& ahead = hires[h + kAhead];
      const Seeker& record = seekers[ahead.seeker];
      prefetch_at(record.agent, store_.learning, store_.linked_family, store_.municipality, store_.employer,
                  store_.field, store_.employer_since, store_.next_wake, store_.wake_clocks);
      learning_.prefetch(record.municipality, record.origin);
      __builtin_prefetch(&employers_.card(ahead.employer));
      __builtin_prefetch(&employers_.store().filled[ahead.employer], 1);
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
    move_to(i, s, hire.municipality, field, tally, delta);
    agent.employer_ = store_.employer[i] = hire.employer;
    agent.municipality_ = hire.municipality;
    agent.field_ = store_.field[i] = field;
    store_.employer_since[i] = today;
    plan(i, agent, now_ + 1);  // a seeker is here and not a linked family member
  }
}

// Hired seeker s (agent i) and the family living with it move to `to`; the caller has added up
// their learning at the old place first.
inline void Migrants::move_to(std::size_t i, const Seeker& s, std::uint16_t to, std::uint8_t new_field, Tally& tally,
                              StepDelta& delta) {
  const auto from = s.municipality;
  if (from == to) return;
  const auto old_pref = municipalities_.prefecture_of(from), new_pref = municipalities_.prefecture_of(to);
  const std::int32_t family = store_.linked_family[i];
  if (old_pref != new_pref) {
    ++tally.prefecture(kMovesOut, old_pref, s.status, s.field);
    ++tally.prefecture(kMovesIn, new_pref, s.status, new_field);
    if (family > 0) {
      const auto dependent = rules_.family_status(s.status);
      tally.prefecture(kMovesOut, old_pref, dependent, rules_.none_field()) += family;
      tally.prefecture(kMovesIn, new_pref, dependent, rules_.none_field()) += family;
    }
  }
  delta.move(from, to, s.origin, 1 + family);
  store_.municipality[i] = to;
}

}  // namespace migsim
