#include "io/yaml_tree.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <tuple>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "io/input_file.hpp"

namespace migsim::detail {

namespace fs = std::filesystem;

std::string join_path(const KeyPath& path) {
  std::string out;
  for (const auto& segment : path) {
    if (!out.empty() && segment.front() != '[') out += '.';
    out += segment;
  }
  return out;
}

KeyPath child_path(const KeyPath& path, const std::string& key) {
  KeyPath out = path;
  out.push_back(key);
  return out;
}

KeyPath index_path(const KeyPath& path, std::size_t index) {
  KeyPath out = path;
  std::string segment(1, '[');  // built by appends: GCC 12 warns falsely on "[" + s + "]"
  segment += std::to_string(index);
  segment += ']';
  out.push_back(segment);
  return out;
}

namespace {

bool is_index(const std::string& segment) { return !segment.empty() && segment.front() == '['; }

std::size_t index_of(const std::string& segment) {
  return static_cast<std::size_t>(std::stoul(segment.substr(1, segment.size() - 2)));
}

// Follows `path` from `root`; returns an invalid node when a step is missing.
YAML::Node walk(const YAML::Node& root, const KeyPath& path) {
  YAML::Node current = root;
  for (const auto& segment : path) {
    if (is_index(segment)) {
      if (!current.IsSequence() || index_of(segment) >= current.size()) return YAML::Node(YAML::NodeType::Undefined);
      current.reset(current[index_of(segment)]);
    } else {
      if (!current.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
      YAML::Node next = current[segment];
      if (!next.IsDefined()) return YAML::Node(YAML::NodeType::Undefined);
      current.reset(next);
    }
  }
  return current;
}

SourceLocation location_of(const std::string& file, const YAML::Mark& mark) {
  if (mark.is_null()) return {file, 0, 0};
  return {file, mark.line + 1, mark.column + 1};
}

SourceLocation location_of(const std::string& file, const YAML::Node& node) { return location_of(file, node.Mark()); }

// Whether `prefix` is where `path` starts (or all of it).
bool starts_with(const KeyPath& path, const KeyPath& prefix) {
  return prefix.size() <= path.size() && std::equal(prefix.begin(), prefix.end(), path.begin());
}

// Maps are merged key by key; anything else in `top` replaces what `base` had. The result is
// built from fresh nodes, each key inserted once: yaml-cpp's assignment onto an existing node
// writes through to every handle sharing it, and a node of one document assigned into another
// merges the two documents' node sets, which is slow (bench/RESULTS.md).
// Key order is the order of the status, field and origin axes: a `top` that lists every key of
// `base` sets it; one that lists only some keeps base's order and appends its new keys, so a
// variant that changes one status does not move it.
YAML::Node merge(const YAML::Node& base, const YAML::Node& top) {
  if (!base.IsMap() || !top.IsMap()) return YAML::Clone(top);
  YAML::Node out(YAML::NodeType::Map);
  const bool top_lists_every_key = std::all_of(base.begin(), base.end(), [&](const auto& entry) {
    return top[entry.first.template as<std::string>()].IsDefined();
  });
  if (top_lists_every_key) {
    for (const auto& entry : top) {
      const auto key = entry.first.as<std::string>();
      const YAML::Node below = base[key];
      out[key] = below.IsDefined() ? merge(below, entry.second) : YAML::Clone(entry.second);
    }
    return out;
  }
  for (const auto& entry : base) {
    const auto key = entry.first.as<std::string>();
    const YAML::Node replacement = top[key];
    out[key] = replacement.IsDefined() ? merge(entry.second, replacement) : YAML::Clone(entry.second);
  }
  for (const auto& entry : top) {
    const auto key = entry.first.as<std::string>();
    if (!base[key].IsDefined()) out[key] = YAML::Clone(entry.second);
  }
  return out;
}

// Why a file named by a scenario (a base, a table) cannot be read, or "" if it can be tried:
// missing, a folder, or a name the system refuses (too long, no permission).
std::string problem_with_named_file(const fs::path& path) {
  std::error_code error;
  const auto status = fs::status(path, error);
  if (status.type() == fs::file_type::not_found) return "does not exist";
  if (error) return "cannot be read: " + error.message();
  if (fs::is_directory(status)) return "is a folder";
  return "";
}

// The size of a file's YAML with every alias expanded, counted from the parser's events before
// any tree is built: aliases of aliases grow it exponentially (nine levels of nine aliases make
// 387 million values from a few hundred bytes), and each pass over the tree, each copy of it,
// would walk every expansion. Refused past kMaxYamlValues, naming the anchor that crossed it.
class ExpansionCounter : public YAML::EventHandler {
 public:
  explicit ExpansionCounter(std::string file) : file_(std::move(file)) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { leaf(mark, anchor); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, const std::string&) override {
    leaf(mark, anchor);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const auto it = expanded_.find(anchor);
    const std::size_t size = it == expanded_.end() ? 1 : it->second;  // a node aliased inside itself: 1
    add(size);
    if (total_ > kMaxYamlValues) {
      const auto name = names_.find(anchor);
      throw InputError(location_of(file_, mark), "",
                       "expected at most " + std::to_string(kMaxYamlValues) +
                           " YAML values with aliases expanded, but the alias *" +
                           (name == names_.end() ? std::string("?") : name->second) + " takes the file past it");
    }
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    start(mark, anchor);
  }
  void OnSequenceEnd() override { end(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    start(mark, anchor);
  }
  void OnMapEnd() override { end(); }
  void OnAnchor(const YAML::Mark&, const std::string& name) override { pending_name_ = name; }

 private:
  struct Open {
    std::size_t size;
    YAML::anchor_t anchor;
  };

  void add(std::size_t size) {
    total_ += size;
    if (!open_.empty()) open_.back().size += size;
  }
  void check(const YAML::Mark& mark) const {
    if (total_ > kMaxYamlValues)
      throw InputError(location_of(file_, mark), "",
                       "expected at most " + std::to_string(kMaxYamlValues) + " YAML values in a scenario file");
  }
  void name(YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) names_[anchor] = pending_name_;
  }
  void leaf(const YAML::Mark& mark, YAML::anchor_t anchor) {
    name(anchor);
    add(1);
    check(mark);
    if (anchor != YAML::NullAnchor) expanded_[anchor] = 1;
  }
  void start(const YAML::Mark& mark, YAML::anchor_t anchor) {
    name(anchor);
    add(1);
    check(mark);
    open_.push_back({0, anchor});
  }
  void end() {
    const Open closed = open_.back();
    open_.pop_back();
    if (!open_.empty()) open_.back().size += closed.size;
    if (closed.anchor != YAML::NullAnchor) expanded_[closed.anchor] = closed.size + 1;
  }

  std::string file_;
  std::size_t total_ = 0;
  std::vector<Open> open_;
  std::unordered_map<YAML::anchor_t, std::size_t> expanded_;
  std::unordered_map<YAML::anchor_t, std::string> names_;
  std::string pending_name_;
};

// A node reached again through an alias is the same node (yaml-cpp shares it); its place in the
// file (never null for a parsed node) tells it apart, so each is checked once.
bool first_visit(std::unordered_set<std::size_t>& visited, const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return mark.is_null() || visited.insert(static_cast<std::size_t>(mark.pos)).second;
}

// yaml-cpp keeps duplicate keys silently; a scenario must not.
void reject_duplicates(const std::string& file, const YAML::Node& node, const KeyPath& path,
                       std::unordered_set<std::size_t>& visited) {
  if (!(node.IsMap() || node.IsSequence()) || !first_visit(visited, node)) return;
  if (node.IsMap()) {
    std::set<std::string> seen;
    for (const auto& entry : node) {
      if (!entry.first.IsScalar())
        throw InputError(location_of(file, entry.first), join_path(path), "expected a plain text key");
      const auto key = entry.first.as<std::string>();
      if (!seen.insert(key).second)
        throw InputError(location_of(file, entry.first), join_path(child_path(path, key)),
                         "duplicate key (each key may appear once in a mapping)");
      reject_duplicates(file, entry.second, child_path(path, key), visited);
    }
  } else {
    for (std::size_t i = 0; i < node.size(); ++i) reject_duplicates(file, node[i], index_path(path, i), visited);
  }
}

KeyPath parse_override_path(const std::string& text, const std::string& whole) {
  KeyPath path;
  std::string current;
  auto bad = [&](const std::string& why) {
    return InputError({"command line", 0, 0}, "", "--set " + whole + ": " + why);
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.') {
      if (current.empty()) throw bad("empty key in the path");
      path.push_back(current);
      current.clear();
    } else if (c == '[') {
      if (!current.empty()) path.push_back(current);
      current.clear();
      const auto close = text.find(']', i);
      if (close == std::string::npos) throw bad("expected ']' after an index");
      const auto digits = text.substr(i + 1, close - i - 1);
      if (digits.empty() || !std::all_of(digits.begin(), digits.end(), ::isdigit))
        throw bad("expected a whole number index inside []");
      path.push_back("[" + digits + "]");
      i = close;
      if (i + 1 < text.size() && text[i + 1] == '.') ++i;
    } else {
      current += c;
    }
  }
  if (!current.empty()) path.push_back(current);
  if (path.empty()) throw bad("expected key.path=value");
  return path;
}

// A table file read once per process: the variants of a sweep extend the same base and name the
// same tables. Held weakly, so a table lives only as long as a tree that uses it.
std::shared_ptr<const CsvTable> shared_table(const fs::path& file, const std::string& key_column,
                                             std::size_t max_rows, const std::string& what_rows) {
  static std::mutex mutex;
  static std::map<std::tuple<std::string, std::string, fs::file_time_type, std::size_t>,
                  std::weak_ptr<const CsvTable>>
      tables;
  std::error_code ec;
  const auto key =
      std::make_tuple(fs::weakly_canonical(file, ec).string(), key_column, fs::last_write_time(file, ec), max_rows);
  const std::lock_guard<std::mutex> lock(mutex);
  if (auto table = tables[key].lock()) return table;
  auto table = std::make_shared<const CsvTable>(file.string(), key_column, max_rows, what_rows);
  tables[key] = table;
  return table;
}

}  // namespace

YamlTree::YamlTree(const std::string& path, const std::vector<std::string>& overrides,
                   const std::vector<KeyPath>& streamed, const std::vector<std::pair<KeyPath, std::size_t>>& row_limits)
    : top_file_(path), streamed_(streamed), row_limits_(row_limits) {
  load_chain(path);
  // files_ holds the top file first. Never std::reverse or sort it: swapping YAML::Nodes goes
  // through operator=, which writes into the shared node instead of rebinding the handle.
  YAML::Node merged(YAML::NodeType::Map);
  for (auto layer = files_.rbegin(); layer != files_.rend(); ++layer) merged.reset(merge(merged, layer->root));
  merged_.reset(merged);
  merged_.remove("extends");
  for (const auto& text : overrides) apply_override(text);
}

// Iterative, each file read whole and closed before the next: a chain costs no stack and no
// open files, whatever its length (and its length is capped).
void YamlTree::load_chain(const std::string& top_path) {
  std::vector<std::string> seen;
  std::string path = top_path;
  SourceLocation extended_from{"command line", 0, 0};  // where `path` was named
  for (;;) {
    if (seen.size() == kMaxExtendsDepth)
      throw InputError(extended_from, "extends",
                       "expected a chain of at most " + std::to_string(kMaxExtendsDepth) + " files (extends)");
    std::error_code ec;
    const auto canonical = fs::weakly_canonical(path, ec).string();
    if (std::find(seen.begin(), seen.end(), canonical) != seen.end())
      throw InputError({path, 0, 0}, "extends", "extends cycle: this file is already in the chain");
    seen.push_back(canonical);

    const std::string text = read_input_file(path, kScenarioFileLimits);
    YAML::Node root;
    try {
      std::istringstream events(text);
      YAML::Parser parser(events);
      ExpansionCounter counter(path);
      parser.HandleNextDocument(counter);
      root = YAML::Load(text);
    } catch (const YAML::DeepRecursion& e) {
      throw InputError({path, e.mark.line + 1, e.mark.column + 1}, "",
                       "expected YAML nested less deeply (the reader stops at this depth)");
    } catch (const YAML::Exception& e) {
      throw InputError({path, e.mark.line + 1, e.mark.column + 1}, "", "YAML syntax error: " + e.msg);
    }
    if (!root.IsMap()) throw InputError(location_of(path, root), "", "expected a mapping of scenario keys at the top");
    std::unordered_set<std::size_t> visited;
    reject_duplicates(path, root, {}, visited);
    FileLayer layer{path, root, {}};
    visited.clear();
    expand_tables(layer, root, {}, visited);
    files_.push_back(std::move(layer));

    const YAML::Node base = root["extends"];
    if (!base.IsDefined()) return;
    if (!base.IsScalar() || base.as<std::string>().empty())
      throw InputError(location_of(path, base), "extends", "expected the path of a base scenario file");
    const fs::path base_path = fs::path(path).parent_path() / base.as<std::string>();
    const std::string problem = problem_with_named_file(base_path);
    if (!problem.empty())
      throw InputError(location_of(path, base), "extends",
                       "expected a scenario file, but '" + base_path.string() + "' " + problem);
    extended_from = location_of(path, base);
    path = base_path.string();
  }
}

// Replaces each `{csv: FILE}` (a list, one entry per row) or `{csv: FILE, key: COLUMN}` (a mapping
// keyed by that column) with the rows of FILE, read relative to the scenario file's folder.
void YamlTree::expand_tables(FileLayer& layer, YAML::Node node, const KeyPath& path,
                             std::unordered_set<std::size_t>& visited) const {
  if (!(node.IsMap() || node.IsSequence()) || !first_visit(visited, node)) return;
  if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) expand_tables(layer, node[i], index_path(path, i), visited);
    return;
  }
  std::vector<std::string> keys;
  for (const auto& entry : node) keys.push_back(entry.first.as<std::string>());
  for (const auto& key : keys) {
    YAML::Node value = node[key];
    const KeyPath here = child_path(path, key);
    if (!value.IsMap() || !value["csv"].IsDefined()) {
      expand_tables(layer, value, here, visited);
      continue;
    }
    for (const auto& entry : value) {
      const auto name = entry.first.as<std::string>();
      if (name != "csv" && name != "key")
        throw InputError(location_of(layer.file, entry.first), join_path(child_path(here, name)),
                         "unknown key: a table is written {csv: FILE} or {csv: FILE, key: COLUMN}");
      if (!entry.second.IsScalar() || entry.second.as<std::string>().empty())
        throw InputError(location_of(layer.file, entry.second), join_path(child_path(here, name)),
                         name == "csv" ? "expected the path of a CSV file" : "expected a column name");
    }
    const fs::path csv = fs::path(layer.file).parent_path() / value["csv"].as<std::string>();
    const std::string problem = problem_with_named_file(csv);
    if (!problem.empty())
      throw InputError(location_of(layer.file, value["csv"]), join_path(child_path(here, "csv")),
                       "expected a CSV file, but '" + csv.string() + "' " + problem);
    const std::string key_column = value["key"].IsDefined() ? value["key"].as<std::string>() : "";
    const bool streamed = streamed_path(here) != nullptr;
    std::size_t max_rows = streamed ? kMaxStreamedTableRows : kMaxTableRows;
    for (const auto& [at, limit] : row_limits_)
      if (at == here) max_rows = std::min(max_rows, limit);
    layer.tables.push_back({here, shared_table(csv, key_column, max_rows, join_path(here))});
    if (streamed)
      value["csv"] = csv.string();  // as a path from here, like the resolved scenario's other paths
    else
      node[key] = layer.tables.back().rows->node();
  }
}

std::vector<std::string> YamlTree::input_files() const {
  std::vector<std::string> out;
  for (const auto& layer : files_) out.push_back(layer.file);
  for (const auto& layer : files_)
    for (const auto& table : layer.tables) out.push_back(table.rows->file());
  for (const auto& table : override_tables_) out.push_back(table.rows->file());
  return out;
}

const KeyPath* YamlTree::streamed_path(const KeyPath& path) const {
  const auto it = std::find(streamed_.begin(), streamed_.end(), path);
  return it == streamed_.end() ? nullptr : &*it;
}

// The table of the top file that defines `path`, if it is a table there (the first file to
// define a path wins).
const CsvTable* YamlTree::file_table(const KeyPath& path) const {
  for (const auto& layer : files_) {
    if (!walk(layer.root, path).IsDefined()) continue;
    for (const auto& table : layer.tables)
      if (table.at == path) return table.rows.get();
    return nullptr;
  }
  return nullptr;
}

const CsvTable* YamlTree::streamed_table(const KeyPath& path) const {
  if (!streamed_path(path)) return nullptr;
  const YAML::Node merged = walk(merged_, path);
  if (!merged.IsMap() || !merged["csv"].IsDefined()) return nullptr;              // replaced by an inline list
  for (auto it = override_tables_.rbegin(); it != override_tables_.rend(); ++it)  // the last --set wins
    if (it->at == path) return it->rows.get();
  return file_table(path);
}

const CsvTable* YamlTree::table_in_force(const KeyPath& path) const {
  for (auto it = overrides_.rbegin(); it != overrides_.rend(); ++it) {  // the latest override at or above decides
    if (!starts_with(path, it->path)) continue;
    if (it->path != path) return nullptr;
    for (auto table = override_tables_.rbegin(); table != override_tables_.rend(); ++table)
      if (table->at == path) return table->rows.get();
    return nullptr;
  }
  return file_table(path);
}

SourceLocation YamlTree::layer_location(const FileLayer& layer, const KeyPath& path, const YAML::Node& node) {
  for (const auto& table : layer.tables) {
    if (!starts_with(path, table.at)) continue;
    if (path.size() == table.at.size()) return {table.rows->file(), 1, 1};
    return table.rows->locate(node.Mark());
  }
  return location_of(layer.file, node);
}

void YamlTree::apply_override(const std::string& text) {
  const auto equals = text.find('=');
  if (equals == std::string::npos || equals == 0)
    throw InputError({"command line", 0, 0}, "", "--set " + text + ": expected key.path=value");
  KeyPath path = parse_override_path(text.substr(0, equals), text);
  YAML::Node value;
  try {
    value = YAML::Load(text.substr(equals + 1));
  } catch (const YAML::Exception& e) {
    throw InputError({"command line", 0, 0}, join_path(path), "--set " + text + ": value is not valid YAML: " + e.msg);
  }
  if (value.IsNull() && text.size() == equals + 1)
    throw InputError({"command line", 0, 0}, join_path(path), "--set " + text + ": expected a value after '='");

  // `--set T.csv=FILE` (or `T.key=COLUMN`) on a table T is `--set T={csv: FILE, key: COLUMN}` with
  // the other part kept: the run reads the table that the resolved scenario names.
  if (path.size() >= 2 && (path.back() == "csv" || path.back() == "key")) {
    const KeyPath parent(path.begin(), path.end() - 1);
    if (const CsvTable* table = table_in_force(parent)) {
      if (!value.IsScalar() || value.Scalar().empty())
        throw InputError(
            {"command line", 0, 0}, join_path(path),
            "--set " + text + ": expected " + (path.back() == "csv" ? "the path of a CSV file" : "a column name"));
      YAML::Node reference(YAML::NodeType::Map);
      reference["csv"] = path.back() == "csv" ? value.Scalar() : table->file();
      const std::string key = path.back() == "key" ? value.Scalar() : table->key_column();
      if (!key.empty()) reference["key"] = key;
      path = parent;
      value.reset(reference);
    }
  }

  YAML::Node current = merged_;
  for (std::size_t i = 0; i + 1 < path.size(); ++i) {
    const auto& segment = path[i];
    const KeyPath so_far(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(i + 1));
    if (is_index(segment)) {
      if (!current.IsSequence() || index_of(segment) >= current.size())
        throw InputError({"command line", 0, 0}, join_path(so_far), "--set " + text + ": no such list element");
      current.reset(current[index_of(segment)]);
    } else {
      if (!current.IsMap())
        throw InputError({"command line", 0, 0}, join_path(so_far), "--set " + text + ": parent is not a mapping");
      if (!current[segment].IsDefined()) current[segment] = YAML::Node(YAML::NodeType::Map);
      YAML::Node next = current[segment];
      current.reset(next);
    }
  }
  // `--set key={csv: FILE}` names a table, read relative to the working folder.
  if (value.IsMap() && value["csv"].IsDefined()) {
    FileLayer command_line{"command line", YAML::Node(YAML::NodeType::Map), {}};
    command_line.root[path.back()] = value;
    KeyPath parent(path.begin(), path.end() - 1);
    std::unordered_set<std::size_t> visited;
    expand_tables(command_line, command_line.root, parent, visited);
    for (auto& table : command_line.tables) override_tables_.push_back(table);
    value = command_line.root[path.back()];
  }
  const auto& last = path.back();
  if (is_index(last)) {
    if (!current.IsSequence() || index_of(last) >= current.size())
      throw InputError({"command line", 0, 0}, join_path(path), "--set " + text + ": no such list element");
    current[index_of(last)] = value;
  } else {
    if (!current.IsMap() && !current.IsNull())
      throw InputError({"command line", 0, 0}, join_path(path), "--set " + text + ": parent is not a mapping");
    current[last] = value;
  }
  overrides_.push_back({path, text});
}

SourceLocation YamlTree::locate(const KeyPath& path, bool at_key) const {
  if (at_key && !path.empty() && !is_index(path.back())) {
    const KeyPath parent(path.begin(), path.end() - 1);
    const bool from_override = std::any_of(overrides_.begin(), overrides_.end(),
                                           [&](const Override& given) { return starts_with(path, given.path); });
    for (auto it = files_.begin(); it != files_.end() && !from_override; ++it) {
      const YAML::Node map = walk(it->root, parent);
      if (!map.IsMap()) continue;
      for (const auto& entry : map)
        if (entry.first.as<std::string>() == path.back()) return layer_location(*it, path, entry.first);
    }
  }
  for (std::size_t length = path.size() + 1; length-- > 0;) {
    const KeyPath prefix(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(length));
    // The latest override wins, as it did when the tree was built.
    for (auto it = overrides_.rbegin(); it != overrides_.rend(); ++it) {
      if (starts_with(prefix, it->path)) return {"command line (--set " + it->text + ")", 0, 0};
    }
    for (auto it = files_.begin(); it != files_.end(); ++it) {  // the top file first
      const YAML::Node node = walk(it->root, prefix);
      if (node.IsDefined() && !(prefix.empty() && it != files_.begin())) return layer_location(*it, prefix, node);
    }
  }
  return {top_file_, 0, 0};
}

void YamlTree::with_overrides(const std::vector<std::string>& overrides,
                              const std::function<void(const YamlTree&)>& use) {
  // What each override replaced: the value it overwrote, or the first key it added on its path.
  struct Replaced {
    KeyPath parent;
    std::string key;      // the key (or "[i]") under parent
    YAML::Node previous;  // a copy of the old value; undefined when the key was added
  };
  std::vector<Replaced> replaced;
  const std::size_t overrides_before = overrides_.size(), tables_before = override_tables_.size();
  auto restore = [&] {
    for (auto it = replaced.rbegin(); it != replaced.rend(); ++it) {
      YAML::Node parent = walk(merged_, it->parent);
      if (is_index(it->key))
        parent[index_of(it->key)] = it->previous;
      else if (it->previous.IsDefined())
        parent[it->key] = it->previous;
      else
        parent.remove(it->key);
    }
    overrides_.resize(overrides_before);
    override_tables_.resize(tables_before);
  };
  try {
    for (const auto& text : overrides) {
      const auto equals = text.find('=');
      if (equals != std::string::npos && equals > 0) {
        const KeyPath path = parse_override_path(text.substr(0, equals), text);
        for (std::size_t depth = 0; depth < path.size(); ++depth) {
          const KeyPath parent(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(depth));
          const YAML::Node node = walk(merged_, KeyPath(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(depth + 1)));
          if (!node.IsDefined()) {
            replaced.push_back({parent, path[depth], YAML::Node(YAML::NodeType::Undefined)});
            break;
          }
          if (depth + 1 == path.size()) replaced.push_back({parent, path[depth], YAML::Clone(node)});
        }
      }
      apply_override(text);
    }
    use(*this);
  } catch (...) {
    restore();
    throw;
  }
  restore();
}

std::vector<std::array<std::string, 3>> YamlTree::table_files() const {
  std::vector<std::array<std::string, 3>> out;
  for (auto layer = files_.begin(); layer != files_.end(); ++layer) {
    for (const auto& table : layer->tables) {
      const bool shadowed_by_file = std::any_of(
          files_.begin(), layer, [&](const FileLayer& higher) { return walk(higher.root, table.at).IsDefined(); });
      const bool replaced = std::any_of(overrides_.begin(), overrides_.end(),
                                        [&](const Override& o) { return starts_with(table.at, o.path); });
      if (!shadowed_by_file && !replaced) out.push_back({join_path(table.at), table.rows->file(), table.rows->sha256()});
    }
  }
  for (const auto& table : override_tables_) {
    const auto later = std::find_if(out.begin(), out.end(), [&](const auto& t) { return t[0] == join_path(table.at); });
    if (later != out.end()) out.erase(later);
    out.push_back({join_path(table.at), table.rows->file(), table.rows->sha256()});
  }
  return out;
}

std::optional<double> YamlTree::number_at(const std::string& key_path) const {
  const YAML::Node node = walk(merged_, parse_override_path(key_path, key_path));
  if (!node.IsDefined() || !node.IsScalar()) return std::nullopt;
  try {
    return node.as<double>();
  } catch (const YAML::Exception&) {
    return std::nullopt;
  }
}

void YamlTree::fail(const KeyPath& path, const std::string& what_expected, bool at_key) const {
  throw InputError(locate(path, at_key), join_path(path), what_expected);
}

std::string YamlTree::emit() const {
  // The tables in force, each to be written as its reference.
  std::vector<std::pair<KeyPath, YAML::Node>> references;
  for (auto layer = files_.begin(); layer != files_.end(); ++layer) {
    for (const auto& table : layer->tables) {
      const bool shadowed_by_file = std::any_of(
          files_.begin(), layer, [&](const FileLayer& higher) { return walk(higher.root, table.at).IsDefined(); });
      // An override at, above or inside the table changes what is in force there.
      const bool overridden = std::any_of(overrides_.begin(), overrides_.end(), [&](const Override& given) {
        return starts_with(given.path, table.at) || starts_with(table.at, given.path);
      });
      if (shadowed_by_file || overridden) continue;
      YAML::Node reference(YAML::NodeType::Map);
      reference["csv"] = table.rows->file();
      if (!table.rows->key_column().empty()) reference["key"] = table.rows->key_column();
      references.emplace_back(table.at, reference);
    }
  }
  // The merged tree copied with those references in place of the rows (the rows are not copied:
  // they are most of the tree). Maps and lists on the way keep their style.
  std::function<YAML::Node(const YAML::Node&, const KeyPath&)> rebuild = [&](const YAML::Node& node,
                                                                             const KeyPath& path) -> YAML::Node {
    for (const auto& [at, reference] : references)
      if (at == path) return reference;
    const bool above_a_table = std::any_of(references.begin(), references.end(), [&](const auto& table_reference) {
      const KeyPath& table_at = table_reference.first;
      return table_at.size() > path.size() && starts_with(table_at, path);
    });
    if (!above_a_table || !(node.IsMap() || node.IsSequence())) return YAML::Clone(node);
    YAML::Node out(node.IsMap() ? YAML::NodeType::Map : YAML::NodeType::Sequence);
    out.SetStyle(node.Style());
    out.SetTag(node.Tag());
    if (node.IsMap()) {
      for (const auto& entry : node) {
        const auto key = entry.first.as<std::string>();
        out[key] = rebuild(entry.second, child_path(path, key));
      }
    } else {
      for (std::size_t i = 0; i < node.size(); ++i) out.push_back(rebuild(node[i], index_path(path, i)));
    }
    return out;
  };
  YAML::Emitter out;
  out << rebuild(merged_, {});
  return std::string(out.c_str()) + "\n";
}

}  // namespace migsim::detail
