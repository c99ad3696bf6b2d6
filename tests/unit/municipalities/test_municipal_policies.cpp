// Municipal policies in runs: adoption, diffusion among council members, budgets, language classes, subsidies.
#include <catch2/catch.hpp>

#include <cmath>

#include "../model_helpers.hpp"

using namespace migsim;
using namespace migsim::test;

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
