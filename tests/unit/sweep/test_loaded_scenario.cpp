// A scenario read once and resolved for many runs gives each run what reading it afresh gives.
#include <catch2/catch.hpp>

#include "migsim/scenario_io.hpp"

using namespace migsim;

TEST_CASE("resolving a loaded scenario equals loading it with the same overrides, whatever came before", "[sweep]") {
  const std::string file = std::string(MIGSIM_SOURCE_DIR) + "/scenarios/quickstart.yaml";
  const std::vector<std::string> base{"statuses.TITP.exit_rate_per_year=0.08"};
  const LoadedScenario loaded({file, base});
  const std::vector<std::string> first{"statuses.TES.job_search_rate_per_month=0.05", "seed=11"};
  const std::vector<std::string> second{"behaviour.change_threshold=0.1", "new_key_nobody_reads.x=1", "seed=12"};

  auto fresh = [&](const std::vector<std::string>& more) {
    auto all = base;
    all.insert(all.end(), more.begin(), more.end());
    return load_scenario({file, all});
  };
  const Scenario a = loaded.resolve(first);
  CHECK(a.resolved_yaml == fresh(first).resolved_yaml);
  CHECK(a.seed == 11);
  // A run whose overrides are bad, then another run: neither leaves anything behind in the tree.
  CHECK_THROWS(loaded.resolve(second));
  const Scenario b = loaded.resolve({"behaviour.change_threshold=0.1", "seed=12"});
  CHECK(b.behaviour.change_threshold == 0.1);
  const Scenario again = loaded.resolve(first);
  CHECK(again.resolved_yaml == a.resolved_yaml);
  CHECK(again.statuses[0].entries_open == a.statuses[0].entries_open);
  CHECK(again.rule_changes.size() == a.rule_changes.size());
  CHECK(loaded.number_at("statuses.TITP.exit_rate_per_year") == 0.08);
  CHECK(!loaded.number_at("behaviour.change_threshold"));  // the runs' overrides are gone
}

TEST_CASE("a resolve reuses the stock table's cells only while their labels are the same", "[sweep]") {
  const std::string file = std::string(MIGSIM_SOURCE_DIR) + "/scenarios/quickstart.yaml";
  const std::string table = std::string(MIGSIM_SOURCE_DIR) + "/tests/scenarios/tables/quickstart_stock.csv";
  const LoadedScenario loaded({file, {"initial_stock={csv: " + table + "}"}});
  const Scenario first = loaded.resolve({"seed=1"});
  const Scenario inline_stock = load_scenario({file, {}});
  REQUIRE(first.initial_stock.size() == inline_stock.initial_stock.size());
  CHECK(first.initial_stock.back().persons == inline_stock.initial_stock.back().persons);
  // TITP holders may no longer work: the stock's TITP workers are now an error, not cached cells.
  CHECK_THROWS_WITH(loaded.resolve({"statuses.TITP.works=false", "statuses.TITP.entry_fields=[none]"}),
                    Catch::Contains("quickstart_stock.csv:2:12") && Catch::Contains("TITP does not work"));
  CHECK(loaded.resolve({"seed=2"}).initial_stock.size() == first.initial_stock.size());
}
