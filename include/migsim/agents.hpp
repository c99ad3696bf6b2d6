// Agent state as structure-of-arrays with narrow types: one array per variable, so a phase
// streams only the bytes it reads. Departed agents leave by a stable compaction, so the arrays
// stay sorted by id and a run is the same whatever the thread count.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

namespace migsim {

constexpr std::uint32_t kNone32 = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint8_t kNone8 = std::numeric_limits<std::uint8_t>::max();

struct MigrantStore {
  // Hot state, touched every month.
  std::vector<std::uint32_t> id;  // ascending, never reused
  std::vector<std::uint8_t> status;
  std::vector<std::uint8_t> field;
  std::vector<std::uint8_t> origin;
  std::vector<std::uint16_t> municipality;
  std::vector<std::uint32_t> employer;  // kNone32 when not employed
  std::vector<std::uint16_t> age_months;
  std::vector<std::uint16_t> months_in_status;
  std::vector<std::uint16_t> months_with_employer;
  // Family: members still abroad, and for a family member who joined, the principal's place in
  // these arrays (kept current through compaction, so following a principal is one lookup).
  std::vector<std::uint8_t> family_abroad;
  std::vector<std::uint32_t> principal;   // kNone32 for principals and unlinked residents
  std::vector<std::uint8_t> japanese;     // points, 50 a level: A0 0, A1 50, A2 100, B1 150, B2 200
  std::vector<std::uint8_t> skill;        // points 0-250
  std::vector<std::uint8_t> family_here;  // 1 once a principal's family lives with them

  std::size_t size() const { return id.size(); }

  template <class F>
  void for_each_array(F&& f) {
    f(id), f(status), f(field), f(origin), f(municipality), f(employer), f(age_months), f(months_in_status),
        f(months_with_employer), f(family_abroad), f(principal), f(japanese), f(skill), f(family_here);
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
  std::vector<std::uint8_t> hires;         // [employer * statuses + status]: 1 if it hires that status
  std::vector<std::uint32_t> field_begin;  // per field: first employer; field_begin[F] = size

  std::size_t size() const { return field.size(); }
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
