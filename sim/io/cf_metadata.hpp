// Attributes of output contract v2 that make a file self-describing to netCDF tools (CF-1.8):
// units a UDUNITS reader accepts and the label variables each group's data variables attach.
#pragma once

#include <chrono>
#include <ctime>
#include <string>
#include <vector>

#include "migsim/scenario.hpp"

namespace migsim::detail {

// UTC now in ISO 8601, for the provenance attributes (created, end_time, history).
inline std::string utc_now() {
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

// The engine's unit words as UDUNITS units: counts are "1", money JPY per period.
inline std::string cf_units(const std::string& engine_units) {
  if (engine_units == "persons" || engine_units == "teachers" || engine_units == "agreements" ||
      engine_units == "establishments" || engine_units.empty())
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

// JSON text with the characters JSON escapes escaped.
inline std::string json_text(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      const char* hex = "0123456789abcdef";
      out += "\\u00";
      out += hex[(c >> 4) & 0xf];
      out += hex[c & 0xf];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// The root attribute `table_files`: {"key.path": {"path": FILE, "sha256": HEX}, ...}.
inline std::string table_files_json(const std::vector<TableFile>& tables) {
  std::string out = "{";
  for (std::size_t k = 0; k < tables.size(); ++k)
    out += (k ? ", " : "") + json_text(tables[k].key_path) + ": {\"path\": " + json_text(tables[k].file) +
           ", \"sha256\": " + json_text(tables[k].sha256) + "}";
  return out + "}";
}

}  // namespace migsim::detail
