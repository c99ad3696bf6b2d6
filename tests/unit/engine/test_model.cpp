// Behavioural mechanisms of the model, each shown by its effect in a run, direction asserted.
#include <catch2/catch.hpp>

#include <cmath>

#include "../helpers.hpp"

using namespace migsim;
using namespace migsim::test;

namespace {

// Overrides under which municipalities adopt no policy of their own accord, so a test controls them.
std::vector<std::string> without_policy_adoption(std::vector<std::string> more = {}) {
  more.insert(more.end(), {"municipal_policy.base_adoption_per_year=0", "municipal_policy.foreign_share_effect=0",
                           "municipal_policy.vacancy_effect=0", "municipal_policy.peer_effect=0"});
  return more;
}

// Overrides giving every municipality of the quickstart the same value of one policy key.
void in_every_municipality(std::vector<std::string>& overrides, const std::string& policy, const std::string& value) {
  static const std::size_t count = small_quickstart().municipalities.size();
  for (std::size_t k = 0; k < count; ++k)
    overrides.push_back("municipalities[" + std::to_string(k) + "].policy." + policy + "=" + value);
}

std::int64_t over_years(const Scenario& s, const std::vector<YearOutput>& years, const std::string& measure,
                        const std::string& status) {
  std::int64_t sum = 0;
  for (const auto& y : years) sum += status_sum(s, y, measure, status);
  return sum;
}

std::vector<std::string> tes_only(const std::string& rule) {
  return {"events=[]",
          "statuses.TES.entries_open=true",
          "statuses.TITP.entries_open=false",
          "statuses.TES.employer_change=" + rule,
          "statuses.TES.employer_change_after_months=12",
          "statuses.TES.max_stay_months=60",
          "statuses.TES.abscond_rate_per_year=0.05",
          "end=2026-10"};
}

}  // namespace

TEST_CASE("allowing a change after 12 months instead of never raises changes and lowers absconding", "[model]") {
  const Scenario never = small_quickstart(tes_only("never"));
  const Scenario after = small_quickstart(tes_only("after_months"));
  const auto bound = run(never);
  const auto free_after_a_year = run(after);
  const auto changes_bound = over_years(never, bound, "employer_changes", "TES");
  const auto changes_free = over_years(after, free_after_a_year, "employer_changes", "TES");
  const auto abscond_bound = over_years(never, bound, "absconded", "TES");
  const auto abscond_free = over_years(after, free_after_a_year, "absconded", "TES");
  INFO("changes " << changes_bound << " -> " << changes_free << ", absconded " << abscond_bound << " -> "
                  << abscond_free);
  CHECK(changes_bound == 0);
  CHECK(changes_free > 0);
  CHECK(abscond_free < abscond_bound);
}

TEST_CASE("bad working conditions raise absconding", "[model]") {
  const Scenario good = small_quickstart({"employers.conditions_mean=0.95", "employers.conditions_sd=0.02"});
  const Scenario bad = small_quickstart({"employers.conditions_mean=0.2", "employers.conditions_sd=0.02"});
  const auto absconded_good = over_years(good, run(good), "absconded", "TITP");
  const auto absconded_bad = over_years(bad, run(bad), "absconded", "TITP");
  INFO(absconded_good << " vs " << absconded_bad);
  CHECK(absconded_bad > absconded_good);
}

TEST_CASE("a sending-policy push raises that origin's entries in its years", "[model]") {
  // Indonesia sends three times as many applicants during census year 2025.
  const std::vector<std::string> base_overrides{"end=2026-10", "statuses.TITP.exit_rate_per_year=0.3"};
  auto with_push = base_overrides;
  with_push.push_back(
      "events=[{type: sending_push, origin: indonesia, from: 2024-11, to: 2025-10, applicant_multiplier: 3}]");
  const Scenario plain = small_quickstart(base_overrides);
  const Scenario pushed = small_quickstart(with_push);
  const auto a = run(plain);
  const auto b = run(pushed);
  auto indonesian_entries = [](const Scenario& s, const YearOutput& y) {
    return national_sum(s, y, "entries", [](auto&, auto&, auto& origin) { return origin == "indonesia"; });
  };
  REQUIRE(a.size() == 5);
  INFO(indonesian_entries(plain, a[3]) << " -> " << indonesian_entries(pushed, b[3]));
  CHECK(indonesian_entries(pushed, b[3]) > indonesian_entries(plain, a[3]));
  // Common random numbers: years before the push are the same draw for draw.
  CHECK(indonesian_entries(pushed, b[1]) == indonesian_entries(plain, a[1]));
}

TEST_CASE("rule changes apply in date order whatever order the file lists them", "[model]") {
  const Scenario s =
      small_quickstart({"events=[{type: status_rule, date: 2028-04, status: TITP, set: {abscond_rate_per_year: 0.1}},"
                        " {type: status_rule, date: 2025-04, status: TITP, set: {max_stay_months: 48}}]"});
  REQUIRE(s.rule_changes.size() == 2);
  CHECK(s.rule_changes[0].date == month_index(2025, 4));
  CHECK(s.rule_changes[1].date == month_index(2028, 4));
  CHECK(s.rule_changes[1].rule.max_stay_months == 48);  // the later change keeps the earlier one
  CHECK(s.rule_changes[1].rule.abscond_rate_per_year == 0.1);
}

namespace {

// Arrivals of `origin` into the municipality with `code`, summed over the run.
std::int64_t entries_into(const Scenario& s, const std::vector<YearOutput>& years, int code,
                          const std::string& origin) {
  std::size_t where = 0;
  while (s.municipalities[where].code != code) ++where;
  const std::size_t o = *s.origin_index(origin);
  std::int64_t sum = 0;
  for (const auto& y : years) sum += y.find(y.municipality, "entries_by_origin").counts[where * s.origins.size() + o];
  return sum;
}

}  // namespace

TEST_CASE("an agreement with an origin raises that origin's entries into that municipality", "[model]") {
  // Municipalities sign nothing of their own accord here; Ota (Gunma) signs with Indonesia.
  const auto no_adoption = without_policy_adoption({"end=2026-10"});
  auto signing = no_adoption;
  signing.push_back("events=[{type: agreement, date: 2022-10, municipality: 10205, origin: indonesia}]");
  const Scenario plain = small_quickstart(no_adoption);
  const Scenario signed_up = small_quickstart(signing);
  const auto before = entries_into(plain, run(plain), 10205, "indonesia");
  const auto after = entries_into(signed_up, run(signed_up), 10205, "indonesia");
  INFO(before << " -> " << after);
  CHECK(after > before);
  const auto years = run(signed_up);
  CHECK(total(years.back(), years.back().municipality, "agreements") == 1);
}

TEST_CASE("co-national networks pull entrants to where their compatriots live", "[model]") {
  const std::string path = test::source_path("tests/scenarios/brazilian_community.yaml");
  const Scenario plain = load_scenario({path, {"end=2026-10"}});
  const Scenario networked = load_scenario({path, {"end=2026-10", "origins.brazil.network_elasticity=20"}});
  auto share_in_ota = [](const Scenario& s, const std::vector<YearOutput>& years) {
    std::int64_t all = 0;
    for (const auto& m : s.municipalities) all += entries_into(s, years, m.code, "brazil");
    return static_cast<double>(entries_into(s, years, 10205, "brazil")) / static_cast<double>(all);
  };
  const double before = share_in_ota(plain, run(plain));
  const double after = share_in_ota(networked, run(networked));
  INFO(before << " -> " << after);
  CHECK(after > before + 0.1);
}

TEST_CASE("language classes speed learning so more pass to SSW1, integration rises and fewer leave", "[model]") {
  auto classes = [](bool on) {
    std::vector<std::string> o{"events=[]", "statuses.TES.entries_open=true", "statuses.TITP.entries_open=false",
                               "statuses.TES.max_stay_months=48", "end=2027-10"};
    in_every_municipality(o, "language_classes", on ? "true" : "false");
    return o;
  };
  const Scenario without = small_quickstart(classes(false));
  const Scenario with = small_quickstart(classes(true));
  const auto a = run(without);
  const auto b = run(with);
  auto to_ssw1 = [](const Scenario& s, const std::vector<YearOutput>& years) {
    std::int64_t sum = 0;
    for (const auto& y : years) sum += status_sum(s, y, "transitions_out", "TES");
    return sum;
  };
  INFO("TES -> SSW1: " << to_ssw1(without, a) << " -> " << to_ssw1(with, b));
  CHECK(to_ssw1(with, b) > to_ssw1(without, a));
  double integration_without = 0, integration_with = 0;
  for (double v : a.back().find(a.back().municipality, "integration_index").reals) integration_without += v;
  for (double v : b.back().find(b.back().municipality, "integration_index").reals) integration_with += v;
  CHECK(integration_with > integration_without);
  std::int64_t exits_without = 0, exits_with = 0;
  for (const auto& y : a) exits_without += status_sum(without, y, "exits", "PERMANENT");
  for (const auto& y : b) exits_with += status_sum(with, y, "exits", "PERMANENT");
  INFO("exits of permanent residents: " << exits_without << " -> " << exits_with);
  CHECK(exits_with < exits_without);
}

TEST_CASE("better wages raise satisfaction and lower exits", "[model]") {
  const Scenario low = small_quickstart({"employers.wage_premium_mean=1.0", "employers.wage_premium_sd=0"});
  const Scenario high = small_quickstart({"employers.wage_premium_mean=1.5", "employers.wage_premium_sd=0"});
  auto worker_exits = [](const Scenario& s, const std::vector<YearOutput>& years) {
    std::int64_t sum = 0;
    for (const auto& y : years)
      sum += national_sum(s, y, "exits", [&](auto&, auto& field, auto&) { return field != "none"; });
    return sum;
  };
  const auto a = worker_exits(low, run(low));
  const auto b = worker_exits(high, run(high));
  INFO(a << " -> " << b);
  CHECK(b < a);
}

TEST_CASE("allowing family raises dependants and school-age children and lowers exits", "[model]") {
  const Scenario alone = small_quickstart({"end=2026-10"});
  const Scenario with_family =
      small_quickstart({"end=2026-10", "statuses.SSW1.family=allowed", "statuses.TITP.family=allowed"});
  const auto a = run(alone);
  const auto b = run(with_family);
  CHECK(status_sum(with_family, b.back(), "stock", "DEPENDENT") > status_sum(alone, a.back(), "stock", "DEPENDENT"));
  CHECK(total(b.back(), b.back().municipality, "school_age_children") >
        total(a.back(), a.back().municipality, "school_age_children"));
  std::int64_t exits_alone = 0, exits_family = 0;
  for (const auto& y : a) exits_alone += status_sum(alone, y, "exits", "SSW1") + status_sum(alone, y, "exits", "TITP");
  for (const auto& y : b)
    exits_family += status_sum(with_family, y, "exits", "SSW1") + status_sum(with_family, y, "exits", "TITP");
  INFO(exits_alone << " -> " << exits_family);
  CHECK(exits_family < exits_alone);
}

TEST_CASE("employers in two-year fields raise wages in year 2", "[model]") {
  auto tes = [](const char* raise) {
    return std::vector<std::string>{"events=[]",
                                    "statuses.TES.entries_open=true",
                                    "statuses.TITP.entries_open=false",
                                    "statuses.TES.job_search_rate_per_month=0",
                                    std::string("statuses.TES.second_year_wage_raise=") + raise,
                                    "end=2025-10"};
  };
  const Scenario flat = small_quickstart(tes("0"));
  const Scenario raised = small_quickstart(tes("0.2"));
  const auto a = run(flat);
  const auto b = run(raised);
  // Construction has a 24-month restriction in the quickstart; by 2025 many TES workers are in year 2.
  const std::size_t f = *flat.field_index("construction");
  std::int64_t wage_flat = 0, wage_raised = 0;
  const auto& wf = a.back().find(a.back().labour_market, "mean_wage_yen").counts;
  const auto& wr = b.back().find(b.back().labour_market, "mean_wage_yen").counts;
  for (std::size_t p = 0; p < flat.prefectures.size(); ++p) {
    wage_flat += wf[p * flat.fields.size() + f];
    wage_raised += wr[p * flat.fields.size() + f];
  }
  INFO(wage_flat << " -> " << wage_raised);
  CHECK(wage_raised > wage_flat);
}

namespace {

// Policies running across all municipalities in the last census year.
std::int64_t policies_running(const YearOutput& y) {
  std::int64_t sum = 0;
  for (const char* p : {"language_classes", "consultation", "residents_assembly", "employer_subsidy"})
    sum += total(y, y.municipality, p);
  return sum;
}

std::vector<std::string> adoption(const std::string& foreign_share_effect, const std::string& peer_effect) {
  std::vector<std::string> o{"municipal_policy.base_adoption_per_year=0", "municipal_policy.vacancy_effect=0",
                             "municipal_policy.budget_yen_per_resident=1000",
                             "municipal_policy.foreign_share_effect=" + foreign_share_effect,
                             "municipal_policy.peer_effect=" + peer_effect};
  in_every_municipality(o, "council_member", "true");
  return o;
}

}  // namespace

TEST_CASE("municipalities with more foreign residents adopt more policies", "[model][municipal]") {
  const Scenario inert = small_quickstart(adoption("0", "0"));
  const Scenario responsive = small_quickstart(adoption("10", "0"));
  const auto a = run(inert);
  const auto b = run(responsive);
  CHECK(policies_running(a.back()) == policies_running(a.front()));  // nothing drives adoption
  CHECK(policies_running(b.back()) > policies_running(a.back()));
}

TEST_CASE("policies diffuse among council members", "[model][municipal]") {
  const Scenario isolated = small_quickstart(adoption("0", "0"));
  const Scenario diffusing = small_quickstart(adoption("0", "2"));
  const auto a = run(isolated);
  const auto b = run(diffusing);
  // Ota starts with nothing; its peers run classes and consultation.
  const std::size_t ota = 0;
  CHECK(a.back().find(a.back().municipality, "language_classes").counts[ota] == 0);
  CHECK(b.back().find(b.back().municipality, "language_classes").counts[ota] == 1);
  CHECK(policies_running(b.back()) > policies_running(a.back()));
}

TEST_CASE("budgets bound what municipalities adopt and the AJTs they hire", "[model][municipal]") {
  auto broke = adoption("50", "2");
  broke.push_back("municipal_policy.budget_yen_per_resident=0");
  const Scenario s = small_quickstart(broke);
  const auto years = run(s);
  CHECK(policies_running(years.back()) == policies_running(years.front()));
  CHECK(total(years.back(), years.back().municipality, "ajts") ==
        total(years.front(), years.front().municipality, "ajts"));
  // With money, the same drivers add policies and teachers.
  const Scenario funded = small_quickstart(adoption("50", "2"));
  const auto more = run(funded);
  CHECK(policies_running(more.back()) > policies_running(years.back()));
  CHECK(total(more.back(), more.back().municipality, "ajts") > total(years.back(), years.back().municipality, "ajts"));
}

TEST_CASE("employer subsidies raise the places employers open", "[model][municipal]") {
  auto subsidies = [](bool on) {
    auto o = without_policy_adoption({"end=2026-10"});
    in_every_municipality(o, "employer_subsidy", on ? "true" : "false");
    return o;
  };
  const Scenario without = small_quickstart(subsidies(false));
  const Scenario with = small_quickstart(subsidies(true));
  const auto a = run(without);
  const auto b = run(with);
  CHECK(total(b.back(), b.back().labour_market, "vacancies_posted") >
        total(a.back(), a.back().labour_market, "vacancies_posted"));
  CHECK(total(b.back(), b.back().national, "workers") > total(a.back(), a.back().national, "workers"));
}

namespace {

// Net departures from the prefecture with `code` to other prefectures over the run.
std::int64_t net_moves_out(const Scenario& s, const std::vector<YearOutput>& years, int code) {
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

}  // namespace

TEST_CASE("job seekers move towards cities and towards integration", "[model][search]") {
  // Ota (Gunma) is the smallest municipality and has no integration policy.
  const auto neutral = without_policy_adoption({"behaviour.urban_pull=0", "behaviour.integration_pull=0"});
  auto with = [&](const std::string& extra) {
    auto o = neutral;
    o.push_back(extra);
    return small_quickstart(o);
  };
  const Scenario flat = small_quickstart(neutral);
  const Scenario urban = with("behaviour.urban_pull=5");
  const Scenario integrating = with("behaviour.integration_pull=5");
  const auto base = net_moves_out(flat, run(flat), 10);
  const auto to_cities = net_moves_out(urban, run(urban), 10);
  const auto to_integration = net_moves_out(integrating, run(integrating), 10);
  INFO("net moves out of Gunma: " << base << ", urban pull " << to_cities << ", integration pull " << to_integration);
  CHECK(to_cities > base);
  CHECK(to_integration > base);
}

TEST_CASE("integration speeds family reunification and settlement", "[model][integration]") {
  const Scenario plain = small_quickstart({"integration.family_join_boost=0", "integration.settlement_boost=0"});
  const Scenario boosted = small_quickstart({"integration.family_join_boost=5", "integration.settlement_boost=3"});
  const auto a = run(plain);
  const auto b = run(boosted);
  std::int64_t joined_a = 0, joined_b = 0, settled_a = 0, settled_b = 0;
  for (const auto& y : a)
    joined_a += total(y, y.national, "family_joined"), settled_a += status_sum(plain, y, "transitions_in", "PERMANENT");
  for (const auto& y : b)
    joined_b += total(y, y.national, "family_joined"),
        settled_b += status_sum(boosted, y, "transitions_in", "PERMANENT");
  INFO("family joined " << joined_a << " -> " << joined_b << "; to PERMANENT " << settled_a << " -> " << settled_b);
  CHECK(joined_b > joined_a);
  CHECK(settled_b > settled_a);
}

TEST_CASE("small employers recruit abroad only through an agreement", "[model][channels]") {
  // Every employer small, none diaspora-owned: the open market is closed to them all.
  const auto all_small =
      without_policy_adoption({"employers.small_employer_places=100000", "employers.diaspora_share=0", "end=2025-10"});
  auto working_entries = [](const Scenario& s, const YearOutput& y, const char* origin) {
    return national_sum(s, y, "entries", [&](auto&, auto& field, auto& o) {
      return field != "none" && (origin == nullptr || o == origin);
    });
  };
  const Scenario closed = small_quickstart(all_small);
  for (const auto& y : run(closed)) CHECK(working_entries(closed, y, nullptr) == 0);

  auto with_agreement = all_small;
  with_agreement.push_back("events=[{type: agreement, date: 2022-10, municipality: 10205, origin: indonesia}]");
  const Scenario opened = small_quickstart(with_agreement);
  std::int64_t indonesians = 0, everyone = 0;
  for (const auto& y : run(opened)) {
    indonesians += working_entries(opened, y, "indonesia");
    everyone += working_entries(opened, y, nullptr);
  }
  CHECK(indonesians > 0);
  CHECK(everyone == indonesians);
}

TEST_CASE("diaspora-owned employers hire their co-nationals", "[model][channels]") {
  auto korean_it_entries = [](const Scenario& s) {
    std::int64_t sum = 0;
    for (const auto& y : run(s))
      sum += national_sum(s, y, "entries",
                          [](auto&, auto& field, auto& o) { return field == "it_professional" && o == "korea"; });
    return sum;
  };
  // No Korean works in IT at the start, so no IT employer has a Korean owner.
  const Scenario open_market = small_quickstart({"employers.diaspora_share=0"});
  const Scenario diaspora =
      small_quickstart({"employers.diaspora_share=1", "employers.diaspora_other_origin_acceptance=0"});
  CHECK(korean_it_entries(open_market) > 0);
  CHECK(korean_it_entries(diaspora) == 0);
}

TEST_CASE("a labour-shortage series drives employers' capacity year by year", "[model][employers]") {
  // Construction's demand grows 30 % a year from census year 2025 on, nothing before.
  const Scenario s = small_quickstart({"fields.construction.labour_demand_growth_per_year=0",
                                       "fields.construction.labour_demand_growth_by_year={2025: 0.3}", "end=2026-10"});
  const Scenario flat = small_quickstart({"fields.construction.labour_demand_growth_per_year=0", "end=2026-10"});
  const auto a = run(flat);
  const auto b = run(s);
  const std::size_t f = *s.field_index("construction");
  auto posted = [&](const YearOutput& y) {
    std::int64_t sum = 0;
    for (std::size_t p = 0; p < s.prefectures.size(); ++p)
      sum += y.find(y.labour_market, "vacancies_posted").counts[p * s.fields.size() + f];
    return sum;
  };
  CHECK(posted(b[2]) == posted(a[2]));  // 2024: the series has not started
  CHECK(posted(b[3]) > posted(a[3]));   // 2025: it has
}

TEST_CASE("employers hire only the statuses they take on", "[model][employers]") {
  const Scenario s = small_quickstart({"fields.construction.hires={SSW1: 0}"});
  const Scenario all = small_quickstart();
  auto ssw1_into_construction = [](const Scenario& sc) {
    std::int64_t sum = 0;
    for (const auto& y : run(sc))
      sum +=
          national_sum(sc, y, "entries", [](auto& st, auto& f, auto&) { return st == "SSW1" && f == "construction"; });
    return sum;
  };
  CHECK(ssw1_into_construction(all) > 0);
  CHECK(ssw1_into_construction(s) == 0);
}

TEST_CASE("the applicants multiplier scales every origin's applicants", "[model][origins]") {
  const Scenario low = small_quickstart({"applicants_multiplier=0.2"});
  const Scenario high = small_quickstart({"applicants_multiplier=3"});
  auto nepali_entries = [](const Scenario& sc) {
    std::int64_t sum = 0;
    for (const auto& y : run(sc))
      sum += national_sum(sc, y, "entries", [](auto&, auto&, auto& o) { return o == "nepal"; });
    return sum;
  };
  CHECK(nepali_entries(high) > nepali_entries(low));
}

TEST_CASE("municipalities sign agreements when employers lack workers, within budget", "[model][municipal]") {
  const std::vector<std::string> keen{"municipal_policy.base_adoption_per_year=0", "municipal_policy.peer_effect=0",
                                      "municipal_policy.vacancy_effect=20", "end=2025-10"};
  auto broke = keen;
  broke.push_back("municipal_policy.budget_yen_per_resident=0");
  const Scenario s = small_quickstart(keen);
  const Scenario no_money = small_quickstart(broke);
  const auto years = run(s);
  CHECK(total(years.front(), years.front().municipality, "agreements") == 0);
  CHECK(total(years.back(), years.back().municipality, "agreements") > 0);
  const auto none = run(no_money);
  CHECK(total(none.back(), none.back().municipality, "agreements") == 0);
}

TEST_CASE("integration speeds learning Japanese", "[model][integration]") {
  // TES workers need A2 to move on to SSW1; integration helps them get there.
  const std::vector<std::string> tes{"events=[]",
                                     "statuses.TES.entries_open=true",
                                     "statuses.TITP.entries_open=false",
                                     "statuses.TES.max_stay_months=48",
                                     "end=2027-10",
                                     "integration.settlement_boost=0",
                                     "caps=[]"};
  auto slow = without_policy_adoption(tes), fast = without_policy_adoption(tes);
  in_every_municipality(slow, "language_classes", "false");  // no classes: only integration can speed learning
  in_every_municipality(fast, "language_classes", "false");
  slow.push_back("integration.learning_boost=0");
  fast.push_back("integration.learning_boost=3");
  const Scenario a = small_quickstart(slow);
  const Scenario b = small_quickstart(fast);
  std::int64_t moved_a = 0, moved_b = 0;
  for (const auto& y : run(a)) moved_a += status_sum(a, y, "transitions_out", "TES");
  for (const auto& y : run(b)) moved_b += status_sum(b, y, "transitions_out", "TES");
  INFO(moved_a << " -> " << moved_b);
  CHECK(moved_b > moved_a);
}

TEST_CASE("entrants prefer destinations nearer to where they come from", "[model][origins]") {
  // From Seoul, the Aichi municipalities are some 250 km nearer than those around Tokyo.
  auto korean_share_in_aichi = [](const std::string& decay) {
    const Scenario s = small_quickstart({"behaviour.distance_decay_km=" + decay, "employers.diaspora_share=0"});
    const auto years = run(s);
    std::int64_t aichi = 0, all = 0;
    const std::size_t korea = *s.origin_index("korea");
    for (const auto& y : years) {
      const auto& entries = y.find(y.municipality, "entries_by_origin").counts;
      for (std::size_t k = 0; k < s.municipalities.size(); ++k) {
        const auto n = entries[k * s.origins.size() + korea];
        all += n;
        if (s.prefectures[s.municipalities[k].prefecture].code == 23) aichi += n;
      }
    }
    return static_cast<double>(aichi) / static_cast<double>(all);
  };
  const double far_off = korean_share_in_aichi("0");
  const double near = korean_share_in_aichi("200");
  INFO(far_off << " -> " << near);
  CHECK(near > far_off);
}

TEST_CASE("a student who becomes an engineer moves on to a job the new status covers", "[model][market]") {
  const Scenario s = small_quickstart();
  std::int64_t moved_out_of_food_service = 0, became_engineers = 0;
  for (const auto& y : run(s)) {
    became_engineers += national_sum(s, y, "transitions_in",
                                     [](auto& st, auto& f, auto&) { return st == "ENGINEER" && f == "food_service"; });
    moved_out_of_food_service += national_sum(
        s, y, "field_changes_out", [](auto& st, auto& f, auto&) { return st == "ENGINEER" && f == "food_service"; });
  }
  INFO(became_engineers << " students became engineers; " << moved_out_of_food_service << " left food service");
  CHECK(became_engineers > 0);
  CHECK(moved_out_of_food_service > became_engineers / 2);
}

// Agents act only when a hazard clock ticks (a geometric draw against a bound) and a tick becomes
// an exit with probability hazard / bound: over years that must give the yearly rate set.
TEST_CASE("agents leave at the yearly exit rate their status sets, clocks thinned to the hazard", "[model][clocks]") {
  const auto s =
      small_quickstart({"scale=0.25", "statuses.SPECIAL_PERMANENT.exit_rate_per_year=0.3",
                        "integration.exit_reduction=0", "behaviour.exit_satisfaction_reduction=0",
                        "behaviour.exit_family_present=1", "behaviour.exit_family_separated=1", "end=2027-10"});
  const auto years = run(s);
  const double start = static_cast<double>(status_sum(s, years.front(), "stock", "SPECIAL_PERMANENT"));
  REQUIRE(start > 1000);
  for (std::size_t y = 1; y < years.size(); ++y) {
    const double expected = start * std::pow(0.7, static_cast<double>(y));
    // Binomial over agents, each standing for persons_per_agent persons.
    const double sd = static_cast<double>(s.persons_per_agent()) *
                      std::sqrt(start / static_cast<double>(s.persons_per_agent()) *
                                std::pow(0.7, static_cast<double>(y)) * (1.0 - std::pow(0.7, static_cast<double>(y))));
    const double got = static_cast<double>(status_sum(s, years[y], "stock", "SPECIAL_PERMANENT"));
    INFO("year " << y << ": " << got << " of " << start << ", expected " << expected << " +- " << sd);
    CHECK(std::abs(got - expected) < 4.0 * sd);
  }
}
