// The scenario's sections that need only their own keys and the names defined before them (caps,
// initial months in status, family, integration, learning, municipal policy, behaviour, output), read for scenario_load.cpp.
#pragma once

#include "io/scenario_values.hpp"
#include "migsim/scenario.hpp"

namespace migsim::detail {

void read_caps(Scenario& s, const Value& v);
void read_initial_months_in_status(Scenario& s, const Value& v);
void read_family(Scenario& s, const Value& v);
void read_integration(Scenario& s, const Value& v);
void read_learning(Scenario& s, const Value& v);
void read_municipal_policy(Scenario& s, const Value& v);
void read_behaviour(Scenario& s, const Value& v);
void read_output(Scenario& s, const Value& v);

}  // namespace migsim::detail
