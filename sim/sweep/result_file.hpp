// The sweep result file (output contract v2, kind "sweep"; docs/sweeps.md): every group of a run
// file with a leading `run` dimension, and a group `runs` describing each run. A run's part
// (OUT.h5.parts/), a shard and the whole result are all files of this layout, each holding some
// of the runs, so one writer and one reader serve all three. Every HDF5 call of the sweep is here.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "migsim/engine.hpp"
#include "migsim/scenario.hpp"
#include "sweep/plan.hpp"

namespace migsim::sweep {

// What one run leaves: its status and, when it succeeded, its yearly cubes.
struct RunRecord {
  int index = 0;
  bool ok = true;
  std::string message;  // the error of a failed run
  double wall_seconds = 0;
  std::vector<YearOutput> years;  // the census years the sweep keeps
};

// Root attributes beyond the plan's and the scenario's.
struct ResultProvenance {
  std::string history;      // when and how the file was made
  int threads = 0;          // threads per run
  std::string table_files;  // JSON: key path -> {path, sha256}
};

class ResultWriter {
 public:
  // Writes `runs` (run indices of `plan`, in this order) to a temporary file beside `path`;
  // commit() renames it to `path`. Destroyed without commit(), it removes the temporary file.
  // `scenario` is run 0's: its labels and census years are every run's. `compressed`: deflated
  // at the scenario's compression level (a part, read once and removed, is not).
  ResultWriter(const std::string& path, const SweepPlan& plan, const Scenario& scenario,
               const ResultProvenance& provenance, std::vector<int> runs, bool compressed = true);
  ~ResultWriter();
  ResultWriter(const ResultWriter&) = delete;
  ResultWriter& operator=(const ResultWriter&) = delete;

  void write(const RunRecord& record);
  // Closes the file, flushes it to disk and renames it into place.
  void commit();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class ResultReader {
 public:
  // Throws InputError when `path` is not a sweep result of this layout.
  explicit ResultReader(const std::string& path);
  ~ResultReader();
  ResultReader(const ResultReader&) = delete;
  ResultReader& operator=(const ResultReader&) = delete;

  std::string text_attribute(const std::string& name) const;  // "" when absent
  const std::vector<int>& runs() const;                       // the run indices, by row
  bool ok(std::size_t row) const;                             // whether that run succeeded
  RunRecord read(std::size_t row) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace migsim::sweep
