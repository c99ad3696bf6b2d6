// A foreign residents' assembly gives them a voice (Kawasaki's, 1996, proposes policies to the
// city): the policies they ask for are adopted more readily where one sits.
#pragma once

#include "migsim/scenario.hpp"

namespace migsim {

// What an assembly adds to the yearly chance of adopting a policy.
inline double assembly_voice(const MunicipalPolicyParameters& p, bool has_assembly, bool asked_by_residents) {
  return has_assembly && asked_by_residents ? p.assembly_voice_effect : 0.0;
}

}  // namespace migsim
