#include "census/census.hpp"

#include <tbb/enumerable_thread_specific.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace migsim {

PopulationCount count_population(const Migrants& migrants, const Employers& employers,
                                 const Municipalities& municipalities, const Dims& dims, const FamilyParameters& family,
                                 std::int32_t now) {
  // Each thread's counts, grouped by the index they are counted at, so that an agent's counts
  // take four tables (four pointers held, not eight) and those at one index share a line.
  struct CellCount {
    std::int64_t stock = 0, workers = 0;  // [status, field, origin]
  };
  struct PlaceCount {
    std::int64_t residents = 0, workers = 0, children = 0, children_needing = 0;  // [municipality]
  };
  struct WageCount {
    std::int64_t sum = 0, n = 0, square_sum = 0;  // [prefecture, field]
  };
  struct Counts {
    std::vector<CellCount> cells;
    std::vector<std::int64_t> pref_stock;  // [prefecture, status, field]
    std::vector<PlaceCount> places;
    std::vector<WageCount> wages;
  };
  const MigrantStore& store = migrants.store();
  const std::size_t n = store.size();
  tbb::enumerable_thread_specific<Counts> local([&dims] {
    return Counts{std::vector<CellCount>(dims.national()), std::vector<std::int64_t>(dims.prefecture()),
                  std::vector<PlaceCount>(dims.municipalities), std::vector<WageCount>(dims.market())};
  });
  const int school_from_months = 12 * family.school_age_min_years;
  const auto school_months =
      static_cast<unsigned>(std::max(0, 12 * (family.school_age_max_years + 1) - school_from_months));
  for_chunks(n, [&](std::size_t, std::size_t begin, std::size_t end) {
    Counts& s = local.local();
    // Sizes and tables held locally: a count stored through the thread's tables could, for the
    // compiler, change the sizes (same integer type), which it would then read again each time.
    const Dims held = dims;
    // School age as steps of birth, held by value (a capture by reference is read again per agent).
    const int school_born_by = now - school_from_months;
    const unsigned school_span = school_months;
    CellCount* const cells = s.cells.data();
    std::int64_t* const pref_stock = s.pref_stock.data();
    PlaceCount* const places = s.places.data();
    WageCount* const wages = s.wages.data();
    auto count = [&](std::size_t i) {
      if (store.fate[i] != kStay) return;
      auto municipality = store.municipality[i];
      auto status = store.status[i];
      if (const auto principal = store.principal[i]; principal != kNone32) {
        if (store.fate[principal] != kStay) return;  // left with its principal
        municipality = store.municipality[principal];
        status = migrants.family_status(store.status[principal]);
      }
      const std::size_t field = store.field[i], status_field = held.status_field(status, field);
      CellCount& cell = cells[held.cell_of(status_field, store.origin[i])];
      PlaceCount& place = places[municipality];
      const auto p = municipalities.prefecture_of(municipality);
      ++cell.stock;
      ++pref_stock[held.pref_cell_of(p, status_field)];
      ++place.residents;
      // School age in whole years, as months of age (no division per agent); one compare.
      if (static_cast<unsigned>(school_born_by - store.born[i]) < school_span) {
        ++place.children;
        const std::int32_t here_since = std::max(store.status_since[i], store.born[i]);
        place.children_needing += municipalities.child_needs_japanese(municipality, store.origin[i], here_since, now);
      }
      if (store.employer[i] != kNone32) {
        ++cell.workers;
        ++place.workers;
        WageCount& wage = wages[p * held.fields + field];
        const std::int64_t earned = migrants.whole_wage_of(i);
        wage.sum += earned;
        wage.square_sum += earned * earned;
        ++wage.n;
      }
    };
    // What an agent further on will look up elsewhere (its employer's card, its principal),
    // asked for now: the agents are read in order, those look-ups at random.
    const std::size_t last_ahead = end - begin > kCensusAhead ? end - kCensusAhead : begin;
    std::size_t i = begin;
    for (; i < last_ahead; ++i) {
      const std::size_t ahead = i + kCensusAhead;
      if (const auto employer = store.employer[ahead]; employer != kNone32)
        __builtin_prefetch(&employers.card(employer));
      if (const auto principal = store.principal[ahead]; principal != kNone32) {
        __builtin_prefetch(&store.fate[principal]);
        __builtin_prefetch(&store.municipality[principal]);
        __builtin_prefetch(&store.status[principal]);
      }
      count(i);
    }
    for (; i < end; ++i) count(i);
  });
  PopulationCount total{std::vector<std::int64_t>(dims.national()),     std::vector<std::int64_t>(dims.national()),
                        std::vector<std::int64_t>(dims.prefecture()),   std::vector<std::int64_t>(dims.municipalities),
                        std::vector<std::int64_t>(dims.municipalities), std::vector<std::int64_t>(dims.municipalities),
                        std::vector<std::int64_t>(dims.market()),       std::vector<std::int64_t>(dims.market()),
                        std::vector<std::int64_t>(dims.municipalities), std::vector<std::int64_t>(dims.market())};
  for (const auto& s : local) {
    for (std::size_t k = 0; k < dims.national(); ++k) {
      total.stock[k] += s.cells[k].stock;
      total.workers[k] += s.cells[k].workers;
    }
    for (std::size_t k = 0; k < dims.prefecture(); ++k) total.pref_stock[k] += s.pref_stock[k];
    for (std::size_t k = 0; k < dims.municipalities; ++k) {
      total.residents[k] += s.places[k].residents;
      total.municipal_workers[k] += s.places[k].workers;
      total.children[k] += s.places[k].children;
      total.children_needing_japanese[k] += s.places[k].children_needing;
    }
    for (std::size_t k = 0; k < dims.market(); ++k) {
      total.wage_sum[k] += s.wages[k].sum;
      total.wage_n[k] += s.wages[k].n;
      total.wage_square_sum[k] += s.wages[k].square_sum;
    }
  }
  return total;
}

YearOutput year_output(int year, const PopulationCount& count, const YearTally& flows, const Employers& employers,
                       const Municipalities& municipalities, const Dims& dims, const Scenario& scenario) {
  // Agents to persons.
  const std::int64_t persons_per_agent = scenario.persons_per_agent();
  auto persons = [persons_per_agent](std::vector<std::int64_t> agents) {
    for (auto& cell : agents) cell *= persons_per_agent;
    return agents;
  };
  auto slice = [&](std::size_t offset, std::size_t size) {
    return persons(std::vector<std::int64_t>(flows.v.begin() + static_cast<std::ptrdiff_t>(offset),
                                             flows.v.begin() + static_cast<std::ptrdiff_t>(offset + size)));
  };
  YearOutput out;
  out.year = year;
  const std::size_t nat = dims.national();
  auto nat_flow = [&](NationalFlow f) { return slice(f * nat, nat); };
  out.national = {
      {"stock", "foreign residents at the census month", "persons", persons(count.stock), {}},
      {"workers", "of the stock, in employment", "persons", persons(count.workers), {}},
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
  const std::size_t pn = dims.prefecture();
  auto pref_flow = [&](PrefectureFlow f) { return slice(pref_offset + f * pn, pn); };
  out.prefecture = {
      {"stock", "foreign residents at the census month", "persons", persons(count.pref_stock), {}},
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
  std::vector<std::int64_t> spending(dims.municipalities);
  for (std::size_t q = 0; q < dims.municipalities; ++q)
    spending[q] = std::llround(municipalities.state().spending_yen[q]);
  std::vector<std::int64_t> budget(dims.municipalities);
  for (std::size_t q = 0; q < dims.municipalities; ++q) budget[q] = std::llround(municipalities.state().budget_yen[q]);
  std::vector<std::int64_t> agreements(dims.municipalities, 0);
  for (std::size_t q = 0; q < dims.municipalities; ++q)
    for (std::size_t o = 0; o < dims.origins; ++o)
      agreements[q] += municipalities.state().agreements[q * dims.origins + o];
  out.municipality = {
      {"foreign_residents", "foreign residents at the census month", "persons", persons(count.residents), {}},
      {"foreign_workers", "foreign residents in employment", "persons", persons(count.municipal_workers), {}},
      {"school_age_children",
       "foreign residents of school age (" + std::to_string(scenario.family.school_age_min_years) + "-" +
           std::to_string(scenario.family.school_age_max_years) + ")",
       "persons",
       persons(count.children),
       {}},
      {"children_needing_japanese",
       "foreign residents of school age who need Japanese instruction",
       "persons",
       persons(count.children_needing_japanese),
       {}},
      {"ajts", "assistant Japanese teachers for foreign children", "teachers", ajts, {}},
      {"ajt_coverage",
       "coverage of the children who need Japanese instruction by AJTs (0-1)",
       "1",
       {},
       municipalities.state().ajt_coverage},
      {"integration_index",
       "integration level from the policy portfolio (0-1)",
       "1",
       {},
       municipalities.state().integration},
      {"agreements", "cooperation agreements with origins", "agreements", agreements, {}},
      {"language_classes", "runs Japanese classes (0/1)", "1", flags(municipalities.state().language_classes), {}},
      {"consultation", "runs a consultation service (0/1)", "1", flags(municipalities.state().consultation), {}},
      {"residents_assembly",
       "has a foreign residents' assembly (0/1)",
       "1",
       flags(municipalities.state().residents_assembly),
       {}},
      {"employer_subsidy",
       "subsidises employers of foreign workers (0/1)",
       "1",
       flags(municipalities.state().employer_subsidy),
       {}},
      {"policy_spending_yen", "yearly cost of the portfolio", "yen per year", spending, {}},
      {"policy_budget_yen", "yearly budget for foreign-resident policy", "yen per year", budget, {}},
      {"entries_by_origin",
       "arrivals from abroad by nationality",
       "persons",
       slice(kNationalFlows * nat + kPrefectureFlows * pn + kMarketFlows * dims.market(), dims.municipal_origin()),
       {},
       {"municipality", "origin"}},
  };
  const std::size_t market_offset = pref_offset + kPrefectureFlows * pn;
  const std::size_t mn = dims.market();
  std::vector<std::int64_t> unfilled(mn, 0), mean_wage(mn, 0), establishments(mn, 0);
  for (std::size_t q = 0; q < employers.store().size(); ++q)
    ++establishments[municipalities.prefecture_of(employers.store().municipality[q]) * dims.fields +
                     employers.store().field[q]];
  for (std::size_t q = 0; q < employers.store().size(); ++q)
    if (employers.store().capacity[q] > employers.store().filled[q])
      unfilled[municipalities.prefecture_of(employers.store().municipality[q]) * dims.fields +
               employers.store().field[q]] += employers.store().capacity[q] - employers.store().filled[q];
  for (std::size_t q = 0; q < mn; ++q)
    mean_wage[q] = count.wage_n[q] ? (count.wage_sum[q] + count.wage_n[q] / 2) / count.wage_n[q] : 0;
  // The spread of wages within a market (what wages falling back towards the market narrows), from
  // exact integer sums, so the same whatever the thread count.
  std::vector<std::int64_t> wage_sd(mn, 0);
  for (std::size_t q = 0; q < mn; ++q)
    if (const auto n = static_cast<double>(count.wage_n[q]); n > 0) {
      const double mean = static_cast<double>(count.wage_sum[q]) / n;
      const double variance = static_cast<double>(count.wage_square_sum[q]) / n - mean * mean;
      wage_sd[q] = std::llround(std::sqrt(std::max(0.0, variance)));
    }
  out.labour_market = {
      {"vacancies_posted",
       "places opened for foreign workers during the year",
       "persons",
       slice(market_offset + kVacanciesPosted * mn, mn),
       {}},
      {"vacancies_unfilled", "open places at the census month", "persons", persons(unfilled), {}},
      {"cap_blocked", "admissions refused by a field cap", "persons", slice(market_offset + kCapBlocked * mn, mn), {}},
      {"mean_wage_yen", "mean monthly wage of foreign workers employed", "yen per month", mean_wage, {}},
      {"wage_sd_yen",
       "standard deviation of the monthly wages of foreign workers employed (between employers and the year-2 raise)",
       "yen per month",
       wage_sd,
       {}},
      {"employers",
       "establishments employing foreign workers (each employer agent stands for persons_per_agent of them)",
       "establishments",
       persons(establishments),
       {}},
  };
  return out;
  return out;
}

}  // namespace migsim
