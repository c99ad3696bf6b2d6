// Each policy rule, seen in a run: the effect a user relies on, asserted on the outcome cubes.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "../helpers.hpp"

using namespace migsim;
using namespace migsim::test;

namespace {

std::int64_t entries_all(const YearOutput& y) { return total(y, y.national, "entries"); }

// TES open from the start, so every TES worker's time with an employer is known.
std::vector<std::string> tes_from_start(int after_months) {
  return {"events=[]",
          "statuses.TES.entries_open=true",
          "statuses.TITP.entries_open=false",
          "statuses.TES.employer_change_after_months=" + std::to_string(after_months),
          "statuses.TES.max_stay_months=60",
          "statuses.TES.job_search_rate_per_month=0.2",
          "end=2026-10"};
}

}  // namespace

TEST_CASE("no employer change before the allowed month", "[rules]") {
  const Scenario s = small_quickstart(tes_from_start(24));
  const auto years = run(s);
  REQUIRE(years.size() == 5);  // 2022..2026
  // Arrivals from 2022-11 reach 24 months with their employer in 2024-11, census year 2025.
  CHECK(status_sum(s, years[1], "employer_changes", "TES") == 0);
  CHECK(status_sum(s, years[2], "employer_changes", "TES") == 0);
  CHECK(status_sum(s, years[3], "employer_changes", "TES") > 0);
  CHECK(status_sum(s, years[1], "entries", "TES") > 0);
  // TITP never allows a change.
  for (const auto& y : years) CHECK(status_sum(s, y, "employer_changes", "TITP") == 0);

  // After 12 months instead of 24: changes start a year earlier.
  const Scenario earlier = small_quickstart(tes_from_start(12));
  const auto years12 = run(earlier);
  CHECK(status_sum(earlier, years12[1], "employer_changes", "TES") == 0);
  CHECK(status_sum(earlier, years12[2], "employer_changes", "TES") > 0);
}

TEST_CASE("only statuses that allow family are joined by family", "[rules]") {
  const Scenario s = small_quickstart();
  const auto years = run(s);
  std::int64_t joined_with_family_status = 0;
  for (const auto& y : years) {
    for (const char* status : {"TITP", "TES", "SSW1", "SPECIAL_PERMANENT", "OTHER", "DEPENDENT"}) {
      INFO(y.year << " " << status);
      CHECK(status_sum(s, y, "family_joined", status) == 0);
    }
    joined_with_family_status +=
        status_sum(s, y, "family_joined", "SSW2") + status_sum(s, y, "family_joined", "ENGINEER");
  }
  CHECK(joined_with_family_status > 0);

  // With family forbidden everywhere, nobody joins and no dependant arrives.
  std::vector<std::string> no_family;
  for (const auto& st : s.statuses) no_family.push_back("statuses." + st.name + ".family=none");
  const Scenario closed = small_quickstart(no_family);
  for (const auto& y : run(closed)) {
    CHECK(total(y, y.national, "family_joined") == 0);
    CHECK(status_sum(closed, y, "entries", "DEPENDENT") == 0);
  }
}

TEST_CASE("a capped field never exceeds its cap, and the cap binds", "[rules]") {
  // 1,200 persons of SSW1 in construction at most, from the start to the end.
  const Scenario s = small_quickstart(
      {"caps=[{field: construction, statuses: [SSW1], from: 2022-10, to: 2030-10, limit_persons: 1200}]"});
  const auto years = run(s);
  std::int64_t blocked = 0;
  for (const auto& y : years) {
    const auto stock =
        national_sum(s, y, "stock", [](auto& st, auto& f, auto&) { return st == "SSW1" && f == "construction"; });
    INFO(y.year);
    CHECK(stock <= 1200);
    blocked += total(y, y.labour_market, "cap_blocked");
  }
  CHECK(blocked > 0);
  // Without the cap the same field grows past it: the cap is what holds it back.
  const Scenario uncapped = small_quickstart({"caps=[]"});
  std::int64_t most = 0;
  for (const auto& y : run(uncapped))
    most = std::max(most, national_sum(uncapped, y, "stock",
                                       [](auto& st, auto& f, auto&) { return st == "SSW1" && f == "construction"; }));
  CHECK(most > 1200);
}

TEST_CASE("a cap of 0 admits nobody and no cap means no limit", "[rules]") {
  const Scenario zero = small_quickstart(
      {"caps=[{field: construction, statuses: [SSW1], from: 2022-10, to: 2030-10, limit_persons: 0}]"});
  auto in_construction_ssw1 = [](auto& st, auto& f, auto&) { return st == "SSW1" && f == "construction"; };
  for (const auto& y : run(zero)) {
    INFO(y.year);
    CHECK(national_sum(zero, y, "entries", in_construction_ssw1) == 0);
    CHECK(national_sum(zero, y, "transitions_in", in_construction_ssw1) == 0);
  }
  const Scenario uncapped = small_quickstart({"caps=[]"});
  std::int64_t admitted = 0;
  for (const auto& y : run(uncapped))
    admitted += national_sum(uncapped, y, "entries", in_construction_ssw1) +
                national_sum(uncapped, y, "transitions_in", in_construction_ssw1);
  CHECK(admitted > 0);
}

namespace {

// The quickstart with a border closure over census year 2023 (2022-11 to 2023-10), the event's
// other keys in `keys` (", key: value" each), run to the census of `end`.
Scenario closed_in_2023(const std::string& keys, const std::string& end = "2024-10") {
  return small_quickstart({"events=[{type: border_closure, from: 2022-11, to: 2023-10" + keys + "}]", "end=" + end});
}

}  // namespace

TEST_CASE("nobody enters during a border closure", "[rules]") {
  const Scenario s = closed_in_2023("");
  const auto years = run(s);
  REQUIRE(years.size() == 3);
  CHECK(entries_all(years[1]) == 0);
  CHECK(total(years[1], years[1].national, "family_joined") == 0);
  CHECK(entries_all(years[2]) > 0);
  CHECK(total(years[1], years[1].national, "exits") > 0);  // the rest of the model runs on
}

TEST_CASE("a closure shut to one channel keeps another open", "[rules]") {
  // Census year 2023 (2022-11 to 2023-10): interns and dependants kept out, spouses let in
  // (and with them the families of permanent residents and spouses, who join as spouses).
  const Scenario s = closed_in_2023(", admit_share: 1, admit_share_by_status: {TITP: 0, DEPENDENT: 0}");
  const auto years = run(s);
  REQUIRE(years.size() == 3);
  CHECK(status_sum(s, years[1], "entries", "TITP") == 0);
  CHECK(status_sum(s, years[1], "entries", "DEPENDENT") == 0);
  CHECK(status_sum(s, years[1], "family_joined", "ENGINEER") == 0);
  CHECK(status_sum(s, years[1], "family_joined", "SPOUSE_OR_LONG_TERM") > 0);
  CHECK(status_sum(s, years[1], "entries", "SPOUSE_OR_LONG_TERM") > 0);
  CHECK(status_sum(s, years[1], "entries", "SSW1") > 0);
  CHECK(status_sum(s, years[2], "entries", "TITP") > 0);  // reopened
}

TEST_CASE("a closure strands some of those whose stay ends: they stay on under another status", "[rules]") {
  // Census year 2023 (2022-11 to 2023-10): interns who reach the end of their stay cannot go home.
  const Scenario none = closed_in_2023(", admit_share: 1, stay_on_as: OTHER, stay_on_share: 0");
  const Scenario all = closed_in_2023(", admit_share: 1, stay_on_as: OTHER, stay_on_share: 1");
  const auto left = run(none), stayed = run(all);
  REQUIRE(left.size() == 3);
  REQUIRE(stayed.size() == 3);
  // Nobody stays on without the share; with it, the interns whose stay ends become OTHER and
  // fewer of them leave.
  CHECK(status_sum(none, left[1], "transitions_in", "OTHER") == 0);
  CHECK(status_sum(all, stayed[1], "transitions_in", "OTHER") > 0);
  CHECK(status_sum(all, stayed[1], "exits", "TITP") < status_sum(none, left[1], "exits", "TITP"));
  // After the closure, stays end as before: nobody becomes OTHER that way.
  CHECK(status_sum(all, stayed[2], "transitions_in", "OTHER") == 0);
}

TEST_CASE("after a closure, those it kept out catch up over the months after it", "[rules]") {
  // Census year 2023 (2022-11 to 2023-10) shut to students; the year after, the catch-up.
  const auto closed = [](const std::string& share) {
    return closed_in_2023(
        ", admit_share: 1, admit_share_by_status: {STUDENT: 0}, catch_up_months: 12, catch_up_share: " + share,
        "2025-10");
  };
  const Scenario none = closed("0"), half = closed("0.5");
  const auto plain = run(none), caught_up = run(half);
  REQUIRE(plain.size() == 4);
  REQUIRE(caught_up.size() == 4);
  CHECK(status_sum(half, caught_up[1], "entries", "STUDENT") == 0);
  // Half of a year's students kept out come in the year after: about 1.5 times the entries.
  const auto after = static_cast<double>(status_sum(half, caught_up[2], "entries", "STUDENT"));
  const auto normal = static_cast<double>(status_sum(none, plain[2], "entries", "STUDENT"));
  REQUIRE(normal > 0);
  CHECK(after / normal > 1.3);
  CHECK(after / normal < 1.7);
  // Then the channel runs as before (the same applicants' rate, other draws).
  const auto later = static_cast<double>(status_sum(half, caught_up[3], "entries", "STUDENT"));
  CHECK(later / static_cast<double>(status_sum(none, plain[3], "entries", "STUDENT")) < 1.2);
}

TEST_CASE("a channel multiplier scales one status's applicants from abroad", "[rules]") {
  const Scenario base = small_quickstart({"end=2024-10"});
  const Scenario halved = small_quickstart({"end=2024-10", "statuses.STUDENT.channel_multiplier=0.5"});
  const auto plain = run(base), fewer = run(halved);
  REQUIRE(plain.size() == fewer.size());
  const auto ratio = static_cast<double>(status_sum(halved, fewer[1], "entries", "STUDENT")) /
                     static_cast<double>(status_sum(base, plain[1], "entries", "STUDENT"));
  CHECK(ratio > 0.35);
  CHECK(ratio < 0.65);
}

TEST_CASE("a dated rule change closes TITP and opens TES", "[rules]") {
  const Scenario s = small_quickstart();
  const auto years = run(s);
  for (const auto& y : years) {
    INFO(y.year);
    if (y.year <= 2026) CHECK(status_sum(s, y, "entries", "TES") == 0);
    if (y.year >= 2028) {
      CHECK(status_sum(s, y, "entries", "TITP") == 0);
      CHECK(status_sum(s, y, "entries", "TES") > 0);
    }
  }
}

TEST_CASE("the stock identity of the national group holds exactly in every cell", "[output]") {
  const Scenario s = small_quickstart();
  const auto years = run(s);
  REQUIRE(years.size() == 9);
  for (std::size_t k = 1; k < years.size(); ++k) {
    const auto& y = years[k];
    const auto& stock = y.find(y.national, "stock").counts;
    const auto& before = years[k - 1].find(years[k - 1].national, "stock").counts;
    std::size_t failures = 0;
    for (std::size_t c = 0; c < stock.size(); ++c) {
      const std::int64_t in = y.find(y.national, "entries").counts[c] + y.find(y.national, "transitions_in").counts[c] +
                              y.find(y.national, "field_changes_in").counts[c];
      const std::int64_t out = y.find(y.national, "exits").counts[c] + y.find(y.national, "absconded").counts[c] +
                               y.find(y.national, "transitions_out").counts[c] +
                               y.find(y.national, "field_changes_out").counts[c];
      if (before[c] + in - out != stock[c]) ++failures;
    }
    INFO(y.year);
    CHECK(failures == 0);
    CHECK(total(y, y.national, "entries") > 0);
    CHECK(total(y, y.national, "transitions_in") > 0);
  }
  // The prefecture group counts the same people.
  for (const auto& y : years) CHECK(total(y, y.prefecture, "stock") == total(y, y.national, "stock"));
}

TEST_CASE("every group of the output contract is filled", "[output]") {
  Scenario s = small_quickstart();
  s.agreements.push_back({s.start + 1, 3, 0});  // one dated agreement, so the count cannot be 0 by chance
  const auto years = run(s);
  const auto& last = years.back();
  for (const char* m : {"stock", "workers", "entries", "exits", "absconded", "transitions_in", "transitions_out",
                        "field_changes_in", "field_changes_out", "employer_changes", "family_joined"}) {
    INFO(m);
    CHECK(total(last, last.national, m) > 0);
  }
  for (const char* m : {"stock", "entries", "exits", "employer_changes"}) CHECK(total(last, last.prefecture, m) > 0);
  for (const char* m : {"foreign_residents", "foreign_workers", "school_age_children", "ajts", "agreements"}) {
    INFO(m);
    CHECK(total(last, last.municipality, m) > 0);
  }
  double integration = 0;
  for (double v : last.find(last.municipality, "integration_index").reals) integration += v;
  CHECK(integration > 0);
  for (const char* m : {"vacancies_posted", "vacancies_unfilled", "mean_wage_yen"}) {
    INFO(m);
    CHECK(total(last, last.labour_market, m) > 0);
  }
}

TEST_CASE("the same scenario and seed give identical outcomes for 1, 2 and 8 threads", "[determinism]") {
  const Scenario s = small_quickstart();
  const auto one = run(s, 1);
  for (int threads : {2, 8}) {
    const auto other = run(s, threads);
    REQUIRE(other.size() == one.size());
    for (std::size_t k = 0; k < one.size(); ++k) {
      using Group = std::vector<Measure> YearOutput::*;
      for (Group group :
           {&YearOutput::national, &YearOutput::prefecture, &YearOutput::municipality, &YearOutput::labour_market}) {
        const auto& a = one[k].*group;
        const auto& b = other[k].*group;
        REQUIRE(a.size() == b.size());
        for (std::size_t m = 0; m < a.size(); ++m) {
          INFO(threads << " threads, year " << one[k].year << ", " << a[m].name);
          CHECK(a[m].counts == b[m].counts);
          CHECK(a[m].reals == b[m].reals);
        }
      }
    }
  }
}

TEST_CASE("the sink gets every census year once, in order, and its error ends the run", "[output]") {
  const Scenario s = small_quickstart();
  const auto years = run(s);
  REQUIRE(years.size() == static_cast<std::size_t>(s.last_year() - s.first_year() + 1));
  for (std::size_t k = 0; k < years.size(); ++k) CHECK(years[k].year == s.first_year() + static_cast<int>(k));

  // Years are written while the next ones are simulated: a failure to write one still stops
  // the run, with the sink's own error, and no later year is handed over.
  struct FailingSink : OutputSink {
    int calls = 0;
    std::vector<int> written;
    void write_year(const YearOutput& year) override {
      if (++calls == 3) throw std::runtime_error("disk full");
      written.push_back(year.year);
    }
  } failing;
  Engine engine(s);
  RunOptions options;
  options.threads = 2;
  CHECK_THROWS_WITH(engine.run(failing, options), "disk full");
  CHECK(failing.calls == 3);  // nothing is handed over after the failed year
  CHECK(failing.written == std::vector<int>{s.first_year(), s.first_year() + 1});
}

TEST_CASE("a closed channel takes no share of an origin's applicants", "[rules]") {
  // Until 2027-04 TES is closed: its weight must not thin out the open channels, so the run is the
  // same whether or not the origins list a TES weight.
  const std::vector<std::string> until_2026 = {"end=2026-10"};
  std::vector<std::string> without_tes = until_2026;
  for (const char* origin : {"vietnam", "china", "philippines", "indonesia", "nepal", "brazil", "korea", "other"})
    without_tes.push_back(std::string("origins.") + origin + ".channels.TES=0");
  const Scenario with = small_quickstart(until_2026), without = small_quickstart(without_tes);
  const auto a = run(with), b = run(without);
  REQUIRE(a.size() == b.size());
  for (std::size_t k = 0; k < a.size(); ++k) {
    INFO(a[k].year);
    CHECK(status_sum(with, a[k], "entries", "TITP") == status_sum(without, b[k], "entries", "TITP"));
    CHECK(entries_all(a[k]) == entries_all(b[k]));
  }
  CHECK(status_sum(with, a[1], "entries", "TITP") > 0);
}

TEST_CASE("initial residents spend the months their status's bands give", "[rules]") {
  // SSW1 holders who have all just begun cannot reach the 60-month limit in the first year; holders in
  // their last year all do, so the first year's SSW1 exits are many times larger.
  auto ssw1_exits = [](const std::string& bands) {
    const Scenario s = small_quickstart({"end=2023-10", "initial_months_in_status=" + bands});
    const auto years = run(s);
    return status_sum(s, years[1], "exits", "SSW1") + status_sum(s, years[1], "transitions_out", "SSW1");
  };
  const auto fresh = ssw1_exits("[{status: SSW1, from_months: 0, to_months: 12, share: 1}]");
  const auto ending = ssw1_exits("[{status: SSW1, from_months: 48, to_months: 60, share: 1}]");
  CHECK(ending > 5 * fresh);
}

TEST_CASE("a dated pass rate applies from January of its year", "[rules]") {
  // No TITP -> SSW1 change before 2024, then every attempt passes.
  const Scenario s = small_quickstart({"end=2025-10", "statuses.TITP.transitions[0].pass_rate=0",
                                       "statuses.TITP.transitions[0].pass_rate_by_year={2024: 1}"});
  const auto years = run(s);
  REQUIRE(years.size() == 4);                                     // 2022..2025
  CHECK(status_sum(s, years[1], "transitions_in", "SSW1") == 0);  // 2022-11 .. 2023-10
  CHECK(status_sum(s, years[3], "transitions_in", "SSW1") > 0);   // 2024-11 .. 2025-10
}

TEST_CASE("at the end of a first term only the renewal share stays on", "[rules]") {
  // Interns who all reach 36 months in the first year, with no move to SSW1: with renewal_share 0 they
  // leave then, with 1 they stay on (nobody reaches 60 months in that year).
  auto titp_exits = [](const std::string& share) {
    const Scenario s =
        small_quickstart({"end=2023-10", "statuses.TITP.transitions=[]", "statuses.TITP.first_term_months=36",
                          "statuses.TITP.renewal_share=" + share,
                          "initial_months_in_status=[{status: TITP, from_months: 24, to_months: 36, share: 1}]"});
    const auto years = run(s);
    return status_sum(s, years[1], "exits", "TITP");
  };
  CHECK(titp_exits("0") > 3 * titp_exits("1"));
}
