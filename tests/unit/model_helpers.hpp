// Helpers shared by the tests that show a mechanism by its effect in a run (tests/unit/<unit>/):
// overrides that hold other mechanisms still, and sums over a run's years.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "helpers.hpp"

namespace migsim::test {

// Overrides under which municipalities adopt no policy of their own accord, so a test controls them.
inline std::vector<std::string> without_policy_adoption(std::vector<std::string> more = {}) {
  more.insert(more.end(), {"municipal_policy.base_adoption_per_year=0", "municipal_policy.foreign_share_effect=0",
                           "municipal_policy.vacancy_effect=0", "municipal_policy.peer_effect=0"});
  return more;
}

// Overrides giving every municipality of the quickstart the same value of one policy key.
inline void in_every_municipality(std::vector<std::string>& overrides, const std::string& policy,
                                  const std::string& value) {
  static const std::size_t count = small_quickstart().municipalities.size();
  for (std::size_t k = 0; k < count; ++k)
    overrides.push_back("municipalities[" + std::to_string(k) + "].policy." + policy + "=" + value);
}

inline std::int64_t over_years(const Scenario& s, const std::vector<YearOutput>& years, const std::string& measure,
                               const std::string& status) {
  std::int64_t sum = 0;
  for (const auto& y : years) sum += status_sum(s, y, measure, status);
  return sum;
}

inline std::vector<std::string> tes_only(const std::string& rule) {
  return {"events=[]",
          "statuses.TES.entries_open=true",
          "statuses.TITP.entries_open=false",
          "statuses.TES.employer_change=" + rule,
          "statuses.TES.employer_change_after_months=12",
          "statuses.TES.max_stay_months=60",
          "statuses.TES.abscond_rate_per_year=0.05",
          "end=2026-10"};
}

// Arrivals of `origin` into the municipality with `code`, summed over the run.
inline std::int64_t entries_into(const Scenario& s, const std::vector<YearOutput>& years, int code,
                                 const std::string& origin) {
  std::size_t where = 0;
  while (s.municipalities[where].code != code) ++where;
  const std::size_t o = *s.origin_index(origin);
  std::int64_t sum = 0;
  for (const auto& y : years) sum += y.find(y.municipality, "entries_by_origin").counts[where * s.origins.size() + o];
  return sum;
}

// Policies running across all municipalities in the last census year.
inline std::int64_t policies_running(const YearOutput& y) {
  std::int64_t sum = 0;
  for (const char* p : {"language_classes", "consultation", "residents_assembly", "employer_subsidy"})
    sum += total(y, y.municipality, p);
  return sum;
}

inline std::vector<std::string> adoption(const std::string& foreign_share_effect, const std::string& peer_effect) {
  std::vector<std::string> o{"municipal_policy.base_adoption_per_year=0", "municipal_policy.vacancy_effect=0",
                             "municipal_policy.budget_yen_per_resident=1000",
                             "municipal_policy.foreign_share_effect=" + foreign_share_effect,
                             "municipal_policy.peer_effect=" + peer_effect};
  in_every_municipality(o, "council_member", "true");
  return o;
}

// Net departures from the prefecture with `code` to other prefectures over the run.
inline std::int64_t net_moves_out(const Scenario& s, const std::vector<YearOutput>& years, int code) {
  std::size_t p = 0;
  while (s.prefectures[p].code != code) ++p;
  const std::size_t cells = s.statuses.size() * s.fields.size();
  std::int64_t net = 0;
  for (const auto& y : years) {
    const auto& out = y.find(y.prefecture, "moves_out").counts;
    const auto& in = y.find(y.prefecture, "moves_in").counts;
    for (std::size_t c = p * cells; c < (p + 1) * cells; ++c) net += out[c] - in[c];
  }
  return net;
}

}  // namespace migsim::test
