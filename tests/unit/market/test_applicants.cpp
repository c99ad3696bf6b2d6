// Applicants from abroad in runs: networks, orientation to work abroad, nearer destinations.
#include <catch2/catch.hpp>

#include <cmath>

#include "../model_helpers.hpp"

using namespace migsim;
using namespace migsim::test;

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

TEST_CASE("students admitted by their school enter without a vacancy, and most look for part-time work",
          "[model][students]") {
  // No vacancies at the start and no demand growth: entrants who need a job find few places.
  const std::vector<std::string> few_places = {"end=2024-10", "employers.initial_vacancy_rate=0",
                                               "fields.food_service.labour_demand_growth_per_year=0",
                                               "fields.wholesale_retail.labour_demand_growth_per_year=0"};
  auto with = [&](std::vector<std::string> extra) {
    extra.insert(extra.begin(), few_places.begin(), few_places.end());
    return small_quickstart(extra);
  };
  const Scenario by_vacancy = with({});
  const Scenario by_school =
      with({"statuses.STUDENT.enters_without_job=true", "statuses.STUDENT.part_time_search_share=0.75"});
  auto student_entries = [](const Scenario& s, const std::vector<YearOutput>& years, bool looking) {
    std::int64_t sum = 0;
    for (const auto& y : years)
      sum += national_sum(s, y, "entries", [&](const std::string& st, const std::string& f, const std::string&) {
        return st == "STUDENT" && (f != "none") == looking;
      });
    return sum;
  };
  const auto vacancy_years = run(by_vacancy);
  const auto school_years = run(by_school);
  const std::int64_t by_vacancy_all = student_entries(by_vacancy, vacancy_years, true) +
                                      student_entries(by_vacancy, vacancy_years, false);
  const std::int64_t looking = student_entries(by_school, school_years, true);
  const std::int64_t not_looking = student_entries(by_school, school_years, false);
  const double looking_share = static_cast<double>(looking) / static_cast<double>(looking + not_looking);
  INFO("by vacancy " << by_vacancy_all << ", by school " << looking << " looking + " << not_looking);
  CHECK(looking + not_looking > 2 * by_vacancy_all);
  CHECK(looking_share == Approx(0.75).margin(0.05));
  // Those looking search like any worker without a job: by the last census most of them work.
  const auto& last = school_years.back();
  const std::int64_t students_in_work_fields =
      national_sum(by_school, last, "stock", [](const std::string& st, const std::string& f, const std::string&) {
        return st == "STUDENT" && f != "none";
      });
  CHECK(status_sum(by_school, last, "workers", "STUDENT") > students_in_work_fields / 2);
}
