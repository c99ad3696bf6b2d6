// Applicants from abroad in a month: per origin and open channel (status), a Poisson number
// scaled by the origin's push and any border closure, spread over the fields that employ by their
// open places (they then look for a place in the field's market); applicants of a channel that
// does not work enter directly and settle where foreign residents live. Where an origin's entrants
// go is pulled by agreements, co-national networks and distance (DESIGN §2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "engine/tally.hpp"
#include "engine/world.hpp"
#include "migrants/entrants.hpp"
#include "migsim/scenario.hpp"
#include "municipalities/municipalities.hpp"
#include "rules/policy_in_force.hpp"
#include "rules/status_rules.hpp"

namespace migsim {

// Applicants of one origin and status for one field's market.
struct Applicants {
  std::uint8_t origin, status;
  std::int64_t count;
  bool for_compatriot_firms = false;  // drawn by diaspora employers' vacancies: they look there first
};

class ApplicantsFromAbroad {
 public:
  ApplicantsFromAbroad(const Scenario& scenario, const Dims& dims, const StatusRules& rules,
                       const PolicyInForce& policy, const Municipalities& municipalities, const EntrantDraws& entrants)
      : scenario_(scenario),
        dims_(dims),
        rules_(rules),
        policy_(policy),
        municipalities_(municipalities),
        entrants_(entrants),
        per_field_(dims.fields) {}

  // This month's applicants, from the open places per field (`open`), the diaspora employers with an
  // open place per (owner origin, field) (`diaspora_open`) and the live counts.
  void draw(std::uint32_t step, const std::vector<std::int64_t>& open, const std::vector<std::int64_t>& diaspora_open,
            const StepCounts& live);

  // Field f's applicants, in origin order; its market takes them one by one.
  std::vector<Applicants>& of_field(std::size_t field) { return per_field_[field]; }
  // Entrants who need no job, in origin order.
  const std::vector<NewAgent>& direct() const { return direct_; }
  // Origin o's pull to each municipality this month, one every `dims.origins` from pulls(o).
  const double* pulls(std::size_t origin) const { return destination_weight_.data() + origin; }

 private:
  // One origin's applicants of a month, drawn apart from the other origins'.
  struct OriginDraws {
    std::vector<std::pair<std::size_t, Applicants>> to_fields;  // (field, applicants), in order
    std::vector<NewAgent> direct;                               // entrants who need no job
  };
  const Scenario& scenario_;
  const Dims dims_;  // by value: read by every seeker and applicant
  const StatusRules& rules_;
  const PolicyInForce& policy_;
  const Municipalities& municipalities_;
  const EntrantDraws& entrants_;
  std::vector<std::vector<Applicants>> per_field_;
  std::vector<NewAgent> direct_;
  std::vector<double> destination_weight_;  // [municipality * origins + origin], this month
  std::vector<OriginDraws> origin_draws_;

  void draw_origin(std::size_t o, std::uint32_t step, const std::vector<std::int64_t>& open,
                   std::vector<std::pair<std::size_t, Applicants>>& to_fields, std::vector<NewAgent>& direct,
                   const StepCounts& live) const;
  // Origin o's applicants drawn by its diaspora employers that have an open place (vacancies known
  // back home): added to the pool, not taken from it.
  void draw_diaspora_news(std::size_t o, std::uint32_t step, const std::vector<std::int64_t>& diaspora_open,
                          std::vector<std::pair<std::size_t, Applicants>>& to_fields) const;
};

}  // namespace migsim
