#include "sweep/result_file.hpp"

#include <H5Cpp.h>
#include <fcntl.h>
#include <hdf5_hl.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <limits>
#include <map>
#include <stdexcept>

#include "io/cf_metadata.hpp"
#include "io/hdf5_attributes.hpp"
#include "interrupt.hpp"
#include "migsim/error.hpp"
#include "migsim/hdf5_output.hpp"
#include "migsim/version.hpp"

namespace migsim::sweep {

namespace {

constexpr std::int64_t kIntegerFill = -1;
const double kRealFill = std::numeric_limits<double>::quiet_NaN();
const char* const kDataGroups[] = {"national", "prefecture", "municipality", "labour_market"};

using detail::number_attribute;
using detail::text_attribute;
using detail::text_type;
using detail::utc_now;

template <class Location>
std::string read_text_attribute(const Location& where, const std::string& name) {
  if (!where.attrExists(name)) return "";
  H5::Attribute a = where.openAttribute(name);
  std::string value;
  a.read(a.getStrType(), value);
  return value;
}

H5::DataSet text_dataset(H5::Group& g, const std::string& name, const std::vector<std::string>& values) {
  const H5::StrType type = text_type();
  const hsize_t size = values.size();
  H5::DataSet ds = g.createDataSet(name, type, H5::DataSpace(1, &size));
  std::vector<const char*> pointers;
  for (const auto& v : values) pointers.push_back(v.c_str());
  if (size) ds.write(pointers.data(), type);
  return ds;
}

template <class T>
H5::DataSet number_dataset(H5::Group& g, const std::string& name, const H5::PredType& file_type,
                           const H5::PredType& memory_type, const std::vector<T>& values) {
  const hsize_t size = values.size();
  H5::DataSet ds = g.createDataSet(name, file_type, H5::DataSpace(1, &size));
  if (size) ds.write(values.data(), memory_type);
  return ds;
}

std::vector<std::string> read_texts(const H5::DataSet& ds) {
  H5::DataSpace space = ds.getSpace();
  hsize_t size = 0;
  space.getSimpleExtentDims(&size);
  std::vector<char*> pointers(size, nullptr);
  const H5::StrType type = text_type();
  if (size) ds.read(pointers.data(), type);
  std::vector<std::string> out;
  for (auto* p : pointers) out.emplace_back(p ? p : "");
  if (size) H5Dvlen_reclaim(type.getId(), space.getId(), H5P_DEFAULT, pointers.data());
  return out;
}

// The name of the dimension scale attached to dimension `index` of `ds`.
std::string scale_name(const H5::DataSet& ds, unsigned index) {
  std::string name;
  H5DSiterate_scales(
      ds.getId(), index, nullptr,
      [](hid_t, unsigned, hid_t scale, void* out) -> herr_t {
        char buffer[256] = {};
        if (H5DSget_scale_name(scale, buffer, sizeof buffer) < 0) return 0;
        *static_cast<std::string*>(out) = buffer;
        return 1;
      },
      &name);
  return name;
}

// A group's dimensions after year, as a run file lays them out.
std::vector<std::string> group_dims(const std::string& group) {
  if (group == "national") return {"status", "field", "origin"};
  if (group == "prefecture") return {"prefecture", "status", "field"};
  if (group == "municipality") return {"municipality", "origin"};
  return {"prefecture", "field"};
}

std::vector<std::string> default_dims(const std::string& group) {
  if (group == "municipality") return {"municipality"};
  return group_dims(group);
}

const std::vector<Measure>& measures_of(const YearOutput& y, const std::string& group) {
  if (group == "national") return y.national;
  if (group == "prefecture") return y.prefecture;
  if (group == "municipality") return y.municipality;
  return y.labour_market;
}

std::vector<Measure>& measures_of(YearOutput& y, const std::string& group) {
  return const_cast<std::vector<Measure>&>(measures_of(static_cast<const YearOutput&>(y), group));
}

}  // namespace

struct ResultWriter::Impl {
  const SweepPlan& plan;
  std::string final_path, temp_path;
  std::unique_ptr<TemporaryFileGuard> guard;
  H5::H5File file;
  bool committed = false;
  int compression = 4;
  std::vector<int> runs;
  std::map<int, hsize_t> row_of;
  std::vector<int> years;
  std::vector<std::string> statuses, messages;
  std::vector<double> wall_seconds;

  struct Group {
    H5::Group group;
    H5::DataSet run, year;
    std::map<std::string, H5::DataSet> scales;
    std::map<std::string, hsize_t> sizes;
    std::map<std::string, H5::DataSet> measures;
  };
  std::map<std::string, Group> groups;

  Impl(const SweepPlan& p) : plan(p) {}

  H5::DataSet run_scale(H5::Group& g) {
    std::vector<std::int32_t> values(runs.begin(), runs.end());
    H5::DataSet ds = number_dataset(g, "run", H5::PredType::STD_I32LE, H5::PredType::NATIVE_INT32, values);
    H5DSset_scale(ds.getId(), "run");
    text_attribute(ds, "long_name", "run index");
    return ds;
  }

  void make_group(const std::string& name, const Scenario& s) {
    Group out;
    out.group = file.createGroup(name);
    text_attribute(out.group, "migsim_version", version());
    text_attribute(out.group, "scenario_name", s.name);
    number_attribute(out.group, "seed", H5::PredType::STD_U64LE, plan.spec().seed);
    number_attribute(out.group, "format_version", H5::PredType::STD_I32LE, kFormatVersion);
    out.run = run_scale(out.group);
    std::vector<std::int32_t> year_values(years.begin(), years.end());
    out.year = number_dataset(out.group, "year", H5::PredType::STD_I32LE, H5::PredType::NATIVE_INT32, year_values);
    H5DSset_scale(out.year.getId(), "year");
    text_attribute(out.year, "long_name", "census year (stock at the census month; flows of the 12 months up to it)");
    text_attribute(out.year, "units", "year");
    for (const auto& dim : group_dims(name)) {
      auto labels = [&](const auto& items) {
        std::vector<std::string> v;
        for (const auto& x : items) v.push_back(x.name);
        return v;
      };
      H5::DataSet scale;
      std::size_t size = 0;
      if (dim == "status" || dim == "field" || dim == "origin") {
        const auto v = dim == "status" ? labels(s.statuses) : dim == "field" ? labels(s.fields) : labels(s.origins);
        scale = text_dataset(out.group, dim, v);
        size = v.size();
        text_attribute(scale, "long_name",
                       dim == "status"  ? "residence status"
                       : dim == "field" ? "field of work"
                                        : "country of origin");
      } else {
        std::vector<std::int32_t> codes;
        std::vector<std::string> names;
        if (dim == "prefecture")
          for (const auto& p : s.prefectures) codes.push_back(p.code), names.push_back(p.name);
        else
          for (const auto& m : s.municipalities) codes.push_back(m.code), names.push_back(m.name);
        scale = number_dataset(out.group, dim, H5::PredType::STD_I32LE, H5::PredType::NATIVE_INT32, codes);
        size = codes.size();
        text_attribute(scale, "long_name",
                       dim == "prefecture" ? "prefecture JIS code" : "municipality code (LG code, 5 digits)");
        H5DSset_scale(scale.getId(), dim.c_str());
        H5::DataSet label = text_dataset(out.group, dim + "_name", names);
        text_attribute(label, "long_name", dim + " name");
        H5DSattach_scale(label.getId(), scale.getId(), 0);
        if (dim == "municipality") {
          std::vector<double> latitude, longitude;
          std::vector<std::int32_t> prefecture;
          for (const auto& m : s.municipalities) {
            latitude.push_back(m.location ? m.location->first : kRealFill);
            longitude.push_back(m.location ? m.location->second : kRealFill);
            prefecture.push_back(m.prefecture);
          }
          auto position = [&](const std::string& n, const std::vector<double>& v, const char* long_name,
                              const char* units, const char* standard_name) {
            H5::DataSet ds = number_dataset(out.group, n, H5::PredType::IEEE_F64LE, H5::PredType::NATIVE_DOUBLE, v);
            text_attribute(ds, "long_name", long_name);
            text_attribute(ds, "units", units);
            text_attribute(ds, "standard_name", standard_name);
            H5DSattach_scale(ds.getId(), scale.getId(), 0);
          };
          position("municipality_latitude", latitude, "latitude of the municipal office", "degrees_north", "latitude");
          position("municipality_longitude", longitude, "longitude of the municipal office", "degrees_east",
                   "longitude");
          H5::DataSet p = number_dataset(out.group, "municipality_prefecture", H5::PredType::STD_I32LE,
                                         H5::PredType::NATIVE_INT32, prefecture);
          text_attribute(p, "long_name", "position of the municipality's prefecture in the scenario's prefecture list");
          H5DSattach_scale(p.getId(), scale.getId(), 0);
        }
      }
      if (dim == "status" || dim == "field" || dim == "origin") H5DSset_scale(scale.getId(), dim.c_str());
      out.scales[dim] = scale;
      out.sizes[dim] = size;
    }
    groups[name] = std::move(out);
  }

  H5::DataSet& dataset(const std::string& group_name, const Measure& m) {
    Group& g = groups.at(group_name);
    auto it = g.measures.find(m.name);
    if (it != g.measures.end()) return it->second;
    const auto dims = m.dims.empty() ? default_dims(group_name) : m.dims;
    const std::size_t rank = dims.size() + 2;
    std::vector<hsize_t> size(rank), chunk(rank);
    size[0] = runs.size();
    size[1] = years.size();
    chunk[0] = chunk[1] = 1;  // one chunk per run and year, as a run file has one per year
    for (std::size_t k = 0; k < dims.size(); ++k) size[k + 2] = chunk[k + 2] = g.sizes.at(dims[k]);
    H5::DSetCreatPropList props;
    bool empty = false;
    for (auto n : size) empty = empty || n == 0;
    if (!empty) props.setChunk(static_cast<int>(rank), chunk.data());
    if (compression > 0 && !empty) {
      props.setShuffle();
      props.setDeflate(compression);
    }
    const bool real = m.counts.empty() && !m.reals.empty();
    if (real)
      props.setFillValue(H5::PredType::NATIVE_DOUBLE, &kRealFill);
    else
      props.setFillValue(H5::PredType::NATIVE_INT64, &kIntegerFill);
    H5::DataSet ds = g.group.createDataSet(m.name, real ? H5::PredType::IEEE_F64LE : H5::PredType::STD_I64LE,
                                           H5::DataSpace(static_cast<int>(rank), size.data()), props);
    text_attribute(ds, "long_name", m.description);
    text_attribute(ds, "units", detail::cf_units(m.units));
    if (real)
      number_attribute(ds, "_FillValue", H5::PredType::IEEE_F64LE, kRealFill);
    else
      number_attribute(ds, "_FillValue", H5::PredType::STD_I64LE, kIntegerFill);
    const auto coordinates = detail::cf_coordinates(group_name);
    if (!coordinates.empty()) text_attribute(ds, "coordinates", coordinates);
    H5DSattach_scale(ds.getId(), g.run.getId(), 0);
    H5DSattach_scale(ds.getId(), g.year.getId(), 1);
    for (std::size_t k = 0; k < dims.size(); ++k)
      H5DSattach_scale(ds.getId(), g.scales.at(dims[k]).getId(), static_cast<unsigned>(k + 2));
    return g.measures.emplace(m.name, ds).first->second;
  }

  void write_runs_group() {
    H5::Group g = file.createGroup("runs");
    text_attribute(g, "migsim_version", version());
    number_attribute(g, "format_version", H5::PredType::STD_I32LE, kFormatVersion);
    H5::DataSet run = run_scale(g);
    const auto& spec = plan.spec();
    std::vector<std::string> variant;
    std::vector<std::int32_t> replicate, point, block, row, trajectory, step, changed;
    std::vector<std::uint64_t> seed;
    std::vector<std::vector<double>> factor(spec.factors.size());
    for (int index : runs) {
      const PlannedRun r = plan.run(index);
      variant.push_back(spec.variants[static_cast<std::size_t>(r.variant)].name);
      replicate.push_back(r.replicate);
      point.push_back(r.point);
      seed.push_back(r.seed);
      const auto& role = plan.design().roles[static_cast<std::size_t>(r.point)];
      block.push_back(role.block);
      row.push_back(role.row);
      trajectory.push_back(role.trajectory);
      step.push_back(role.step);
      changed.push_back(role.changed_factor);
      for (std::size_t f = 0; f < spec.factors.size(); ++f)
        factor[f].push_back(plan.design().points[static_cast<std::size_t>(r.point)][f]);
    }
    auto finish = [&](H5::DataSet ds, const std::string& long_name) {
      text_attribute(ds, "long_name", long_name);
      H5DSattach_scale(ds.getId(), run.getId(), 0);
      return ds;
    };
    const auto i32 = H5::PredType::STD_I32LE;
    const auto n32 = H5::PredType::NATIVE_INT32;
    finish(text_dataset(g, "variant", variant), "variant (named scenario) of the run");
    finish(number_dataset(g, "replicate", i32, n32, replicate), "replicate (the same random numbers at every point)");
    finish(number_dataset(g, "point", i32, n32, point), "index of the design point");
    finish(number_dataset(g, "seed", H5::PredType::STD_U64LE, H5::PredType::NATIVE_UINT64, seed), "the run's seed");
    finish(text_dataset(g, "status", statuses), "ok or failed");
    finish(text_dataset(g, "message", messages), "the error of a failed run");
    H5::DataSet wall =
        finish(number_dataset(g, "wall_seconds", H5::PredType::IEEE_F64LE, H5::PredType::NATIVE_DOUBLE, wall_seconds),
               "wall time of the run");
    text_attribute(wall, "units", "s");
    for (std::size_t f = 0; f < spec.factors.size(); ++f) {
      const auto& x = spec.factors[f];
      std::string paths;
      for (const auto& p : x.key_paths) paths += (paths.empty() ? "" : ",") + p;
      H5::DataSet ds = finish(
          number_dataset(g, dataset_name(x.name), H5::PredType::IEEE_F64LE, H5::PredType::NATIVE_DOUBLE, factor[f]),
          x.multiplier ? "multiplier of " + paths : x.name);
      text_attribute(ds, "key_path", paths);
      text_attribute(ds, "scale", to_string(x.scale));
    }
    if (spec.design == DesignType::saltelli) {
      finish(number_dataset(g, "design_block", i32, n32, block), "Saltelli matrix: 0 = A, 1 = B, 2 + i = AB_i");
      finish(number_dataset(g, "design_row", i32, n32, row), "row of the base sample");
    } else if (spec.design == DesignType::morris) {
      finish(number_dataset(g, "trajectory", i32, n32, trajectory), "Morris trajectory");
      finish(number_dataset(g, "step", i32, n32, step), "step along the trajectory");
      finish(number_dataset(g, "changed_factor", i32, n32, changed),
             "index of the factor changed at this step (-1 at step 0)");
    }
  }
};

ResultWriter::ResultWriter(const std::string& path, const SweepPlan& plan, const Scenario& s,
                           const ResultProvenance& provenance, std::vector<int> runs, bool compressed)
    : impl_(std::make_unique<Impl>(plan)) {
  H5::Exception::dontPrint();
  auto& state = *impl_;
  state.final_path = path;
  state.temp_path = path + ".tmp-" + std::to_string(::getpid());
  state.compression = compressed ? s.output.compression_level : 0;
  state.runs = std::move(runs);
  for (std::size_t k = 0; k < state.runs.size(); ++k) state.row_of[state.runs[k]] = k;
  state.statuses.assign(state.runs.size(), "missing");
  state.messages.assign(state.runs.size(), "");
  state.wall_seconds.assign(state.runs.size(), kRealFill);
  const auto& spec = plan.spec();
  for (int year = s.first_year(); year <= s.last_year(); ++year)
    if (spec.years.empty() || std::find(spec.years.begin(), spec.years.end(), year) != spec.years.end())
      state.years.push_back(year);
  state.guard = std::make_unique<TemporaryFileGuard>(state.temp_path);
  try {
    state.file = H5::H5File(state.temp_path, H5F_ACC_TRUNC);
  } catch (const H5::Exception& e) {
    throw InputError({"command line", 0, 0}, "-o", "cannot create '" + state.temp_path + "': " + e.getDetailMsg());
  }
  H5::Group root = state.file.openGroup("/");
  number_attribute(root, "format_version", H5::PredType::STD_I32LE, kFormatVersion);
  text_attribute(root, "kind", "sweep");
  text_attribute(root, "Conventions", "CF-1.8");
  text_attribute(root, "title",
                 "migsim sweep " + spec.path + ": " + std::to_string(plan.run_count()) + " runs of " + s.name);
  text_attribute(root, "history", provenance.history);
  text_attribute(root, "migsim_version", version());
  text_attribute(root, "scenario_name", s.name);
  text_attribute(root, "scenario_file", spec.base);
  text_attribute(root, "base_scenario_yaml", s.resolved_yaml);
  text_attribute(root, "table_files", provenance.table_files);
  number_attribute(root, "seed", H5::PredType::STD_U64LE, spec.seed);
  number_attribute(root, "threads", H5::PredType::STD_I32LE, provenance.threads);
  number_attribute(root, "scale", H5::PredType::IEEE_F64LE, s.scale);
  number_attribute(root, "persons_per_agent", H5::PredType::STD_I64LE, s.persons_per_agent());
  text_attribute(root, "sweep_yaml", spec.text);
  text_attribute(root, "sweep_file", spec.path);
  text_attribute(root, "sweep_sha256", plan.sweep_hash());
  number_attribute(root, "sweep_seed", H5::PredType::STD_U64LE, spec.seed);
  text_attribute(root, "design", to_string(spec.design));
  text_attribute(root, "design_json", plan.design_json());
  number_attribute(root, "replicates", H5::PredType::STD_I32LE, spec.replicates);
  number_attribute(root, "run_count", H5::PredType::STD_I32LE, plan.run_count());
  const std::string now = utc_now();
  text_attribute(root, "created", now);
  text_attribute(root, "start_time", now);
  for (const char* g : kDataGroups) {
    const std::string name = g;
    const bool written = (name == "national" && s.output.national) || (name == "prefecture" && s.output.prefecture) ||
                         (name == "municipality" && s.output.municipality) ||
                         (name == "labour_market" && s.output.labour_market);
    const bool kept =
        spec.groups.empty() || std::find(spec.groups.begin(), spec.groups.end(), name) != spec.groups.end();
    if (written && kept) state.make_group(name, s);
  }
}

ResultWriter::~ResultWriter() {
  if (impl_->committed) return;
  try {
    impl_->groups.clear();
    impl_->file.close();
  } catch (...) {
  }
  std::error_code ignored;
  std::filesystem::remove(impl_->temp_path, ignored);
}

void ResultWriter::write(const RunRecord& record) {
  H5::Exception::dontPrint();
  auto& state = *impl_;
  const hsize_t row = state.row_of.at(record.index);
  state.statuses[row] = record.ok ? "ok" : "failed";
  state.messages[row] = record.message;
  state.wall_seconds[row] = record.wall_seconds;
  if (!record.ok) return;
  if (record.years.size() != state.years.size())
    throw std::runtime_error("run " + std::to_string(record.index) + " has " + std::to_string(record.years.size()) +
                             " census years, the sweep " + std::to_string(state.years.size()));
  for (hsize_t t = 0; t < state.years.size(); ++t) {
    const YearOutput& y = record.years[t];
    if (y.year != state.years[t]) throw std::runtime_error("run " + std::to_string(record.index) + ": unexpected year");
    for (auto& [name, group] : state.groups) {
      for (const auto& m : measures_of(y, name)) {
        H5::DataSet& ds = state.dataset(name, m);
        H5::DataSpace space = ds.getSpace();
        const int rank = space.getSimpleExtentNdims();
        std::vector<hsize_t> size(static_cast<std::size_t>(rank)), start(size.size(), 0), count(size.size());
        space.getSimpleExtentDims(size.data());
        count = size;
        start[0] = row;
        start[1] = t;
        count[0] = count[1] = 1;
        hsize_t cells = 1;
        for (std::size_t k = 2; k < size.size(); ++k) cells *= size[k];
        const bool real = m.counts.empty() && !m.reals.empty();
        if ((real ? m.reals.size() : m.counts.size()) != cells)
          throw std::runtime_error("run " + std::to_string(record.index) + ": " + name + "/" + m.name +
                                   " has another shape than the sweep's");
        if (cells == 0) continue;
        space.selectHyperslab(H5S_SELECT_SET, count.data(), start.data());
        H5::DataSpace memory(rank, count.data());
        if (real)
          ds.write(m.reals.data(), H5::PredType::NATIVE_DOUBLE, memory, space);
        else
          ds.write(m.counts.data(), H5::PredType::NATIVE_INT64, memory, space);
      }
    }
  }
}

void ResultWriter::commit() {
  H5::Exception::dontPrint();
  auto& state = *impl_;
  state.write_runs_group();
  H5::Group root = state.file.openGroup("/");
  text_attribute(root, "end_time", utc_now());
  root.close();
  state.groups.clear();
  state.file.close();
  // On disk before the name says the file is complete: a finished run survives a power cut too.
  const int fd = ::open(state.temp_path.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  std::filesystem::rename(state.temp_path, state.final_path);
  state.committed = true;
}

struct ResultReader::Impl {
  std::string path;
  H5::H5File file;
  std::vector<int> runs;
  std::vector<std::string> statuses, messages;
  std::vector<double> wall_seconds;
};

ResultReader::ResultReader(const std::string& path) : impl_(std::make_unique<Impl>()) {
  H5::Exception::dontPrint();
  auto& state = *impl_;
  state.path = path;
  try {
    state.file = H5::H5File(path, H5F_ACC_RDONLY);
    H5::Group root = state.file.openGroup("/");
    if (read_text_attribute(root, "kind") != "sweep" || !state.file.nameExists("runs"))
      throw InputError({path, 0, 0}, "", "not a migsim sweep result (no kind = sweep attribute or no runs group)");
    H5::Group runs = state.file.openGroup("runs");
    H5::DataSet run = runs.openDataSet("run");
    H5::DataSpace space = run.getSpace();
    hsize_t size = 0;
    space.getSimpleExtentDims(&size);
    state.runs.resize(size);
    if (size) run.read(state.runs.data(), H5::PredType::NATIVE_INT);
    state.statuses = read_texts(runs.openDataSet("status"));
    state.messages = read_texts(runs.openDataSet("message"));
    state.wall_seconds.resize(size);
    if (size) runs.openDataSet("wall_seconds").read(state.wall_seconds.data(), H5::PredType::NATIVE_DOUBLE);
  } catch (const H5::Exception& e) {
    throw InputError({path, 0, 0}, "", "cannot read as a migsim sweep result: " + e.getDetailMsg());
  }
}

ResultReader::~ResultReader() = default;

std::string ResultReader::text_attribute(const std::string& name) const {
  H5::Exception::dontPrint();
  return read_text_attribute(impl_->file.openGroup("/"), name);
}

const std::vector<int>& ResultReader::runs() const { return impl_->runs; }

bool ResultReader::ok(std::size_t row) const { return impl_->statuses.at(row) == "ok"; }

RunRecord ResultReader::read(std::size_t row) const {
  H5::Exception::dontPrint();
  auto& state = *impl_;
  RunRecord record;
  record.index = state.runs.at(row);
  record.ok = state.statuses.at(row) == "ok";
  record.message = state.messages.at(row);
  record.wall_seconds = state.wall_seconds.at(row);
  if (state.statuses[row] == "missing")
    throw InputError({state.path, 0, 0}, "", "run " + std::to_string(record.index) + " is missing from this file");
  if (!record.ok) return record;
  try {
    for (const char* group_name : kDataGroups) {
      if (!state.file.nameExists(group_name)) continue;
      H5::Group g = state.file.openGroup(group_name);
      std::vector<int> years;
      {
        H5::DataSet year = g.openDataSet("year");
        hsize_t n = 0;
        year.getSpace().getSimpleExtentDims(&n);
        years.resize(n);
        if (n) year.read(years.data(), H5::PredType::NATIVE_INT);
      }
      if (record.years.empty()) {
        record.years.resize(years.size());
        for (std::size_t t = 0; t < years.size(); ++t) record.years[t].year = years[t];
      }
      for (hsize_t k = 0; k < g.getNumObjs(); ++k) {
        const std::string name = g.getObjnameByIdx(k);
        H5::DataSet ds = g.openDataSet(name);
        H5::DataSpace space = ds.getSpace();
        const int rank = space.getSimpleExtentNdims();
        if (rank < 2) continue;  // dimension scales and labels
        std::vector<hsize_t> size(static_cast<std::size_t>(rank)), start(size.size(), 0);
        space.getSimpleExtentDims(size.data());
        std::vector<hsize_t> count = size;
        count[0] = count[1] = 1;
        start[0] = row;
        hsize_t cells = 1;
        for (std::size_t q = 2; q < size.size(); ++q) cells *= size[q];
        Measure m;
        m.name = name;
        m.description = read_text_attribute(ds, "long_name");
        m.units = read_text_attribute(ds, "units");
        std::vector<std::string> dims;
        for (unsigned q = 2; q < static_cast<unsigned>(rank); ++q) dims.push_back(scale_name(ds, q));
        if (dims != default_dims(group_name)) m.dims = dims;
        const bool real = ds.getTypeClass() == H5T_FLOAT;
        for (hsize_t t = 0; t < size[1]; ++t) {
          Measure year_measure = m;
          start[1] = t;
          space.selectHyperslab(H5S_SELECT_SET, count.data(), start.data());
          H5::DataSpace memory(rank, count.data());
          if (real) {
            year_measure.reals.resize(cells);
            if (cells) ds.read(year_measure.reals.data(), H5::PredType::NATIVE_DOUBLE, memory, space);
          } else {
            year_measure.counts.resize(cells);
            if (cells) ds.read(year_measure.counts.data(), H5::PredType::NATIVE_INT64, memory, space);
          }
          measures_of(record.years[t], group_name).push_back(std::move(year_measure));
        }
      }
    }
  } catch (const H5::Exception& e) {
    throw InputError({state.path, 0, 0}, "", "cannot read run " + std::to_string(record.index) + ": " + e.getDetailMsg());
  }
  return record;
}

}  // namespace migsim::sweep
