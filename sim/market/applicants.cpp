#include "market/applicants.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <array>
#include <boost/random/binomial_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>

#include "engine/rng.hpp"

namespace migsim {

// Applicants from abroad this month: per origin and open channel, spread over fields by their
// open places (`open`, per field); non-working channels enter directly.
void ApplicantsFromAbroad::draw(std::uint32_t step, const std::vector<std::int64_t>& open,
                                const std::vector<std::int64_t>& diaspora_open, const StepCounts& live) {
  for (auto& list : per_field_) list.clear();
  direct_.clear();
  if (!policy_.any_entry()) return;
  // Destinations of non-working entrants: municipalities weighted by foreign residents.
  // Where entrants of each origin go: agreements and co-national networks pull (DESIGN §2).
  destination_weight_.assign(dims_.municipal_origin(), 1.0);
  std::vector<double> largest(dims_.origins, 0.0);
  for (std::size_t k = 0; k < dims_.municipalities; ++k) {
    const double residents = std::max<double>(1.0, static_cast<double>(live.residents[k]));
    for (std::size_t o = 0; o < dims_.origins; ++o) {
      const double share = static_cast<double>(live.residents_by_origin[k * dims_.origins + o]) / residents;
      const double w = (1.0 + scenario_.behaviour.agreement_recruitment_weight *
                                  municipalities_.state().agreements[k * dims_.origins + o]) *
                       (1.0 + scenario_.origins[o].network_elasticity * share) *
                       municipalities_.proximity(k * dims_.origins + o);
      destination_weight_[k * dims_.origins + o] = w;
      largest[o] = std::max(largest[o], w);
    }
  }
  // Pulls that all underflow (a tiny distance decay) carry no preference: treat them as equal.
  for (std::size_t o = 0; o < dims_.origins; ++o) {
    if (largest[o] > 1e-300) continue;
    for (std::size_t k = 0; k < dims_.municipalities; ++k) destination_weight_[k * dims_.origins + o] = 1.0;
  }
  // Origins in parallel (each draws from streams of its own), their applicants gathered in
  // origin order after.
  origin_draws_.resize(dims_.origins);
  tbb::parallel_for(std::size_t{0}, dims_.origins, [&](std::size_t o) {
    auto& out = origin_draws_[o];
    out.to_fields.clear();
    out.direct.clear();
    draw_origin(o, step, open, out.to_fields, out.direct, live);
    draw_diaspora_news(o, step, diaspora_open, out.to_fields);
  });
  for (const auto& out : origin_draws_) {
    for (const auto& [f, a] : out.to_fields) per_field_[f].push_back(a);
    direct_.insert(direct_.end(), out.direct.begin(), out.direct.end());
  }
}

// Origin o's applicants this month: those for fields that employ, spread over the fields, and
// those who enter directly, with where they settle.
void ApplicantsFromAbroad::draw_origin(std::size_t o, std::uint32_t step, const std::vector<std::int64_t>& open,
                                       std::vector<std::pair<std::size_t, Applicants>>& to_fields,
                                       std::vector<NewAgent>& direct, const StepCounts& live) const {
  const auto& origin = scenario_.origins[o];
  // Only the channels open this month share the origin's applicants: a closed one (TES before
  // its start, TITP after its end) takes none away from the others.
  double weight_sum = 0.0;
  for (std::size_t s = 0; s < dims_.statuses; ++s)
    if (rules_[s].entries_open) weight_sum += origin.channel_weights[s];
  if (weight_sum <= 0 || origin.applicants_per_year <= 0) return;
  std::vector<double> cumulative_residents(dims_.municipalities);
  std::vector<std::size_t> guide(dims_.municipalities);
  // Entrants who need no job settle where foreign residents live, pulled the same way.
  double total_residents = 0;
  for (std::size_t k = 0; k < dims_.municipalities; ++k)
    cumulative_residents[k] = (total_residents += (static_cast<double>(live.residents[k]) + 1.0) *
                                                  destination_weight_[k * dims_.origins + o]);
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
  for (std::size_t s = 0; s < dims_.statuses; ++s) {
    const auto& rule = rules_[s];
    if (!rule.entries_open || origin.channel_weights[s] <= 0 || policy_.entry_share(s) <= 0) continue;
    const double mean = origin.applicants_per_year * scenario_.applicants_multiplier * policy_.origin_push()[o] *
                        policy_.entry_share(s) * scenario_.scale / 12.0 * origin.channel_weights[s] / weight_sum *
                        rule.channel_multiplier;
    Stream r(scenario_.seed, Purpose::entries, step, o * dims_.statuses + s);
    boost::random::poisson_distribution<std::int64_t> poisson(mean);
    std::int64_t applicants = mean > 0 ? poisson(r) : 0;
    if (applicants == 0) continue;
    // Entrants into a field that employs need a vacancy; the others (and those admitted without a
    // job) enter directly.
    const bool needs_job =
        !rule.enters_without_job && std::any_of(rules_.employing_fields().begin(), rules_.employing_fields().end(),
                                                [&](std::uint8_t f) { return rule.entry_fields[f] != 0; });
    if (needs_job) {
      std::int64_t weight_left = 0;
      for (std::size_t f = 0; f < dims_.fields; ++f)
        if (rule.entry_fields[f] && scenario_.fields[f].employs) weight_left += open[f];
      for (std::size_t f = 0; f < dims_.fields && applicants > 0 && weight_left > 0; ++f) {
        if (!rule.entry_fields[f] || !scenario_.fields[f].employs || open[f] == 0) continue;
        boost::random::binomial_distribution<std::int64_t> share(
            applicants, static_cast<double>(open[f]) / static_cast<double>(weight_left));
        const std::int64_t here = weight_left == open[f] ? applicants : share(r);
        weight_left -= open[f];
        applicants -= here;
        if (here > 0) to_fields.push_back({f, {static_cast<std::uint8_t>(o), static_cast<std::uint8_t>(s), here}});
      }
    } else {
      std::uint8_t entry_field = rules_.none_field();
      for (std::size_t f = 0; f < dims_.fields; ++f)
        if (rule.entry_fields[f] && !scenario_.fields[f].employs) {
          entry_field = static_cast<std::uint8_t>(f);
          break;
        }
      // Those who look for part-time work arrive without a job in one of the employing entry
      // fields, by its open places, and search there as any worker without a job does.
      std::int64_t search_open = 0;
      std::uint32_t search_fields = 0;
      // The fields searched in, and what each weighs (its open places, or 1 if none is open
      // anywhere), listed once for the channel's applicants.
      std::array<std::uint8_t, 256> search_field_at;
      std::array<double, 256> search_weight;
      if (rule.enters_without_job && rule.part_time_search_share > 0.0)
        for (std::size_t f = 0; f < dims_.fields; ++f)
          if (rule.entry_fields[f] && scenario_.fields[f].employs) {
            search_open += open[f];
            search_field_at[search_fields++] = static_cast<std::uint8_t>(f);
          }
      for (std::uint32_t k = 0; k < search_fields; ++k)
        search_weight[k] = search_open > 0 ? static_cast<double>(open[search_field_at[k]]) : 1.0;
      auto search_field = [&]() {
        auto left = search_open > 0 ? static_cast<double>(search_open) * r.uniform()
                                    : static_cast<double>(r.below(search_fields));
        std::uint8_t last = entry_field;
        for (std::uint32_t k = 0; k < search_fields; ++k) {
          last = search_field_at[k];
          left -= search_weight[k];
          if (left < 0) break;
        }
        return last;
      };
      for (std::int64_t k = 0; k < applicants; ++k) {
        const auto where = static_cast<std::uint16_t>(settle_at(r.uniform() * total_residents));
        const std::uint8_t field =
            search_fields > 0 && r.bernoulli(rule.part_time_search_share) ? search_field() : entry_field;
        NewAgent a{static_cast<std::uint8_t>(s),
                   field,
                   static_cast<std::uint8_t>(o),
                   std::min<std::uint16_t>(where, static_cast<std::uint16_t>(dims_.municipalities - 1)),
                   kNone32,
                   EntrantDraws::age_months(r, rule),
                   entrants_.family(r, static_cast<std::uint8_t>(s)),
                   kNone32};
        direct.push_back(a);
      }
    }
  }
}

void ApplicantsFromAbroad::draw_diaspora_news(std::size_t o, std::uint32_t step,
                                              const std::vector<std::int64_t>& diaspora_open,
                                              std::vector<std::pair<std::size_t, Applicants>>& to_fields) const {
  const auto& origin = scenario_.origins[o];
  const double per_firm = scenario_.employers.diaspora_vacancy_applicants_per_month *
                          origin.orientation_to_work_abroad * policy_.origin_push()[o];
  if (per_firm <= 0) return;
  for (std::size_t f = 0; f < dims_.fields; ++f) {
    const std::int64_t hiring_firms = diaspora_open[o * dims_.fields + f];
    if (hiring_firms == 0) continue;
    // They come through the origin's channels into this field, in proportion to its channel weights.
    auto drawn = [&](std::size_t s) {
      return rules_[s].entries_open && rules_[s].entry_fields[f] && rules_[s].drawn_by_diaspora_vacancies &&
             !rules_[s].enters_without_job;  // admitted by a school, not by a job offer
    };
    double weight_sum = 0;
    for (std::size_t s = 0; s < dims_.statuses; ++s)
      if (drawn(s)) weight_sum += origin.channel_weights[s];
    if (weight_sum <= 0) continue;
    Stream r(scenario_.seed, Purpose::diaspora_news, step, o * dims_.fields + f);
    for (std::size_t s = 0; s < dims_.statuses; ++s) {
      if (!drawn(s) || origin.channel_weights[s] <= 0 || policy_.entry_share(s) <= 0) continue;
      const double mean = per_firm * policy_.entry_share(s) * static_cast<double>(hiring_firms) *
                          origin.channel_weights[s] / weight_sum * rules_[s].channel_multiplier;
      boost::random::poisson_distribution<std::int64_t> poisson(mean);
      if (const std::int64_t applicants = poisson(r); applicants > 0)
        to_fields.push_back({f, {static_cast<std::uint8_t>(o), static_cast<std::uint8_t>(s), applicants, true}});
    }
  }
}

}  // namespace migsim
