#include "yaml_tree.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <tuple>
#include <set>
#include <sstream>

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

SourceLocation location_of(const std::string& file, const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return {file, 0, 0};
  return {file, mark.line + 1, mark.column + 1};
}

// Whether `prefix` is where `path` starts (or all of it).
bool starts_with(const KeyPath& path, const KeyPath& prefix) {
  return prefix.size() <= path.size() && std::equal(prefix.begin(), prefix.end(), path.begin());
}

// Maps are merged key by key; anything else in `top` replaces what `base` had. The result is
// built from fresh nodes, each key inserted once: yaml-cpp's assignment onto an existing node
// writes through to every handle sharing it. (Sharing the subtrees no override writes into was
// measured slower: each node assigned from another document merges that document's node set.)
YAML::Node merge(const YAML::Node& base, const YAML::Node& top) {
  if (!base.IsMap() || !top.IsMap()) return YAML::Clone(top);
  YAML::Node out(YAML::NodeType::Map);
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

// yaml-cpp keeps duplicate keys silently; a scenario must not.
void reject_duplicates(const std::string& file, const YAML::Node& node, const KeyPath& path) {
  if (node.IsMap()) {
    std::set<std::string> seen;
    for (const auto& entry : node) {
      if (!entry.first.IsScalar())
        throw InputError(location_of(file, entry.first), join_path(path), "expected a plain text key");
      const auto key = entry.first.as<std::string>();
      if (!seen.insert(key).second)
        throw InputError(location_of(file, entry.first), join_path(child_path(path, key)),
                         "duplicate key (each key may appear once in a mapping)");
      reject_duplicates(file, entry.second, child_path(path, key));
    }
  } else if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) reject_duplicates(file, node[i], index_path(path, i));
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
std::shared_ptr<const CsvTable> shared_table(const fs::path& file, const std::string& key_column) {
  static std::mutex mutex;
  static std::map<std::tuple<std::string, std::string, fs::file_time_type>, std::weak_ptr<const CsvTable>> tables;
  std::error_code ec;
  const auto key = std::make_tuple(fs::weakly_canonical(file, ec).string(), key_column, fs::last_write_time(file, ec));
  const std::lock_guard<std::mutex> lock(mutex);
  if (auto table = tables[key].lock()) return table;
  auto table = std::make_shared<const CsvTable>(file.string(), key_column);
  tables[key] = table;
  return table;
}

}  // namespace

YamlTree::YamlTree(const std::string& path, const std::vector<std::string>& overrides,
                   const std::vector<KeyPath>& streamed)
    : top_file_(path), streamed_(streamed) {
  std::vector<std::string> seen;
  load_chain(path, seen);
  // files_ holds the top file first. Never std::reverse or sort it: swapping YAML::Nodes goes
  // through operator=, which writes into the shared node instead of rebinding the handle.
  YAML::Node merged(YAML::NodeType::Map);
  for (auto layer = files_.rbegin(); layer != files_.rend(); ++layer) merged.reset(merge(merged, layer->root));
  merged_.reset(merged);
  merged_.remove("extends");
  for (const auto& text : overrides) apply_override(text);
}

void YamlTree::load_chain(const std::string& path, std::vector<std::string>& seen) {
  std::error_code ec;
  const auto canonical = fs::weakly_canonical(path, ec).string();
  if (std::find(seen.begin(), seen.end(), canonical) != seen.end())
    throw InputError({path, 0, 0}, "extends", "extends cycle: this file is already in the chain");
  seen.push_back(canonical);

  std::ifstream in(path);
  if (!in) throw InputError({path, 0, 0}, "", "cannot open the scenario file");
  YAML::Node root;
  try {
    root = YAML::Load(in);
  } catch (const YAML::Exception& e) {
    throw InputError({path, e.mark.line + 1, e.mark.column + 1}, "", "YAML syntax error: " + e.msg);
  }
  if (!root.IsMap()) throw InputError(location_of(path, root), "", "expected a mapping of scenario keys at the top");
  reject_duplicates(path, root, {});
  FileLayer layer{path, root, {}};
  expand_tables(layer, root, {});
  files_.push_back(std::move(layer));

  const YAML::Node base = root["extends"];
  if (base.IsDefined()) {
    if (!base.IsScalar() || base.as<std::string>().empty())
      throw InputError(location_of(path, base), "extends", "expected the path of a base scenario file");
    const fs::path base_path = fs::path(path).parent_path() / base.as<std::string>();
    if (!fs::exists(base_path))
      throw InputError(location_of(path, base), "extends",
                       "expected an existing scenario file, but '" + base_path.string() + "' does not exist");
    load_chain(base_path.string(), seen);
  }
}

// Replaces each `{csv: FILE}` (a list, one entry per row) or `{csv: FILE, key: COLUMN}` (a mapping
// keyed by that column) with the rows of FILE, read relative to the scenario file's folder.
void YamlTree::expand_tables(FileLayer& layer, YAML::Node node, const KeyPath& path) const {
  if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) expand_tables(layer, node[i], index_path(path, i));
    return;
  }
  if (!node.IsMap()) return;
  std::vector<std::string> keys;
  for (const auto& entry : node) keys.push_back(entry.first.as<std::string>());
  for (const auto& key : keys) {
    YAML::Node value = node[key];
    const KeyPath here = child_path(path, key);
    if (!value.IsMap() || !value["csv"].IsDefined()) {
      expand_tables(layer, value, here);
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
    if (!fs::exists(csv))
      throw InputError(location_of(layer.file, value["csv"]), join_path(child_path(here, "csv")),
                       "expected an existing CSV file, but '" + csv.string() + "' does not exist");
    const std::string key_column = value["key"].IsDefined() ? value["key"].as<std::string>() : "";
    const bool streamed = streamed_path(here) != nullptr;
    layer.tables.push_back({here, shared_table(csv, key_column)});
    if (streamed)
      value["csv"] = csv.string();  // as a path from here, like the resolved scenario's other paths
    else
      node[key] = layer.tables.back().rows->node();
  }
}

const KeyPath* YamlTree::streamed_path(const KeyPath& path) const {
  const auto it = std::find(streamed_.begin(), streamed_.end(), path);
  return it == streamed_.end() ? nullptr : &*it;
}

const CsvTable* YamlTree::streamed_table(const KeyPath& path) const {
  if (!streamed_path(path)) return nullptr;
  const YAML::Node merged = walk(merged_, path);
  if (!merged.IsMap() || !merged["csv"].IsDefined()) return nullptr;              // replaced by an inline list
  for (auto it = override_tables_.rbegin(); it != override_tables_.rend(); ++it)  // the last --set wins
    if (it->at == path) return it->rows.get();
  for (const auto& layer : files_) {  // the top file first: the first to define the path wins
    if (!walk(layer.root, path).IsDefined()) continue;
    for (const auto& table : layer.tables)
      if (table.at == path) return table.rows.get();
    return nullptr;
  }
  return nullptr;
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
  const KeyPath path = parse_override_path(text.substr(0, equals), text);
  YAML::Node value;
  try {
    value = YAML::Load(text.substr(equals + 1));
  } catch (const YAML::Exception& e) {
    throw InputError({"command line", 0, 0}, join_path(path), "--set " + text + ": value is not valid YAML: " + e.msg);
  }
  if (value.IsNull() && text.size() == equals + 1)
    throw InputError({"command line", 0, 0}, join_path(path), "--set " + text + ": expected a value after '='");

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
    expand_tables(command_line, command_line.root, parent);
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
    const bool from_override =
        std::any_of(overrides_.begin(), overrides_.end(), [&](const Override& o) { return starts_with(path, o.path); });
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
      const bool overridden = std::any_of(overrides_.begin(), overrides_.end(), [&](const Override& o) {
        return starts_with(o.path, table.at) || starts_with(table.at, o.path);
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
    const bool above_a_table = std::any_of(references.begin(), references.end(), [&](const auto& r) {
      return r.first.size() > path.size() && starts_with(r.first, path);
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
