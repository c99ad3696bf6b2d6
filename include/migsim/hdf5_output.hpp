// The HDF5 output file of DESIGN §5. Every HDF5 call of the project lives behind this interface.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "migsim/engine.hpp"
#include "migsim/scenario.hpp"

namespace migsim {

// 2: CF attributes, provenance on every group, the municipalities' positions (docs/output_format.md).
constexpr int kFormatVersion = 2;

// Writes to a temporary name beside `path`; commit() renames it to `path`. A writer destroyed
// without commit() removes the temporary file, so a failed run never leaves a half file and
// never touches an existing file at `path`.
class Hdf5Writer : public OutputSink {
 public:
  Hdf5Writer(const std::string& path, const Scenario& scenario, int threads);
  ~Hdf5Writer() override;
  Hdf5Writer(const Hdf5Writer&) = delete;
  Hdf5Writer& operator=(const Hdf5Writer&) = delete;

  void write_year(const YearOutput& year) override;
  void commit();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Removes the temporary files `path`.tmp-<pid> left by runs that were killed (SIGKILL, a crash)
// before they could clean up: those whose process no longer exists. Returns the paths removed.
std::vector<std::string> remove_abandoned_temporaries(const std::string& path);

// A short human summary of an output file (`migsim info`). Throws InputError if the file
// cannot be read as a migsim output.
std::string describe_output_file(const std::string& path);

}  // namespace migsim
