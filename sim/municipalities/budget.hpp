// A municipality's yearly budget for foreign-resident policy: a share of its general budget (per
// inhabitant) and what follows its foreign residents (local taxes, and national grants for
// multicultural coexistence that grow with them), unless the scenario fixes it.
#pragma once

#include <cstdint>

#include "migsim/scenario.hpp"

namespace migsim {

inline double policy_budget_yen(const Municipality& place, const MunicipalPolicyParameters& p,
                                std::int64_t foreign_residents_persons) {
  if (place.policy.budget_yen_per_year >= 0) return place.policy.budget_yen_per_year;
  return static_cast<double>(place.population) * p.budget_yen_per_resident +
         static_cast<double>(foreign_residents_persons) * p.budget_yen_per_foreign_resident;
}

}  // namespace migsim
