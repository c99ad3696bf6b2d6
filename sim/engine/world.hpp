// The records passed between the month's phases, and the fixed chunking of the parallel ones.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/arrays.hpp"

namespace migsim {

constexpr std::size_t kChunk = 16384;  // agents per parallel chunk: fixed, never the thread count

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
