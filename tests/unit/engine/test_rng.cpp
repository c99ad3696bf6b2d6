// Counter-based random streams: pure functions of (seed, purpose, step, id).
#include <catch2/catch.hpp>

#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <array>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <vector>

#include "engine/rng.hpp"
#include "migrants/clocks.hpp"

using migsim::Purpose;
using migsim::Stream;

namespace {

std::vector<std::uint32_t> draws_in_parallel(int threads, std::size_t agents) {
  std::vector<std::uint32_t> out(agents * 3);
  tbb::global_control allow(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  tbb::task_arena arena(threads);
  arena.execute([&] {
    // Agents visited in whatever order the scheduler picks.
    tbb::parallel_for(std::size_t{0}, agents, [&](std::size_t id) {
      Stream r(42, Purpose::migrant_step, 7, id);
      for (int k = 0; k < 3; ++k) out[id * 3 + static_cast<std::size_t>(k)] = r();
    });
  });
  return out;
}

}  // namespace

TEST_CASE("keyed streams give the same draws whatever the thread count", "[rng]") {
  const auto one = draws_in_parallel(1, 20000);
  CHECK(draws_in_parallel(2, 20000) == one);
  CHECK(draws_in_parallel(8, 20000) == one);
  std::vector<std::uint32_t> sequential;
  for (std::size_t id = 20000; id-- > 0;) {  // reverse order: order of visits does not matter
    Stream r(42, Purpose::migrant_step, 7, id);
    for (int k = 0; k < 3; ++k) sequential.push_back(r());
  }
  for (std::size_t id = 0; id < 20000; ++id)
    for (std::size_t k = 0; k < 3; ++k) REQUIRE(one[id * 3 + k] == sequential[(19999 - id) * 3 + k]);
}

TEST_CASE("streams differ by seed, purpose, step and id", "[rng]") {
  auto first = [](std::uint64_t seed, Purpose p, std::uint32_t step, std::uint64_t id) {
    Stream r(seed, p, step, id);
    return std::vector<std::uint32_t>{r(), r(), r(), r(), r()};
  };
  const auto base = first(1, Purpose::migrant_step, 3, 99);
  CHECK(first(1, Purpose::migrant_step, 3, 99) == base);
  CHECK(first(2, Purpose::migrant_step, 3, 99) != base);
  CHECK(first(1, Purpose::matching, 3, 99) != base);
  CHECK(first(1, Purpose::migrant_step, 4, 99) != base);
  CHECK(first(1, Purpose::migrant_step, 3, 100) != base);
  CHECK(first(1ull << 40, Purpose::migrant_step, 3, 99) != first(0, Purpose::migrant_step, 3, 99));
}

TEST_CASE("a stream restarted in place draws what a new one does, and peek shows the next words", "[rng]") {
  Stream reused(5, Purpose::matching, 1, 2);
  for (int k = 0; k < 7; ++k) reused();  // part-way through another stream
  for (std::uint64_t id : {0ull, 17ull, 1ull << 33}) {
    reused.restart(9, Purpose::job_search, 12, id);
    Stream fresh(9, Purpose::job_search, 12, id);
    const auto first = reused.peek(0), second = reused.peek(1);
    CHECK(reused() == first);
    CHECK(reused.peek(0) == second);
    CHECK(reused() == second);
    for (int k = 0; k < 2; ++k) fresh();
    for (int k = 0; k < 9; ++k) REQUIRE(reused() == fresh());  // across a block boundary
  }
}

TEST_CASE("streams drive Boost.Random distributions with the right moments", "[rng]") {
  double sum = 0, square = 0, uniform_sum = 0;
  const int n = 200000;
  boost::random::normal_distribution<double> normal(2.0, 3.0);
  boost::random::uniform_int_distribution<int> die(1, 6);
  int sixes = 0;
  for (int i = 0; i < n; ++i) {
    Stream r(5, Purpose::initial_agent, 0, static_cast<std::uint64_t>(i));
    const double x = normal(r);
    sum += x;
    square += x * x;
    uniform_sum += r.uniform();
    sixes += die(r) == 6;
  }
  const double mean = sum / n;
  CHECK(mean == Approx(2.0).margin(0.03));
  CHECK(std::sqrt(square / n - mean * mean) == Approx(3.0).margin(0.03));
  CHECK(uniform_sum / n == Approx(0.5).margin(0.003));
  CHECK(static_cast<double>(sixes) / n == Approx(1.0 / 6).margin(0.003));
}

// Which clocks tick in a month in which one does must follow the joint law of independent
// clocks given that one ticks: every non-empty set of four clocks at its exact probability.
TEST_CASE("competing clocks tick together in their joint distribution, given that one ticks", "[rng][clocks]") {
  const std::array<double, 4> bound{0.02, 0.005, 0.1, 0.03};
  const std::array<std::uint8_t, 4> bit{1, 2, 4, 8};
  double none = 1.0;
  for (const double p : bound) none *= 1.0 - p;
  std::array<double, 16> expected{};
  for (unsigned set = 1; set < 16; ++set) {
    double p = 1.0;
    for (unsigned k = 0; k < 4; ++k) p *= (set >> k) & 1U ? bound[k] : 1.0 - bound[k];
    expected[set] = p / (1.0 - none);
  }
  const int n = 400000;
  std::array<int, 16> seen{};
  for (int i = 0; i < n; ++i) {
    Stream r(9, Purpose::schedule, 3, static_cast<std::uint64_t>(i));
    ++seen[migsim::ticking_clocks(bound.data(), bit.data(), bound.size(), none, r)];
  }
  CHECK(seen[0] == 0);
  double chi_square = 0.0;
  for (unsigned set = 1; set < 16; ++set) {
    const double want = expected[set] * n;
    chi_square += (seen[set] - want) * (seen[set] - want) / want;
    INFO("clocks " << set << ": " << seen[set] << ", expected " << want);
    CHECK(std::abs(seen[set] - want) < 5.0 * std::sqrt(want) + 1.0);
  }
  CHECK(chi_square < 37.7);  // 14 degrees of freedom: the 0.1 % point

  // One clock alone ticks for sure, and takes no draw.
  Stream one(9, Purpose::schedule, 3, 0), reference(9, Purpose::schedule, 3, 0);
  CHECK(migsim::ticking_clocks(bound.data() + 2, bit.data() + 2, 1, 1.0 - bound[2], one) == 4);
  CHECK(one() == reference());
}
