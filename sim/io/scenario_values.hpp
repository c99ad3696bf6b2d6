// Typed, range-checked readers of scenario values: a value with its key path, and a mapping whose
// keys must all be known. A problem is reported with file, line, column, key path and expectation.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "io/yaml_tree.hpp"
#include "migsim/scenario.hpp"

namespace migsim::detail {

// The position of the item called `name` (statuses, fields, origins, ...).
template <class T>
std::optional<std::size_t> find_name(const std::vector<T>& items, const std::string& name) {
  for (std::size_t i = 0; i < items.size(); ++i)
    if (items[i].name == name) return i;
  return std::nullopt;
}

// Names separated by commas, for messages that list what was expected.
std::string quoted_list(const std::vector<std::string>& names);

// One value of the scenario and its key path, with typed, range-checked readers. The value is a
// YAML node, or, for the large tables read row by row (initial_stock, employers.establishments),
// a whole CSV table, one of its rows or one of its cells.
class Value {
 public:
  Value(const YamlTree& tree, YAML::Node node, KeyPath path)
      : tree_(&tree),
        node_(node),
        path_(std::move(path)),
        table_(tree.streamed_table(path_)),
        table_path_(table_ ? tree.streamed_path(path_) : nullptr) {}

  // Rows and cells of a table build their path only when it is asked for (an error): a table
  // has hundreds of thousands of cells.
  KeyPath path() const {
    if (!table_ || is_table()) return path_;
    KeyPath out = index_path(*table_path_, row_);
    if (is_cell()) out.push_back(table_->header()[column_].text);
    return out;
  }
  YAML::Node node() const { return is_cell() ? YAML::Node(cell().text) : node_; }
  [[noreturn]] void fail(const std::string& expected) const;
  // An unknown key of this mapping: reported where the key is written.
  [[noreturn]] void fail_key(const std::string& key, const std::string& expected) const;
  [[noreturn]] void fail_missing(const std::string& key) const;

  bool is_mapping() const { return is_row() || (!table_ && node_.IsMap()); }
  bool is_null() const { return !table_ && node_.IsNull(); }

  // The value at `key` when it is present and not null.
  std::optional<Value> child(const std::string& key) const {
    if (is_row()) {
      const auto column = column_of(key);
      if (!column || row()[*column].text.empty()) return std::nullopt;
      return Value(*this, row_, *column);
    }
    if (table_ || !node_.IsMap()) return std::nullopt;
    const YAML::Node found = node_[key];
    if (!found.IsDefined() || found.IsNull()) return std::nullopt;
    return Value(*tree_, found, child_path(path_, key));
  }

  // Each key in file order (columns for a table row), without collecting them.
  template <class F>
  void for_each_key(F f) const {
    if (is_row()) {
      for (const auto& cell : table_->header()) f(cell.text);
    } else if (!table_ && node_.IsMap()) {
      for (const auto& entry : node_) f(entry.first.as<std::string>());
    }
  }

  // Keys in file order (columns for a table row).
  std::vector<std::string> keys() const;

  std::string scalar_text(const char* expected) const {
    if (is_cell()) return cell().text;
    if (table_ || !node_.IsScalar()) fail(std::string("expected ") + expected + ", got " + kind());
    return node_.Scalar();
  }

  std::string as_string() const { return scalar_text("text"); }

  bool as_bool() const;
  std::int64_t as_int(std::int64_t min, std::int64_t max) const;
  double as_double(double min, double max) const;
  // "YYYY-MM" or "YYYY-MM-DD"; the model runs monthly, so the day only has to be valid.
  MonthIndex as_month() const;
  std::size_t as_choice(const std::vector<std::string>& choices) const;
  std::vector<Value> as_sequence(bool allow_empty = true) const;
  // What the value is, for messages: a mapping, a list, nothing or the quoted scalar.
  std::string kind() const;

  const YamlTree& tree() const { return *tree_; }

  // Direct access to a table read row by row, for readers of its hundreds of thousands of cells.
  bool is_streamed_table() const { return is_table(); }
  const CsvTable* streamed_table() const { return table_; }
  std::size_t row_count() const { return table_->rows().size(); }
  std::vector<std::string> header_keys() const;
  const std::string& text(std::size_t row, std::size_t column) const { return table_->rows()[row][column].text; }
  Value row_value(std::size_t row) const { return Value(*this, row); }

 private:
  static constexpr std::size_t kWhole = static_cast<std::size_t>(-1);

  // A row of a table, and a cell of a row.
  // (Rows and cells share the table's node: a default YAML::Node would allocate, per cell.)
  Value(const Value& table, std::size_t row)
      : tree_(table.tree_), node_(table.node_), table_(table.table_), table_path_(table.table_path_), row_(row) {}
  Value(const Value& row, std::size_t row_index, std::size_t column)
      : tree_(row.tree_),
        node_(row.node_),
        table_(row.table_),
        table_path_(row.table_path_),
        row_(row_index),
        column_(column) {}

  bool is_table() const { return table_ && row_ == kWhole; }
  bool is_row() const { return table_ && row_ != kWhole && column_ == kWhole; }
  bool is_cell() const { return table_ && column_ != kWhole; }
  const CsvRow& row() const { return table_->rows()[row_]; }
  const CsvCell& cell() const { return row()[column_]; }
  std::optional<std::size_t> column_of(const std::string& key) const {
    const auto& header = table_->header();
    for (std::size_t c = 0; c < header.size(); ++c)
      if (header[c].text == key) return c;
    return std::nullopt;
  }

  static std::string number(double x);

  const YamlTree* tree_;
  YAML::Node node_;
  KeyPath path_;
  const CsvTable* table_ = nullptr;      // set for a streamed table, its rows and their cells
  const KeyPath* table_path_ = nullptr;  // the table's path, kept by the tree
  std::size_t row_ = kWhole;
  std::size_t column_ = kWhole;
};

// Readers for Mapping::optional: a number or a whole number within [min, max], true or false.
inline auto real(double min, double max) {
  return [min, max](const Value& x) { return x.as_double(min, max); };
}
inline auto whole(std::int64_t min, std::int64_t max) {
  return [min, max](const Value& x) { return x.as_int(min, max); };
}
inline bool boolean(const Value& x) { return x.as_bool(); }

// A mapping whose keys must all be known: finish() rejects any key nobody asked for.
class Mapping {
 public:
  explicit Mapping(const Value& value) : value_(value) {
    if (!value.is_mapping() && !value.is_null()) value.fail("expected a mapping of keys, got " + value.kind());
    known_.reserve(16);
  }

  bool has(const std::string& key) {
    remember(key);
    return value_.child(key).has_value();
  }

  Value get(const std::string& key) {
    remember(key);
    auto child = value_.child(key);
    if (!child) value_.fail_missing(key);
    return *child;
  }

  template <class Reader>
  auto optional(const std::string& key, decltype(std::declval<Reader>()(std::declval<Value>())) fallback,
                Reader reader) {
    if (!has(key)) return fallback;
    return reader(*value_.child(key));
  }

  // Entries in file order, for mappings keyed by name (statuses, fields, origins).
  std::vector<std::pair<std::string, Value>> entries() const {
    std::vector<std::pair<std::string, Value>> out;
    for (const auto& key : value_.keys())
      if (auto child = value_.child(key)) out.emplace_back(key, *child);
    return out;
  }

  void finish() const {
    value_.for_each_key([&](const std::string& key) {
      if (std::find(known_.begin(), known_.end(), key) == known_.end())
        value_.fail_key(key, "unknown key; expected one of: " + quoted_list(known_));
    });
  }

  const Value& value() const { return value_; }

 private:
  void remember(const std::string& key) {
    if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.push_back(key);
  }

  Value value_;
  std::vector<std::string> known_;
};

template <class T>
std::string defined_names(const std::vector<T>& items) {
  std::vector<std::string> names;
  for (const auto& item : items) names.push_back(item.name);
  return quoted_list(names);
}

// The index of the item named by `v`, or a message listing the defined names.
template <class T>
std::uint8_t resolve(const std::vector<T>& items, const Value& v, const char* what) {
  const auto name = v.as_string();
  const auto index = find_name(items, name);
  if (!index) v.fail(std::string("expected a defined ") + what + " (" + defined_names(items) + "), got '" + name + "'");
  return static_cast<std::uint8_t>(*index);
}

// The index of the item a mapping's key names (`at`: the key's value, where a message points).
template <class T>
std::uint8_t resolve_key(const std::vector<T>& items, const std::string& name, const Value& at, const char* what) {
  const auto index = find_name(items, name);
  if (!index) at.fail(std::string("expected a defined ") + what + " (" + defined_names(items) + ")");
  return static_cast<std::uint8_t>(*index);
}

}  // namespace migsim::detail
