// Scenario files: strict parsing, one test per kind of bad input, extends and --set.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include "helpers.hpp"
#include "migsim/error.hpp"

using namespace migsim;
using Catch::Matchers::Contains;

namespace {

std::string bad(const std::string& name) { return test::source_path("tests/bad_scenarios/" + name); }

std::string load_error(const std::string& path, const std::vector<std::string>& overrides = {}) {
  try {
    load_scenario({path, overrides});
  } catch (const InputError& e) {
    return e.what();
  }
  FAIL("expected an InputError from " << path);
  return {};
}

// The message names the file and line (and column), the key path, and what was expected.
void expect_error(const std::string& name, int line, const std::string& key, const std::string& expected) {
  const std::string message = load_error(bad(name));
  INFO(message);
  CHECK_THAT(message, Contains(bad(name) + ":" + std::to_string(line) + ":"));
  if (!key.empty()) CHECK_THAT(message, Contains("key '" + key + "'"));
  CHECK_THAT(message, Contains(expected));
  CHECK(message.find('\n') == std::string::npos);  // one line
}

}  // namespace

TEST_CASE("the quickstart scenario loads with its policy as data", "[scenario]") {
  const Scenario s = load_scenario({test::quickstart(), {}});
  CHECK(s.name == "quickstart");
  CHECK(s.statuses.size() == 12);
  CHECK(s.statuses[0].name == "TITP");
  CHECK(s.statuses[0].employer_change == EmployerChangeRule::never);
  CHECK(s.statuses[1].employer_change == EmployerChangeRule::after_months);
  const auto construction = *s.field_index("construction");
  const auto agriculture = *s.field_index("agriculture");
  CHECK(s.statuses[1].employer_change_after_months[construction] == 24);
  CHECK(s.statuses[1].employer_change_after_months[agriculture] == 12);
  CHECK(s.caps.size() == 6);
  CHECK(s.rule_changes.size() == 2);
  CHECK(s.start == month_index(2022, 10));
  CHECK(s.last_year() == 2030);
  CHECK(s.persons_per_agent() == 4);
  CHECK_FALSE(s.initial_stock.empty());
}

TEST_CASE("an unknown key is an error naming the key and the line", "[scenario][bad]") {
  expect_error("unknown_top_key.yaml", 3, "statuse", "unknown key");
  expect_error("unknown_nested_key.yaml", 5, "statuses.TITP.max_stay", "unknown key; expected one of:");
}

TEST_CASE("a value of the wrong type is an error", "[scenario][bad]") {
  expect_error("wrong_type.yaml", 5, "statuses.TITP.max_stay_months", "expected a whole number, got 'sixty'");
  expect_error("wrong_bool.yaml", 5, "statuses.SSW1.entries_open", "expected true or false, got 'maybe'");
}

TEST_CASE("a value out of range is an error", "[scenario][bad]") {
  expect_error("out_of_range.yaml", 6, "statuses.TITP.transitions[0].pass_rate",
               "expected a number from 0 to 1, got 1.5");
  expect_error("bad_scale.yaml", 3, "scale", "1/X a whole number");
}

TEST_CASE("a date that does not parse is an error", "[scenario][bad]") {
  expect_error("bad_date.yaml", 3, "end", "expected a date YYYY-MM or YYYY-MM-DD");
  expect_error("bad_day.yaml", 4, "events[0].from", "expected a valid day of the month");
}

TEST_CASE("a status, field or origin that is not defined is an error", "[scenario][bad]") {
  expect_error("undefined_status.yaml", 6, "statuses.SSW1.transitions[0].to", "expected a defined status");
  expect_error("undefined_field.yaml", 5, "statuses.TITP.entry_fields[1]", "expected a defined field");
  expect_error("undefined_origin.yaml", 4, "initial_stock[0].origin", "expected a defined origin");
}

TEST_CASE("a cap on an unknown field is an error", "[scenario][bad]") {
  expect_error("cap_unknown_field.yaml", 4, "caps[0].field", "expected a defined field");
}

TEST_CASE("an unknown event type is an error", "[scenario][bad]") {
  expect_error("unknown_event_type.yaml", 4, "events[0].type", "expected one of: border_closure, status_rule");
}

TEST_CASE("a closure's share per status names defined statuses and shares from 0 to 1", "[scenario][bad]") {
  expect_error("closure_unknown_status.yaml", 4, "events[0].admit_share_by_status.INTERN", "expected a defined status");
  expect_error("closure_share_out_of_range.yaml", 5, "events[0].admit_share_by_status.STUDENT", "1.5");
}

TEST_CASE("a closure's share who stay on comes with the status they stay on under", "[scenario][bad]") {
  expect_error("closure_stay_on_without_status.yaml", 4, "events[0].stay_on_share", "expected stay_on_as with it");
}

TEST_CASE("a closure's catch-up months come with the share who catch up", "[scenario][bad]") {
  expect_error("closure_catch_up_months_alone.yaml", 4, "events[0].catch_up_months", "expected catch_up_share with it");
  expect_error("closure_catch_up_share_out_of_range.yaml", 4, "events[0].catch_up_share", "1.2");
}

TEST_CASE("a part-time search share needs entrants admitted without a job", "[scenario][bad]") {
  expect_error("part_time_search_without_school.yaml", 4, "statuses.STUDENT.part_time_search_share",
               "expected only with enters_without_job: true");
}

TEST_CASE("broken YAML, duplicate keys and a missing base are errors", "[scenario][bad]") {
  const std::string syntax = load_error(bad("yaml_syntax.yaml"));
  CHECK_THAT(syntax, Contains(bad("yaml_syntax.yaml") + ":"));
  CHECK_THAT(syntax, Contains("YAML syntax error"));
  expect_error("duplicate_key.yaml", 4, "seed", "duplicate key");
  expect_error("missing_base.yaml", 2, "extends", "does not exist");
}

TEST_CASE("every file of the bad-input corpus is rejected with one line that says where", "[scenario][bad]") {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(test::source_path("tests/bad_scenarios")))
    if (entry.path().extension() == ".yaml") files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 16);
  for (const auto& path : files) {
    const std::string message = load_error(path);
    INFO(message);
    CHECK_THAT(message, Contains(path + ":"));
    CHECK(message.find('\n') == std::string::npos);
  }
}

TEST_CASE("command-line overrides of any key get the same checks", "[scenario][set]") {
  const Scenario s = load_scenario(
      {test::quickstart(),
       {"statuses.TITP.max_stay_months=36", "caps[0].limit_persons=0", "employers.workers_per_employer=3"}});
  CHECK(s.statuses[0].max_stay_months == 36);
  CHECK(s.caps[0].limit_persons == 0);
  CHECK(s.employers.workers_per_employer == 3.0);

  const std::string wrong = load_error(test::quickstart(), {"statuses.TITP.max_stay_months=abc"});
  CHECK_THAT(wrong, Contains("command line (--set statuses.TITP.max_stay_months=abc)"));
  CHECK_THAT(wrong, Contains("key 'statuses.TITP.max_stay_months'"));
  CHECK_THAT(wrong, Contains("expected a whole number"));

  CHECK_THAT(load_error(test::quickstart(), {"statuses.TITP.max_stay=3"}), Contains("unknown key"));
  CHECK_THAT(load_error(test::quickstart(), {"caps[99].limit_persons=3"}), Contains("no such list element"));
  CHECK_THAT(load_error(test::quickstart(), {"seed"}), Contains("expected key.path=value"));
}

TEST_CASE("extends changes only what differs from the base", "[scenario][extends]") {
  const Scenario base = load_scenario({test::quickstart(), {}});
  const Scenario variant = load_scenario({test::source_path("tests/scenarios/titp_forever.yaml"), {}});
  CHECK(variant.name == "titp_forever");
  CHECK(variant.statuses.size() == base.statuses.size());
  CHECK(variant.initial_stock.size() == base.initial_stock.size());
  CHECK(variant.rule_changes.empty());
  CHECK(variant.caps.size() == base.caps.size());
  CHECK(variant.statuses[0].max_stay_months == base.statuses[0].max_stay_months);
}

TEST_CASE("lists and mappings may be read from CSV tables with the same checks", "[scenario][csv]") {
  const Scenario from_yaml = load_scenario({test::quickstart(), {}});
  const Scenario from_csv = load_scenario({test::source_path("tests/scenarios/tables/quickstart_tables.yaml"), {}});
  REQUIRE(from_csv.municipalities.size() == from_yaml.municipalities.size());
  for (std::size_t i = 0; i < from_yaml.municipalities.size(); ++i) {
    const auto& a = from_yaml.municipalities[i];
    const auto& b = from_csv.municipalities[i];
    CHECK(a.code == b.code);
    CHECK(a.population == b.population);
    CHECK(a.prefecture == b.prefecture);
    CHECK(a.location == b.location);
    CHECK(a.policy.language_classes == b.policy.language_classes);
    CHECK(a.policy.hires_ajts == b.policy.hires_ajts);
    CHECK(a.policy.ajts == b.policy.ajts);
  }
  CHECK(from_csv.municipalities[3].name == "Hamamatsu, Shizuoka");  // a quoted cell keeps its comma
  // The resolved scenario refers to the table instead of spelling out its rows.
  CHECK_THAT(from_csv.resolved_yaml, Contains("csv: ") && Contains("tables/municipalities.csv"));
  CHECK_THAT(from_csv.resolved_yaml, !Contains("Hamamatsu"));

  // Every error in a table names the CSV file, its line and column, and the key.
  auto table_error = [](const std::string& name) {
    return load_error(test::source_path("tests/bad_scenarios/tables/" + name + ".yaml"));
  };
  const auto csv = [](const std::string& name) { return test::source_path("tests/bad_scenarios/tables/" + name); };
  CHECK_THAT(table_error("bad_value"),
             Contains(csv("bad_value.csv") + ":3:19: key 'municipalities[1].population': expected a whole number"));
  CHECK_THAT(table_error("short_row"), Contains(csv("short_row.csv") + ":3:1: expected 4 cells as in the header"));
  CHECK_THAT(table_error("open_quote"), Contains(csv("open_quote.csv") + ":2:7: expected a closing '\"'"));
  CHECK_THAT(table_error("index_gap"), Contains(csv("index_gap.csv") + ":1:33: key 'location[1]'"));
  CHECK_THAT(table_error("unknown_column"),
             Contains(csv("unknown_column.csv") + ":1:33: key 'municipalities[0].mayor': unknown key"));
  CHECK_THAT(table_error("missing_file"), Contains("missing_file.yaml:3:23: key 'municipalities.csv'"));
  // The stock is read row by row, with the same messages.
  CHECK_THAT(table_error("stock_bad_persons"),
             Contains(csv("stock_bad_persons.csv") + ":3:33: key 'initial_stock[1].persons': expected a whole number"));
  CHECK_THAT(table_error("stock_bad_origin"),
             Contains(csv("stock_bad_origin.csv") + ":2:25: key 'initial_stock[0].origin': expected a defined origin"));
  CHECK_THAT(table_error("stock_unknown_column"),
             Contains(csv("stock_unknown_column.csv") + ":1:42: key 'initial_stock[0].note': unknown key"));
  // Overrides reach into table rows like any other list.
  const Scenario changed = load_scenario(
      {test::source_path("tests/scenarios/tables/quickstart_tables.yaml"), {"municipalities[0].population=5"}});
  CHECK(changed.municipalities[0].population == 5);
  // A table changed by an override is resolved to its rows, the change included.
  CHECK_THAT(changed.resolved_yaml, Contains("population: 5") && Contains("Hamamatsu, Shizuoka"));
  CHECK_THAT(changed.resolved_yaml, !Contains("tables/municipalities.csv"));
}

TEST_CASE("events of every kind load together in any order", "[scenario]") {
  const Scenario s = load_scenario({test::source_path("tests/scenarios/events_mixed.yaml"), {}});
  REQUIRE(s.sending_pushes.size() == 1);
  REQUIRE(s.border_closures.size() == 1);
  CHECK(s.border_closures[0].admit_share == 0.25);
  // Per status where named, the event's admit_share for the others.
  const auto status = [&](const char* name) {
    return static_cast<std::size_t>(
        std::find_if(s.statuses.begin(), s.statuses.end(), [&](const StatusRule& r) { return r.name == name; }) -
        s.statuses.begin());
  };
  REQUIRE(s.border_closures[0].admit_share_by_status.size() == s.statuses.size());
  CHECK(s.border_closures[0].admit_share_by_status[status("TITP")] == 0.05);
  CHECK(s.border_closures[0].admit_share_by_status[status("SPOUSE_OR_LONG_TERM")] == 0.6);
  CHECK(s.border_closures[0].admit_share_by_status[status("STUDENT")] == 0.25);
  CHECK(s.rule_changes.size() == 2);
}
