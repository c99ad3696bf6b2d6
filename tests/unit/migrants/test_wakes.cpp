// The monthly scan for the agents who act: the same list, in order, whatever instructions it uses.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "engine/rng.hpp"
#include "migrants/population.hpp"
#include "migrants/wakes.hpp"

using namespace migsim;

namespace {

std::vector<std::uint32_t> due_by(const std::vector<std::int16_t>& wake, std::size_t begin, std::size_t end,
                                  std::int16_t today, WakeScan scan) {
  std::vector<std::uint32_t> due(end - begin);
  due.resize(gather_due(wake.data(), begin, end, today, due.data(), scan));
  return due;
}

}  // namespace

TEST_CASE("the agents due this month are found in order, the same with every instruction set", "[clocks]") {
  // Wakes spread like a run's: most agents later, a few now or overdue, some never.
  Stream r(7, Purpose::schedule, 0, 0);
  std::vector<std::int16_t> wake(10'000);
  for (auto& w : wake) {
    const double u = r.uniform();
    w = u < 0.05  ? static_cast<std::int16_t>(40 + r.below(3))
        : u < 0.1 ? kNeverStep
                  : static_cast<std::int16_t>(41 + r.below(200));
  }
  const std::int16_t today = 41;
  // Ranges with ragged ends: the vector loops leave tails of every length to the scalar one.
  for (const auto& [begin, end] : std::vector<std::pair<std::size_t, std::size_t>>{
           {0, 10'000}, {3, 9'990}, {17, 48}, {100, 131}, {5, 5}, {0, 31}, {64, 97}}) {
    std::vector<std::uint32_t> expected;
    for (std::size_t i = begin; i < end; ++i)
      if (wake[i] <= today) expected.push_back(static_cast<std::uint32_t>(i));
    CHECK(due_by(wake, begin, end, today, WakeScan::portable) == expected);
    CHECK(due_by(wake, begin, end, today, WakeScan::sse2) == expected);
    CHECK(due_by(wake, begin, end, today, WakeScan::best) == expected);
    if (avx512_scan_available()) CHECK(due_by(wake, begin, end, today, WakeScan::avx512) == expected);
  }
  // Everyone due, and nobody.
  const std::vector<std::int16_t> all_now(100, 0), none(100, kNeverStep);
  CHECK(due_by(all_now, 0, 100, 0, WakeScan::best).size() == 100);
  CHECK(due_by(none, 0, 100, 0, WakeScan::best).empty());
}
