// Agent state as structure-of-arrays with narrow types: one array per variable, so a phase
// streams only the bytes it reads. Time is kept as the step something began (a birth, a status,
// a job), not as counters bumped every month, and an agent acts only in the months its clocks
// say it may (next_wake), so a month touches the agents who act and not the others. Departed
// agents stay in place (fate) until an occasional stable compaction, so the arrays stay sorted
// by id and a run is the same whatever the thread count.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/arrays.hpp"

namespace migsim {

// Japanese and skill are points (50 a level) in fixed point, 8 bits of fraction: a month's
// learning accumulates exactly instead of being rounded by chance.
constexpr int kPointShift = 8;
constexpr std::uint16_t kMaxPoints = 250U << kPointShift;

enum Fate : std::uint8_t { kStay = 0, kExit = 1, kAbscond = 2 };

// What an agent has learnt, in fixed-point points, and the step it is added up to: read and
// written together (by a transition's requirements, a hire, a status change), so kept in one
// array, one cache line a visit rather than three.
struct Learning {
  std::uint16_t japanese;   // A0 0, A1 50, A2 100, B1 150, B2 200
  std::uint16_t skill;      // 0-250
  std::int16_t learned_to;  // learning is added up to this step
};

struct MigrantStore {
  AgentArray<std::uint32_t> id;  // ascending, never reused
  AgentArray<AgentByte> fate;    // kStay while here; set once when leaving, until compaction
  AgentArray<AgentByte> status;  // a linked family member's is its principal's family status
  AgentArray<AgentByte> field;
  AgentArray<AgentByte> origin;
  AgentArray<std::uint16_t> municipality;   // a linked family member's is its principal's
  AgentArray<std::uint32_t> employer;       // kNone32 when not employed
  AgentArray<std::int16_t> born;            // step of birth (negative: before the start)
  AgentArray<std::int16_t> status_since;    // step the status began
  AgentArray<std::int16_t> employer_since;  // step the job began
  // The next step the agent acts in (kNeverStep for linked family members and the departed),
  // and which of its hazard clocks have a candidate event then.
  AgentArray<std::int16_t> next_wake;
  AgentArray<AgentByte> wake_clocks;
  // Family: members still abroad (bit 7 a spouse, bits 0-5 the children) and, bit 6, whether it
  // lives with the agent (after a join, or for initial residents taken to have reunited), one
  // byte read at once; for a principal, the members who joined and live with it (linked); for
  // such a member, the principal's place in these arrays, kept through compaction.
  AgentArray<AgentByte> family;
  AgentArray<AgentByte> linked_family;
  AgentArray<std::uint32_t> principal;  // kNone32 for principals and unlinked residents
  AgentArray<Learning> learning;

  std::size_t size() const { return id.size(); }

  template <class F>
  void for_each_array(F&& f) {
    f(id), f(fate), f(status), f(field), f(origin), f(municipality), f(employer), f(born), f(status_since),
        f(employer_since), f(next_wake), f(wake_clocks), f(family), f(linked_family), f(principal), f(learning);
  }
};

}  // namespace migsim
