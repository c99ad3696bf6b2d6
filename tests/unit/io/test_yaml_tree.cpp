// The YAML tree of a scenario: files of an `extends` chain merged, `--set` overrides applied, and
// every key path traced back to the file, line and column a user must edit.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "temp_folder.hpp"
#include "io/yaml_tree.hpp"

using Catch::Matchers::Contains;
using migsim::InputError;
using migsim::SourceLocation;
using migsim::detail::KeyPath;
using migsim::detail::YamlTree;
using migsim::test::TempFolder;

namespace {

std::string error_of(const std::string& path, const std::vector<std::string>& overrides = {}) {
  try {
    YamlTree tree(path, overrides);
  } catch (const InputError& e) {
    return e.what();
  }
  FAIL("expected an InputError from " << path);
  return {};
}

std::string place(const SourceLocation& where) {
  return where.file + ":" + std::to_string(where.line) + ":" + std::to_string(where.column);
}

std::vector<std::string> keys_of(const YAML::Node& map) {
  std::vector<std::string> out;
  for (const auto& entry : map) out.push_back(entry.first.as<std::string>());
  return out;
}

const char* const kBase =
    "name: base\n"                     // line 1
    "seed: 1\n"                        // line 2
    "statuses:\n"                      // line 3
    "  TITP: {max_stay_months: 60}\n"  // line 4
    "  TES: {max_stay_months: 36}\n"   // line 5
    "events: [a, b]\n";                // line 6

}  // namespace

TEST_CASE("yaml tree - an extending file changes only the keys it names", "[io][yaml_tree]") {
  TempFolder folder;
  folder.write("base.yaml", kBase);
  const auto top = folder.write("top.yaml",
                                "extends: base.yaml\n"
                                "name: top\n"
                                "statuses:\n"
                                "  TES: {family: none}\n"
                                "events: []\n");
  const YamlTree tree(top, {});
  const YAML::Node& root = tree.root();
  CHECK(root["name"].as<std::string>() == "top");
  CHECK(root["seed"].as<int>() == 1);                                 // inherited
  CHECK(root["statuses"]["TES"]["max_stay_months"].as<int>() == 36);  // mappings merge key by key
  CHECK(root["statuses"]["TES"]["family"].as<std::string>() == "none");
  CHECK(root["events"].size() == 0);         // lists are replaced whole
  CHECK_FALSE(root["extends"].IsDefined());  // the chain is merged away
  CHECK_THAT(tree.emit(), !Contains("extends"));
}

TEST_CASE("yaml tree - a mapping that lists every key of its base sets the order", "[io][yaml_tree]") {
  TempFolder folder;
  folder.write("rules.yaml", "statuses:\n  TES: {max_stay_months: 36}\n");
  folder.write("full.yaml", "extends: rules.yaml\nstatuses:\n  TITP: {}\n  TES: {family: none}\n  SSW1: {}\n");
  const auto partial =
      folder.write("partial.yaml", "extends: full.yaml\nstatuses:\n  SSW1: {works: true}\n  NEW: {}\n");

  // The file that names every status decides their order, not the base that named TES alone.
  const YamlTree full(folder.path("full.yaml"), {});
  CHECK(keys_of(full.root()["statuses"]) == std::vector<std::string>{"TITP", "TES", "SSW1"});
  CHECK(full.root()["statuses"]["TES"]["max_stay_months"].as<int>() == 36);

  // A file that changes a few keys leaves the order as it was and adds new keys at the end.
  const YamlTree variant(partial, {});
  CHECK(keys_of(variant.root()["statuses"]) == std::vector<std::string>{"TITP", "TES", "SSW1", "NEW"});
}

TEST_CASE("yaml tree - a value is located in the file that wrote it", "[io][yaml_tree]") {
  TempFolder folder;
  const auto base = folder.write("base.yaml", kBase);
  const auto top = folder.write("top.yaml", "extends: base.yaml\nseed: 2\n");
  const YamlTree tree(top, {"statuses.TES.max_stay_months=12"});

  CHECK(place(tree.locate({"seed"})) == top + ":2:7");                                         // the top file wins
  CHECK(place(tree.locate({"statuses", "TITP", "max_stay_months"})) == base + ":4:27");        // from the base
  CHECK(place(tree.locate({"statuses", "TITP", "max_stay_months"}, true)) == base + ":4:10");  // the key itself
  CHECK(place(tree.locate({"events", "[1]"})) == base + ":6:13");
  // A key that is not there: the nearest enclosing key that is.
  CHECK(place(tree.locate({"statuses", "TITP", "family"})) == base + ":4:9");
  // An override is located on the command line, naming the override.
  const SourceLocation overridden = tree.locate({"statuses", "TES", "max_stay_months"});
  CHECK(overridden.file == "command line (--set statuses.TES.max_stay_months=12)");
  CHECK(overridden.line == 0);
  CHECK(tree.root()["statuses"]["TES"]["max_stay_months"].as<int>() == 12);

  // fail() is the one message a user sees: place, key path, what was expected.
  try {
    tree.fail({"statuses", "TITP", "max_stay_months"}, "expected a number from 1 to 1200");
    FAIL("fail() must throw");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()) ==
          base + ":4:27: key 'statuses.TITP.max_stay_months': expected a number from 1 to 1200");
  }
}

TEST_CASE("yaml tree - bad files are reported at their line and column", "[io][yaml_tree]") {
  TempFolder folder;
  const auto syntax = folder.write("syntax.yaml", "name: x\nstatuses: {TITP: [1, 2}\n");
  CHECK_THAT(error_of(syntax), Contains(syntax + ":2:") && Contains("YAML syntax error"));

  const auto duplicate = folder.write("duplicate.yaml", "statuses:\n  TITP: {}\n  TITP: {}\n");
  CHECK(error_of(duplicate) ==
        duplicate + ":3:3: key 'statuses.TITP': duplicate key (each key may appear once in a mapping)");

  const auto not_a_map = folder.write("list.yaml", "- a\n- b\n");
  CHECK_THAT(error_of(not_a_map), Contains(not_a_map + ":1:1") && Contains("expected a mapping of scenario keys"));

  const auto orphan = folder.write("orphan.yaml", "name: x\nextends: nowhere.yaml\n");
  CHECK_THAT(error_of(orphan), Contains(orphan + ":2:10: key 'extends'") && Contains("nowhere.yaml' does not exist"));

  folder.write("a.yaml", "extends: b.yaml\n");
  folder.write("b.yaml", "extends: a.yaml\n");
  CHECK_THAT(error_of(folder.path("a.yaml")), Contains("key 'extends'") && Contains("extends cycle"));

  CHECK_THAT(error_of(folder.path("absent.yaml")),
             Contains("absent.yaml") && Contains("cannot open the scenario file"));
}

TEST_CASE("yaml tree - overrides name what is wrong with them", "[io][yaml_tree]") {
  TempFolder folder;
  const auto base = folder.write("base.yaml", kBase);
  CHECK(error_of(base, {"seed"}) == "command line: --set seed: expected key.path=value");
  CHECK(error_of(base, {"events[5]=c"}) == "command line: key 'events[5]': --set events[5]=c: no such list element");
  CHECK_THAT(error_of(base, {"events[x]=c"}), Contains("expected a whole number index inside []"));
  CHECK_THAT(error_of(base, {"seed="}), Contains("key 'seed'") && Contains("expected a value after '='"));
  CHECK_THAT(error_of(base, {"name=[unclosed"}), Contains("key 'name'") && Contains("value is not valid YAML"));

  // Values are read as YAML: lists and mappings as well as numbers; missing mapping keys are made.
  const YamlTree tree(base, {"events=[x]", "statuses.SSW1.family=allowed", "events[0]=y"});
  CHECK(tree.root()["events"].size() == 1);
  CHECK(tree.root()["events"][0].as<std::string>() == "y");
  CHECK(tree.root()["statuses"]["SSW1"]["family"].as<std::string>() == "allowed");
}

TEST_CASE("yaml tree - a CSV table is located in its file and written back as its reference", "[io][yaml_tree]") {
  TempFolder folder;
  folder.write("places.csv", "code,name\n101,\"Kita, Sapporo\"\n102,Minami\n");
  const auto scenario = folder.write("s.yaml", "name: s\nplaces: {csv: places.csv}\n");
  const auto csv = folder.path("places.csv");

  const YamlTree tree(scenario, {});
  REQUIRE(tree.root()["places"].size() == 2);
  CHECK(tree.root()["places"][0]["name"].as<std::string>() == "Kita, Sapporo");  // the quoted comma stays
  CHECK(place(tree.locate({"places", "[1]", "code"})) == csv + ":3:1");
  CHECK(place(tree.locate({"places", "[0]", "name"})) == csv + ":2:5");
  CHECK(place(tree.locate({"places", "[0]", "name"}, true)) == csv + ":1:6");  // a key: its header cell
  CHECK_THAT(tree.emit(), Contains("csv: " + csv) && !Contains("Minami"));

  // Once an override writes into the table, the resolved scenario spells out its rows.
  const YamlTree changed(scenario, {"places[1].name=Higashi"});
  CHECK_THAT(changed.emit(), Contains("Higashi") && Contains("Kita, Sapporo") && !Contains("places.csv"));

  const auto unknown = folder.write("u.yaml", "places: {csv: places.csv, sep: ';'}\n");
  CHECK(error_of(unknown) ==
        unknown + ":1:27: key 'places.sep': unknown key: a table is written {csv: FILE} or {csv: FILE, key: COLUMN}");
  const auto missing = folder.write("m.yaml", "places: {csv: none.csv}\n");
  CHECK_THAT(error_of(missing), Contains(missing + ":1:15: key 'places.csv'") && Contains("none.csv' does not exist"));
}

TEST_CASE("yaml tree - text that needs quoting survives the resolved scenario", "[io][yaml_tree]") {
  TempFolder folder;
  const auto scenario = folder.write("q.yaml",
                                     "name: \"a: b # c\"\n"
                                     "description: 'it''s \"quoted\"'\n"
                                     "code: '007'\n");
  const YamlTree tree(scenario, {});
  const YAML::Node again = YAML::Load(tree.emit());  // the resolved scenario reads back the same
  CHECK(again["name"].as<std::string>() == "a: b # c");
  CHECK(again["description"].as<std::string>() == "it's \"quoted\"");
  CHECK(again["code"].as<std::string>() == "007");
}
