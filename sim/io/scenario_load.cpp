// Strict reading of a scenario: every key known, every value typed and in range, every name
// defined. The first problem stops the load with file, line, column, key path and expectation.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>
#include <set>
#include <unordered_map>

#include "migsim/error.hpp"
#include "migsim/scenario_io.hpp"
#include "io/yaml_tree.hpp"

namespace migsim {

using detail::child_path;
using detail::CsvCell;
using detail::CsvRow;
using detail::CsvTable;
using detail::index_path;
using detail::join_path;
using detail::KeyPath;
using detail::YamlTree;

std::string format_month(MonthIndex m) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d", year_of(m), month_of(m));
  return buffer;
}

const char* to_string(EmployerChangeRule rule) {
  switch (rule) {
    case EmployerChangeRule::never:
      return "never";
    case EmployerChangeRule::after_months:
      return "after_months";
    case EmployerChangeRule::within_field:
      return "within_field";
    case EmployerChangeRule::free:
      return "free";
  }
  return "?";
}

int Scenario::last_year() const {
  const int end_year = year_of(end);
  return month_of(end) >= census_month ? end_year : end_year - 1;
}

namespace {

constexpr std::size_t kMaxMunicipalities = 65'535;  // indexed by std::uint16_t
constexpr int kMaxRunMonths = 100 * 12;             // a century: beyond it agents only accumulate

template <class T>
std::optional<std::size_t> find_name(const std::vector<T>& items, const std::string& name) {
  for (std::size_t i = 0; i < items.size(); ++i)
    if (items[i].name == name) return i;
  return std::nullopt;
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

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
  [[noreturn]] void fail(const std::string& expected) const {
    if (is_cell()) throw InputError({table_->file(), cell().line, cell().column}, join_path(path()), expected);
    if (is_row()) throw InputError({table_->file(), row().front().line, 1}, join_path(path()), expected);
    tree_->fail(path_, expected);
  }
  // An unknown key of this mapping: reported where the key is written.
  [[noreturn]] void fail_key(const std::string& key, const std::string& expected) const {
    if (is_row()) {
      const auto& cell = table_->header()[*column_of(key)];
      throw InputError({table_->file(), cell.line, cell.column}, join_path(child_path(path(), key)), expected);
    }
    tree_->fail(child_path(path(), key), expected, true);
  }

  [[noreturn]] void fail_missing(const std::string& key) const {
    if (is_row())
      throw InputError({table_->file(), row().front().line, 1}, join_path(child_path(path(), key)),
                       "required key is missing (no such column, or an empty cell)");
    tree_->fail(child_path(path(), key), "required key is missing");
  }

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
  std::vector<std::string> keys() const {
    std::vector<std::string> out;
    if (is_row()) {
      for (const auto& cell : table_->header()) out.push_back(cell.text);
    } else if (!table_ && node_.IsMap()) {
      for (const auto& entry : node_) out.push_back(entry.first.as<std::string>());
    }
    return out;
  }

  std::string scalar_text(const char* expected) const {
    if (is_cell()) return cell().text;
    if (table_ || !node_.IsScalar()) fail(std::string("expected ") + expected + ", got " + kind());
    return node_.Scalar();
  }

  std::string as_string() const { return scalar_text("text"); }

  bool as_bool() const {
    const auto text = scalar_text("true or false");
    if (text == "true" || text == "True" || text == "TRUE") return true;
    if (text == "false" || text == "False" || text == "FALSE") return false;
    fail("expected true or false, got '" + text + "'");
  }

  std::int64_t as_int(std::int64_t min, std::int64_t max) const {
    const auto text = scalar_text("a whole number");
    std::int64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end) fail("expected a whole number, got '" + text + "'");
    if (value < min || value > max)
      fail("expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) + ", got " + text);
    return value;
  }

  double as_double(double min, double max) const {
    const auto text = scalar_text("a number");
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(value))
      fail("expected a number, got '" + text + "'");
    if (value < min || value > max)
      fail("expected a number from " + number(min) + " to " + number(max) + ", got " + text);
    return value;
  }
  // "YYYY-MM" or "YYYY-MM-DD"; the model runs monthly, so the day only has to be valid.
  MonthIndex as_month() const {
    const auto text = scalar_text("a date YYYY-MM or YYYY-MM-DD");
    auto digits = [&](std::size_t from, std::size_t count) {
      for (std::size_t k = from; k < from + count; ++k)
        if (!std::isdigit(static_cast<unsigned char>(text[k]))) return false;
      return true;
    };
    const bool month_form = text.size() == 7 && digits(0, 4) && text[4] == '-' && digits(5, 2);
    const bool day_form =
        text.size() == 10 && digits(0, 4) && text[4] == '-' && digits(5, 2) && text[7] == '-' && digits(8, 2);
    if (!month_form && !day_form) fail("expected a date YYYY-MM or YYYY-MM-DD, got '" + text + "'");
    const int year = std::stoi(text.substr(0, 4));
    const int month = std::stoi(text.substr(5, 2));
    if (year < 1900 || year > 2200 || month < 1 || month > 12)
      fail("expected a date YYYY-MM or YYYY-MM-DD with a month 01-12 and a year 1900-2200, got '" + text + "'");
    if (day_form) {
      static constexpr int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
      const int day = std::stoi(text.substr(8, 2));
      const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
      const int last = month == 2 && !leap ? 28 : days[month - 1];
      if (day < 1 || day > last) fail("expected a valid day of the month, got '" + text + "'");
    }
    return month_index(year, month);
  }

  std::size_t as_choice(const std::vector<std::string>& choices) const {
    const auto text = scalar_text(("one of: " + quoted_list(choices)).c_str());
    for (std::size_t i = 0; i < choices.size(); ++i)
      if (choices[i] == text) return i;
    fail("expected one of: " + quoted_list(choices) + ", got '" + text + "'");
  }

  std::vector<Value> as_sequence(bool allow_empty = true) const {
    if (is_table()) {
      if (!allow_empty && table_->rows().empty()) fail("expected a non-empty list");
      std::vector<Value> out;
      out.reserve(table_->rows().size());
      for (std::size_t i = 0; i < table_->rows().size(); ++i) out.push_back(Value(*this, i));
      return out;
    }
    if (table_ || node_.IsNull()) {
      if (allow_empty && !table_) return {};
      fail(table_ ? "expected a list, got " + kind() : "expected a non-empty list");
    }
    if (!node_.IsSequence()) fail("expected a list, got " + kind());
    if (!allow_empty && node_.size() == 0) fail("expected a non-empty list");
    std::vector<Value> out;
    for (std::size_t i = 0; i < node_.size(); ++i) out.emplace_back(*tree_, node_[i], index_path(path_, i));
    return out;
  }

  std::string kind() const {
    if (is_cell()) return "'" + cell().text + "'";
    if (is_row()) return "a mapping";
    if (is_table()) return "a list";
    switch (node_.Type()) {
      case YAML::NodeType::Map:
        return "a mapping";
      case YAML::NodeType::Sequence:
        return "a list";
      case YAML::NodeType::Null:
        return "nothing";
      case YAML::NodeType::Scalar:
        return "'" + node_.Scalar() + "'";
      default:
        return "nothing";
    }
  }

  const YamlTree& tree() const { return *tree_; }

  // Direct access to a table read row by row, for readers of its hundreds of thousands of cells.
  bool is_streamed_table() const { return is_table(); }
  const CsvTable* streamed_table() const { return table_; }
  std::size_t row_count() const { return table_->rows().size(); }
  std::vector<std::string> header_keys() const {
    std::vector<std::string> out;
    for (const auto& cell : table_->header()) out.push_back(cell.text);
    return out;
  }
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

  static std::string number(double x) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", x);
    return buffer;
  }
  const YamlTree* tree_;
  YAML::Node node_;
  KeyPath path_;
  const CsvTable* table_ = nullptr;      // set for a streamed table, its rows and their cells
  const KeyPath* table_path_ = nullptr;  // the table's path, kept by the tree
  std::size_t row_ = kWhole;
  std::size_t column_ = kWhole;
};

// Readers for Mapping::optional: a number or a whole number within [min, max], true or false.
auto real(double min, double max) {
  return [min, max](const Value& x) { return x.as_double(min, max); };
}
auto whole(std::int64_t min, std::int64_t max) {
  return [min, max](const Value& x) { return x.as_int(min, max); };
}
bool boolean(const Value& x) { return x.as_bool(); }

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

// The initial stock as last read from a streamed table, with what its reading depended on: a
// sweep resolves the same table for every run, and a run's overrides rarely touch it.
struct StockCache {
  const CsvTable* table = nullptr;
  std::vector<std::string> labels;  // statuses, fields and origins, with works/employs flags
  std::vector<int> municipalities;
  std::vector<StockCell> cells;
};

class ScenarioReader {
 public:
  explicit ScenarioReader(const YamlTree& tree, StockCache* stock_cache = nullptr)
      : tree_(tree), stock_cache_(stock_cache) {}

  Scenario read() {
    Scenario s;
    Mapping top(Value(tree_, tree_.root(), {}));
    s.source_file = tree_.top_file();
    s.resolved_yaml = tree_.emit();
    for (const auto& [key_path, file, sha256] : tree_.table_files()) s.table_files.push_back({key_path, file, sha256});
    s.input_files = tree_.input_files();
    s.name = top.optional("name", std::filesystem::path(tree_.top_file()).stem().string(),
                          [](const Value& v) { return v.as_string(); });
    s.description = top.optional("description", std::string(), [](const Value& v) { return v.as_string(); });
    s.seed = static_cast<std::uint64_t>(top.optional(
        "seed", std::int64_t{1}, [](const Value& v) { return v.as_int(0, std::numeric_limits<std::int64_t>::max()); }));
    if (top.has("scale")) {
      const Value v = top.get("scale");
      s.scale = v.as_double(1e-6, 1.0);
      const double per_agent = 1.0 / s.scale;
      if (std::fabs(per_agent - std::round(per_agent)) > 1e-9 * per_agent)
        v.fail(
            "expected a scale X in (0, 1] with 1/X a whole number (1, 0.5, 0.25, 0.1, ...), so counts scale back "
            "exactly");
    }
    s.census_month = static_cast<int>(
        top.optional("census_month", std::int64_t{10}, [](const Value& v) { return v.as_int(1, 12); }));
    const Value start = top.get("start");
    s.start = start.as_month();
    if (month_of(s.start) != s.census_month)
      start.fail("expected the start month to be the census month (" + std::to_string(s.census_month) +
                 "): the initial stock is that year's census");
    const Value end = top.get("end");
    s.end = end.as_month();
    if (s.end <= s.start) end.fail("expected an end date after start (" + format_month(s.start) + ")");
    if (s.end - s.start > kMaxRunMonths)
      end.fail("expected an end date at most " + std::to_string(kMaxRunMonths / 12) +
               " years after start (the longest run: docs/reliability.md)");

    read_fields(s, top.get("fields"));
    read_statuses(s, top.get("statuses"));
    read_field_hires(s);
    read_origins(s, top.get("origins"));
    read_prefectures(s, top.get("prefectures"));
    read_municipalities(s, top.get("municipalities"));
    read_initial_stock(s, top.get("initial_stock"));
    if (top.has("caps")) read_caps(s, top.get("caps"));
    s.cap_multiplier = top.optional("cap_multiplier", 1.0, real(0.0, 100.0));
    if (top.has("events")) read_events(s, top.get("events"));
    read_employers(s, top.has("employers") ? top.get("employers") : empty("employers"));
    read_family(s, top.has("family") ? top.get("family") : empty("family"));
    read_integration(s, top.has("integration") ? top.get("integration") : empty("integration"));
    read_behaviour(s, top.has("behaviour") ? top.get("behaviour") : empty("behaviour"));
    read_learning(s, top.has("learning") ? top.get("learning") : empty("learning"));
    read_municipal_policy(s, top.has("municipal_policy") ? top.get("municipal_policy") : empty("municipal_policy"));
    read_output(s, top.has("output") ? top.get("output") : empty("output"));
    top.finish();
    return s;
  }

 private:
  Value empty(const std::string& key) const { return Value(tree_, YAML::Node(YAML::NodeType::Null), {key}); }

  // Labels become output coordinates: UPPER_SNAKE for statuses, lower_snake for fields and origins.
  static void check_name(const Value& where, const std::string& name, bool upper, const char* what) {
    auto letter = [upper](char c) { return upper ? (c >= 'A' && c <= 'Z') : (c >= 'a' && c <= 'z'); };
    bool ok = !name.empty() && letter(name[0]);
    for (char c : name) ok = ok && (letter(c) || (c >= '0' && c <= '9') || c == '_');
    if (!ok) where.fail(std::string("expected ") + what + ", got '" + name + "'");
  }

  template <class T>
  std::uint8_t resolve(const std::vector<T>& items, const Value& v, const char* what) const {
    const auto name = v.as_string();
    const auto index = find_name(items, name);
    if (!index) {
      std::vector<std::string> names;
      for (const auto& item : items) names.push_back(item.name);
      v.fail(std::string("expected a defined ") + what + " (" + quoted_list(names) + "), got '" + name + "'");
    }
    return static_cast<std::uint8_t>(*index);
  }

  // `all` or a list of field names -> one flag per field.
  std::vector<std::uint8_t> field_set(const Scenario& s, const Value& v) const {
    std::vector<std::uint8_t> flags(s.fields.size(), 0);
    if (v.node().IsScalar() && v.node().Scalar() == "all") {
      for (std::size_t f = 0; f < s.fields.size(); ++f) flags[f] = s.fields[f].employs ? 1 : 0;
      return flags;
    }
    if (!v.node().IsSequence()) v.fail("expected 'all' or a list of field names, got " + v.kind());
    for (const auto& item : v.as_sequence()) flags[resolve(s.fields, item, "field")] = 1;
    return flags;
  }

  std::vector<std::uint8_t> status_set(const Scenario& s, const Value& v) const {
    std::vector<std::uint8_t> flags(s.statuses.size(), 0);
    for (const auto& item : v.as_sequence(false)) flags[resolve(s.statuses, item, "status")] = 1;
    return flags;
  }

  void read_fields(Scenario& s, const Value& v) {
    Mapping fields(v);
    if (fields.entries().empty()) v.fail("expected a mapping of at least one field name to its settings");
    for (const auto& [name, settings] : fields.entries()) {
      check_name(settings, name, false, "a lower snake case field name like food_service");
      Mapping m(settings);
      Field f;
      f.name = name;
      f.employs = m.optional("employs", true, boolean);
      f.labour_demand_growth_per_year = m.optional("labour_demand_growth_per_year", 0.0, real(-0.5, 1.0));
      if (m.has("labour_demand_growth_by_year")) {
        Mapping series(m.get("labour_demand_growth_by_year"));
        for (const auto& [year, rate] : series.entries()) {
          const Value year_value(rate.tree(), YAML::Node(year), rate.path());
          f.labour_demand_growth_by_year.emplace_back(static_cast<int>(year_value.as_int(1900, 2200)),
                                                      rate.as_double(-0.5, 1.0));
        }
        std::sort(f.labour_demand_growth_by_year.begin(), f.labour_demand_growth_by_year.end());
      }
      if (m.has("hires")) field_hires_.emplace_back(s.fields.size(), m.get("hires"));  // statuses come later
      m.finish();
      s.fields.push_back(f);
    }
    if (s.fields.size() > 250) v.fail("expected at most 250 fields");
  }

  void read_statuses(Scenario& s, const Value& v) {
    Mapping statuses(v);
    const auto entries = statuses.entries();
    if (entries.empty()) v.fail("expected a mapping of at least one status name to its rules");
    if (entries.size() > 250) v.fail("expected at most 250 statuses");
    for (const auto& [name, rule] : entries) {
      check_name(rule, name, true, "an upper-case status name like SSW1");
      StatusRule r;
      r.name = name;
      s.statuses.push_back(r);  // names first: transitions may point forward
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
      status_nodes_[entries[i].first] = entries[i].second.node();
      s.statuses[i] = read_status_rule(s, entries[i].first, entries[i].second);
    }
  }

  StatusRule read_status_rule(const Scenario& s, const std::string& name, const Value& v) const {
    Mapping m(v);
    StatusRule r;
    r.name = name;
    r.works = m.optional("works", true, boolean);
    if (m.has("max_stay_months")) {
      const Value x = m.get("max_stay_months");
      r.max_stay_months = x.node().IsScalar() && x.node().Scalar() == "unlimited"
                              ? kUnlimitedMonths
                              : static_cast<std::int32_t>(x.as_int(1, 1200));
    }
    r.employer_change =
        static_cast<EmployerChangeRule>(m.optional("employer_change", std::size_t{0}, [](const Value& x) {
          return x.as_choice({"never", "after_months", "within_field", "free"});
        }));
    r.employer_change_after_months.assign(s.fields.size(), 12);
    if (m.has("employer_change_after_months")) {
      const Value x = m.get("employer_change_after_months");
      if (x.node().IsMap()) {
        Mapping per_field(x);
        const auto fallback = static_cast<std::int32_t>(per_field.get("default").as_int(0, 1200));
        r.employer_change_after_months.assign(s.fields.size(), fallback);
        for (const auto& [field, months] : per_field.entries()) {
          if (field == "default") continue;
          const auto index = find_name(s.fields, field);
          if (!index) {
            std::vector<std::string> names;
            for (const auto& f : s.fields) names.push_back(f.name);
            months.fail("expected 'default' or a defined field (" + quoted_list(names) + ")");
          }
          r.employer_change_after_months[*index] = static_cast<std::int32_t>(months.as_int(0, 1200));
        }
      } else {
        r.employer_change_after_months.assign(s.fields.size(), static_cast<std::int32_t>(x.as_int(0, 1200)));
      }
    } else if (r.employer_change == EmployerChangeRule::after_months) {
      m.get("employer_change_after_months");  // the rule needs its period
    }
    r.family_allowed = m.optional("family", std::size_t{0}, [](const Value& x) {
      return x.as_choice({"none", "allowed"});
    }) == 1;
    r.family_delay_months =
        static_cast<std::int32_t>(m.optional("family_delay_months", std::int64_t{0}, whole(0, 600)));
    r.entries_open = m.optional("entries_open", false, boolean);
    r.entry_fields =
        m.has("entry_fields") ? field_set(s, m.get("entry_fields")) : std::vector<std::uint8_t>(s.fields.size(), 0);
    if (m.has("entry_fields")) {
      bool employing = false, not_employing = false;
      for (std::size_t f = 0; f < s.fields.size(); ++f) {
        if (!r.entry_fields[f]) continue;
        (s.fields[f].employs ? employing : not_employing) = true;
      }
      if (employing && not_employing)
        m.get("entry_fields")
            .fail("expected either fields that employ (entrants need a job) or a field that employs nobody, not both");
      if (employing && !r.works)
        m.get("entry_fields").fail("expected a field that employs nobody: status " + name + " does not work");
    } else {
      for (std::size_t f = 0; f < s.fields.size(); ++f) r.entry_fields[f] = (s.fields[f].employs == r.works) ? 1 : 0;
    }
    if (m.has("transitions")) {
      for (const auto& t : m.get("transitions").as_sequence()) {
        Mapping tm(t);
        StatusTransition tr;
        tr.to_status = resolve(s.statuses, tm.get("to"), "status");
        if (s.statuses[tr.to_status].name == name) tm.get("to").fail("expected a status other than the current one");
        tr.after_months = static_cast<std::int32_t>(tm.get("after_months").as_int(0, 1200));
        tr.pass_rate = tm.optional("pass_rate", 1.0, real(0.0, 1.0));
        if (tm.has("requires_japanese")) tr.requires_japanese = japanese_level(tm.get("requires_japanese"));
        tr.requires_skill = static_cast<std::uint8_t>(tm.optional("requires_skill", std::int64_t{0}, whole(0, 250)));
        tr.fields_allowed =
            tm.has("fields") ? field_set(s, tm.get("fields")) : std::vector<std::uint8_t>(s.fields.size(), 1);
        tm.finish();
        r.transitions.push_back(tr);
      }
    }
    r.exit_rate_per_year = m.optional("exit_rate_per_year", 0.0, real(0.0, 1.0));
    r.abscond_rate_per_year = m.optional("abscond_rate_per_year", 0.0, real(0.0, 1.0));
    r.job_search_rate_per_month = m.optional("job_search_rate_per_month", 0.0, real(0.0, 1.0));
    r.field_change_share = m.optional("field_change_share", 0.0, real(0.0, 1.0));
    if (m.has("entry_japanese")) r.entry_japanese = japanese_level(m.get("entry_japanese"));
    r.second_year_wage_raise = m.optional("second_year_wage_raise", 0.0, real(0.0, 1.0));
    r.entry_skill = static_cast<std::uint8_t>(m.optional("entry_skill", std::int64_t{0}, whole(0, 250)));
    if (m.has("entry_age_years")) {
      const Value x = m.get("entry_age_years");
      const auto range = x.as_sequence(false);
      if (range.size() != 2) x.fail("expected [min, max] ages in years");
      r.entry_age_min_years = static_cast<int>(range[0].as_int(0, 100));
      r.entry_age_max_years = static_cast<int>(range[1].as_int(r.entry_age_min_years, 100));
    }
    m.finish();
    return r;
  }

  // Which statuses each field's employers hire: a share per status, 1 where not listed.
  void read_field_hires(Scenario& s) {
    for (auto& f : s.fields) f.hires_share.assign(s.statuses.size(), 1.0);
    for (const auto& [field, value] : field_hires_) {
      Mapping shares(value);
      for (const auto& [status, share] : shares.entries()) {
        const auto index = find_name(s.statuses, status);
        if (!index) share.fail("expected a defined status");
        s.fields[field].hires_share[*index] = share.as_double(0.0, 1.0);
      }
    }
  }

  static std::pair<double, double> read_location(const Value& v) {
    const auto pair = v.as_sequence(false);
    if (pair.size() != 2) v.fail("expected [latitude, longitude] in degrees");
    return {pair[0].as_double(-90.0, 90.0), pair[1].as_double(-180.0, 180.0)};
  }

  void read_origins(Scenario& s, const Value& v) {
    Mapping origins(v);
    if (origins.entries().empty()) v.fail("expected a mapping of at least one origin name to its settings");
    for (const auto& [name, settings] : origins.entries()) {
      check_name(settings, name, false, "a lower snake case origin name like vietnam");
      Mapping m(settings);
      Origin o;
      o.name = name;
      o.applicants_per_year = m.optional("applicants_per_year", 0.0, real(0.0, 1e8));
      o.channel_weights.assign(s.statuses.size(), 0.0);
      o.language_proximity = m.optional("language_proximity", 0.5, real(0.0, 1.0));
      if (m.has("location")) o.location = read_location(m.get("location"));
      o.orientation_to_work_abroad = m.optional("orientation_to_work_abroad", 1.0, real(0.0, 100.0));
      o.network_elasticity = m.optional("network_elasticity", 0.0, real(0.0, 100.0));
      if (m.has("channels")) {
        Mapping channels(m.get("channels"));
        for (const auto& [status, weight] : channels.entries()) {
          const auto index = find_name(s.statuses, status);
          if (!index) {
            std::vector<std::string> names;
            for (const auto& st : s.statuses) names.push_back(st.name);
            weight.fail("expected a defined status (" + quoted_list(names) + ")");
          }
          o.channel_weights[*index] = weight.as_double(0.0, 1e6);
        }
      }
      m.finish();
      s.origins.push_back(o);
    }
    if (s.origins.size() > 250) v.fail("expected at most 250 origins");
  }

  void read_prefectures(Scenario& s, const Value& v) {
    for (const auto& item : v.as_sequence(false)) {
      Mapping m(item);
      Prefecture p;
      p.code = static_cast<int>(m.get("code").as_int(1, 99));
      p.name = m.get("name").as_string();
      p.minimum_wage_yen_per_hour = m.get("minimum_wage_yen_per_hour").as_double(1.0, 1e5);
      m.finish();
      for (const auto& other : s.prefectures)
        if (other.code == p.code)
          item.fail("expected a unique prefecture code, " + std::to_string(p.code) + " is repeated");
      s.prefectures.push_back(p);
    }
  }

  void read_municipalities(Scenario& s, const Value& v) {
    const auto items = v.as_sequence(false);
    if (items.size() > kMaxMunicipalities)
      v.fail("expected at most " + std::to_string(kMaxMunicipalities) + " municipalities");
    std::set<int> codes;
    for (const auto& item : items) {
      Mapping m(item);
      Municipality mu;
      mu.code = static_cast<int>(m.get("code").as_int(1000, 999999));
      if (!codes.insert(mu.code).second)
        m.get("code").fail("expected a unique municipality code, " + std::to_string(mu.code) + " is repeated");
      mu.name = m.get("name").as_string();
      const Value pref = m.get("prefecture");
      const auto pref_code = pref.as_int(1, 99);
      const auto it = std::find_if(s.prefectures.begin(), s.prefectures.end(),
                                   [&](const Prefecture& p) { return p.code == pref_code; });
      if (it == s.prefectures.end())
        pref.fail("expected the code of a defined prefecture, got " + std::to_string(pref_code));
      mu.prefecture = static_cast<std::uint16_t>(it - s.prefectures.begin());
      mu.population = m.get("population").as_int(0, 100'000'000);
      if (m.has("location")) mu.location = read_location(m.get("location"));
      mu.policy.agreements.assign(s.origins.size(), 0);
      if (m.has("policy")) {
        Mapping p(m.get("policy"));
        mu.policy.language_classes = p.optional("language_classes", false, boolean);
        mu.policy.consultation = p.optional("consultation", false, boolean);
        mu.policy.residents_assembly = p.optional("residents_assembly", false, boolean);
        mu.policy.hires_ajts = p.optional("hires_ajts", false, boolean);
        mu.policy.employer_subsidy = p.optional("employer_subsidy", false, boolean);
        mu.policy.council_member = p.optional("council_member", false, boolean);
        mu.policy.budget_yen_per_year = p.optional("budget_yen_per_year", -1.0, real(0.0, 1e12));
        mu.policy.ajts = static_cast<std::int32_t>(p.optional("ajts", std::int64_t{0}, whole(0, 100000)));
        if (p.has("agreements"))
          for (const auto& origin : p.get("agreements").as_sequence())
            mu.policy.agreements[resolve(s.origins, origin, "origin")] = 1;
        p.finish();
      }
      m.finish();
      s.municipalities.push_back(mu);
    }
  }

  void resolve_municipality_index(const Scenario& s) {
    if (municipality_index_.size() != s.municipalities.size()) {  // tables have many rows: index once
      municipality_index_.clear();
      for (std::size_t i = 0; i < s.municipalities.size(); ++i)
        municipality_index_.emplace(s.municipalities[i].code, static_cast<std::uint16_t>(i));
    }
  }

  std::uint16_t resolve_municipality(const Scenario& s, const Value& v) {
    resolve_municipality_index(s);
    const auto code = v.as_int(0, 999999);
    const auto it = municipality_index_.find(static_cast<int>(code));
    if (it != municipality_index_.end()) return it->second;
    v.fail("expected the code of a defined municipality, got " + std::to_string(code));
  }

  static constexpr std::int64_t kMaxCellPersons = 100'000'000;

  StockCell read_stock_row(Scenario& s, const Value& item) {
    Mapping m(item);
    StockCell c;
    c.municipality = resolve_municipality(s, m.get("municipality"));
    c.status = resolve(s.statuses, m.get("status"), "status");
    c.field = resolve(s.fields, m.get("field"), "field");
    c.origin = resolve(s.origins, m.get("origin"), "origin");
    c.persons = m.get("persons").as_int(0, kMaxCellPersons);
    if (s.fields[c.field].employs && !s.statuses[c.status].works)
      m.get("field").fail("expected a field that employs nobody: status " + s.statuses[c.status].name +
                          " does not work");
    m.finish();
    return c;
  }

  // A table of exactly the five columns is read cell by cell: a row whose cells all read
  // cleanly goes straight in; any other row goes through read_stock_row, which reads it the
  // same way or reports the problem where it is (file, line, column, key).
  void read_initial_stock(Scenario& s, const Value& v) {
    const std::vector<std::string> keys{"municipality", "status", "field", "origin", "persons"};
    std::vector<std::size_t> column(keys.size(), keys.size());
    bool direct = v.is_streamed_table();
    if (direct) {
      const auto header = v.header_keys();
      direct = header.size() == keys.size();
      for (std::size_t c = 0; direct && c < header.size(); ++c) {
        const auto k = std::find(keys.begin(), keys.end(), header[c]);
        direct = k != keys.end() && column[static_cast<std::size_t>(k - keys.begin())] == keys.size();
        if (direct) column[static_cast<std::size_t>(k - keys.begin())] = c;
      }
    }
    if (!direct) {
      for (const auto& item : v.as_sequence()) s.initial_stock.push_back(read_stock_row(s, item));
      return;
    }
    resolve_municipality_index(s);
    StockCache key;
    if (stock_cache_) {
      key.table = v.streamed_table();
      for (const auto& x : s.statuses) key.labels.push_back(x.name + (x.works ? "+" : "-"));
      for (const auto& x : s.fields) key.labels.push_back(x.name + (x.employs ? "+" : "-"));
      for (const auto& x : s.origins) key.labels.push_back(x.name);
      for (const auto& m : s.municipalities) key.municipalities.push_back(m.code);
      if (stock_cache_->table == key.table && stock_cache_->labels == key.labels &&
          stock_cache_->municipalities == key.municipalities) {
        s.initial_stock = stock_cache_->cells;
        return;
      }
    }
    auto index_of = [](const auto& items) {
      std::unordered_map<std::string, std::uint8_t> index;
      for (std::size_t i = 0; i < items.size(); ++i) index.emplace(items[i].name, static_cast<std::uint8_t>(i));
      return index;
    };
    const auto statuses = index_of(s.statuses), fields = index_of(s.fields), origins = index_of(s.origins);
    auto whole = [](const std::string& text, std::int64_t& value) {
      const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      return !text.empty() && ec == std::errc() && ptr == text.data() + text.size();
    };
    s.initial_stock.reserve(v.row_count());
    for (std::size_t r = 0; r < v.row_count(); ++r) {
      std::int64_t code = 0, persons = 0;
      const auto status = statuses.find(v.text(r, column[1]));
      const auto field = fields.find(v.text(r, column[2]));
      const auto origin = origins.find(v.text(r, column[3]));
      const auto municipality = whole(v.text(r, column[0]), code) ? municipality_index_.find(static_cast<int>(code))
                                                                  : municipality_index_.end();
      const bool clean = municipality != municipality_index_.end() && status != statuses.end() &&
                         field != fields.end() && origin != origins.end() && whole(v.text(r, column[4]), persons) &&
                         persons >= 0 && persons <= kMaxCellPersons &&
                         !(s.fields[field->second].employs && !s.statuses[status->second].works);
      if (!clean) {
        s.initial_stock.push_back(read_stock_row(s, v.row_value(r)));
        continue;
      }
      s.initial_stock.push_back({municipality->second, status->second, field->second, origin->second, persons});
    }
    if (stock_cache_) {
      key.cells = s.initial_stock;
      *stock_cache_ = std::move(key);
    }
  }

  void read_caps(Scenario& s, const Value& v) {
    for (const auto& item : v.as_sequence()) {
      Mapping m(item);
      FieldCap c;
      c.field = resolve(s.fields, m.get("field"), "field");
      c.statuses = status_set(s, m.get("statuses"));
      c.from = m.get("from").as_month();
      c.to = m.get("to").as_month();
      if (c.to < c.from) m.get("to").fail("expected a date on or after from (" + format_month(c.from) + ")");
      c.kind = m.optional("kind", std::size_t{0},
                          [](const Value& x) {
                            return x.as_choice({"stock", "admissions"});
                          }) == 0
                   ? FieldCap::Kind::stock
                   : FieldCap::Kind::admissions;
      c.limit_persons = m.get("limit_persons").as_int(0, 100'000'000);
      m.finish();
      s.caps.push_back(c);
    }
  }

  void read_events(Scenario& s, const Value& v) {
    std::map<std::string, YAML::Node> current_rules = status_nodes_;
    // Rule changes build on one another in date order, whatever order the file lists them in.
    // Indices are sorted, not the items: swapping YAML::Nodes writes through shared nodes.
    const auto items = v.as_sequence();
    auto date_of = [&](std::size_t k) {
      const YAML::Node node = items[k].node();
      // By month: 2027-04 and 2027-04-01 are the same month and keep their listed order. Events
      // without a date (sending pushes, closures) have a period instead: its start orders them.
      if (!node.IsMap()) return std::string();
      for (const char* key : {"date", "from"}) {
        const YAML::Node when = node[key];
        if (when.IsDefined() && when.IsScalar()) return when.Scalar().substr(0, 7);
      }
      return std::string();
    };
    std::vector<std::size_t> order(items.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return date_of(a) < date_of(b); });
    for (const std::size_t k : order) {
      const Value& item = items[k];
      Mapping m(item);
      const auto type = m.get("type").as_choice({"border_closure", "status_rule", "sending_push", "agreement"});
      if (type == 0) {
        BorderClosure b;
        b.from = m.get("from").as_month();
        b.to = m.get("to").as_month();
        if (b.to < b.from) m.get("to").fail("expected a date on or after from");
        b.admit_share = m.optional("admit_share", 0.0, real(0.0, 1.0));
        s.border_closures.push_back(b);
      } else if (type == 1) {
        StatusRuleChange c;
        c.date = m.get("date").as_month();
        c.status = resolve(s.statuses, m.get("status"), "status");
        const Value set = m.get("set");
        if (!set.node().IsMap()) set.fail("expected a mapping of status rule keys to their new values");
        // The change applies on top of the rule as it stands after earlier changes.
        YAML::Node merged = YAML::Clone(current_rules[s.statuses[c.status].name]);
        if (!merged.IsMap()) merged = YAML::Node(YAML::NodeType::Map);
        for (const auto& entry : set.node()) merged[entry.first.as<std::string>()] = YAML::Clone(entry.second);
        c.rule = read_status_rule(s, s.statuses[c.status].name, Value(tree_, merged, set.path()));
        // reset, not =: assigning to a handle writes into the tree's own status node.
        current_rules[s.statuses[c.status].name].reset(merged);
        s.rule_changes.push_back(c);
      } else if (type == 2) {
        SendingPush p;
        p.origin = resolve(s.origins, m.get("origin"), "origin");
        p.from = m.get("from").as_month();
        p.to = m.get("to").as_month();
        if (p.to < p.from) m.get("to").fail("expected a date on or after from");
        p.applicant_multiplier = m.get("applicant_multiplier").as_double(0.0, 100.0);
        s.sending_pushes.push_back(p);
      } else {
        AgreementEvent a;
        a.date = m.get("date").as_month();
        a.municipality = resolve_municipality(s, m.get("municipality"));
        a.origin = resolve(s.origins, m.get("origin"), "origin");
        s.agreements.push_back(a);
      }
      m.finish();
    }
    std::stable_sort(s.rule_changes.begin(), s.rule_changes.end(),
                     [](const StatusRuleChange& a, const StatusRuleChange& b) { return a.date < b.date; });
  }

  void read_employers(Scenario& s, const Value& v) {
    Mapping m(v);
    auto& e = s.employers;
    e.workers_per_employer = m.optional("workers_per_employer", e.workers_per_employer, real(1.0, 1e5));
    e.initial_vacancy_rate = m.optional("initial_vacancy_rate", e.initial_vacancy_rate, real(0.0, 10.0));
    e.wage_premium_mean = m.optional("wage_premium_mean", e.wage_premium_mean, real(0.5, 10.0));
    e.wage_premium_sd = m.optional("wage_premium_sd", e.wage_premium_sd, real(0.0, 5.0));
    e.hours_per_month = m.optional("hours_per_month", e.hours_per_month, real(1.0, 400.0));
    e.wage_raise_on_loss = m.optional("wage_raise_on_loss", e.wage_raise_on_loss, real(0.0, 1.0));
    e.conditions_mean = m.optional("conditions_mean", e.conditions_mean, real(0.0, 1.0));
    e.size_sd = m.optional("size_sd", e.size_sd, real(0.0, 5.0));
    e.small_employer_places = static_cast<std::int32_t>(
        m.optional("small_employer_places", std::int64_t{e.small_employer_places}, whole(0, 100000)));
    e.diaspora_share = m.optional("diaspora_share", e.diaspora_share, real(0.0, 1.0));
    e.diaspora_other_origin_acceptance =
        m.optional("diaspora_other_origin_acceptance", e.diaspora_other_origin_acceptance, real(0.0, 1.0));
    e.conditions_sd = m.optional("conditions_sd", e.conditions_sd, real(0.0, 1.0));
    if (m.has("establishments")) {
      for (const auto& item : m.get("establishments").as_sequence()) {
        Mapping row(item);
        EstablishmentCell cell;
        cell.municipality = resolve_municipality(s, row.get("municipality"));
        cell.field = resolve(s.fields, row.get("field"), "field");
        if (!s.fields[cell.field].employs) row.get("field").fail("expected a field that employs workers");
        cell.establishments = row.get("establishments").as_int(0, 10'000'000);
        row.finish();
        e.establishments.push_back(cell);
      }
    }
    m.finish();
  }

  void read_family(Scenario& s, const Value& v) {
    Mapping m(v);
    auto& f = s.family;
    if (m.has("dependent_status")) {
      f.dependent_status = resolve(s.statuses, m.get("dependent_status"), "status");
    } else {
      const auto dependent = s.status_index("DEPENDENT");
      if (!dependent)
        v.tree().fail(child_path(v.path(), "dependent_status"), "required when no status is named DEPENDENT");
      f.dependent_status = static_cast<std::uint8_t>(*dependent);
    }
    if (s.statuses[f.dependent_status].works &&
        s.fields.end() == std::find_if(s.fields.begin(), s.fields.end(), [](const Field& x) { return !x.employs; }))
      v.fail("expected a field with employs: false for family members who join");
    f.spouse_probability = m.optional("spouse_probability", f.spouse_probability, real(0.0, 1.0));
    f.children_mean = m.optional("children_mean", f.children_mean, real(0.0, 10.0));
    f.children_max_age_years = static_cast<int>(m.optional("children_max_age_years", std::int64_t{14}, whole(0, 30)));
    f.school_age_min_years = static_cast<int>(m.optional("school_age_min_years", std::int64_t{6}, whole(0, 30)));
    f.school_age_max_years = static_cast<int>(m.optional("school_age_max_years", std::int64_t{14}, whole(0, 30)));
    if (f.school_age_max_years < f.school_age_min_years)
      m.get("school_age_max_years")
          .fail("expected an age at least school_age_min_years (" + std::to_string(f.school_age_min_years) + ")");
    f.initial_months_in_status_max =
        static_cast<std::int32_t>(m.optional("initial_months_in_status_max", std::int64_t{120}, whole(1, 1200)));
    f.join_rate_per_month = m.optional("join_rate_per_month", f.join_rate_per_month, real(0.0, 1.0));
    m.finish();
    if (std::none_of(s.fields.begin(), s.fields.end(), [](const Field& x) { return !x.employs; }))
      v.tree().fail({"fields"}, "expected one field with employs: false (for non-workers and family members)");
  }

  void read_integration(Scenario& s, const Value& v) {
    Mapping m(v);
    auto& g = s.integration;
    auto weight = real(0.0, 1.0);
    g.weight_language_classes = m.optional("weight_language_classes", g.weight_language_classes, weight);
    g.weight_consultation = m.optional("weight_consultation", g.weight_consultation, weight);
    g.weight_residents_assembly = m.optional("weight_residents_assembly", g.weight_residents_assembly, weight);
    g.weight_ajt_coverage = m.optional("weight_ajt_coverage", g.weight_ajt_coverage, weight);
    g.ajt_children_per_teacher = m.optional("ajt_children_per_teacher", g.ajt_children_per_teacher, real(1.0, 1e4));
    g.exit_reduction = m.optional("exit_reduction", g.exit_reduction, weight);
    g.family_join_boost = m.optional("family_join_boost", g.family_join_boost, real(0.0, 100.0));
    g.learning_boost = m.optional("learning_boost", g.learning_boost, real(0.0, 100.0));
    g.settlement_boost = m.optional("settlement_boost", g.settlement_boost, real(0.0, 100.0));
    g.onward_move_push = m.optional("onward_move_push", g.onward_move_push, real(0.0, 100.0));
    m.finish();
  }

  // A CEFR level name as Japanese points: A0 0, A1 50, A2 100, B1 150, B2 200.
  static std::uint8_t japanese_level(const Value& v) {
    return static_cast<std::uint8_t>(50 * v.as_choice({"A0", "A1", "A2", "B1", "B2"}));
  }

  void read_learning(Scenario& s, const Value& v) {
    Mapping m(v);
    auto& l = s.learning;
    l.japanese_points_per_month = m.optional("japanese_points_per_month", l.japanese_points_per_month, real(0.0, 50.0));
    l.language_class_boost = m.optional("language_class_boost", l.language_class_boost, real(0.0, 10.0));
    l.skill_points_per_month = m.optional("skill_points_per_month", l.skill_points_per_month, real(0.0, 50.0));
    m.finish();
  }

  void read_municipal_policy(Scenario& s, const Value& v) {
    Mapping m(v);
    auto& p = s.municipal_policy;
    auto rate = real(0.0, 1.0);
    auto effect = real(0.0, 100.0);
    auto yen = real(0.0, 1e12);
    p.base_adoption_per_year = m.optional("base_adoption_per_year", p.base_adoption_per_year, rate);
    p.foreign_share_effect = m.optional("foreign_share_effect", p.foreign_share_effect, effect);
    p.peer_effect = m.optional("peer_effect", p.peer_effect, effect);
    p.vacancy_effect = m.optional("vacancy_effect", p.vacancy_effect, effect);
    p.budget_yen_per_resident = m.optional("budget_yen_per_resident", p.budget_yen_per_resident, real(0.0, 1e6));
    p.cost_language_classes_yen = m.optional("cost_language_classes_yen", p.cost_language_classes_yen, yen);
    p.cost_consultation_yen = m.optional("cost_consultation_yen", p.cost_consultation_yen, yen);
    p.cost_residents_assembly_yen = m.optional("cost_residents_assembly_yen", p.cost_residents_assembly_yen, yen);
    p.cost_employer_subsidy_yen = m.optional("cost_employer_subsidy_yen", p.cost_employer_subsidy_yen, yen);
    p.cost_per_ajt_yen = m.optional("cost_per_ajt_yen", p.cost_per_ajt_yen, yen);
    p.cost_per_agreement_yen = m.optional("cost_per_agreement_yen", p.cost_per_agreement_yen, yen);
    p.ajt_ability_sd = m.optional("ajt_ability_sd", p.ajt_ability_sd, rate);
    p.subsidy_capacity_growth = m.optional("subsidy_capacity_growth", p.subsidy_capacity_growth, rate);
    m.finish();
  }

  void read_behaviour(Scenario& s, const Value& v) {
    Mapping m(v);
    auto& b = s.behaviour;
    auto factor = real(0.0, 100.0);
    b.abscond_bad_conditions_multiplier =
        m.optional("abscond_bad_conditions_multiplier", b.abscond_bad_conditions_multiplier, factor);
    b.abscond_when_change_allowed = m.optional("abscond_when_change_allowed", b.abscond_when_change_allowed, factor);
    b.agreement_recruitment_weight =
        m.optional("agreement_recruitment_weight", b.agreement_recruitment_weight, real(0.0, 1000.0));
    b.satisfaction_weight_wage = m.optional("satisfaction_weight_wage", b.satisfaction_weight_wage, factor);
    b.satisfaction_weight_conditions =
        m.optional("satisfaction_weight_conditions", b.satisfaction_weight_conditions, factor);
    b.satisfaction_weight_integration =
        m.optional("satisfaction_weight_integration", b.satisfaction_weight_integration, factor);
    if (b.satisfaction_weight_wage + b.satisfaction_weight_conditions + b.satisfaction_weight_integration <= 0)
      v.fail("expected satisfaction weights that are not all 0");
    b.exit_satisfaction_reduction =
        m.optional("exit_satisfaction_reduction", b.exit_satisfaction_reduction, real(0.0, 1.0));
    b.exit_family_present = m.optional("exit_family_present", b.exit_family_present, factor);
    b.exit_family_separated = m.optional("exit_family_separated", b.exit_family_separated, factor);
    b.family_separation_months =
        static_cast<std::int32_t>(m.optional("family_separation_months", std::int64_t{36}, whole(0, 1200)));
    b.urban_pull = m.optional("urban_pull", b.urban_pull, factor);
    b.wage_full_marks_over_minimum =
        m.optional("wage_full_marks_over_minimum", b.wage_full_marks_over_minimum, real(1.01, 10.0));
    b.wage_minimum_share = m.optional("wage_minimum_share", b.wage_minimum_share, real(0.0, 1.0));
    b.wage_market_span = m.optional("wage_market_span", b.wage_market_span, real(0.01, 10.0));
    b.distance_decay_km = m.optional("distance_decay_km", b.distance_decay_km, real(0.0, 1e5));
    b.integration_pull = m.optional("integration_pull", b.integration_pull, factor);
    b.change_threshold = m.optional("change_threshold", b.change_threshold, real(0.0, 10.0));
    b.search_bad_conditions_multiplier =
        m.optional("search_bad_conditions_multiplier", b.search_bad_conditions_multiplier, factor);
    m.finish();
  }

  void read_output(Scenario& s, const Value& v) {
    Mapping m(v);
    if (m.has("groups")) {
      s.output.national = s.output.prefecture = s.output.municipality = s.output.labour_market = false;
      for (const auto& g : m.get("groups").as_sequence()) {
        switch (g.as_choice({"national", "prefecture", "municipality", "labour_market"})) {
          case 0:
            s.output.national = true;
            break;
          case 1:
            s.output.prefecture = true;
            break;
          case 2:
            s.output.municipality = true;
            break;
          default:
            s.output.labour_market = true;
            break;
        }
      }
    }
    s.output.compression_level = static_cast<int>(m.optional("compression_level", std::int64_t{4}, whole(0, 9)));
    if (m.has("summary_years"))
      for (const auto& year : m.get("summary_years").as_sequence())
        s.output.summary_years.push_back(
            static_cast<int>(year.as_int(1900, 2200)));  // years outside the run are not shown
    m.finish();
  }

  const YamlTree& tree_;
  StockCache* stock_cache_;
  std::unordered_map<int, std::uint16_t> municipality_index_;  // code -> position
  std::map<std::string, YAML::Node> status_nodes_;
  std::vector<std::pair<std::size_t, Value>> field_hires_;
};

}  // namespace

std::optional<std::size_t> Scenario::status_index(const std::string& n) const { return find_name(statuses, n); }
std::optional<std::size_t> Scenario::field_index(const std::string& n) const { return find_name(fields, n); }
std::optional<std::size_t> Scenario::origin_index(const std::string& n) const { return find_name(origins, n); }

// The two tables that run to hundreds of thousands of rows are read row by row, not as YAML.
const std::vector<detail::KeyPath> kStreamedTables{{"initial_stock"}, {"employers", "establishments"}};
// Municipalities and prefectures are indexed by 16 bits: a larger table is refused as it is read.
const std::vector<std::pair<detail::KeyPath, std::size_t>> kRowLimits{{{"municipalities"}, kMaxMunicipalities},
                                                                       {{"prefectures"}, kMaxMunicipalities}};

Scenario load_scenario(const ScenarioSource& source) {
  const YamlTree tree(source.path, source.overrides, kStreamedTables, kRowLimits);
  return ScenarioReader(tree).read();
}

struct LoadedScenario::Impl {
  YamlTree tree;
  StockCache stock;
};

namespace {
// yaml-cpp nodes share memory pools, even when only read, and the trees of a process share their
// table files (variants of a sweep): every resolve of the process takes its turn.
std::mutex resolve_turns;
}  // namespace

LoadedScenario::LoadedScenario(const ScenarioSource& source) {
  const std::lock_guard<std::mutex> lock(resolve_turns);
  impl_.reset(new Impl{YamlTree(source.path, source.overrides, kStreamedTables, kRowLimits), {}});
}

LoadedScenario::~LoadedScenario() = default;

Scenario LoadedScenario::resolve(const std::vector<std::string>& overrides) const {
  const std::lock_guard<std::mutex> lock(resolve_turns);
  Scenario out;
  impl_->tree.with_overrides(overrides,
                             [&](const YamlTree& tree) { out = ScenarioReader(tree, &impl_->stock).read(); });
  return out;
}

std::optional<double> LoadedScenario::number_at(const std::string& key_path) const {
  const std::lock_guard<std::mutex> lock(resolve_turns);
  return impl_->tree.number_at(key_path);
}

}  // namespace migsim
