// Labelled cubes in HDF5: every axis a dimension scale (so xarray, h5netcdf and ncdump see named
// dimensions), the year axis unlimited and one chunk per year, shuffle + deflate.
#include "migsim/hdf5_output.hpp"

#include <H5Cpp.h>
#include <fcntl.h>
#include <hdf5_hl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <sstream>

#include "io/cf_metadata.hpp"
#include "io/hdf5_attributes.hpp"
#include "interrupt.hpp"
#include "migsim/error.hpp"
#include "migsim/version.hpp"

namespace migsim {

namespace {

using detail::number_attribute;
using detail::text_attribute;
using detail::text_type;
using detail::utc_now;

// The in-memory file grows by this much at a time.
constexpr std::size_t kImageIncrementBytes = std::size_t{4} << 20;

struct Dimension {
  std::string name;
  hsize_t size;
};

// Output contract v2: what makes the file self-describing to netCDF tools (CF-1.8).
void write_v2_root_attributes(H5::Group& root, const Scenario& s, const std::string& now) {
  text_attribute(root, "kind", "run");
  text_attribute(root, "Conventions", "CF-1.8");
  text_attribute(root, "title", "migsim run of " + s.name + ": " + s.description);
  std::ostringstream history;
  history << now << " migsim " << version() << " run " << s.source_file << " --seed " << s.seed << " --scale "
          << s.scale;
  text_attribute(root, "history", history.str());
  text_attribute(root, "table_files", detail::table_files_json(s.table_files));
}

// Provenance on each group as well as the root, so a group read alone still says where it came from.
void write_v2_group_attributes(H5::Group& group, const Scenario& s) {
  text_attribute(group, "migsim_version", version());
  text_attribute(group, "scenario_name", s.name);
  number_attribute(group, "seed", H5::PredType::STD_U64LE, s.seed);
  number_attribute(group, "format_version", H5::PredType::STD_I32LE, kFormatVersion);
}

// The municipalities' positions and prefectures beside their dimension, for xarray to attach.
void write_municipality_positions(H5::Group& group, const H5::DataSet& municipality, const Scenario& s) {
  const hsize_t size = s.municipalities.size();
  std::vector<double> latitude, longitude;
  std::vector<std::int32_t> prefecture;
  for (const auto& m : s.municipalities) {
    latitude.push_back(m.location ? m.location->first : std::numeric_limits<double>::quiet_NaN());
    longitude.push_back(m.location ? m.location->second : std::numeric_limits<double>::quiet_NaN());
    prefecture.push_back(m.prefecture);
  }
  auto position = [&](const char* name, const std::vector<double>& values, const char* long_name, const char* units,
                      const char* standard_name) {
    H5::DataSet ds = group.createDataSet(name, H5::PredType::IEEE_F64LE, H5::DataSpace(1, &size));
    if (size) ds.write(values.data(), H5::PredType::NATIVE_DOUBLE);
    text_attribute(ds, "long_name", long_name);
    text_attribute(ds, "units", units);
    text_attribute(ds, "standard_name", standard_name);
    H5DSattach_scale(ds.getId(), municipality.getId(), 0);
  };
  position("municipality_latitude", latitude, "latitude of the municipal office", "degrees_north", "latitude");
  position("municipality_longitude", longitude, "longitude of the municipal office", "degrees_east", "longitude");
  H5::DataSet ds = group.createDataSet("municipality_prefecture", H5::PredType::STD_I32LE, H5::DataSpace(1, &size));
  if (size) ds.write(prefecture.data(), H5::PredType::NATIVE_INT32);
  text_attribute(ds, "long_name", "position of the municipality's prefecture in the scenario's prefecture list");
  H5DSattach_scale(ds.getId(), municipality.getId(), 0);
}

// Why the last HDF5 call of this thread failed. HDF5 clears its error stack at the next call and
// the C++ wrapper's exception names only the function ("H5Dwrite failed"), so the reason is taken
// from the stack when HDF5 reports the failure, before anything else runs.
thread_local std::string last_failure_reason;

struct FailureReasons {
  std::string system;     // the operating system's text for a failed file operation
  std::string innermost;  // HDF5's description where the failure was first detected
};

herr_t collect_reason(unsigned, const H5E_error2_t* error, void* data) {
  auto& reasons = *static_cast<FailureReasons*>(data);
  const std::string description = error->desc != nullptr ? error->desc : "";
  if (reasons.innermost.empty()) reasons.innermost = description;  // walked upward: innermost first
  // The file drivers write "..., errno = 28, error message = 'No space left on device', ...".
  const std::string marker = "error message = '";
  const auto from = description.find(marker);
  if (reasons.system.empty() && from != std::string::npos) {
    const auto start = from + marker.size();
    const auto end = description.find('\'', start);
    reasons.system = description.substr(start, end == std::string::npos ? std::string::npos : end - start);
  }
  return 0;
}

herr_t remember_failure(hid_t stack, void*) {
  FailureReasons reasons;
  H5Ewalk2(stack, H5E_WALK_UPWARD, collect_reason, &reasons);
  last_failure_reason = !reasons.system.empty() ? reasons.system : reasons.innermost;
  return 0;
}

// Instead of printing its error stack to stderr, HDF5 tells this thread why a call failed.
// Per thread: the thread-safe library keeps this setting per thread, and a year may be written
// on another thread than the one that made the writer.
void record_hdf5_failures() { H5Eset_auto2(H5E_DEFAULT, remember_failure, nullptr); }

std::string failure_reason(const H5::Exception& e) {
  return last_failure_reason.empty() ? e.getDetailMsg() : last_failure_reason;
}

}  // namespace

struct Hdf5Writer::Impl {
  std::string final_path;
  std::string temp_path;
  std::optional<TemporaryFileGuard> interrupt_cleanup;  // SIGINT/SIGTERM remove the temporary file
  int temp_descriptor = -1;  // the temporary file, open from the start: the finished image goes there
  // The HDF5 file lives in memory (the core driver) until commit() writes its image with write(2).
  // So HDF5 never meets a disk error, which in HDF5 1.10 can leave a file that cannot be closed
  // (and crashes the library at exit), and a full disk is one errno, reported with its text.
  H5::H5File file;
  bool committed = false;
  int compression = 4;
  struct Group {
    H5::Group group;
    H5::DataSet year;
    std::map<std::string, H5::DataSet> measures;
    std::vector<Dimension> dims;            // every dimension scale of the group but year
    std::vector<std::string> default_dims;  // of a measure that names none

    // The dimensions after year of measure m, with their sizes.
    std::vector<Dimension> of(const Measure& m) const {
      std::vector<Dimension> out;
      for (const auto& name : m.dims.empty() ? default_dims : m.dims)
        for (const auto& d : dims)
          if (d.name == name) out.push_back(d);
      return out;
    }
    std::map<std::string, H5::DataSet> scales;
  };
  std::map<std::string, Group> groups;
  hsize_t years_written = 0;

  H5::DataSet string_scale(H5::Group& g, const std::string& name, const std::vector<std::string>& labels) {
    const H5::StrType type = text_type();
    const hsize_t size = labels.size();
    H5::DataSet ds = g.createDataSet(name, type, H5::DataSpace(1, &size));
    std::vector<const char*> pointers;
    for (const auto& l : labels) pointers.push_back(l.c_str());
    ds.write(pointers.data(), type);
    H5DSset_scale(ds.getId(), name.c_str());
    return ds;
  }

  H5::DataSet code_scale(H5::Group& g, const std::string& name, const std::vector<int>& codes) {
    const hsize_t size = codes.size();
    H5::DataSet ds = g.createDataSet(name, H5::PredType::STD_I32LE, H5::DataSpace(1, &size));
    ds.write(codes.data(), H5::PredType::NATIVE_INT);
    H5DSset_scale(ds.getId(), name.c_str());
    return ds;
  }

  void make_group(const std::string& name, const Scenario& s, const std::vector<std::string>& default_dims,
                  const std::vector<std::string>& extra_dims = {}) {
    Group out;
    out.default_dims = default_dims;
    std::vector<std::string> dim_names = default_dims;
    dim_names.insert(dim_names.end(), extra_dims.begin(), extra_dims.end());
    out.group = file.createGroup(name);
    // The year axis grows by one census at a time.
    const hsize_t zero = 0, unlimited = H5S_UNLIMITED, year_chunk = 64;
    H5::DSetCreatPropList year_props;
    year_props.setChunk(1, &year_chunk);
    out.year =
        out.group.createDataSet("year", H5::PredType::STD_I32LE, H5::DataSpace(1, &zero, &unlimited), year_props);
    H5DSset_scale(out.year.getId(), "year");
    text_attribute(out.year, "long_name", "census year (stock at the census month; flows of the 12 months up to it)");
    text_attribute(out.year, "units", "year");
    write_v2_group_attributes(out.group, s);

    std::map<std::string, H5::DataSet> scales;
    for (const auto& dim : dim_names) {
      if (dim == "status") {
        std::vector<std::string> labels;
        for (const auto& x : s.statuses) labels.push_back(x.name);
        scales[dim] = string_scale(out.group, dim, labels);
        text_attribute(scales[dim], "long_name", "residence status");
        out.dims.push_back({dim, labels.size()});
      } else if (dim == "field") {
        std::vector<std::string> labels;
        for (const auto& x : s.fields) labels.push_back(x.name);
        scales[dim] = string_scale(out.group, dim, labels);
        text_attribute(scales[dim], "long_name", "field of work");
        out.dims.push_back({dim, labels.size()});
      } else if (dim == "origin") {
        std::vector<std::string> labels;
        for (const auto& x : s.origins) labels.push_back(x.name);
        scales[dim] = string_scale(out.group, dim, labels);
        text_attribute(scales[dim], "long_name", "country of origin");
        out.dims.push_back({dim, labels.size()});
      } else if (dim == "prefecture" || dim == "municipality") {
        std::vector<int> codes;
        std::vector<std::string> names;
        if (dim == "prefecture") {
          for (const auto& p : s.prefectures) codes.push_back(p.code), names.push_back(p.name);
        } else {
          for (const auto& m : s.municipalities) codes.push_back(m.code), names.push_back(m.name);
        }
        scales[dim] = code_scale(out.group, dim, codes);
        text_attribute(scales[dim], "long_name",
                       dim == "prefecture" ? "prefecture JIS code" : "municipality code (LG code, 5 digits)");
        out.dims.push_back({dim, codes.size()});
        const H5::StrType type = text_type();
        const hsize_t size = names.size();
        H5::DataSet label = out.group.createDataSet(dim + "_name", type, H5::DataSpace(1, &size));
        std::vector<const char*> pointers;
        for (const auto& l : names) pointers.push_back(l.c_str());
        label.write(pointers.data(), type);
        H5DSattach_scale(label.getId(), scales[dim].getId(), 0);
        text_attribute(label, "long_name", dim + " name");
        if (dim == "municipality") write_municipality_positions(out.group, scales[dim], s);
      }
    }
    out.scales = scales;
    groups[name] = std::move(out);
  }

  H5::DataSet& measure_dataset(const std::string& group_name, const Measure& m) {
    Group& g = groups.at(group_name);
    auto it = g.measures.find(m.name);
    if (it != g.measures.end()) return it->second;
    const auto dims = g.of(m);
    const std::size_t rank = dims.size() + 1;
    std::vector<hsize_t> current(rank), maximum(rank), chunk(rank);
    current[0] = 0;
    maximum[0] = H5S_UNLIMITED;
    chunk[0] = 1;  // one chunk per year
    for (std::size_t k = 0; k < dims.size(); ++k) current[k + 1] = maximum[k + 1] = chunk[k + 1] = dims[k].size;
    H5::DSetCreatPropList props;
    props.setChunk(static_cast<int>(rank), chunk.data());
    if (compression > 0) {
      props.setShuffle();
      props.setDeflate(compression);
    }
    const bool real = m.counts.empty() && !m.reals.empty();
    const H5::PredType& type = real ? H5::PredType::IEEE_F64LE : H5::PredType::STD_I64LE;
    if (real) {
      const double fill = 0.0;
      props.setFillValue(H5::PredType::NATIVE_DOUBLE, &fill);
    } else {
      const std::int64_t fill = 0;
      props.setFillValue(H5::PredType::NATIVE_INT64, &fill);
    }
    H5::DataSet ds = g.group.createDataSet(
        m.name, type, H5::DataSpace(static_cast<int>(rank), current.data(), maximum.data()), props);
    text_attribute(ds, "long_name", m.description);
    text_attribute(ds, "units", detail::cf_units(m.units));
    const auto coordinates = detail::cf_coordinates(group_name);
    if (!coordinates.empty()) text_attribute(ds, "coordinates", coordinates);
    H5DSattach_scale(ds.getId(), g.year.getId(), 0);
    for (std::size_t k = 0; k < dims.size(); ++k)
      H5DSattach_scale(ds.getId(), g.scales.at(dims[k].name).getId(), static_cast<unsigned>(k + 1));
    return g.measures.emplace(m.name, ds).first->second;
  }

  void append_year(const std::string& group_name, int year, const std::vector<Measure>& measures) {
    Group& g = groups.at(group_name);
    const hsize_t next = years_written + 1;
    g.year.extend(&next);
    {
      H5::DataSpace space = g.year.getSpace();
      const hsize_t start = years_written, count = 1;
      space.selectHyperslab(H5S_SELECT_SET, &count, &start);
      H5::DataSpace memory(1, &count);
      g.year.write(&year, H5::PredType::NATIVE_INT, memory, space);
    }
    for (const auto& m : measures) {
      H5::DataSet& ds = measure_dataset(group_name, m);
      const auto dims = g.of(m);
      const std::size_t rank = dims.size() + 1;
      std::vector<hsize_t> size(rank), start(rank, 0), count(rank);
      size[0] = next;
      count[0] = 1;
      start[0] = years_written;
      for (std::size_t k = 0; k < dims.size(); ++k) size[k + 1] = count[k + 1] = dims[k].size;
      ds.extend(size.data());
      H5::DataSpace space = ds.getSpace();
      space.selectHyperslab(H5S_SELECT_SET, count.data(), start.data());
      H5::DataSpace memory(static_cast<int>(rank), count.data());
      if (m.counts.empty() && !m.reals.empty())
        ds.write(m.reals.data(), H5::PredType::NATIVE_DOUBLE, memory, space);
      else
        ds.write(m.counts.data(), H5::PredType::NATIVE_INT64, memory, space);
    }
  }

  // Closes every object, then the (in-memory) file.
  void close_all() {
    groups.clear();
    file.close();
  }

  // Releases the file and removes the temporary one (a run that failed, or a writer never finished).
  void discard() {
    try {
      close_all();
    } catch (const H5::Exception&) {  // the run has already failed; the file goes
    }
    if (temp_descriptor >= 0) ::close(temp_descriptor);
    temp_descriptor = -1;
    std::error_code ignored;
    std::filesystem::remove(temp_path, ignored);
  }

  [[noreturn]] void fail_writing(const std::string& reason) const {
    throw OutputError("cannot write " + final_path + ": " + reason);
  }

  // The finished image to the temporary file, on disk before the rename that publishes it.
  void write_image(const std::vector<char>& image) const {
    for (std::size_t done = 0; done < image.size();) {
      const ssize_t n = ::write(temp_descriptor, image.data() + done, image.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) fail_writing(std::strerror(n < 0 ? errno : EIO));
      done += static_cast<std::size_t>(n);
    }
    if (::fsync(temp_descriptor) != 0) fail_writing(std::strerror(errno));
  }
};

Hdf5Writer::Hdf5Writer(const std::string& path, const Scenario& s, int threads) : impl_(std::make_unique<Impl>()) {
  record_hdf5_failures();
  impl_->final_path = path;
  impl_->temp_path = path + ".tmp-" + std::to_string(::getpid());
  impl_->compression = s.output.compression_level;
  impl_->interrupt_cleanup.emplace(impl_->temp_path);  // before the file exists: no moment unguarded
  // Created now, so that an output that cannot be written is refused before the run.
  impl_->temp_descriptor = ::open(impl_->temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (impl_->temp_descriptor < 0)
    throw InputError({"command line", 0, 0}, "-o",
                     "cannot create the output file's temporary '" + impl_->temp_path + "': " + std::strerror(errno));
  try {
    H5::FileAccPropList in_memory;
    in_memory.setCore(kImageIncrementBytes, false);
    impl_->file = H5::H5File(impl_->temp_path, H5F_ACC_TRUNC, H5::FileCreatPropList::DEFAULT, in_memory);
    H5::Group root = impl_->file.openGroup("/");
    number_attribute(root, "format_version", H5::PredType::STD_I32LE, kFormatVersion);
    text_attribute(root, "migsim_version", version());
    text_attribute(root, "scenario_yaml", s.resolved_yaml);
    text_attribute(root, "scenario_name", s.name);
    text_attribute(root, "scenario_file", s.source_file);
    number_attribute(root, "seed", H5::PredType::STD_U64LE, s.seed);
    number_attribute(root, "threads", H5::PredType::STD_I32LE, threads);
    number_attribute(root, "scale", H5::PredType::IEEE_F64LE, s.scale);
    number_attribute(root, "persons_per_agent", H5::PredType::STD_I64LE, s.persons_per_agent());
    const std::string now = utc_now();
    text_attribute(root, "created", now);
    text_attribute(root, "start_time", now);
    write_v2_root_attributes(root, s, now);
    if (s.output.national) impl_->make_group("national", s, {"status", "field", "origin"});
    if (s.output.prefecture) impl_->make_group("prefecture", s, {"prefecture", "status", "field"});
    if (s.output.municipality) impl_->make_group("municipality", s, {"municipality"}, {"origin"});
    if (s.output.labour_market) impl_->make_group("labour_market", s, {"prefecture", "field"});
  } catch (const H5::Exception& e) {
    const std::string reason = failure_reason(e);
    impl_->discard();  // no destructor runs for a writer whose constructor throws
    impl_->fail_writing(reason);
  }
}

Hdf5Writer::~Hdf5Writer() {
  if (impl_->committed) return;
  record_hdf5_failures();
  impl_->discard();
}

void Hdf5Writer::write_year(const YearOutput& year) {
  record_hdf5_failures();  // this may be another thread than the one that made the writer
  try {
    if (impl_->groups.count("national")) impl_->append_year("national", year.year, year.national);
    if (impl_->groups.count("prefecture")) impl_->append_year("prefecture", year.year, year.prefecture);
    if (impl_->groups.count("municipality")) impl_->append_year("municipality", year.year, year.municipality);
    if (impl_->groups.count("labour_market")) impl_->append_year("labour_market", year.year, year.labour_market);
  } catch (const H5::Exception& e) {
    impl_->fail_writing(failure_reason(e));
  }
  ++impl_->years_written;
}

void Hdf5Writer::commit() {
  record_hdf5_failures();
  std::vector<char> image;
  try {
    H5::Group root = impl_->file.openGroup("/");
    text_attribute(root, "end_time", utc_now());
    root.close();
    impl_->groups.clear();
    impl_->file.flush(H5F_SCOPE_GLOBAL);
    const ssize_t size = H5Fget_file_image(impl_->file.getId(), nullptr, 0);
    if (size >= 0) image.resize(static_cast<std::size_t>(size));
    if (size < 0 || H5Fget_file_image(impl_->file.getId(), image.data(), image.size()) != size)
      impl_->fail_writing("cannot take the file's image from memory: " + last_failure_reason);
    impl_->close_all();
  } catch (const H5::Exception& e) {
    impl_->fail_writing(failure_reason(e));
  }
  impl_->write_image(image);
  if (::close(impl_->temp_descriptor) != 0) {
    impl_->temp_descriptor = -1;
    impl_->fail_writing(std::strerror(errno));
  }
  impl_->temp_descriptor = -1;
  std::error_code error;
  std::filesystem::rename(impl_->temp_path, impl_->final_path, error);
  if (error)
    impl_->fail_writing("cannot rename the finished temporary file '" + impl_->temp_path +
                        "' to it: " + error.message());
  impl_->committed = true;
}

std::vector<std::string> remove_abandoned_temporaries(const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path output(path);
  const fs::path folder = output.parent_path().empty() ? fs::path(".") : output.parent_path();
  const std::string prefix = output.filename().string() + ".tmp-";
  std::vector<std::string> removed;
  std::error_code error;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string digits = name.substr(prefix.size());
    if (digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
      continue;
    const auto pid = static_cast<pid_t>(std::stol(digits));
    // Only a process that no longer exists: a live one (this run, or another writing the same
    // name) keeps its file.
    if (pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH) continue;
    std::error_code ignored;
    if (fs::remove(it->path(), ignored)) removed.push_back((output.parent_path() / name).string());
  }
  return removed;
}

std::string describe_output_file(const std::string& path) {
  record_hdf5_failures();
  std::ostringstream out;
  try {
    H5::H5File file(path, H5F_ACC_RDONLY);
    H5::Group root = file.openGroup("/");
    auto text = [&](const char* name) {
      if (!root.attrExists(name)) return std::string("(missing)");
      H5::Attribute a = root.openAttribute(name);
      std::string value;
      a.read(a.getStrType(), value);
      return value;
    };
    auto integer = [&](const char* name) {
      if (!root.attrExists(name)) return std::int64_t{-1};
      std::int64_t value = 0;
      root.openAttribute(name).read(H5::PredType::NATIVE_INT64, &value);
      return value;
    };
    double scale = 0;
    if (root.attrExists("scale")) root.openAttribute("scale").read(H5::PredType::NATIVE_DOUBLE, &scale);
    if (!root.attrExists("format_version"))
      throw InputError({path, 0, 0}, "", "not a migsim output file (no format_version attribute)");
    out << "file            " << path << "\n"
        << "format_version  " << integer("format_version") << "\n"
        << "migsim_version  " << text("migsim_version") << "\n"
        << "scenario        " << text("scenario_name") << " (" << text("scenario_file") << ")\n"
        << "seed            " << integer("seed") << "\n"
        << "threads         " << integer("threads") << "\n"
        << "scale           " << scale << "\n"
        << "created         " << text("created") << "  ended " << text("end_time") << "\n";
    for (const char* group_name : {"national", "prefecture", "municipality", "labour_market"}) {
      if (!file.nameExists(group_name)) continue;
      H5::Group g = file.openGroup(group_name);
      out << "group " << group_name << ":";
      for (hsize_t k = 0; k < g.getNumObjs(); ++k) {
        const std::string name = g.getObjnameByIdx(k);
        H5::DataSet ds = g.openDataSet(name);
        H5::DataSpace space = ds.getSpace();
        std::vector<hsize_t> dims(static_cast<std::size_t>(space.getSimpleExtentNdims()));
        space.getSimpleExtentDims(dims.data());
        if (dims.size() < 2) continue;
        out << " " << name << "(";
        for (std::size_t q = 0; q < dims.size(); ++q) out << (q ? "x" : "") << dims[q];
        out << ")";
      }
      out << "\n";
    }
    if (file.nameExists("national")) {
      H5::Group g = file.openGroup("national");
      H5::DataSet years = g.openDataSet("year");
      H5::DataSet stock = g.openDataSet("stock");
      H5::DataSpace space = stock.getSpace();
      std::vector<hsize_t> dims(static_cast<std::size_t>(space.getSimpleExtentNdims()));
      space.getSimpleExtentDims(dims.data());
      std::vector<int> year_values(dims[0]);
      years.read(year_values.data(), H5::PredType::NATIVE_INT);
      hsize_t cells = 1;
      for (std::size_t q = 1; q < dims.size(); ++q) cells *= dims[q];
      std::vector<std::int64_t> values(dims[0] * cells);
      stock.read(values.data(), H5::PredType::NATIVE_INT64);
      out << "national stock by year:";
      for (std::size_t y = 0; y < dims[0]; ++y) {
        std::int64_t total = 0;
        for (hsize_t c = 0; c < cells; ++c) total += values[y * cells + c];
        out << " " << year_values[y] << "=" << total;
      }
      out << "\n";
    }
  } catch (const H5::Exception& e) {
    throw InputError({path, 0, 0}, "", "cannot read as a migsim output file: " + failure_reason(e));
  }
  return out.str();
}

}  // namespace migsim
