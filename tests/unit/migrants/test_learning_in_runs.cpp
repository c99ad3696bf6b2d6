// Learning in runs: integration speeds learning Japanese.
#include <catch2/catch.hpp>

#include <cmath>

#include "../model_helpers.hpp"

using namespace migsim;
using namespace migsim::test;

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
