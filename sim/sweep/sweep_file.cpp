#include "sweep/sweep_file.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "migsim/error.hpp"
#include "io/yaml_tree.hpp"

namespace migsim::sweep {

using detail::child_path;
using detail::index_path;
using detail::KeyPath;
using detail::YamlTree;

const char* to_string(DesignType type) {
  switch (type) {
    case DesignType::grid:
      return "grid";
    case DesignType::lhs:
      return "lhs";
    case DesignType::sobol:
      return "sobol";
    case DesignType::saltelli:
      return "saltelli";
    case DesignType::morris:
      return "morris";
  }
  return "?";
}

const char* to_string(FactorScale scale) {
  switch (scale) {
    case FactorScale::linear:
      return "linear";
    case FactorScale::log:
      return "log";
    case FactorScale::grid:
      return "grid";
  }
  return "?";
}

std::string dataset_name(const std::string& factor_name) {
  std::string out = factor_name;
  for (char& c : out)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) c = '_';
  return out;
}

namespace {

// The sweep file's nodes with the tree that knows where each was written.
class Reader {
 public:
  explicit Reader(const YamlTree& tree) : tree_(tree) {}

  [[noreturn]] void fail(const KeyPath& path, const std::string& expected, bool at_key = false) const {
    tree_.fail(path, expected, at_key);
  }

  SourceLocation where(const KeyPath& path) const { return tree_.locate(path, true); }

  void require_map(const YAML::Node& node, const KeyPath& path, const std::set<std::string>& allowed) const {
    if (!node.IsMap()) fail(path, "expected a mapping");
    for (const auto& entry : node) {
      const auto key = entry.first.as<std::string>();
      if (!allowed.count(key)) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        fail(child_path(path, key), "unknown key; expected one of: " + list, true);
      }
    }
  }

  std::string text(const YAML::Node& node, const KeyPath& path) const {
    if (!node.IsScalar() || node.Scalar().empty()) fail(path, "expected a text");
    return node.Scalar();
  }

  double number(const YAML::Node& node, const KeyPath& path) const {
    if (!node.IsScalar()) fail(path, "expected a number");
    const std::string& s = node.Scalar();
    double value = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(value))
      fail(path, "expected a number, got '" + s + "'");
    return value;
  }

  std::int64_t whole(const YAML::Node& node, const KeyPath& path, std::int64_t min, std::int64_t max) const {
    if (!node.IsScalar()) fail(path, "expected a whole number");
    const std::string& s = node.Scalar();
    std::int64_t value = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || ptr != s.data() + s.size()) fail(path, "expected a whole number, got '" + s + "'");
    if (value < min || value > max)
      fail(path, "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) + ", got " + s);
    return value;
  }

  bool boolean(const YAML::Node& node, const KeyPath& path) const {
    const std::string s = node.IsScalar() ? node.Scalar() : "";
    if (s == "true") return true;
    if (s == "false") return false;
    fail(path, "expected true or false");
  }

  std::vector<std::string> texts(const YAML::Node& node, const KeyPath& path) const {
    if (!node.IsSequence() || node.size() == 0) fail(path, "expected a non-empty list");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < node.size(); ++i) out.push_back(text(node[i], index_path(path, i)));
    return out;
  }

 private:
  const YamlTree& tree_;
};

// A value for --set: a scalar as written, anything else as one line of flow YAML.
std::string override_text(const YAML::Node& node) {
  if (node.IsScalar()) return node.Scalar();
  YAML::Emitter out;
  out.SetMapFormat(YAML::Flow);
  out.SetSeqFormat(YAML::Flow);
  out << node;
  return out.c_str();
}

Factor read_factor(const Reader& r, const std::string& name, const YAML::Node& node, const KeyPath& path,
                   DesignType design) {
  Factor f;
  f.name = name;
  const auto at = r.where(path);
  f.line = at.line;
  f.column = at.column;
  const bool grid = design == DesignType::grid;
  const bool listed = node.IsSequence() || (node.IsMap() && node["values"].IsDefined());
  if (listed && !grid)
    r.fail(path,
           std::string("expected a range {min, max} for a ") + to_string(design) + " design, not a list of values");
  if (!node.IsSequence()) {
    r.require_map(node, path, {"min", "max", "scale", "values", "multiplies", "sets", "whole_numbers"});
    if (node["multiplies"] && node["sets"])
      r.fail(child_path(path, "sets"), "a factor either multiplies keys or sets them, not both", true);
    if (node["multiplies"]) {
      f.multiplier = true;
      f.key_paths = r.texts(node["multiplies"], child_path(path, "multiplies"));
    }
    if (node["sets"]) f.key_paths = r.texts(node["sets"], child_path(path, "sets"));
    if (node["whole_numbers"]) f.whole_numbers = r.boolean(node["whole_numbers"], child_path(path, "whole_numbers"));
    if (grid && !listed) r.fail(path, "expected a list of values for a grid design (or {values: [...]})");
    if (!grid) {
      if (!node["min"]) r.fail(child_path(path, "min"), "required key is missing", true);
      if (!node["max"]) r.fail(child_path(path, "max"), "required key is missing", true);
      f.min = r.number(node["min"], child_path(path, "min"));
      f.max = r.number(node["max"], child_path(path, "max"));
      if (!(f.max > f.min)) r.fail(child_path(path, "max"), "expected max greater than min");
      if (node["scale"]) {
        const auto s = r.text(node["scale"], child_path(path, "scale"));
        if (s == "log")
          f.scale = FactorScale::log;
        else if (s != "linear")
          r.fail(child_path(path, "scale"), "expected linear or log, got '" + s + "'");
      }
      if (f.scale == FactorScale::log && f.min <= 0)
        r.fail(child_path(path, "min"), "expected min greater than 0 on a log scale");
    } else {
      for (const char* key : {"min", "max", "scale"})
        if (node[key]) r.fail(child_path(path, key), "a grid factor takes a list of values, not a range", true);
    }
  }
  if (listed) {
    const YAML::Node values = node.IsSequence() ? node : node["values"];
    const KeyPath values_path = node.IsSequence() ? path : child_path(path, "values");
    if (!values.IsSequence() || values.size() == 0) r.fail(values_path, "expected a non-empty list of numbers");
    for (std::size_t i = 0; i < values.size(); ++i) f.values.push_back(r.number(values[i], index_path(values_path, i)));
    f.scale = FactorScale::grid;
  }
  if (f.key_paths.empty()) f.key_paths = {name};
  return f;
}

Variant read_variant(const Reader& r, const std::string& name, const YAML::Node& node, const KeyPath& path,
                     const std::filesystem::path& folder) {
  Variant v;
  v.name = name;
  const auto at = r.where(path);
  v.line = at.line;
  v.column = at.column;
  if (node.IsNull()) return v;
  r.require_map(node, path, {"file", "set"});
  if (node["file"]) {
    const auto file = folder / r.text(node["file"], child_path(path, "file"));
    if (!std::filesystem::exists(file))
      r.fail(child_path(path, "file"),
             "expected an existing scenario file, but '" + file.string() + "' does not exist");
    v.file = file.string();
  }
  if (node["set"]) {
    const auto set = node["set"];
    const KeyPath set_path = child_path(path, "set");
    if (!set.IsMap()) r.fail(set_path, "expected a mapping of key paths to values");
    for (const auto& entry : set)
      v.overrides.push_back(entry.first.as<std::string>() + "=" + override_text(entry.second));
  }
  return v;
}

}  // namespace

SweepSpec read_sweep_file(const std::string& path) {
  SweepSpec spec;
  spec.path = path;
  {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError({path, 0, 0}, "", "cannot open the sweep file");
    std::ostringstream bytes;
    bytes << in.rdbuf();
    spec.text = bytes.str();
  }
  const YamlTree tree(path, {});
  const Reader r(tree);
  const YAML::Node& root = tree.root();
  r.require_map(root, {},
                {"base", "scale", "seed", "replicates", "variants", "design", "samples", "morris_levels",
                 "sampler_seed", "factors", "output"});
  const auto folder = std::filesystem::path(path).parent_path();

  if (!root["base"]) r.fail({"base"}, "required key is missing: the base scenario, relative to this file", true);
  spec.base = (folder / r.text(root["base"], {"base"})).string();
  if (!std::filesystem::exists(spec.base))
    r.fail({"base"}, "expected an existing scenario file, but '" + spec.base + "' does not exist");
  if (root["scale"]) {
    spec.scale = r.number(root["scale"], {"scale"});
    if (!(*spec.scale > 0 && *spec.scale <= 1)) r.fail({"scale"}, "expected a scale greater than 0, at most 1");
  }
  if (root["seed"])
    spec.seed =
        static_cast<std::uint64_t>(r.whole(root["seed"], {"seed"}, 0, std::numeric_limits<std::int64_t>::max()));
  spec.sampler_seed = spec.seed;
  if (root["sampler_seed"])
    spec.sampler_seed = static_cast<std::uint64_t>(
        r.whole(root["sampler_seed"], {"sampler_seed"}, 0, std::numeric_limits<std::int64_t>::max()));
  if (root["replicates"]) spec.replicates = static_cast<int>(r.whole(root["replicates"], {"replicates"}, 1, 100000));

  if (root["design"]) {
    const auto d = r.text(root["design"], {"design"});
    const std::pair<const char*, DesignType> designs[] = {{"grid", DesignType::grid},
                                                          {"lhs", DesignType::lhs},
                                                          {"sobol", DesignType::sobol},
                                                          {"saltelli", DesignType::saltelli},
                                                          {"morris", DesignType::morris}};
    bool known = false;
    for (const auto& [name, type] : designs)
      if (d == name) spec.design = type, known = true;
    if (!known) r.fail({"design"}, "expected one of: grid, lhs, sobol, saltelli, morris, got '" + d + "'");
  }
  const bool sampled = spec.design != DesignType::grid;
  if (root["samples"]) {
    if (!sampled)
      r.fail({"samples"}, "a grid design takes no samples: its points are every combination of values", true);
    spec.samples = static_cast<int>(r.whole(root["samples"], {"samples"}, 1, 1000000));
  } else if (sampled) {
    r.fail({"samples"},
           std::string("required key is missing: the number of samples of the ") + to_string(spec.design) + " design",
           true);
  }
  if (root["morris_levels"]) {
    if (spec.design != DesignType::morris) r.fail({"morris_levels"}, "only a morris design takes levels", true);
    spec.morris_levels = static_cast<int>(r.whole(root["morris_levels"], {"morris_levels"}, 2, 1000));
    if (spec.morris_levels % 2 != 0) r.fail({"morris_levels"}, "expected an even number of levels");
  }

  if (root["variants"]) {
    const auto& variants = root["variants"];
    if (!variants.IsMap() || variants.size() == 0) r.fail({"variants"}, "expected a mapping of named variants");
    for (const auto& entry : variants) {
      const auto name = entry.first.as<std::string>();
      spec.variants.push_back(read_variant(r, name, entry.second, {"variants", name}, folder));
    }
  } else {
    spec.variants.push_back({"base", "", {}, 0, 0});
  }

  if (root["factors"]) {
    const auto& factors = root["factors"];
    if (!factors.IsMap()) r.fail({"factors"}, "expected a mapping of key paths to values or ranges");
    for (const auto& entry : factors) {
      const auto name = entry.first.as<std::string>();
      spec.factors.push_back(read_factor(r, name, entry.second, {"factors", name}, spec.design));
    }
  }
  if (sampled && spec.factors.empty())
    r.fail({"factors"}, std::string("a ") + to_string(spec.design) + " design needs at least one factor", true);

  if (root["output"]) {
    const auto& output = root["output"];
    r.require_map(output, {"output"}, {"groups", "years"});
    if (output["groups"]) {
      const KeyPath at{"output", "groups"};
      spec.groups = r.texts(output["groups"], at);
      for (std::size_t i = 0; i < spec.groups.size(); ++i) {
        const auto& g = spec.groups[i];
        if (g != "national" && g != "prefecture" && g != "municipality" && g != "labour_market")
          r.fail(index_path(at, i), "expected one of: national, prefecture, municipality, labour_market");
      }
    }
    if (output["years"]) {
      const auto& years = output["years"];
      const KeyPath at{"output", "years"};
      if (!(years.IsScalar() && years.Scalar() == "all")) {
        if (!years.IsSequence() || years.size() == 0) r.fail(at, "expected all or a non-empty list of census years");
        for (std::size_t i = 0; i < years.size(); ++i)
          spec.years.push_back(static_cast<int>(r.whole(years[i], index_path(at, i), 1900, 2200)));
      }
    }
  }
  return spec;
}

}  // namespace migsim::sweep
