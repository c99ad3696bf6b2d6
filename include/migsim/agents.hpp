// Agent state as structure-of-arrays with narrow types: one array per variable, so a phase
// streams only the bytes it reads. Time is kept as the step something began (a birth, a status,
// a job), not as counters bumped every month, and an agent acts only in the months its clocks
// say it may (next_wake), so a month touches the agents who act and not the others. Departed
// agents stay in place (fate) until an occasional stable compaction, so the arrays stay sorted
// by id and a run is the same whatever the thread count.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

namespace migsim {

constexpr std::uint32_t kNone32 = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint8_t kNone8 = std::numeric_limits<std::uint8_t>::max();
// Steps are months since the start, in 16 bits (runs are limited to 1,000 years).
constexpr std::int16_t kNeverStep = std::numeric_limits<std::int16_t>::max();
// Japanese and skill are points (50 a level) in fixed point, 8 bits of fraction: a month's
// learning accumulates exactly instead of being rounded by chance.
constexpr int kPointShift = 8;
constexpr std::uint16_t kMaxPoints = 250U << kPointShift;

enum Fate : std::uint8_t { kStay = 0, kExit = 1, kAbscond = 2 };

// An allocator whose resize() leaves new elements uninitialised: every agent array is written
// in full where agents are placed, in parallel, so zero-filling them first would be a second,
// sequential pass over fresh memory (and take its page faults on one thread).
template <class T>
struct UninitialisedAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = UninitialisedAllocator<U>;
  };
  UninitialisedAllocator() = default;
  template <class U>
  UninitialisedAllocator(const UninitialisedAllocator<U>&) noexcept {}
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;  // default-initialisation: nothing written for integers
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

// A vector for data written in full after every resize (never read before it is written).
template <class T>
using UninitialisedVector = std::vector<T, UninitialisedAllocator<T>>;
// One agent variable: every agent's element is written where the agent is placed.
template <class T>
using AgentArray = UninitialisedVector<T>;

// What an agent has learnt, in fixed-point points, and the step it is added up to: read and
// written together (by a transition's requirements, a hire, a status change), so kept in one
// array, one cache line a visit rather than three.
struct Learning {
  std::uint16_t japanese;   // A0 0, A1 50, A2 100, B1 150, B2 200
  std::uint16_t skill;      // 0-250
  std::int16_t learned_to;  // learning is added up to this step
};

struct MigrantStore {
  AgentArray<std::uint32_t> id;   // ascending, never reused
  AgentArray<std::uint8_t> fate;  // kStay while here; set once when leaving, until compaction
  AgentArray<std::uint8_t> status;
  AgentArray<std::uint8_t> field;
  AgentArray<std::uint8_t> origin;
  AgentArray<std::uint16_t> municipality;   // a linked family member's is its principal's
  AgentArray<std::uint32_t> employer;       // kNone32 when not employed
  AgentArray<std::int16_t> born;            // step of birth (negative: before the start)
  AgentArray<std::int16_t> status_since;    // step the status began
  AgentArray<std::int16_t> employer_since;  // step the job began
  // The next step the agent acts in (kNeverStep for linked family members and the departed),
  // and which of its hazard clocks have a candidate event then.
  AgentArray<std::int16_t> next_wake;
  AgentArray<std::uint8_t> wake_clocks;
  // Family: members still abroad (bit 7 a spouse, bits 0-5 the children) and, bit 6, whether it
  // lives with the agent (after a join, or for initial residents taken to have reunited), one
  // byte read at once; for a principal, the members who joined and live with it (linked); for
  // such a member, the principal's place in these arrays, kept through compaction.
  AgentArray<std::uint8_t> family;
  AgentArray<std::uint8_t> linked_family;
  AgentArray<std::uint32_t> principal;  // kNone32 for principals and unlinked residents
  AgentArray<Learning> learning;

  std::size_t size() const { return id.size(); }

  template <class F>
  void for_each_array(F&& f) {
    f(id), f(fate), f(status), f(field), f(origin), f(municipality), f(employer), f(born), f(status_since),
        f(employer_since), f(next_wake), f(wake_clocks), f(family), f(linked_family), f(principal), f(learning);
  }
};

// Employers are stored grouped by field (then municipality), so each field's labour market
// owns a contiguous range and fields can be matched in parallel without sharing an employer.
struct EmployerStore {
  std::vector<std::uint8_t> field;
  std::vector<std::uint16_t> municipality;
  std::vector<std::uint32_t> capacity;     // foreign workers it can employ
  std::vector<std::uint32_t> filled;       // foreign workers it employs
  std::vector<std::uint32_t> wage_yen;     // monthly wage offered
  std::vector<std::uint8_t> conditions;    // working conditions, 0 (abusive) to 255 (good)
  std::vector<std::uint8_t> owner_origin;  // origin of a diaspora owner, kNone8 otherwise
  // Whether each employer hires each status: one bit per employer in a row per status, so the
  // random lookups of a labour market stay within a few cache-resident rows.
  std::vector<std::uint64_t> hires;
  std::size_t hires_words = 0;             // words in a status's row
  std::vector<std::uint32_t> field_begin;  // per field: first employer; field_begin[F] = size

  std::size_t size() const { return field.size(); }
  bool hires_status(std::size_t k, std::size_t status) const {
    return (hires[status * hires_words + k / 64] >> (k % 64)) & 1U;
  }
};

struct MunicipalityState {
  std::vector<std::int32_t> ajts;
  std::vector<double> integration;       // 0..1, from the policy portfolio
  std::vector<std::uint8_t> agreements;  // [municipality * origins + origin]
  std::vector<std::uint8_t> language_classes;
  std::vector<std::uint8_t> consultation;
  std::vector<std::uint8_t> residents_assembly;
  std::vector<std::uint8_t> hires_ajts;
  std::vector<std::uint8_t> employer_subsidy;
  std::vector<std::uint8_t> council_member;
  std::vector<double> ajt_ability;   // sum of the abilities of its AJTs
  std::vector<double> budget_yen;    // yearly budget for foreign-resident policy
  std::vector<double> spending_yen;  // what its portfolio costs a year
};

}  // namespace migsim
