#include "sweep/sweep_command.hpp"

#include <tbb/info.h>

#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>
#include <sstream>
#include <thread>

#include "io/cf_metadata.hpp"
#include "interrupt.hpp"
#include "migsim/engine.hpp"
#include "migsim/error.hpp"
#include "migsim/version.hpp"
#include "sweep/mpi_dispatch.hpp"
#include "sweep/plan.hpp"
#include "sweep/result_file.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace migsim::sweep {

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void bad_command_line(const std::string& key, const std::string& expected) {
  throw InputError({"command line", 0, 0}, key, expected);
}

std::string clock_text(double seconds) {
  const auto s = static_cast<long>(seconds + 0.5);
  char text[32];
  std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  return text;
}

using detail::utc_now;

// NAME.shard-K-of-N.EXT for the result NAME.EXT, K and N whole numbers.
bool is_shard_name(const std::string& file, const fs::path& result) {
  const std::string head = result.stem().string() + ".shard-", tail = result.extension().string();
  if (file.size() < head.size() + tail.size() || file.compare(0, head.size(), head) != 0 ||
      file.compare(file.size() - tail.size(), tail.size(), tail) != 0)
    return false;
  const std::string middle = file.substr(head.size(), file.size() - head.size() - tail.size());
  const auto of = middle.find("-of-");
  auto digits = [](const std::string& text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  return of != std::string::npos && digits(middle.substr(0, of)) && digits(middle.substr(of + 4));
}


std::string history_line(const std::string& command, const std::vector<std::string>& args) {
  std::string line = utc_now() + " migsim " + std::string(version()) + " " + command;
  for (const auto& a : args) line += " " + a;
  return line;
}

// Which block of the runs this process computes: shard K of N (1-based), or all of them.
struct Shard {
  int number = 1, count = 1;
  bool active() const { return count > 1 || number > 1; }
  std::pair<int, int> block(int runs) const {  // [first, last)
    const auto begin = static_cast<int>(static_cast<long long>(runs) * (number - 1) / count);
    const auto end = static_cast<int>(static_cast<long long>(runs) * number / count);
    return {begin, end};
  }
};

std::optional<Shard> parse_shard(const std::string& text) {
  Shard s;
  char slash = 0;
  std::istringstream in(text);
  if (!(in >> s.number >> slash >> s.count) || slash != '/' || !in.eof() || s.count < 1 || s.number < 1 ||
      s.number > s.count)
    return std::nullopt;
  return s;
}

// --shard K/N, else a Slurm array task's place in its array, else all runs.
Shard shard_from(const po::variables_map& vm) {
  if (vm.count("shard")) {
    const auto s = parse_shard(vm["shard"].as<std::string>());
    if (!s) bad_command_line("--shard", "expected K/N with 1 <= K <= N, e.g. --shard 2/8");
    return *s;
  }
  const char* id = std::getenv("SLURM_ARRAY_TASK_ID");
  const char* count = std::getenv("SLURM_ARRAY_TASK_COUNT");
  if (!id || !count) return {};
  const char* min = std::getenv("SLURM_ARRAY_TASK_MIN");
  const int number = std::atoi(id) - (min ? std::atoi(min) : 0) + 1;
  const auto s = parse_shard(std::to_string(number) + "/" + count);
  if (!s)
    bad_command_line("SLURM_ARRAY_TASK_ID", "expected array task ids " + std::string(min ? min : "0") + ".. to count " +
                                                count + " tasks, got task " + id);
  return *s;
}

std::string shard_path(const std::string& output, const Shard& shard) {
  fs::path p(output);
  char suffix[48];
  std::snprintf(suffix, sizeof suffix, ".shard-%d-of-%d", shard.number, shard.count);
  return (p.parent_path() / (p.stem().string() + suffix + p.extension().string())).string();
}

std::string part_path(const std::string& parts, int run) {
  char name[32];
  std::snprintf(name, sizeof name, "run-%07d.h5", run);
  return (fs::path(parts) / name).string();
}

// The parts folder's manifest: which migsim and which sweep file its parts belong to.
std::string manifest_text(const SweepPlan& plan, const Shard& shard) {
  return "migsim_version: " + std::string(version()) + "\nsweep_sha256: " + plan.sweep_hash() +
         "\nrun_count: " + std::to_string(plan.run_count()) + "\nshard: " + std::to_string(shard.number) + "/" +
         std::to_string(shard.count) + "\n";
}

void write_atomically(const std::string& path, const std::string& text) {
  const std::string temp = path + ".tmp-" + std::to_string(::getpid());
  TemporaryFileGuard guard(temp);
  {
    std::ofstream out(temp, std::ios::binary);
    out << text;
    if (!out.flush()) throw std::runtime_error("cannot write " + temp);
  }
  fs::rename(temp, path);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// Runs one run of the plan into a record; a failure is recorded, never thrown.
RunRecord execute(const SweepPlan& plan, const SweepScenarios& scenarios, int index, int threads) {
  const auto started = Clock::now();
  RunRecord record;
  record.index = index;
  try {
    const Scenario s = scenarios.resolve(plan.run(index));
    Engine engine(s);
    CollectingSink sink;
    RunOptions options;
    options.threads = threads;
    engine.run(sink, options);
    const auto& keep = plan.spec().years;
    for (auto& y : sink.years)
      if (keep.empty() || std::find(keep.begin(), keep.end(), y.year) != keep.end())
        record.years.push_back(std::move(y));
  } catch (const std::exception& e) {
    record.ok = false;
    record.message = e.what();
    record.years.clear();
  }
  record.wall_seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return record;
}

// The runs still to do, handed out one at a time, and the progress lines.
class Progress {
 public:
  Progress(std::vector<int> pending, int total, int already_done, int already_failed)
      : pending_(std::move(pending)),
        total_(total),
        done_(already_done),
        failed_(already_failed),
        started_(Clock::now()),
        done_at_start_(already_done) {}

  int next() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (taken_ >= pending_.size()) return -1;
    return pending_[taken_++];
  }

  void finished(bool ok) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++done_;
    if (!ok) ++failed_;
    const double elapsed = std::chrono::duration<double>(Clock::now() - started_).count();
    const int done_here = done_ - done_at_start_;
    const double left = done_here > 0 ? elapsed / done_here * (total_ - done_) : 0;
    // One plain line per run: it reads the same in a log file as on a terminal.
    std::fprintf(stderr, "sweep: %d/%d runs done, %d failed, %s elapsed, about %s left\n", done_, total_, failed_,
                 clock_text(elapsed).c_str(), clock_text(left).c_str());
    std::fflush(stderr);
  }

  int failed() const { return failed_; }

 private:
  std::mutex mutex_;
  std::vector<int> pending_;
  std::size_t taken_ = 0;
  int total_, done_, failed_;
  Clock::time_point started_;
  int done_at_start_;
};

struct Context {
  const SweepPlan& plan;
  const SweepScenarios& scenarios;
  const Scenario& first;
  ResultProvenance provenance;
  std::string parts;
  int threads = 1;
};

// Runs `index` and writes its part atomically; returns whether the run succeeded.
bool run_into_part(const Context& c, int index) {
  const RunRecord record = execute(c.plan, c.scenarios, index, c.threads);
  ResultWriter part(part_path(c.parts, index), c.plan, c.first, c.provenance, {index}, false);
  part.write(record);
  part.commit();
  return record.ok;
}

void run_locally(const Context& c, Progress& progress, int jobs) {
  std::vector<std::thread> workers;
  std::exception_ptr failure;
  std::mutex failure_mutex;
  for (int j = 0; j < jobs; ++j)
    workers.emplace_back([&] {
      try {
        for (int index = progress.next(); index >= 0; index = progress.next())
          progress.finished(run_into_part(c, index));
      } catch (...) {  // a part that cannot be written: stop this worker, report after the others
        std::lock_guard<std::mutex> lock(failure_mutex);
        if (!failure) failure = std::current_exception();
      }
    });
  for (auto& w : workers) w.join();
  if (failure) std::rethrow_exception(failure);
}

// Reads every run of `runs` from the files that hold them and writes the result atomically.
// Returns the number of failed runs.
int assemble(const std::string& output, const Context& c, const std::vector<int>& runs,
             const std::function<RunRecord(int)>& record_of) {
  ResultWriter writer(output, c.plan, c.first, c.provenance, runs);
  int failed = 0;
  for (int index : runs) {
    const RunRecord record = record_of(index);
    if (!record.ok) ++failed;
    writer.write(record);
  }
  writer.commit();
  return failed;
}

void print_plan(const SweepPlan& plan, const SweepScenarios& scenarios, const Scenario& first, int jobs, int threads,
                bool pilot) {
  const auto& spec = plan.spec();
  std::cout << "sweep " << spec.path << ": valid. base " << spec.base << " (" << first.name << "), "
            << spec.variants.size() << " variant(s) x " << plan.point_count() << " point(s) x " << spec.replicates
            << " replicate(s) = " << plan.run_count() << " runs\n"
            << "design " << to_string(spec.design);
  if (spec.design != DesignType::grid) std::cout << ", samples " << spec.samples;
  std::cout << ", " << spec.factors.size() << " factor(s)";
  for (const auto& f : spec.factors) {
    std::cout << "\n  " << f.name;
    if (f.multiplier) {
      std::cout << " (multiplies";
      for (const auto& p : f.key_paths) std::cout << " " << p;
      std::cout << ")";
    }
    if (f.scale == FactorScale::grid) {
      std::cout << ": values";
      for (double v : f.values) std::cout << " " << shortest(v);
    } else {
      std::cout << ": " << shortest(f.min) << " to " << shortest(f.max) << " (" << to_string(f.scale) << ")";
    }
  }
  std::cout << "\nseed " << spec.seed << " (replicate r runs with the same seed at every point and variant)\n"
            << "first runs:\n";
  for (int index = 0; index < std::min(plan.run_count(), 5); ++index) {
    const auto run = plan.run(index);
    std::cout << "  run " << index << ": variant " << spec.variants[static_cast<std::size_t>(run.variant)].name
              << ", point " << run.point << ", replicate " << run.replicate << ":";
    for (const auto& o : scenarios.overrides(run)) std::cout << " --set " << o;
    std::cout << "\n";
  }
  if (!pilot) return;
  const auto started = Clock::now();
  const RunRecord record = execute(plan, scenarios, 0, threads);
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  const double estimate = seconds * plan.run_count() / jobs;
  std::cout << "pilot run 0: " << (record.ok ? "ok" : "failed: " + record.message) << " in " << std::fixed
            << std::setprecision(1) << seconds << " s; estimate for " << plan.run_count() << " runs with " << jobs
            << " job(s) of " << threads << " thread(s): " << clock_text(estimate) << "\n";
}

}  // namespace

int command_sweep(const std::vector<std::string>& args) {
  po::options_description options(
      "migsim sweep SWEEP.yaml -o OUT.h5 [--jobs N] [--threads T] [--resume] [--plan] [--shard K/N] [--merge]\n\n"
      "Runs a scenario over the variants, design points and replicates of a sweep file and writes one\n"
      "result file (docs/sweeps.md). Exit status: 0 all runs succeeded, 3 some failed (recorded), 2 bad input.\n"
      "options");
  options.add_options()("help,h", "show this help")("output,o", po::value<std::string>(), "result file")(
      "jobs", po::value<int>()->default_value(0), "runs at once (0: the cores / threads; 1 per rank under mpirun)")(
      "threads", po::value<int>()->default_value(1), "threads per run; results do not depend on it")(
      "resume", "continue an interrupted sweep: run only the runs its parts folder does not hold")(
      "plan", "print the run count, the design and the first runs, time a pilot run, and exit")(
      "no-pilot", "with --plan: no pilot run")(
      "shard", po::value<std::string>(),
      "run block K of N of the runs into OUT.shard-K-of-N.h5 (default from SLURM_ARRAY_TASK_ID/COUNT)")(
      "merge", "join the shard files OUT.shard-*-of-N.h5 into OUT.h5")("sweep", po::value<std::string>(), "sweep file");
  po::positional_options_description positional;
  positional.add("sweep", 1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(options).positional(positional).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << options << "\n";
    return 0;
  }
  install_interrupt_handlers();

  std::optional<MpiSession> mpi;
  if (launched_by_mpi()) mpi.emplace();
  const int rank = mpi ? mpi->rank() : 0;
  // Under mpirun rank 0 checks everything first; the other ranks wait for its word.
  auto everyone_agrees = [&](int code) { return mpi ? mpi->broadcast(code) : code; };

  int setup_code = -1;
  std::optional<SweepPlan> plan;
  std::optional<SweepScenarios> scenarios;
  Scenario first;
  std::string output, parts;
  Shard shard;
  int jobs = 1, threads = 1;
  std::vector<int> block_runs, pending;
  int done_before = 0, failed_before = 0;
  try {
    if (!vm.count("sweep")) bad_command_line("", "expected a sweep file: migsim sweep SWEEP.yaml -o OUT.h5");
    threads = vm["threads"].as<int>();
    if (threads < 1 || threads > 1024) bad_command_line("--threads", "expected a number of threads from 1 to 1024");
    jobs = vm["jobs"].as<int>();
    if (jobs < 0 || jobs > 1024) bad_command_line("--jobs", "expected a number of jobs from 0 to 1024");
    if (jobs == 0) jobs = mpi ? 1 : std::max(1, tbb::info::default_concurrency() / threads);
    shard = shard_from(vm);
    if (!vm.count("plan")) {
      if (!vm.count("output")) bad_command_line("-o", "expected a result file: -o OUT.h5");
      output = vm["output"].as<std::string>();
      const auto folder = fs::path(output).parent_path();
      if (!folder.empty() && !fs::is_directory(folder))
        bad_command_line("-o",
                         "expected a result file in an existing folder, but '" + folder.string() + "' is not one");
      if (vm.count("merge") && (vm.count("resume") || vm.count("shard")))
        bad_command_line("--merge", "--merge joins finished shards: it takes no --resume or --shard");
    }
    plan.emplace(read_sweep_file(vm["sweep"].as<std::string>()));
    scenarios.emplace(*plan);
    if (rank == 0)
      first = validate_plan(*plan, *scenarios);  // every run's scenario checked before any runs
    else
      first = scenarios->resolve(plan->run(0));
    if (vm.count("plan")) {
      if (rank == 0) print_plan(*plan, *scenarios, first, jobs, threads, !vm.count("no-pilot"));
      setup_code = 0;
    }
  } catch (const InputError& e) {
    if (rank == 0) std::cerr << "migsim: " << e.what() << "\n";
    setup_code = 2;
  }
  if (const int code = everyone_agrees(setup_code); code >= 0) return code;

  ResultProvenance provenance{history_line("sweep", args), threads, detail::table_files_json(first.table_files)};
  const std::string target = shard.active() ? shard_path(output, shard) : output;
  parts = target + ".parts";
  Context context{*plan, *scenarios, first, provenance, parts, threads};

  if (vm.count("merge")) {
    // The shard files beside OUT.h5, each holding its block of runs.
    std::map<int, std::pair<std::string, std::size_t>> holder;  // run -> (file, row)
    const fs::path p(output);
    std::vector<std::string> shards;
    for (const auto& entry : fs::directory_iterator(p.parent_path().empty() ? fs::path(".") : p.parent_path()))
      if (is_shard_name(entry.path().filename().string(), p)) shards.push_back(entry.path().string());
    std::sort(shards.begin(), shards.end());
    if (shards.empty())
      throw InputError(
          {"command line", 0, 0}, "--merge",
          "expected shard files " + shard_path(output, {1, 2}) + " and so on beside the result file; found none");
    for (const auto& file : shards) {
      ResultReader reader(file);
      if (reader.text_attribute("sweep_sha256") != plan->sweep_hash() ||
          reader.text_attribute("migsim_version") != version())
        throw InputError({file, 0, 0}, "", "this shard was written by another sweep file or another migsim version");
      for (std::size_t row = 0; row < reader.runs().size(); ++row) holder[reader.runs()[row]] = {file, row};
    }
    std::vector<int> all(static_cast<std::size_t>(plan->run_count()));
    std::iota(all.begin(), all.end(), 0);
    for (int index : all)
      if (!holder.count(index))
        throw InputError({"command line", 0, 0}, "--merge",
                         "run " + std::to_string(index) + " is in none of the " + std::to_string(shards.size()) +
                             " shard files: a shard is missing or unfinished");
    std::map<std::string, std::unique_ptr<ResultReader>> open;
    const int failed = assemble(output, context, all, [&](int index) {
      const auto& [file, row] = holder.at(index);
      auto& reader = open[file];
      if (!reader) reader = std::make_unique<ResultReader>(file);
      return reader->read(row);
    });
    std::cout << "merged " << shards.size() << " shard(s) into " << output << ": " << plan->run_count() << " runs, "
              << failed << " failed\n";
    return failed ? kSomeRunsFailed : 0;
  }

  if (rank == 0) {
    int code = -1;
    try {
      const auto [begin, end] = shard.block(plan->run_count());
      for (int index = begin; index < end; ++index) block_runs.push_back(index);
      const std::string manifest = manifest_text(*plan, shard);
      if (fs::exists(parts)) {
        if (!vm.count("resume"))
          throw InputError({parts, 0, 0}, "",
                           "an unfinished sweep's parts are here: continue it with --resume, or remove the folder");
        const auto manifest_path = (fs::path(parts) / "manifest").string();
        const bool no_parts = std::none_of(fs::directory_iterator(parts), fs::directory_iterator(), [](const auto& e) {
          return e.path().filename().string().rfind("run-", 0) == 0;
        });
        // Killed between making the folder and writing its manifest: nothing in it to keep.
        if (!fs::exists(manifest_path) && no_parts) write_atomically(manifest_path, manifest);
        if (read_file(manifest_path) != manifest)
          throw InputError({parts, 0, 0}, "",
                           "--resume refuses these parts: they were written by another sweep file, another "
                           "migsim version or another shard (see its manifest)");
      } else if (vm.count("resume") && fs::exists(target)) {
        ResultReader done(target);
        if (done.text_attribute("sweep_sha256") != plan->sweep_hash() ||
            done.text_attribute("migsim_version") != version())
          throw InputError({target, 0, 0}, "",
                           "--resume refuses this result: it was written by another sweep file or another migsim "
                           "version");
        int failed = 0;
        for (std::size_t row = 0; row < done.runs().size(); ++row) failed += done.ok(row) ? 0 : 1;
        std::cout << target << " is already complete: " << done.runs().size() << " runs, " << failed << " failed\n";
        code = failed ? kSomeRunsFailed : 0;
      } else {
        fs::create_directory(parts);
        write_atomically((fs::path(parts) / "manifest").string(), manifest);
      }
      if (code < 0) {
        for (int index : block_runs) {
          const auto part = part_path(parts, index);
          if (!fs::exists(part)) {
            pending.push_back(index);
          } else {
            ++done_before;
            if (!ResultReader(part).ok(0)) ++failed_before;
          }
        }
        // Temporary files of a process killed with -9: never a finished run, removed now.
        for (const auto& entry : fs::directory_iterator(parts))
          if (entry.path().filename().string().find(".tmp-") != std::string::npos) fs::remove(entry.path());
        if (done_before)
          std::fprintf(stderr, "sweep: resuming: %d of %zu runs already done, %zu to run\n", done_before,
                       block_runs.size(), pending.size());
      }
    } catch (const InputError& e) {
      std::cerr << "migsim: " << e.what() << "\n";
      code = 2;
    }
    if (everyone_agrees(code) >= 0) return code;
  } else {
    const int code = everyone_agrees(-1);
    if (code >= 0) return code;
  }

  if (mpi && rank != 0) {
    mpi->work([&](int index) { return run_into_part(context, index); });
    return 0;
  }
  Progress progress(pending, static_cast<int>(block_runs.size()), done_before, failed_before);
  if (mpi) {
    // Rank 0 serves the other ranks from its main thread while its own workers run.
    std::exception_ptr local_failure;
    std::thread local([&] {
      try {
        run_locally(context, progress, jobs);
      } catch (...) {
        local_failure = std::current_exception();
      }
    });
    mpi->serve([&] { return progress.next(); }, [&](int, bool ok) { progress.finished(ok); });
    local.join();
    if (local_failure) std::rethrow_exception(local_failure);
  } else {
    run_locally(context, progress, jobs);
  }

  const int failed = assemble(target, context, block_runs, [&](int index) {
    ResultReader reader(part_path(parts, index));
    return reader.read(0);
  });
  fs::remove_all(parts);
  std::cout << "wrote " << target << ": " << block_runs.size() << " runs, " << failed << " failed\n";
  return failed ? kSomeRunsFailed : 0;
}

int command_sweep_merge(const std::vector<std::string>& args) {
  std::vector<std::string> with_merge = args;
  if (std::find(args.begin(), args.end(), "--help") == args.end() &&
      std::find(args.begin(), args.end(), "-h") == args.end())
    with_merge.push_back("--merge");
  return command_sweep(with_merge);
}

}  // namespace migsim::sweep
