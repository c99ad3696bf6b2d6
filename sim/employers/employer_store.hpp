// The employer agents, as structure-of-arrays.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace migsim {

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

}  // namespace migsim
