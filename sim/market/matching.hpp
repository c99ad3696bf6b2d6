// The labour market of a month, one market per field (in parallel: a field's employers are its
// own): job seekers first, in id order, each looking at two openings and taking the better if it
// beats the job they have; then the applicants from abroad, each drawn an opening in proportion to
// the places open to its origin times the destination's pull, taken if the employer recruits it.
// Caps are honoured as in any admission. Hired seekers then take their jobs (Migrants::take_jobs),
// and employers who lost a worker to a rival raise their wages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "employers/employers.hpp"
#include "engine/rng.hpp"
#include "engine/tally.hpp"
#include "engine/world.hpp"
#include "market/applicants.hpp"
#include "market/open_places.hpp"
#include "migrants/entrants.hpp"
#include "migrants/migrants.hpp"
#include "migsim/scenario.hpp"
#include "municipalities/municipalities.hpp"
#include "rules/caps.hpp"
#include "rules/status_rules.hpp"

namespace migsim {

// Openings an entrant from abroad is offered before it is lost.
constexpr int kEntrantTries = 64;

class LabourMarket {
 public:
  LabourMarket(const Scenario& scenario, const Dims& dims, const StatusRules& rules,
               const Municipalities& municipalities, const EntrantDraws& entrants)
      : scenario_(scenario),
        dims_(dims),
        rules_(rules),
        municipalities_(municipalities),
        entrants_(entrants),
        field_seekers_(dims.fields),
        field_arrivals_(dims.fields),
        field_departures_(dims.fields * dims.fields),
        field_hires_(dims.fields),
        field_places_(dims.fields) {
    for (auto& places : field_places_) places.set_prefectures(dims.prefectures);
  }

  // This month's markets, after the migrants acted (`chunk_count` chunks of requests): the
  // applicants from abroad are drawn, the markets matched, the hired take their jobs.
  void run(std::uint32_t step, std::size_t chunk_count, Migrants& migrants, Employers& employers,
           ApplicantsFromAbroad& applicants, CapLedger& caps, MonthCounts& counts);

  // Field f's entrants from abroad taken on this month, in the order they were.
  const std::vector<NewAgent>& arrivals(std::size_t field) const { return field_arrivals_[field]; }

 private:
  const Scenario& scenario_;
  const Dims dims_;  // by value: read by every seeker and applicant
  const StatusRules& rules_;
  const Municipalities& municipalities_;
  const EntrantDraws& entrants_;
  // Per-field work lists, reused month to month.
  std::vector<std::vector<Seeker>> field_seekers_;
  std::vector<std::vector<NewAgent>> field_arrivals_;
  // Employers left for another: [market field * fields + the employer's field].
  std::vector<std::vector<std::uint32_t>> field_departures_;
  std::vector<std::vector<Hire>> field_hires_;
  std::vector<OpenPlaces> field_places_;
  std::vector<double> place_score_;          // [municipality * origins + origin]: a job's pull there, this month
  std::vector<std::int64_t> diaspora_open_;  // [origin * fields + field]: diaspora employers with an open place

  void match_field(std::size_t f, std::uint32_t step, Migrants& migrants, Employers& employers,
                   ApplicantsFromAbroad& from_abroad, CapLedger& caps, MonthCounts& counts);
  // What a place adds to a job's score (city, co-nationals, integration): fixed during a market,
  // since moves are counted after it.
  void update_place_scores(const StepCounts& live);

  // Whether employer k recruits an applicant of `origin` from abroad: diaspora owners prefer
  // co-nationals; small employers cannot pay brokers on the open market and recruit only
  // through their municipality's agreement with the origin (DESIGN §2 recruitment channels).
  bool recruits_from(const Employers& employers, const OpenPlaces::Place& place, std::uint16_t municipality,
                     std::size_t origin, std::size_t status, Stream& r) const {
    if (place.owner_origin != kNone8)
      return (place.owner_origin == origin || r.uniform() < scenario_.employers.diaspora_other_origin_acceptance) &&
             employers.store().hires_status(place.employer, status);
    if (place.agreement_only && !municipalities_.agreement(municipality, origin)) return false;
    return employers.store().hires_status(place.employer, status);
  }

  // How a job seeker of `origin` rates employer k's opening.
  double job_score(const Employers& employers, std::uint32_t k, std::size_t origin) const {
    return employers.card(k).wage_yen * place_score_[employers.card(k).municipality * dims_.origins + origin];
  }
};

}  // namespace migsim
