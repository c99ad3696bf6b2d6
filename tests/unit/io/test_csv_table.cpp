// Scenario tables in CSV files: RFC 4180 quoting, header cells as key paths, rows as YAML nodes,
// and every error or node traced back to the CSV line and column a user must edit.
#include <catch2/catch.hpp>

#include <string>

#include "io/csv_table.hpp"
#include "temp_folder.hpp"

using Catch::Matchers::Contains;
using migsim::InputError;
using migsim::SourceLocation;
using migsim::detail::CsvTable;
using migsim::test::TempFolder;

namespace {

std::string error_of(const std::string& path, const std::string& key_column = "") {
  try {
    const CsvTable table(path, key_column);
    table.node();  // some errors (repeated keys) are found when the rows become YAML
  } catch (const InputError& e) {
    return e.what();
  }
  FAIL("expected an InputError from " << path);
  return {};
}

std::string place(const SourceLocation& where) {
  return where.file + ":" + std::to_string(where.line) + ":" + std::to_string(where.column);
}

}  // namespace

TEST_CASE("csv table - RFC 4180 quoting, line ends and blank lines", "[io][csv_table]") {
  TempFolder folder;
  const auto path = folder.write("t.csv",
                                 "\xEF\xBB\xBF"  // a byte-order mark is not part of the first column's name
                                 "code,name,note\r\n"
                                 "1,\"Chūō-ku, Sapporo\",\"say \"\"hi\"\"\"\r\n"
                                 "\r\n"
                                 "2,plain,\"two\nlines\"\n");
  const CsvTable table(path, "");
  REQUIRE(table.rows().size() == 2);  // the blank line is no row
  CHECK(table.header()[0].text == "code");
  const YAML::Node& rows = table.node();
  CHECK(rows[0]["name"].as<std::string>() == "Chūō-ku, Sapporo");
  CHECK(rows[0]["note"].as<std::string>() == "say \"hi\"");
  CHECK(rows[1]["note"].as<std::string>() == "two\nlines");
  CHECK(rows[1]["code"].as<int>() == 2);
}

TEST_CASE("csv table - header cells are key paths and empty cells leave keys out", "[io][csv_table]") {
  TempFolder folder;
  const auto path = folder.write("m.csv",
                                 "code,location[0],location[1],policy.ajts,policy.hires_ajts\n"
                                 "22130,34.7,137.7,20,true\n"
                                 "23211,,,,\n");
  const CsvTable table(path, "");
  const YAML::Node& rows = table.node();
  REQUIRE(rows.IsSequence());
  CHECK(rows[0]["location"].IsSequence());
  CHECK(rows[0]["location"][1].as<double>() == 137.7);
  CHECK(rows[0]["policy"]["ajts"].as<int>() == 20);
  CHECK(rows[0]["policy"]["hires_ajts"].as<bool>());
  CHECK_FALSE(rows[1]["location"].IsDefined());  // so the scenario's default applies
  CHECK_FALSE(rows[1]["policy"].IsDefined());

  // With a key column the table is a mapping from that column's names to the rest of each row.
  const auto keyed = folder.write("o.csv", "name,applicants_per_year\nvietnam,100\nchina,50\n");
  const CsvTable origins(keyed, "name");
  CHECK(origins.node()["china"]["applicants_per_year"].as<int>() == 50);
  CHECK_FALSE(origins.node()["china"]["name"].IsDefined());
  CHECK(origins.key_column() == "name");
}

TEST_CASE("csv table - every node is located at its cell, keys at their header cell", "[io][csv_table]") {
  TempFolder folder;
  const auto path = folder.write("p.csv",
                                 "name,population\n"
                                 "\"Chūō, two\nlines\",5\n"  // a quoted line break, then a cell on line 3
                                 "Ōta,7\n");
  const CsvTable table(path, "");
  const YAML::Node& rows = table.node();
  // Columns count characters, not bytes: Ō is one column.
  CHECK(place(table.locate(rows[1]["population"].Mark())) == path + ":4:5");
  CHECK(place(table.locate(rows[0]["population"].Mark())) == path + ":3:8");
  CHECK(place(table.locate(rows[0]["name"].Mark())) == path + ":2:1");
  for (const auto& entry : rows[1])
    if (entry.first.as<std::string>() == "population") CHECK(place(table.locate(entry.first.Mark())) == path + ":1:6");
}

TEST_CASE("csv table - bad tables are reported at their line and column", "[io][csv_table]") {
  TempFolder folder;
  const auto open_quote = folder.write("q.csv", "a,b\n1,\"never closed\n");
  CHECK(error_of(open_quote) == open_quote + ":2:3: expected a closing '\"' for the quoted cell");

  const auto after_quote = folder.write("aq.csv", "a,b\n\"x\"y,2\n");
  CHECK(error_of(after_quote) == after_quote + ":2:4: expected ',' or the end of the line after a quoted cell");

  const auto short_row = folder.write("s.csv", "a,b,c\n1,2,3\n4,5\n");
  CHECK(error_of(short_row) == short_row + ":3:1: expected 3 cells as in the header, got 2");

  const auto empty = folder.write("e.csv", "");
  CHECK(error_of(empty) == empty + ":1:1: expected a header row naming the columns");

  const auto gap = folder.write("g.csv", "code,location[1]\n1,2\n");
  CHECK_THAT(error_of(gap), Contains(gap + ":1:6: key 'location[1]'") && Contains("[0] first"));

  const auto bad_index = folder.write("i.csv", "code,location[x]\n1,2\n");
  CHECK_THAT(error_of(bad_index),
             Contains(bad_index + ":1:6: key 'location[x]'") && Contains("whole number inside []"));

  const auto mixed = folder.write("x.csv", "a.b,a[0]\n1,2\n");
  CHECK_THAT(error_of(mixed), Contains(mixed + ":1:5: key 'a[0]'") && Contains("not both"));

  const auto twice = folder.write("t.csv", "a,a\n1,2\n");
  CHECK_THAT(error_of(twice), Contains(twice + ":1:3: key 'a'") && Contains("one column"));

  const auto no_key = folder.write("k.csv", "code,name\n1,x\n");
  CHECK(error_of(no_key, "id") == no_key + ":1:1: key 'id': expected a column named 'id' (the table's key)");

  const auto repeated = folder.write("r.csv", "name,v\nvietnam,1\nvietnam,2\n");
  CHECK(error_of(repeated, "name") == repeated + ":3:1: key 'vietnam': duplicate key (each name may appear once)");

  const auto nameless = folder.write("n.csv", "name,v\n,1\n");
  CHECK(error_of(nameless, "name") == nameless + ":2:1: key 'name': expected a name");

  CHECK(error_of(folder.path("absent.csv")) == folder.path("absent.csv") + ": cannot open the table file: No such file or directory");
}
