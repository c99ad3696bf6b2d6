// Markers shared by the agent stores, and the vector type their arrays use.
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

// One byte of an agent's state (its status, field, origin, family, fate, clocks). A struct, not a
// bare uint8_t: a store through a character type may alias any object, so after each one the
// compiler would load every table pointer of the loop again; a store to this type cannot.
struct AgentByte {
  std::uint8_t value;
  AgentByte& operator=(std::uint8_t v) {
    value = v;
    return *this;
  }
  AgentByte& operator|=(std::uint8_t v) { return *this = static_cast<std::uint8_t>(value | v); }
  AgentByte& operator&=(std::uint8_t v) { return *this = static_cast<std::uint8_t>(value & v); }
  AgentByte& operator+=(std::uint8_t v) { return *this = static_cast<std::uint8_t>(value + v); }
  AgentByte& operator-=(std::uint8_t v) { return *this = static_cast<std::uint8_t>(value - v); }
  constexpr operator std::uint8_t() const { return value; }
};

// A vector for data written in full after every resize (never read before it is written).
template <class T>
using UninitialisedVector = std::vector<T, UninitialisedAllocator<T>>;
// One agent variable: every agent's element is written where the agent is placed.
template <class T>
using AgentArray = UninitialisedVector<T>;

}  // namespace migsim
