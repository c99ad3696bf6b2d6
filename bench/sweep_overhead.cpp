// migsim_sweep_overhead: what a sweep adds to each run, against the engine's own time.
//
//   build/bench/migsim_sweep_overhead [SCENARIO] [--scale X] [--runs N] [--threads T]
//
// Reads SCENARIO once (as each sweep worker does), then N times: resolves it with a changed key
// and a new seed (the sweep's per-run overhead) and runs it (the engine's time). Prints both,
// their ratio, and what reading the scenario from its files costs, which a sweep pays once.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "migsim/engine.hpp"
#include "migsim/scenario_io.hpp"

int main(int argc, char** argv) {
  using Clock = std::chrono::steady_clock;
  auto since = [](Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); };
  std::string scenario = "scenarios/japan_baseline.yaml", scale = "0.1";
  int runs = 3, threads = 1;
  for (int k = 1; k < argc; ++k) {
    const std::string a = argv[k];
    if (a == "--scale" && k + 1 < argc)
      scale = argv[++k];
    else if (a == "--runs" && k + 1 < argc)
      runs = std::atoi(argv[++k]);
    else if (a == "--threads" && k + 1 < argc)
      threads = std::atoi(argv[++k]);
    else
      scenario = a;
  }
  const migsim::ScenarioSource source{scenario, {"scale=" + scale}};
  auto t = Clock::now();
  const migsim::Scenario read_whole = migsim::load_scenario(source);
  const double load_seconds = since(t);
  t = Clock::now();
  const migsim::LoadedScenario loaded(source);
  const double read_once_seconds = since(t);
  double resolve_seconds = 0, engine_seconds = 0;
  for (int r = 0; r < runs; ++r) {
    t = Clock::now();
    const migsim::Scenario s =
        loaded.resolve({"behaviour.change_threshold=0." + std::to_string(r + 1), "seed=" + std::to_string(1000 + r)});
    resolve_seconds += since(t);
    t = Clock::now();
    migsim::Engine engine(s);
    migsim::CollectingSink sink;
    migsim::RunOptions options;
    options.threads = threads;
    engine.run(sink, options);
    engine_seconds += since(t);
  }
  std::printf("%s at scale %s, %d run(s), %d thread(s)\n", scenario.c_str(), scale.c_str(), runs, threads);
  std::printf("load_scenario (files read, per migsim run):  %.3f s\n", load_seconds);
  std::printf("LoadedScenario (files read once per worker): %.3f s\n", read_once_seconds);
  std::printf("resolve per run:                             %.3f s\n", resolve_seconds / runs);
  std::printf("engine per run (Engine + run):               %.3f s\n", engine_seconds / runs);
  std::printf("sweep overhead / engine time:                %.1f %%\n", 100.0 * resolve_seconds / engine_seconds);
  return read_whole.name.empty() ? 1 : 0;
}
