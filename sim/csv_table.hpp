// Scenario tables kept in CSV files: `municipalities: {csv: data/japan/municipalities.csv}` reads
// one list entry per row, the header naming each column's key path (`code`, `location[0]`,
// `policy.ajts`). The rows become YAML nodes, so every check the scenario reader makes applies to
// them, and every node can be traced back to the CSV line and column it came from.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "migsim/error.hpp"

namespace migsim::detail {

class CsvTable {
 public:
  // Reads `csv_path`. With `key_column` empty the table is a list of mappings, one per row;
  // otherwise a mapping from that column's values to the rest of each row. Throws InputError
  // naming the CSV file, line and column for unreadable files, broken quoting, rows of the wrong
  // width, bad header paths and repeated keys.
  CsvTable(const std::string& csv_path, const std::string& key_column);

  const YAML::Node& node() const { return node_; }
  const std::string& file() const { return file_; }

  // The CSV place of a node of node(): its cell for values, its header cell for keys.
  SourceLocation locate(const YAML::Mark& mark) const;

 private:
  struct Anchor {
    int generated_column;  // where a token starts in the generated YAML line
    int line;              // its CSV line and column (1-based)
    int column;
  };

  std::string file_;
  YAML::Node node_;
  std::vector<std::vector<Anchor>> anchors_;  // per generated line, by generated column
};

}  // namespace migsim::detail
