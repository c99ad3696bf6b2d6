#include "market/matching.hpp"

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <numeric>
#include <optional>

namespace migsim {

void LabourMarket::run(std::uint32_t step, std::size_t chunk_count, Migrants& migrants, Employers& employers,
                       ApplicantsFromAbroad& applicants, CapLedger& caps, MonthCounts& counts) {
  // Each field's open places, counted once (each field's in parallel): they spread the
  // applicants over the fields, and each market's listing is built from them.
  std::vector<std::int64_t> open(dims_.fields);
  tbb::parallel_for(std::size_t{0}, dims_.fields, [&](std::size_t f) {
    open[f] = field_places_[f].count_open(employers.store(), employers.store().field_begin[f],
                                          employers.store().field_begin[f + 1],
                                          scenario_.employers.small_employer_places, municipalities_.prefectures());
  });
  employers.count_diaspora_openings(diaspora_open_);
  applicants.draw(step, open, diaspora_open_, counts.live);
  update_place_scores(counts.live);
  // Fields with the most to do first, each taken by the next free thread, so that a large
  // field does not start last (which field a thread takes does not change the result).
  std::vector<std::int64_t> work(dims_.fields);
  for (std::size_t f = 0; f < dims_.fields; ++f) {
    work[f] = (employers.store().field_begin[f + 1] - employers.store().field_begin[f]) / 4;
    for (std::size_t c = 0; c < chunk_count; ++c)
      work[f] += static_cast<std::int64_t>(migrants.requests(c).seekers_in(f));
    for (const auto& a : applicants.of_field(f)) work[f] += a.count;
  }
  std::vector<std::size_t> order(dims_.fields);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return work[a] > work[b]; });
  std::atomic<std::size_t> next{0};
  tbb::parallel_for(0, tbb::this_task_arena::max_concurrency(), [&](int) {
    for (std::size_t k; (k = next.fetch_add(1)) < order.size();) {
      migrants.gather_seekers(order[k], chunk_count, field_seekers_[order[k]]);
      match_field(order[k], step, migrants, employers, applicants, caps, counts);
    }
  });
  migrants.forget_status_changer_seekers();
  counts.absorb_deltas();
  // Employers who lost a worker to a rival: freed place, and a raise to keep the rest. Each
  // field's employers by one task, in the order of the markets and hires that took the workers.
  tbb::parallel_for(std::size_t{0}, dims_.fields, [&](std::size_t g) {
    Tally& tally = counts.tallies.local();
    for (std::size_t f = 0; f < dims_.fields; ++f) {
      const auto& departures = field_departures_[f * dims_.fields + g];
      for (std::size_t j = 0; j < departures.size(); ++j) {
        // What an employer a few further on reads and writes, asked for now (they are scattered).
        if (j + kAhead < departures.size()) {
          const auto& store = employers.store();
          prefetch_at(departures[j + kAhead], store.filled, store.municipality, store.field, store.wage_yen,
                      store.capacity, employers.cards());
        }
        employers.lose_worker_to_rival(departures[j], tally);
      }
    }
  });
}

// What a place adds to a job's score (city, co-nationals, integration): fixed during a market,
// since moves are counted after it.
void LabourMarket::update_place_scores(const StepCounts& live) {
  place_score_.resize(dims_.municipal_origin());
  for (std::size_t place = 0; place < dims_.municipalities; ++place) {
    const double residents = std::max<double>(1.0, static_cast<double>(live.residents[place]));
    for (std::size_t origin = 0; origin < dims_.origins; ++origin) {
      const double conationals =
          static_cast<double>(live.residents_by_origin[place * dims_.origins + origin]) / residents;
      place_score_[place * dims_.origins + origin] =
          (1.0 + scenario_.behaviour.urban_pull * municipalities_.urbanity(place)) *
          (1.0 + scenario_.origins[origin].network_elasticity * conationals) *
          (1.0 + scenario_.behaviour.integration_pull * municipalities_.integration(place));
    }
  }
}

// One field's market: job seekers first (in id order), then arrivals from abroad, over the
// field's open places. Touches only this field's employers, its own seekers and this field's
// stock counts; other counts change through the thread's delta, summed after the market.
void LabourMarket::match_field(std::size_t f, std::uint32_t step, Migrants& migrants, Employers& employers,
                               ApplicantsFromAbroad& from_abroad, CapLedger& caps, MonthCounts& counts) {
  Tally& tally = counts.tallies.local();
  StepDelta& delta = counts.deltas.local();
  Stream r(scenario_.seed, Purpose::matching, step, f);
  auto& places = field_places_[f];
  places.build(employers.store(), employers.store().field_begin[f], dims_.origins);
  for (std::size_t g = 0; g < dims_.fields; ++g) field_departures_[f * dims_.fields + g].clear();
  auto& hires = field_hires_[f];
  hires.clear();
  // Each seeker draws from a stream of its own. A few seekers ahead, its first two words are
  // drawn (where its two openings are looked for first) and those places and its employer's
  // card asked for from memory: the listing is too large for the cache and read at random.
  const auto& seekers = field_seekers_[f];
  // Which statuses look for work in their home prefecture only, held here (read twice a seeker).
  std::array<bool, 256> near_home{};
  for (std::size_t s = 0; s < dims_.statuses; ++s)
    near_home[s] = rules_[s].job_search_area == JobSearchArea::prefecture;
  std::array<Stream, kSeekerRing> ring;
  auto draw_ahead = [&](std::size_t q) {
    auto& draws = ring[q % kSeekerRing];
    draws.restart(scenario_.seed, Purpose::job_search, step, seekers[q].id);
    if (near_home[seekers[q].status]) {
      const auto home = municipalities_.prefecture_of(seekers[q].municipality);
      places.prefetch_first_in(home, draws.peek(0));
      places.prefetch_first_in(home, draws.peek(1));
    } else {
      places.prefetch_first(draws.peek(0));
      places.prefetch_first(draws.peek(1));
    }
    if (const auto employer = seekers[q].employer; employer != kNone32) __builtin_prefetch(&employers.card(employer));
  };
  for (std::size_t q = 0; q < std::min(kAhead, seekers.size()); ++q) draw_ahead(q);
  const double stay_home_factor = 1.0 - scenario_.behaviour.move_cost;
  for (std::size_t q = 0; q < seekers.size(); ++q) {
    if (places.open() == 0) break;
    if (q + kAhead < seekers.size()) draw_ahead(q + kAhead);
    const auto& seeker = seekers[q];
    const auto status = seeker.status;
    const auto origin = seeker.origin;
    // Look at two openings (in the home prefecture only, for those bound to it) and take the one
    // that scores better (wage, city, co-nationals, integration, less the cost of moving to
    // another prefecture); a worker with a job moves only if it beats the job they have.
    auto& own = ring[q % kSeekerRing];
    const auto home = municipalities_.prefecture_of(seeker.municipality);
    OpenPlaces::Opening opening{}, second{};
    if (near_home[status]) {
      const auto first_in = places.uniform_in(home, own);
      const auto second_in = places.uniform_in(home, own);
      if (!first_in || !second_in) continue;  // nothing open at home
      opening = *first_in;
      second = *second_in;
    } else {
      opening = places.uniform(own);
      second = places.uniform(own);
    }
    auto score = [&](const OpenPlaces::Opening& o) {
      return places.place(o).wage_yen * place_score_[places.municipality(o) * dims_.origins + origin] *
             (places.prefecture(o) == home ? 1.0 : stay_home_factor);
    };
    if (score(second) > score(opening)) opening = second;
    const std::uint32_t pick = places.employer(opening);
    if (!employers.store().hires_status(pick, status)) continue;  // that employer does not hire this status
    const std::uint32_t old_employer = seeker.employer;
    if (old_employer != kNone32 && !seeker.must_move &&
        (pick == old_employer ||
         score(opening) <= job_score(employers, old_employer, origin) * (1.0 + scenario_.behaviour.change_threshold)))
      continue;
    // Only a place about to be taken has its segment's ends asked for (most seekers stay put).
    places.prefetch_ends(opening.segment);
    const auto old_field = seeker.field;
    // Moving into a capped field is an admission like any other.
    if (old_field != f && caps.capped(dims_.status_field(status, f))) {
      if (!caps.allows(status, f, counts.live.status_field)) {
        ++tally.market(kCapBlocked, municipalities_.prefecture_of(places.municipality(opening)), f);
        continue;
      }
      caps.count_admission(dims_.status_field(status, f));
    }
    places.take(opening);
    const auto municipality = places.municipality(opening);
    if (old_field != f) {
      ++tally.national(kFieldChangesOut, status, old_field, origin);
      ++tally.national(kFieldChangesIn, status, f, origin);
      ++counts.live.status_field[dims_.status_field(status, f)];  // this field's: seen by the next cap check
      --delta.status_field[dims_.status_field(status, old_field)];
    }
    if (old_employer != kNone32) {
      ++tally.national(kEmployerChanges, status, f, origin);
      ++tally.prefecture(kPrefEmployerChanges, municipalities_.prefecture_of(municipality), status, f);
      field_departures_[f * dims_.fields + employers.card(old_employer).field].push_back(old_employer);
    }
    hires.push_back({static_cast<std::uint32_t>(q), pick, municipality});
  }
  migrants.take_jobs(f, seekers, hires, employers, tally, delta);

  auto& arrivals = field_arrivals_[f];
  arrivals.clear();
  auto& applicants = from_abroad.of_field(f);
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
    // Applicants who heard of a co-national firm's vacancies try its places first (half the tries).
    const int compatriot_tries = applicants[g].for_compatriot_firms ? kEntrantTries / 2 : 0;
    // This origin's pulls and agreements, one municipality every `stride`, held by value.
    const double* const pulls = from_abroad.pulls(origin);
    const std::uint8_t* const agreements = municipalities_.state().agreements.data() + origin;
    const std::size_t stride = dims_.origins;
    // An opening drawn in proportion to the vacancies open to this origin × the destination's
    // pull for it, taken if its employer recruits this applicant (bounded tries, then the
    // applicant is lost).
    std::optional<OpenPlaces::Opening> opening;
    std::uint32_t pick = 0;
    for (int attempt = 0; attempt < kEntrantTries && !opening && !places.offers_none(origin); ++attempt) {
      opening = places.pulled(
          origin, [pulls, stride](std::uint16_t place) { return pulls[place * stride]; },
          [agreements, stride](std::uint16_t place) { return agreements[place * stride] != 0; }, r);
      if (!opening) continue;
      if ((attempt < compatriot_tries && places.place(*opening).owner_origin != origin) ||
          !recruits_from(employers, places.place(*opening), places.municipality(*opening), origin, status, r))
        opening.reset();
    }
    if (!opening) continue;  // no employer here recruits this applicant
    // Only a place about to be taken has its segment's ends asked for (most tries are refused).
    places.prefetch_ends(opening->segment);
    pick = places.employer(*opening);
    const auto municipality = places.municipality(*opening);  // the employer's, from the cached segment
    const auto pref = municipalities_.prefecture_of(municipality);
    if (!caps.allows(status, f, counts.live.status_field)) {
      ++tally.market(kCapBlocked, pref, f);
      continue;
    }
    places.take(*opening);
    caps.count_admission(dims_.status_field(status, f));
    ++counts.live.status_field[dims_.status_field(status, f)];  // residents are counted when the agent is added
    ++tally.national(kEntries, status, f, origin);
    ++tally.prefecture(kPrefEntries, pref, status, f);
    ++tally.municipal_entries(municipality, origin);
    Stream agent_stream(scenario_.seed, Purpose::entry_agent, step,
                        (static_cast<std::uint64_t>(f) << 32) | arrivals.size());
    arrivals.push_back({status, static_cast<std::uint8_t>(f), origin, municipality, pick,
                        EntrantDraws::age_months(agent_stream, rules_[status]), entrants_.family(agent_stream, status),
                        kNone32});
  }
  // The places taken are added to their employers' filled counts after the market, which reads
  // none of them: the employers are scattered, so their counts are asked for a few ahead.
  for (std::size_t a = 0; a < arrivals.size(); ++a) {
    if (a + kAhead < arrivals.size()) __builtin_prefetch(&employers.store().filled[arrivals[a + kAhead].employer], 1);
    employers.fill(arrivals[a].employer);
  }
}

}  // namespace migsim
