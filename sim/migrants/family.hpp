// A migrant's family, packed in one byte: who is still abroad, and whether the family lives here.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace migsim {

// Family abroad is packed in a byte: bit 7 a spouse, bits 0-5 the number of children (at most
// 20 are drawn); an agent's family byte adds bit 6.
constexpr std::uint8_t kSpouseBit = 0x80;
constexpr std::uint8_t kFamilyHereBit = 0x40;  // in an agent's family byte: the family lives with it
constexpr std::uint8_t kChildrenMask = 0x3F;
// The family still abroad, from an agent's family byte.
constexpr std::uint8_t abroad(std::uint8_t family) { return family & static_cast<std::uint8_t>(~kFamilyHereBit); }
// The family states an exit bound is kept for.
enum FamilyState : std::uint8_t { kNoFamily, kFamilyHere, kFamilyAbroad, kFamilyStates };
// The family state of each family byte.
constexpr std::array<std::uint8_t, 256> kFamilyState = [] {
  std::array<std::uint8_t, 256> state{};
  for (std::size_t b = 0; b < state.size(); ++b) {
    const auto family = static_cast<std::uint8_t>(b);
    state[b] = (family & kFamilyHereBit) ? kFamilyHere : (abroad(family) != 0 ? kFamilyAbroad : kNoFamily);
  }
  return state;
}();
constexpr std::uint8_t family_size(std::uint8_t packed) {
  return static_cast<std::uint8_t>((packed & kChildrenMask) + ((packed & kSpouseBit) ? 1 : 0));
}

}  // namespace migsim
