// migsim_bench: times the national scenario phase by phase, against a memory-bandwidth bound.
//
//   build/bench/migsim_bench [SCENARIO] [--size F] [--threads N] [--repeat R] [--scaling] [--quick]
//
// Runs SCENARIO (default scenarios/japan_baseline.yaml) with all outputs written to a temporary
// HDF5 file, with 2 threads and then 1, and prints per phase wall time, migrant-steps per second,
// a bandwidth reference measured in the same process (a read-modify-write stream over an array
// of as many bytes per agent as the migrant state) and the ratio, the peak resident memory
// and the 1 -> 2 thread speed-up. --size F runs a Japan F times as large (stock, applicants,
// establishments, caps and populations times F) at the same scale; --scaling prints the table
// for F = 0.1, 0.3, 1 and 3 (each size in its own process, so peak memory is its own);
// --quick is --size 0.1; --repeat R makes R runs of each thread count (each run at N threads
// followed by a bound of its own) and prints their medians and the range of the ratio.
#include <sys/resource.h>
#include <sys/wait.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <numeric>
#include <string>
#include <vector>

#include "migrants/population.hpp"
#include "migsim/engine.hpp"
#include "migsim/error.hpp"
#include "migsim/hdf5_output.hpp"
#include "migsim/scenario_io.hpp"

namespace {

using namespace migsim;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

double peak_rss_gib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / (1024.0 * 1024.0);  // ru_maxrss is in KiB
}

// Bytes of state per agent: every migrant array (what a pass that visited every agent every
// month would stream; the event-driven month reads less, so this is the generous reference).
std::size_t bytes_per_agent() {
  MigrantStore store;
  std::size_t bytes = 0;
  store.for_each_array([&](auto& array) { bytes += sizeof(typename std::decay_t<decltype(array)>::value_type); });
  return bytes;
}

// Agent-steps per second if each step only streamed its agent's bytes once, read and written:
// the best a memory-bound monthly pass over the agents could do on this machine.
double bandwidth_bound(std::size_t agents, int threads) {
  const std::size_t bytes = agents * bytes_per_agent();
  std::vector<std::uint64_t> data(bytes / sizeof(std::uint64_t) + 1, 1);
  tbb::task_arena arena(threads);
  double best = 0;
  for (int repeat = 0; repeat < 5; ++repeat) {
    const auto start = Clock::now();
    arena.execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, data.size(), 1 << 16), [&](const auto& range) {
        for (std::size_t i = range.begin(); i < range.end(); ++i) data[i] = data[i] * 3 + 1;
      });
    });
    best = std::max(best, static_cast<double>(agents) / seconds_since(start));
  }
  volatile std::uint64_t keep = data[data.size() / 2];  // the stream must not be optimised away
  (void)keep;
  return best;
}

// A Japan `factor` times as large at the same scale (only for benchmarking).
void resize(Scenario& s, double factor) {
  if (factor == 1.0) return;
  for (auto& cell : s.initial_stock)
    cell.persons = static_cast<std::int64_t>(std::llround(static_cast<double>(cell.persons) * factor));
  for (auto& o : s.origins) o.applicants_per_year *= factor;
  for (auto& e : s.employers.establishments)
    e.establishments = static_cast<std::int64_t>(std::llround(static_cast<double>(e.establishments) * factor));
  for (auto& c : s.caps)
    c.limit_persons = static_cast<std::int64_t>(std::llround(static_cast<double>(c.limit_persons) * factor));
  for (auto& m : s.municipalities)
    m.population = static_cast<std::int64_t>(std::llround(static_cast<double>(m.population) * factor));
}

struct Result {
  double wall = 0;
  PhaseTimes phases;
};

Result run_once(const Scenario& s, int threads) {
  const auto file = std::filesystem::temp_directory_path() / ("migsim_bench_" + std::to_string(::getpid()) + ".h5");
  Result r;
  const auto start = Clock::now();
  {
    Engine engine(s);
    Hdf5Writer writer(file.string(), s, threads);
    RunOptions options;
    options.threads = threads;
    options.timings = &r.phases;
    engine.run(writer, options);
    writer.commit();
  }
  r.wall = seconds_since(start);
  std::filesystem::remove(file);
  return r;
}

void print_phases(const char* label, const Result& r) {
  const auto& p = r.phases;
  std::printf("%-10s %8.2f %7.2f %9.2f %9.2f %10.2f %15.2f %8.2f   %6.1f M/s\n", label, r.wall, p.setup, p.migrants,
              p.matching, p.employers, p.municipalities, p.output, static_cast<double>(p.migrant_steps) / r.wall / 1e6);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double simulation_seconds(const PhaseTimes& p) {
  return p.setup + p.migrants + p.matching + p.employers + p.municipalities;
}

// The timed runs, `repeats` of them at `threads` threads then as many at 1; each run at
// `threads` followed by a bound of its own, so that run and bound are measured in the same spell
// of the (shared, virtual) machine.
int bench(const std::string& path, double size, int threads, int repeats) {
  Scenario s = load_scenario({path, {}});
  resize(s, size);
  std::int64_t persons = 0;
  for (const auto& cell : s.initial_stock) persons += cell.persons;
  std::printf("scenario %s x %.2g: %lld persons at the start, scale %g, %d months, %zu bytes of state per agent\n",
              s.name.c_str(), size, static_cast<long long>(persons), s.scale, s.end - s.start, bytes_per_agent());
  std::printf("%-10s %8s %7s %9s %9s %10s %15s %8s   %s\n", "threads", "wall s", "set-up", "migrants", "matching",
              "employers", "municipalities", "output", "migrant-steps");
  const std::string label = std::to_string(threads) + " thr";
  std::vector<double> walls, sims, achieved, bounds, ratios, walls_one, sims_one;
  double peak = 0;
  for (int k = 0; k < repeats; ++k) {
    const Result many = run_once(s, threads);
    print_phases(label.c_str(), many);
    if (k == 0) peak = peak_rss_gib();  // before any bound's array is allocated
    const auto mean_agents =
        static_cast<std::size_t>(many.phases.migrant_steps / std::max<std::int64_t>(1, s.end - s.start));
    bounds.push_back(bandwidth_bound(std::max<std::size_t>(mean_agents, 1 << 20), threads));
    achieved.push_back(static_cast<double>(many.phases.migrant_steps) / many.wall);
    ratios.push_back(achieved.back() / bounds.back());
    walls.push_back(many.wall);
    sims.push_back(simulation_seconds(many.phases));
  }
  for (int k = 0; k < repeats && threads > 1; ++k) {
    const Result one = run_once(s, 1);
    print_phases("1 thr", one);
    walls_one.push_back(one.wall);
    sims_one.push_back(simulation_seconds(one.phases));
  }
  if (threads == 1) walls_one = walls, sims_one = sims;
  if (repeats == 1) {
    std::printf("migrant-steps/s %.1f M (%d threads, whole run); bandwidth bound %.1f M agent-steps/s; ratio %.1f %%\n",
                achieved.front() / 1e6, threads, bounds.front() / 1e6, 100.0 * ratios.front());
  } else {
    for (int k = 0; k < repeats; ++k)
      std::printf("run %d: migrant-steps/s %.1f M; bandwidth bound after it %.1f M agent-steps/s; ratio %.1f %%\n",
                  k + 1, achieved[static_cast<std::size_t>(k)] / 1e6, bounds[static_cast<std::size_t>(k)] / 1e6,
                  100.0 * ratios[static_cast<std::size_t>(k)]);
    std::printf(
        "median of %d runs at %d threads: wall %.2f s, migrant-steps/s %.1f M, ratio %.1f %% (%.1f to %.1f %%)\n",
        repeats, threads, median(walls), median(achieved) / 1e6, 100.0 * median(ratios),
        100.0 * *std::min_element(ratios.begin(), ratios.end()),
        100.0 * *std::max_element(ratios.begin(), ratios.end()));
  }
  std::printf("speed-up 1 -> %d threads: %.2fx on the simulation phases, %.2fx on the whole run%s\n", threads,
              median(sims_one) / median(sims), median(walls_one) / median(walls), repeats > 1 ? " (medians)" : "");
  std::printf("peak resident memory %.2f GiB\n", peak);
  return 0;
}

// Each size in a child process, so each peak memory is its own.
int scaling(const std::string& path, int threads) {
  std::printf("%-6s %12s %10s %12s %14s\n", "size", "persons", "wall s", "peak GiB", "steps/s");
  for (const double size : {0.1, 0.3, 1.0, 3.0}) {
    std::fflush(stdout);
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0) return 1;
    const pid_t child = ::fork();
    if (child == 0) {
      ::close(pipe_fds[0]);
      Scenario s = load_scenario({path, {}});
      resize(s, size);
      std::int64_t persons = 0;
      for (const auto& cell : s.initial_stock) persons += cell.persons;
      const Result r = run_once(s, threads);
      char line[256];
      const int n = std::snprintf(line, sizeof line, "%-6.1f %12lld %10.2f %12.2f %12.1f M\n", size,
                                  static_cast<long long>(persons), r.wall, peak_rss_gib(),
                                  static_cast<double>(r.phases.migrant_steps) / r.wall / 1e6);
      if (::write(pipe_fds[1], line, static_cast<std::size_t>(n)) != n) ::_exit(1);
      ::_exit(0);
    }
    ::close(pipe_fds[1]);
    char buffer[256];
    const auto got = ::read(pipe_fds[0], buffer, sizeof buffer - 1);
    ::close(pipe_fds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    if (got <= 0) return 1;
    buffer[got] = '\0';
    std::fputs(buffer, stdout);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path = "scenarios/japan_baseline.yaml";
  double size = 1.0;
  int threads = 2;
  int repeats = 1;
  bool table = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--size" && i + 1 < argc) {
      size = std::stod(argv[++i]);
    } else if (arg == "--threads" && i + 1 < argc) {
      threads = std::stoi(argv[++i]);
    } else if (arg == "--repeat" && i + 1 < argc) {
      repeats = std::max(1, std::stoi(argv[++i]));
    } else if (arg == "--quick") {
      size = 0.1;
    } else if (arg == "--scaling") {
      table = true;
    } else if (!arg.empty() && arg[0] != '-') {
      path = arg;
    } else {
      std::cerr << "usage: migsim_bench [SCENARIO] [--size F] [--threads N] [--repeat R] [--quick] [--scaling]\n";
      return 2;
    }
  }
  try {
    return table ? scaling(path, threads) : bench(path, size, threads, repeats);
  } catch (const InputError& e) {
    std::cerr << "migsim_bench: " << e.what() << "\n";
    return 2;
  }
}
