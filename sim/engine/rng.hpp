// Counter-based random numbers: every draw is a pure function of (seed, purpose, step, id), so
// results do not depend on the thread count or on the order agents are visited, and a policy
// change does not reshuffle the draws of agents it does not touch (common random numbers).
#pragma once

#include <Random123/philox.h>

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>

namespace migsim {

// What a draw is for: each purpose is its own family of streams.
enum class Purpose : std::uint32_t {
  initial_agent = 1,
  initial_employer,
  migrant_step,
  family,
  matching,
  entries,
  entry_agent,
  employer_update,
  municipality_update,
  schedule,       // when an agent's hazard clocks next tick
  job_search,     // the openings a job seeker looks at
  learning,       // the fraction of a point an agent arrives with
  diaspora_news,  // applicants drawn from abroad by diaspora employers' vacancies
};

// A UniformRandomBitGenerator over one (seed, purpose, step, id) stream, usable with
// Boost.Random and standard distributions. Philox2x64 with 6 rounds gives two 64-bit words a
// block, handed out as four 32-bit words: 6 is the fewest rounds with which its authors know of
// no statistical flaw in it (Salmon et al. 2011; Random123's philox.h). A round is one 64 × 64 →
// 128-bit multiplication, so a block costs about half the instructions of Philox4x32 with 7
// rounds, over which philox.h records a cloud (suspicious p-values in long SimpPoker tests).
class Stream {
 public:
  using result_type = std::uint32_t;
  using Philox = r123::Philox2x64_R<6>;

  Stream() = default;  // no stream until restart()
  // The key is the seed; the counter the id, then the step, the purpose and the block number.
  Stream(std::uint64_t seed, Purpose purpose, std::uint32_t step, std::uint64_t id) {
    key_ = {{seed}};
    counter_ = {{id, static_cast<std::uint64_t>(step) << 32 | static_cast<std::uint64_t>(purpose) << 24}};
  }

  // The stream of (seed, purpose, step, id) from its start, in place, with its first block
  // drawn, so that its next words can be looked at (peek) before they are handed out.
  void restart(std::uint64_t seed, Purpose purpose, std::uint32_t step, std::uint64_t id) {
    key_ = {{seed}};
    counter_ = {{id, static_cast<std::uint64_t>(step) << 32 | static_cast<std::uint64_t>(purpose) << 24}};
    refill();
  }
  // The word `k` draws ahead (k < 4 - the words drawn of the block), without drawing it.
  result_type peek(unsigned k) const { return block_[used_ + k]; }

  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

  result_type operator()() {
    if (used_ == 4) refill();
    return block_[used_++];
  }

  // Uniform in [0, 1) with 32 bits of resolution; the hot loops' cheapest draw.
  double uniform() { return static_cast<double>((*this)()) * (1.0 / 4294967296.0); }

  bool bernoulli(double p) { return uniform() < p; }

  // Uniform integer in [0, n) by multiply-shift (n < 2^32).
  std::uint32_t below(std::uint32_t n) { return scaled_below((*this)(), n); }
  // What below(n) makes of the word `word`.
  static std::uint32_t scaled_below(std::uint32_t word, std::uint32_t n) {
    return static_cast<std::uint32_t>((static_cast<std::uint64_t>(word) * n) >> 32);
  }

 private:
  void refill() {
    const auto words = Philox()(counter_, key_);
    // Low half first, then high, of each 64-bit word: on a little-endian machine their bytes.
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(block_.data(), words.v, sizeof block_);
    } else {
      block_ = {static_cast<std::uint32_t>(words.v[0]), static_cast<std::uint32_t>(words.v[0] >> 32),
                static_cast<std::uint32_t>(words.v[1]), static_cast<std::uint32_t>(words.v[1] >> 32)};
    }
    counter_.v[1] += 1;  // the low 24 bits count blocks within the stream
    used_ = 0;
  }

  Philox::key_type key_{};
  Philox::ctr_type counter_{};
  std::array<std::uint32_t, 4> block_{};
  unsigned used_ = 4;
};

}  // namespace migsim
