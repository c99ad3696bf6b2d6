// The HDF5 output file: written under a temporary name and renamed only on commit, so a failed
// run never leaves a half file and never touches an existing one; read back with `migsim info`.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "../helpers.hpp"
#include "migsim/error.hpp"
#include "migsim/hdf5_output.hpp"
#include "temp_folder.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using migsim::describe_output_file;
using migsim::Hdf5Writer;
using migsim::InputError;
using migsim::Scenario;
using migsim::YearOutput;
using migsim::test::TempFolder;

namespace {

// Two census years of the quickstart at 1/16 scale, computed once for every test here.
struct TwoYears {
  Scenario scenario = migsim::test::small_quickstart({"end=2023-10"});
  std::vector<YearOutput> years = migsim::test::run(scenario);
};
const TwoYears& two_years() {
  static const TwoYears run;
  return run;
}

std::string contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string stock_line(const std::vector<YearOutput>& years) {
  std::string line = "national stock by year:";
  for (const auto& y : years) {  // appended piece by piece: GCC 12 warns falsely on " " + s + ...
    line += ' ';
    line += std::to_string(y.year);
    line += '=';
    line += std::to_string(migsim::test::total(y, y.national, "stock"));
  }
  return line;
}

}  // namespace

TEST_CASE("hdf5 writer - the file appears under its name only when committed, complete", "[io][hdf5]") {
  const auto& run = two_years();
  REQUIRE(run.years.size() == 2);
  TempFolder folder;
  const auto out = folder.path("out.h5");
  {
    Hdf5Writer writer(out, run.scenario, 2);
    for (const auto& y : run.years) writer.write_year(y);
    CHECK_FALSE(std::filesystem::exists(out));
    REQUIRE(folder.files().size() == 1);  // the temporary file, beside the final one
    CHECK_THAT(folder.files().front(), StartsWith("out.h5.tmp-"));
    writer.commit();
  }
  CHECK(folder.files() == std::vector<std::string>{"out.h5"});
  const std::string info = describe_output_file(out);
  CHECK_THAT(info, Contains("format_version  " + std::to_string(migsim::kFormatVersion)));
  CHECK_THAT(info, Contains("threads         2"));
  CHECK_THAT(info, Contains("stock(2x12x9x8)"));  // (year, status, field, origin) of the quickstart
  CHECK_THAT(info, Contains("group municipality:") && Contains("entries_by_origin(2x6x8)"));
  CHECK_THAT(info, Contains(stock_line(run.years)));
}

TEST_CASE("hdf5 writer - a writer dropped without commit leaves nothing behind", "[io][hdf5]") {
  const auto& run = two_years();
  TempFolder folder;
  {
    Hdf5Writer writer(folder.path("out.h5"), run.scenario, 1);
    writer.write_year(run.years.front());
  }
  CHECK(folder.files().empty());
}

TEST_CASE("hdf5 writer - an existing file is untouched unless the new one is committed", "[io][hdf5]") {
  const auto& run = two_years();
  TempFolder folder;
  const auto out = folder.write("out.h5", "results of an earlier run");
  {
    Hdf5Writer writer(out, run.scenario, 1);
    writer.write_year(run.years.front());
  }  // a failed run: the writer is destroyed before commit
  CHECK(contents(out) == "results of an earlier run");
  CHECK(folder.files() == std::vector<std::string>{"out.h5"});

  {
    Hdf5Writer writer(out, run.scenario, 1);
    for (const auto& y : run.years) writer.write_year(y);
    writer.commit();
  }
  CHECK_THAT(describe_output_file(out), Contains(stock_line(run.years)));
}

TEST_CASE("hdf5 writer - an output folder that does not exist is bad input, and nothing is created", "[io][hdf5]") {
  const auto& run = two_years();
  TempFolder folder;
  try {
    Hdf5Writer writer(folder.path("missing/out.h5"), run.scenario, 1);
    FAIL("expected an InputError");
  } catch (const InputError& e) {
    CHECK_THAT(std::string(e.what()), Contains("cannot create the output file") && Contains("missing/out.h5"));
  }
  CHECK(folder.files().empty());
}

TEST_CASE("hdf5 writer - only the groups the scenario asks for are written", "[io][hdf5]") {
  const Scenario scenario = migsim::test::small_quickstart({"end=2023-10", "output.groups=[national, labour_market]"});
  const auto years = migsim::test::run(scenario);
  TempFolder folder;
  const auto out = folder.path("some.h5");
  {
    Hdf5Writer writer(out, scenario, 1);
    for (const auto& y : years) writer.write_year(y);
    writer.commit();
  }
  const std::string info = describe_output_file(out);
  CHECK_THAT(info, Contains("group national:") && Contains("group labour_market:"));
  CHECK_THAT(info, !Contains("group prefecture:") && !Contains("group municipality:"));
}

TEST_CASE("hdf5 writer - a file that is not a migsim output is refused by describe", "[io][hdf5]") {
  TempFolder folder;
  const auto text = folder.write("notes.h5", "not HDF5 at all");
  CHECK_THROWS_AS(describe_output_file(text), InputError);
  CHECK_THROWS_WITH(describe_output_file(text), Contains(text) && Contains("cannot read as a migsim output file"));
  CHECK_THROWS_AS(describe_output_file(folder.path("absent.h5")), InputError);
}
