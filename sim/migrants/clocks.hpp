// Competing hazard clocks: which of them tick in a month in which one does.
#pragma once

#include <cstddef>
#include <cstdint>

namespace migsim {

// Clocks 0..live-1 tick independently in a month with probabilities bound[k] (each > 0), and
// none_tick = prod(1 - bound[k]) < 1. Given that one of them ticks, returns the bits of those that
// do, in their joint distribution: the first to tick drawn with one uniform (clock k is first with
// probability P(none before it ticks) × bound[k] / P(one ticks)), with no draw when there is one
// clock; then each one after it with its own bound. `Draws` has uniform() in [0, 1).
// Inlined: planning calls it for most agents that act, and a call costs as much as its loop.
template <class Draws>
[[gnu::always_inline]] inline std::uint8_t ticking_clocks(const double* bound, const std::uint8_t* bit,
                                                          std::size_t live, double none_tick, Draws& r) {
  std::size_t k = 0;
  if (live > 1) {
    const double w = r.uniform() * (1.0 - none_tick);
    for (double none_yet = 1.0;; ++k) {  // none_yet: P(none of the clocks to k ticks)
      none_yet *= 1.0 - bound[k];
      if (k + 1 == live || w < 1.0 - none_yet) break;
    }
  }
  std::uint8_t clocks = bit[k];
  while (++k < live)
    if (r.uniform() < bound[k]) clocks |= bit[k];
  return clocks;
}

}  // namespace migsim
