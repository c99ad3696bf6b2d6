// What an entrant from abroad brings: its age and the family it leaves abroad.
#pragma once

#include <algorithm>
#include <boost/random/poisson_distribution.hpp>
#include <cstdint>

#include "engine/rng.hpp"
#include "migrants/family.hpp"
#include "migsim/scenario.hpp"

namespace migsim {

class EntrantDraws {
 public:
  explicit EntrantDraws(const FamilyParameters& family) : family_(family) {
    if (family.children_mean > 0) children_abroad_ = boost::random::poisson_distribution<int>(family.children_mean);
  }

  // The family an entrant of `status` leaves abroad (packed: family.hpp); none for a dependant.
  std::uint8_t family(Stream& r, std::uint8_t status) const {
    if (status == family_.dependent_status) return 0;
    std::uint8_t packed = r.bernoulli(family_.spouse_probability) ? kSpouseBit : 0;
    if (family_.children_mean > 0) packed |= static_cast<std::uint8_t>(std::min(children_abroad_(r), kMaxChildren));
    return packed;
  }

  // An entrant's age, in months, within its status's entry ages.
  static std::uint16_t age_months(Stream& r, const StatusRule& rule) {
    const auto span = static_cast<std::uint32_t>((rule.entry_age_max_years - rule.entry_age_min_years + 1) * 12);
    return static_cast<std::uint16_t>(rule.entry_age_min_years * 12 + static_cast<int>(r.below(span)));
  }

 private:
  static constexpr int kMaxChildren = 20;  // fits the family byte's children bits
  const FamilyParameters& family_;
  // Children left abroad per entrant (built once: its set-up takes an exponential).
  boost::random::poisson_distribution<int> children_abroad_{1.0};
};

}  // namespace migsim
