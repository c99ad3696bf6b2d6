// A scenario read once and resolved for many runs gives each run what reading it afresh gives.
#include <catch2/catch.hpp>

#include "migsim/scenario_io.hpp"

using namespace migsim;

TEST_CASE("resolving a loaded scenario equals loading it with the same overrides, whatever came before",
          "[sweep]") {
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
