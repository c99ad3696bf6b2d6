// The command line: run, validate, info. Exit 0 success, 2 bad input, 1 internal error.
#include "migsim/cli.hpp"

#include <unistd.h>

#include <tbb/info.h>
#include <boost/program_options.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <new>
#include <numeric>
#include <sstream>

#include "interrupt.hpp"
#include "migsim/engine.hpp"
#include "migsim/error.hpp"
#include "migsim/hdf5_output.hpp"
#include "migsim/scenario_io.hpp"
#include "migsim/version.hpp"
#include "run_estimate.hpp"
#include "sweep/sweep_command.hpp"

namespace po = boost::program_options;

namespace migsim {

namespace {

constexpr const char* kUsage =
    "usage: migsim <command> [options]\n"
    "\n"
    "commands:\n"
    "  run SCENARIO.yaml       run a scenario and write its outcome cubes to HDF5\n"
    "  validate SCENARIO.yaml  check a scenario and print it resolved (extends and --set applied)\n"
    "  info OUT.h5             summarise an output file\n"
    "  sweep SWEEP.yaml        run a scenario over variants, design points and replicates\n"
    "  sweep-merge SWEEP.yaml  join a sweep's shard files into its result\n"
    "\n"
    "`migsim <command> --help` describes each command's options; `migsim --version` the version.\n"
    "exit status: 0 success, 2 bad input (scenario, command line), 1 output not written or internal error,\n"
    "130/143 interrupted by SIGINT/SIGTERM (the temporary output file removed)\n";

// Keeps what the summary table needs and forwards every year to the file.
class SummarySink : public OutputSink {
 public:
  SummarySink(OutputSink& next, const Scenario& s) : next_(next), wanted_years_(s.output.summary_years) {
    for (const auto& st : s.statuses) statuses_.push_back(st.name);
    for (const auto& o : s.origins) origins_.push_back(o.name);
  }
  void write_year(const YearOutput& y) override {
    next_.write_year(y);
    years_.push_back(y.year);
    const auto& stock = y.find(y.national, "stock").counts;
    const auto& entries = y.find(y.national, "entries").counts;
    const auto& exits = y.find(y.national, "exits").counts;
    const auto& absconded = y.find(y.national, "absconded").counts;
    const auto& workers = y.find(y.national, "workers").counts;
    const std::size_t per_status = stock.size() / statuses_.size();  // national is (status, field, origin)
    std::vector<std::int64_t> by_status(statuses_.size(), 0), by_origin(origins_.size(), 0);
    std::int64_t in = 0, out = 0, abscond = 0, employed = 0;
    for (std::size_t k = 0; k < stock.size(); ++k) {
      by_status[k / per_status] += stock[k];
      by_origin[k % origins_.size()] += stock[k];
      in += entries[k];
      out += exits[k];
      abscond += absconded[k];
      employed += workers[k];
    }
    stock_.push_back(by_status);
    origin_stock_.push_back(by_origin);
    entries_.push_back(in);
    exits_.push_back(out);
    absconded_.push_back(abscond);
    workers_.push_back(employed);
  }

  void print(std::ostream& os) const {
    const auto columns = shown_columns();
    os << std::left << std::setw(24) << "persons" << std::right;
    for (auto c : columns) os << std::setw(11) << years_[c];
    os << "\n";
    auto row = [&](const std::string& label, auto value) {
      os << std::left << std::setw(24) << label << std::right;
      for (auto c : columns) os << std::setw(11) << value(c);
      os << "\n";
    };
    for (std::size_t s = 0; s < statuses_.size(); ++s) row(statuses_[s], [&](std::size_t c) { return stock_[c][s]; });
    row("total stock",
        [&](std::size_t c) { return std::accumulate(stock_[c].begin(), stock_[c].end(), std::int64_t{0}); });
    row("workers", [&](std::size_t c) { return workers_[c]; });
    row("entries (year)", [&](std::size_t c) { return entries_[c]; });
    row("exits (year)", [&](std::size_t c) { return exits_[c]; });
    row("absconded (year)", [&](std::size_t c) { return absconded_[c]; });
    // The largest nationalities in the last column shown, then everyone else.
    if (origins_.size() < 2 || columns.empty()) return;
    const auto& last = origin_stock_[columns.back()];
    std::vector<std::size_t> order(origins_.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return last[a] > last[b]; });
    const std::size_t top = std::min<std::size_t>(8, origins_.size());
    os << "by nationality\n";
    for (std::size_t k = 0; k < top; ++k)
      row("  " + origins_[order[k]], [&](std::size_t c) { return origin_stock_[c][order[k]]; });
    if (top < origins_.size())
      row("  all others", [&](std::size_t c) {
        std::int64_t rest = 0;
        for (std::size_t k = top; k < origins_.size(); ++k) rest += origin_stock_[c][order[k]];
        return rest;
      });
  }

 private:
  // The years the scenario asks for (output.summary_years); otherwise at most seven: the first
  // year, evenly spaced years, the last.
  std::vector<std::size_t> shown_columns() const {
    std::vector<std::size_t> columns;
    if (!wanted_years_.empty()) {
      for (int year : wanted_years_)
        for (std::size_t c = 0; c < years_.size(); ++c)
          if (years_[c] == year) columns.push_back(c);
      return columns;
    }
    const std::size_t n = years_.size();
    const std::size_t shown = std::min<std::size_t>(n, 7);
    for (std::size_t k = 0; k < shown; ++k) columns.push_back(shown == 1 ? 0 : k * (n - 1) / (shown - 1));
    return columns;
  }

  OutputSink& next_;
  std::vector<int> wanted_years_;
  std::vector<std::string> statuses_, origins_;
  std::vector<int> years_;
  std::vector<std::vector<std::int64_t>> stock_, origin_stock_;
  std::vector<std::int64_t> entries_, exits_, absconded_, workers_;
};

class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled) {}
  void update(int step, int steps) {
    if (!enabled_) return;
    const int width = 40;
    const int done = steps ? step * width / steps : width;
    std::fprintf(stderr, "\r[%s%s] %3d%% month %d/%d", std::string(static_cast<std::size_t>(done), '#').c_str(),
                 std::string(static_cast<std::size_t>(width - done), '.').c_str(), steps ? step * 100 / steps : 100,
                 step, steps);
    if (step == steps) std::fputc('\n', stderr);
    std::fflush(stderr);
  }

 private:
  bool enabled_;
};

struct Parsed {
  po::variables_map vm;
  bool help = false;
};

Parsed parse(const std::vector<std::string>& args, const po::options_description& options,
             const po::positional_options_description& positional) {
  Parsed p;
  po::store(po::command_line_parser(args).options(options).positional(positional).run(), p.vm);
  po::notify(p.vm);
  p.help = p.vm.count("help") > 0;
  return p;
}

std::vector<std::string> overrides_from(const po::variables_map& vm) {
  std::vector<std::string> out;
  if (vm.count("set")) out = vm["set"].as<std::vector<std::string>>();
  return out;
}

void require_positional(const po::variables_map& vm, const char* name, const char* what) {
  if (!vm.count(name)) throw InputError({"command line", 0, 0}, "", std::string("expected ") + what);
}

// The output path is refused before anything runs if the run's final rename would replace
// something that is not an earlier output: a device or other special file, a folder, or a file
// the scenario is read from.
void check_output_path(const std::string& output, const Scenario& s) {
  namespace fs = std::filesystem;
  const auto refuse = [&](const std::string& why) {
    throw InputError({"command line", 0, 0}, "-o", "expected an output file name, but '" + output + "' " + why);
  };
  const auto folder = fs::path(output).parent_path();
  std::error_code error;
  if (!folder.empty() && !fs::is_directory(folder, error))
    throw InputError({"command line", 0, 0}, "-o",
                     "expected an output file in an existing folder, but '" + folder.string() + "' is not one" +
                         (error ? " (" + error.message() + ")" : ""));
  const auto status = fs::status(output, error);
  if (status.type() == fs::file_type::not_found) return;  // a new file
  if (error) refuse("cannot be examined: " + error.message());
  if (fs::is_directory(status)) refuse("is a folder");
  if (!fs::is_regular_file(status)) refuse("is a special file (a device, pipe or socket), not a regular file");
  for (const auto& input : s.input_files) {
    std::error_code ignored;
    if (fs::equivalent(output, input, ignored)) refuse("is a file the scenario is read from ('" + input + "')");
  }
}

void refuse_too_large(const Scenario& s, std::uint64_t max_memory, bool given) {
  const RunEstimate e = estimate_run(s);
  if (e.bytes <= max_memory) return;
  std::ostringstream why;
  why << std::fixed << std::setprecision(0) << "the run is estimated at up to " << e.agents << " agents and "
      << format_bytes(e.bytes) << " of memory (" << e.initial_persons << " persons at the start, "
      << e.applicants_per_year << " applicants a year for " << std::setprecision(1) << e.years
      << " years, family factor " << std::setprecision(2) << e.family_factor << ", scale " << s.scale
      << "), above --max-memory " << format_bytes(max_memory) << (given ? "" : " (3/4 of this machine's memory)")
      << ": lower the scale, shorten the run, or raise --max-memory";
  throw InputError({s.source_file, 0, 0}, "", why.str());
}

int command_validate(const std::vector<std::string>& args) {
  po::options_description options(
      "migsim validate SCENARIO.yaml [--set key.path=value]...\n\n"
      "Checks a scenario strictly and prints it resolved (extends and overrides applied).\noptions");
  options.add_options()("help,h", "show this help")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override a scenario key, e.g. --set statuses.TITP.entries_open=false")("scenario", po::value<std::string>(),
                                                                              "scenario file");
  po::positional_options_description positional;
  positional.add("scenario", 1);
  const Parsed p = parse(args, options, positional);
  if (p.help) {
    std::cout << options << "\n";
    return 0;
  }
  require_positional(p.vm, "scenario", "a scenario file: migsim validate SCENARIO.yaml");
  const Scenario s = load_scenario({p.vm["scenario"].as<std::string>(), overrides_from(p.vm)});
  std::cout << "# " << s.source_file << ": valid. " << s.statuses.size() << " statuses, " << s.fields.size()
            << " fields, " << s.origins.size() << " origins, " << s.prefectures.size() << " prefectures, "
            << s.municipalities.size() << " municipalities, " << s.initial_stock.size() << " initial stock cells, "
            << s.caps.size() << " caps, "
            << s.border_closures.size() + s.rule_changes.size() + s.sending_pushes.size() + s.agreements.size()
            << " events; " << format_month(s.start) << " to " << format_month(s.end) << "\n";
  std::cout << s.resolved_yaml;
  return 0;
}

int command_run(const std::vector<std::string>& args) {
  po::options_description options(
      "migsim run SCENARIO.yaml [-o OUT.h5] [--seed N] [--threads N] [--scale X] [--set key.path=value]...\n\n"
      "Runs a scenario month by month and writes one HDF5 file of yearly outcome cubes.\noptions");
  options.add_options()("help,h", "show this help")("output,o", po::value<std::string>(),
                                                    "output file (default: SCENARIO_NAME.h5)")(
      "seed", po::value<std::string>(), "random seed (overrides the scenario's seed)")(
      "threads", po::value<int>()->default_value(0), "worker threads (0: all cores); the output does not depend on it")(
      "scale", po::value<double>(), "agents per person, 1/X a whole number (overrides the scenario's scale)")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override a scenario key, e.g. --set caps[0].limit_persons=0")("quiet,q", "no summary table")(
      "max-memory", po::value<std::string>(),
      "refuse a run estimated above this memory, e.g. 8G (default: 3/4 of the machine's memory)")(
      "scenario", po::value<std::string>(), "scenario file");
  po::positional_options_description positional;
  positional.add("scenario", 1);
  const Parsed p = parse(args, options, positional);
  if (p.help) {
    std::cout << options << "\n";
    return 0;
  }
  require_positional(p.vm, "scenario", "a scenario file: migsim run SCENARIO.yaml");
  install_interrupt_handlers();  // from the start: an interrupted run always ends the same way
  auto overrides = overrides_from(p.vm);
  if (p.vm.count("seed"))
    overrides.push_back("seed=" + p.vm["seed"].as<std::string>());  // checked like the file's seed
  if (p.vm.count("scale")) {
    char text[32];  // the shortest text that reads back as the same number: 0.3, not 0.29999999999999999
    const auto result = std::to_chars(text, text + sizeof text, p.vm["scale"].as<double>());
    overrides.push_back("scale=" + std::string(text, result.ptr));
  }
  const int threads = p.vm["threads"].as<int>();
  if (threads < 0 || threads > 1024)
    throw InputError({"command line", 0, 0}, "--threads", "expected a number of threads from 0 to 1024");

  const std::uint64_t max_memory =
      p.vm.count("max-memory") ? parse_memory_size(p.vm["max-memory"].as<std::string>()) : default_max_memory_bytes();

  const Scenario s = load_scenario({p.vm["scenario"].as<std::string>(), overrides});
  const std::string output = p.vm.count("output") ? p.vm["output"].as<std::string>() : s.name + ".h5";
  check_output_path(output, s);
  refuse_too_large(s, max_memory, p.vm.count("max-memory") > 0);
  for (const auto& leftover : remove_abandoned_temporaries(output))
    std::cerr << "migsim: removed " << leftover << ", left by a run that was killed\n";

  const auto started = std::chrono::steady_clock::now();
  Engine engine(s);
  Hdf5Writer writer(output, s, threads > 0 ? threads : tbb::info::default_concurrency());
  SummarySink summary(writer, s);
  ProgressBar bar(::isatty(STDERR_FILENO) != 0);
  RunOptions run_options;
  run_options.threads = threads;
  run_options.progress = [&bar](int step, int steps) { bar.update(step, steps); };
  engine.run(summary, run_options);
  writer.commit();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!p.vm.count("quiet")) {
    std::cout << "scenario " << s.name << ": " << format_month(s.start) << " to " << format_month(s.end) << ", seed "
              << s.seed << ", scale " << s.scale << " (" << s.persons_per_agent() << " persons per agent)\n";
    summary.print(std::cout);
  }
  std::cout << "wrote " << output << " (" << std::filesystem::file_size(output) << " bytes) in " << std::fixed
            << std::setprecision(2) << seconds << " s\n";
  return 0;
}

int command_info(const std::vector<std::string>& args) {
  po::options_description options(
      "migsim info OUT.h5\n\nSummarises an output file: provenance, groups, national stock by year.\noptions");
  options.add_options()("help,h", "show this help")("file", po::value<std::string>(), "output file");
  po::positional_options_description positional;
  positional.add("file", 1);
  const Parsed p = parse(args, options, positional);
  if (p.help) {
    std::cout << options << "\n";
    return 0;
  }
  require_positional(p.vm, "file", "an output file: migsim info OUT.h5");
  const auto path = p.vm["file"].as<std::string>();
  if (!std::filesystem::exists(path)) throw InputError({path, 0, 0}, "", "no such file");
  std::cout << describe_output_file(path);
  return 0;
}

}  // namespace

int run_cli(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
      std::cout << kUsage;
      return args.empty() ? 2 : 0;
    }
    if (args[0] == "--version") {
      std::cout << "migsim " << version() << "\n";
      return 0;
    }
    const std::string command = args[0];
    args.erase(args.begin());
    if (command == "run") return command_run(args);
    if (command == "validate") return command_validate(args);
    if (command == "info") return command_info(args);
    if (command == "sweep") return sweep::command_sweep(args);
    if (command == "sweep-merge") return sweep::command_sweep_merge(args);
    std::cerr << "migsim: command line: unknown command '" << command
              << "'; expected run, validate, info, sweep or sweep-merge\n";
    return 2;
  } catch (const InputError& e) {
    std::cerr << "migsim: " << e.what() << "\n";
    return 2;
  } catch (const OutputError& e) {
    std::cerr << "migsim: " << e.what() << "\n";
    return 1;
  } catch (const std::bad_alloc&) {
    std::cerr << "migsim: out of memory: lower the scale or shorten the run (docs/reliability.md)\n";
    return 1;
  } catch (const po::error& e) {
    std::cerr << "migsim: command line: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "migsim: internal error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace migsim
