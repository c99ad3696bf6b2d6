// Each municipality's policy portfolio and what it gives, one array per variable.
#pragma once

#include <cstdint>
#include <vector>

namespace migsim {

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
  std::vector<double> ajt_coverage;  // 0..1: its AJTs' abilities × children per AJT / children needing Japanese
  // exit of a resident whose family lives here × this (AJTs bridge school and guardians)
  std::vector<double> family_stay_factor;
  std::vector<double> budget_yen;    // yearly budget for foreign-resident policy
  std::vector<double> spending_yen;  // what its portfolio costs a year
};

}  // namespace migsim
