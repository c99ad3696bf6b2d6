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

// One cell of a table file, with where it was written (1-based).
struct CsvCell {
  std::string text;
  int line = 0;
  int column = 0;
};
using CsvRow = std::vector<CsvCell>;

// Limits on a table's rows, checked as it is read (docs/reliability.md): tables read as YAML
// nodes (a few hundred bytes a value) hold fewer rows than those read row by row.
constexpr std::size_t kMaxTableRows = 100'000;
constexpr std::size_t kMaxStreamedTableRows = 4'000'000;
constexpr std::size_t kMaxTableCells = 20'000'000;

class CsvTable {
 public:
  // Reads `csv_path`. With `key_column` empty the table is a list of mappings, one per row;
  // otherwise a mapping from that column's values to the rest of each row. Throws InputError
  // naming the CSV file, line and column for unreadable files, broken quoting, rows of the wrong
  // width, bad header paths, repeated keys, and more than `max_rows` rows (what_rows names them).
  CsvTable(const std::string& csv_path, const std::string& key_column, std::size_t max_rows = kMaxTableRows,
           const std::string& what_rows = "rows");

  // The rows as YAML nodes (built on first use: large tables are read row by row instead).
  const YAML::Node& node() const;
  const std::string& file() const { return file_; }
  const std::string& key_column() const { return key_column_; }  // empty for a list
  const CsvRow& header() const { return header_; }
  const std::string& sha256() const { return sha256_; }  // of the file's bytes
  const std::vector<CsvRow>& rows() const { return rows_; }

  // The CSV place of a node of node(): its cell for values, its header cell for keys.
  SourceLocation locate(const YAML::Mark& mark) const;

 private:
  struct Anchor {
    int generated_column;  // where a token starts in the generated YAML line
    int line;              // its CSV line and column (1-based)
    int column;
  };

  void build_node() const;

  std::string file_;
  std::string key_column_;
  std::string sha256_;
  CsvRow header_;
  std::vector<CsvRow> rows_;
  mutable bool built_ = false;
  mutable YAML::Node node_;
  mutable std::vector<std::vector<Anchor>> anchors_;  // per generated line, by generated column
};

}  // namespace migsim::detail
