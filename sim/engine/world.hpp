// The records passed between the month's phases, and the fixed chunking of the parallel ones.
#pragma once

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/arrays.hpp"

namespace migsim {

constexpr std::size_t kChunk = 16384;  // agents per parallel chunk: fixed, never the thread count

constexpr std::size_t chunks_of(std::size_t agents) { return (agents + kChunk - 1) / kChunk; }

// body(chunk, begin, end) for each chunk of [0, n), in parallel, a chunk a task.
template <class Body>
void for_chunks(std::size_t n, Body body) {
  tbb::parallel_for(
      tbb::blocked_range<std::size_t>(0, chunks_of(n), 1),
      [&](const tbb::blocked_range<std::size_t>& range) {
        for (std::size_t c = range.begin(); c != range.end(); ++c) body(c, c * kChunk, std::min(n, (c + 1) * kChunk));
      },
      tbb::simple_partitioner());
}

// How many agents ahead the census asks for what they look up (agents are read in order).
constexpr std::size_t kCensusAhead = 32;
// How many agents ahead a loop over scattered agents asks for their state.
constexpr std::size_t kAhead = 6;
// How many actors ahead the migrant phase asks for an actor's state (into the L2 cache); its
// employer's card, its learning and its stream follow at half the distance.
constexpr std::size_t kActorAhead = 10;
constexpr std::size_t kSeekerRing = 8;  // streams started ahead and held (seekers', actors')
static_assert(kSeekerRing > kAhead && kSeekerRing > kActorAhead / 2,
              "a stream is held until its seeker or actor is served");

// Asks for element i of each array from memory, ahead of its use. Functions that only prefetch
// must be inlined: GCC otherwise finds them free of side effects and drops their calls. `Locality`
// is __builtin_prefetch's: 3 (the default) into every cache level, kToL2 into the L2 cache only.
constexpr int kToL2 = 2;
template <int Locality = 3, class... Arrays>
[[gnu::always_inline]] inline void prefetch_at(std::size_t i, const Arrays&... arrays) {
  (__builtin_prefetch(&arrays[i], 0, Locality), ...);
}

struct CappedCandidate {
  std::uint32_t agent;
  std::uint8_t to_status;
  bool expiring;  // no admission means leaving Japan
};

// A job seeker with what its market reads of it, copied while the agent is at hand: seekers are
// scattered over the agent arrays, and most only look (nothing of theirs changes before the market).
// What settling a hire reads is carried too, so it reads no more of those arrays than it writes.
struct Seeker {
  std::uint32_t agent, id, employer;
  std::uint16_t municipality;
  std::int16_t status_since;
  std::uint8_t status, field, origin, family;
  std::uint8_t target_field;
  bool must_move;  // the status no longer covers the job: any suitable opening will do
};

// A job seeker taken on in a market (its place in the market's seekers): its new employer and
// that employer's municipality.
struct Hire {
  std::uint32_t seeker, employer;
  std::uint16_t municipality;
};

// A new agent before it gets an id: arrivals and family members who join.
struct NewAgent {
  std::uint8_t status, field, origin;
  std::uint16_t municipality;
  std::uint32_t employer;
  std::uint16_t age_months;
  std::uint8_t family_abroad;
  std::uint32_t principal;
};

// What one chunk of the migrant phase asks of the later, sequential or per-field, phases.
struct ChunkRequests {
  std::vector<std::uint32_t> separations;    // employers that lost a worker
  std::vector<std::vector<Seeker>> seekers;  // by the field they look in, each in agent order
  std::vector<CappedCandidate> capped;
  UninitialisedVector<std::uint32_t> actors;  // agents acting this month, in order
  std::vector<NewAgent> joined;               // family members who join a principal of this chunk
  void clear() {
    actors.clear();
    joined.clear();
    separations.clear();
    for (auto& list : seekers) list.clear();
    capped.clear();
  }
  std::vector<Seeker>& seekers_for(std::uint8_t field) {
    if (seekers.size() <= field) seekers.resize(field + 1U);
    return seekers[field];
  }
  std::size_t seekers_in(std::size_t field) const { return field < seekers.size() ? seekers[field].size() : 0; }
};

}  // namespace migsim
