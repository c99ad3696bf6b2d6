// Counter-based random numbers: every draw is a pure function of (seed, purpose, step, id), so
// results do not depend on the thread count or on the order agents are visited, and a policy
// change does not reshuffle the draws of agents it does not touch (common random numbers).
#pragma once

#include <Random123/philox.h>

#include <cstdint>
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
  schedule,    // when an agent's hazard clocks next tick
  job_search,  // the openings a job seeker looks at
  learning,    // the fraction of a point an agent arrives with
};

// A UniformRandomBitGenerator over one (seed, purpose, step, id) stream, usable with
// Boost.Random and standard distributions. Philox4x32 with 7 rounds gives four 32-bit words a
// block: 7 is the fewest rounds its authors found to pass TestU01's Crush batteries (Salmon et
// al. 2011); their default of 10 adds a safety margin but cost a quarter of all instructions here.
class Stream {
 public:
  using result_type = std::uint32_t;
  using Philox = r123::Philox4x32_R<7>;

  Stream(std::uint64_t seed, Purpose purpose, std::uint32_t step, std::uint64_t id) {
    key_ = {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
    counter_ = {{static_cast<std::uint32_t>(id), static_cast<std::uint32_t>(id >> 32), step,
                 static_cast<std::uint32_t>(purpose) << 24}};
  }

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
    block_ = Philox()(counter_, key_);
    counter_.v[3] += 1;  // the low 24 bits count blocks within the stream
    used_ = 0;
  }

  Philox::key_type key_{};
  Philox::ctr_type counter_{};
  Philox::ctr_type block_{};
  unsigned used_ = 4;
};

}  // namespace migsim
