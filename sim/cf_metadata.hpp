// Attributes of output contract v2 that make a file self-describing to netCDF tools (CF-1.8):
// units a UDUNITS reader accepts and the label variables each group's data variables attach.
#pragma once

#include <string>

namespace migsim::detail {

// The engine's unit words as UDUNITS units: counts are "1", money JPY per period.
inline std::string cf_units(const std::string& engine_units) {
  if (engine_units == "persons" || engine_units == "teachers" || engine_units == "agreements" || engine_units.empty())
    return "1";
  if (engine_units == "yen per month") return "JPY/month";
  if (engine_units == "yen per year") return "JPY/year";
  return engine_units;
}

// The `coordinates` attribute of a group's data variables ("" for none).
inline std::string cf_coordinates(const std::string& group) {
  if (group == "prefecture" || group == "labour_market") return "prefecture_name";
  if (group == "municipality")
    return "municipality_name municipality_latitude municipality_longitude municipality_prefecture";
  return "";
}

}  // namespace migsim::detail
