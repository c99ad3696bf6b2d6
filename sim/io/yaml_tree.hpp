// The scenario's YAML layers: each file of an `extends` chain and the command-line overrides,
// merged into one tree, with every key path traceable to the file, line and column it came from.
#pragma once

#include <yaml-cpp/yaml.h>

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "io/csv_table.hpp"
#include "migsim/error.hpp"

namespace migsim::detail {

// A key path like statuses.TITP.transitions[0].to, kept as segments ("[0]" for an index).
using KeyPath = std::vector<std::string>;
std::string join_path(const KeyPath& path);
KeyPath child_path(const KeyPath& path, const std::string& key);
KeyPath index_path(const KeyPath& path, std::size_t index);

// The longest `extends` chain read (the top file included): documented in docs/reliability.md.
constexpr std::size_t kMaxExtendsDepth = 64;
// The most YAML values (scalars, lists, mappings) a scenario file may hold, aliases expanded.
constexpr std::size_t kMaxYamlValues = 1'000'000;

class YamlTree {
 public:
  // Loads `path` and the files it extends (relative to each file's folder), then applies the
  // overrides ("a.b[2].c=value") in order. Throws InputError on unreadable or invalid YAML,
  // an extends cycle, or an override that does not parse.
  // Tables at the `streamed` key paths stay `{csv: FILE}` in the tree and are read row by row
  // through streamed_table(): a large table as YAML nodes would take seconds and gigabytes.
  // `row_limits` caps the rows of the tables at those key paths (checked while they are read).
  YamlTree(const std::string& path, const std::vector<std::string>& overrides,
           const std::vector<KeyPath>& streamed = {},
           const std::vector<std::pair<KeyPath, std::size_t>>& row_limits = {});

  // The streamed table in force at `path`, or nullptr.
  const CsvTable* streamed_table(const KeyPath& path) const;
  // The same path as kept by the tree (lives as long as the tree), or nullptr if not streamed.
  const KeyPath* streamed_path(const KeyPath& path) const;

  const YAML::Node& root() const { return merged_; }
  const std::string& top_file() const { return top_file_; }
  // Every file read: the extends chain (top first) and the tables, overrides' included.
  std::vector<std::string> input_files() const;

  // Where the value at `path` was written; the nearest enclosing key when `path` is absent.
  // With at_key, the place of the key itself (for unknown keys) rather than its value.
  SourceLocation locate(const KeyPath& path, bool at_key = false) const;

  [[noreturn]] void fail(const KeyPath& path, const std::string& what_expected, bool at_key = false) const;

  // The merged tree as YAML text (the resolved scenario); tables that hold unchanged are written
  // as their `{csv: FILE}` reference rather than row by row.
  std::string emit() const;

  // Applies `overrides` on top while `use` runs, then puts back what they replaced: what a sweep
  // run needs from a scenario read once (copying the merged tree would cost a third of that).
  void with_overrides(const std::vector<std::string>& overrides, const std::function<void(const YamlTree&)>& use);
  // The table files in force: (key path, file, SHA-256) of each, the file's tables and --set's.
  std::vector<std::array<std::string, 3>> table_files() const;
  // The number at a --set style key path ("a.b[2].c") in the merged tree, or nullopt.
  std::optional<double> number_at(const std::string& key_path) const;

 private:
  struct Table {
    KeyPath at;                            // where `{csv: ...}` stood in its file
    std::shared_ptr<const CsvTable> rows;  // shared: layers are copied, tables are large
  };
  struct FileLayer {
    std::string file;
    YAML::Node root;  // with each table's rows in place of its `{csv: ...}`
    std::vector<Table> tables;
  };
  struct Override {
    KeyPath path;
    std::string text;
  };

  void load_chain(const std::string& top_path);
  void expand_tables(FileLayer& layer, YAML::Node node, const KeyPath& path,
                     std::unordered_set<std::size_t>& visited) const;
  static SourceLocation layer_location(const FileLayer& layer, const KeyPath& path, const YAML::Node& node);
  void apply_override(const std::string& text);
  // The table read at `path` as the files and overrides so far have it, or nullptr.
  const CsvTable* table_in_force(const KeyPath& path) const;
  const CsvTable* file_table(const KeyPath& path) const;

  std::string top_file_;
  std::vector<KeyPath> streamed_;
  std::vector<std::pair<KeyPath, std::size_t>> row_limits_;
  std::vector<FileLayer> files_;  // the top file first, then the files it extends
  std::vector<Override> overrides_;
  std::vector<Table> override_tables_;  // tables named by --set key={csv: FILE}
  YAML::Node merged_;
};

}  // namespace migsim::detail
