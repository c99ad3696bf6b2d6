// Employers in runs: wages and satisfaction, the year-2 raise, capacity from a labour-shortage series, the statuses they hire.
#include <catch2/catch.hpp>

#include <cmath>

#include "../model_helpers.hpp"

using namespace migsim;
using namespace migsim::test;

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
