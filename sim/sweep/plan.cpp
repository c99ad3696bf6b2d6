#include "sweep/plan.hpp"

#include <charconv>
#include <cstdio>
#include <sstream>

#include "io/cf_metadata.hpp"
#include "io/checksum.hpp"
#include "migsim/error.hpp"

namespace migsim::sweep {

std::uint64_t run_seed(std::uint64_t sweep_seed, int replicate) {
  std::uint64_t z = sweep_seed + 0x9E3779B97F4A7C15ULL * (static_cast<std::uint64_t>(replicate) + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return z >> 1;  // a scenario's seed is at most 2^63 - 1
}

std::string shortest(double value) {
  char text[32];
  const auto result = std::to_chars(text, text + sizeof text, value);
  return std::string(text, result.ptr);
}

std::string sha256_hex(const std::string& bytes) { return detail::sha256_hex(bytes); }

SweepPlan::SweepPlan(SweepSpec spec)
    : spec_(std::move(spec)), design_(make_design(spec_)), hash_(sha256_hex(spec_.text)) {}

int SweepPlan::run_count() const { return static_cast<int>(spec_.variants.size()) * point_count() * spec_.replicates; }

PlannedRun SweepPlan::run(int index) const {
  PlannedRun r;
  r.index = index;
  r.replicate = index % spec_.replicates;
  r.point = (index / spec_.replicates) % point_count();
  r.variant = index / spec_.replicates / point_count();
  r.seed = run_seed(spec_.seed, r.replicate);
  return r;
}

using detail::json_text;

std::string SweepPlan::design_json() const {
  std::ostringstream out;
  out << "{\"type\":" << json_text(to_string(spec_.design)) << ",\"samples\":" << spec_.samples;
  if (spec_.design == DesignType::morris) out << ",\"levels\":" << spec_.morris_levels;
  out << ",\"points\":" << point_count() << ",\"factors\":[";
  for (std::size_t f = 0; f < spec_.factors.size(); ++f) {
    const auto& factor = spec_.factors[f];
    out << (f ? "," : "") << "{\"name\":" << json_text(factor.name)
        << ",\"dataset\":" << json_text(dataset_name(factor.name)) << ",\"key_paths\":[";
    for (std::size_t k = 0; k < factor.key_paths.size(); ++k) out << (k ? "," : "") << json_text(factor.key_paths[k]);
    out << "],\"multiplier\":" << (factor.multiplier ? "true" : "false");
    if (factor.scale == FactorScale::grid) {
      out << ",\"min\":null,\"max\":null";
    } else {
      out << ",\"min\":" << shortest(factor.min) << ",\"max\":" << shortest(factor.max);
    }
    out << ",\"scale\":" << json_text(to_string(factor.scale)) << ",\"values\":[";
    for (std::size_t k = 0; k < factor.values.size(); ++k) out << (k ? "," : "") << shortest(factor.values[k]);
    out << "]}";
  }
  out << "],\"sampler_seed\":" << spec_.sampler_seed << "}";
  return out.str();
}

SweepScenarios::SweepScenarios(const SweepPlan& plan) : plan_(plan) {
  const auto& spec = plan.spec();
  for (const auto& v : spec.variants) {
    ScenarioSource source{v.file.empty() ? spec.base : v.file, {}};
    if (spec.scale) source.overrides.push_back("scale=" + shortest(*spec.scale));
    source.overrides.insert(source.overrides.end(), v.overrides.begin(), v.overrides.end());
    try {
      variants_.push_back(std::make_unique<LoadedScenario>(source));
    } catch (const InputError& e) {
      throw InputError({spec.path, v.line, v.column}, "variants." + v.name, std::string("this variant: ") + e.what());
    }
  }
}

std::vector<std::string> SweepScenarios::overrides(const PlannedRun& run) const {
  const auto& spec = plan_.spec();
  const auto& point = plan_.design().points[static_cast<std::size_t>(run.point)];
  std::vector<std::string> out;
  for (std::size_t f = 0; f < spec.factors.size(); ++f) {
    const auto& factor = spec.factors[f];
    for (const auto& path : factor.key_paths) {
      double value = point[f];
      if (factor.multiplier) {
        const auto base = variants_[static_cast<std::size_t>(run.variant)]->number_at(path);
        if (!base)
          throw InputError({spec.path, factor.line, factor.column}, "factors." + factor.name,
                           "expected '" + path + "' to be a number in the scenario of variant '" +
                               spec.variants[static_cast<std::size_t>(run.variant)].name +
                               "' (a multiplier scales it)");
        value *= *base;
      }
      out.push_back(path + "=" + shortest(value));
    }
  }
  out.push_back("seed=" + std::to_string(run.seed));
  return out;
}

Scenario SweepScenarios::resolve(const PlannedRun& run) const {
  return variants_[static_cast<std::size_t>(run.variant)]->resolve(overrides(run));
}

namespace {

// The labels and years every run's cubes are laid out by.
bool same_shape(const Scenario& a, const Scenario& b) {
  auto names = [](const auto& items) {
    std::vector<std::string> out;
    for (const auto& x : items) out.push_back(x.name);
    return out;
  };
  auto codes = [](const auto& items) {
    std::vector<int> out;
    for (const auto& x : items) out.push_back(x.code);
    return out;
  };
  return names(a.statuses) == names(b.statuses) && names(a.fields) == names(b.fields) &&
         names(a.origins) == names(b.origins) && codes(a.prefectures) == codes(b.prefectures) &&
         codes(a.municipalities) == codes(b.municipalities) && a.first_year() == b.first_year() &&
         a.last_year() == b.last_year() && a.output.national == b.output.national &&
         a.output.prefecture == b.output.prefecture && a.output.municipality == b.output.municipality &&
         a.output.labour_market == b.output.labour_market;
}

}  // namespace

Scenario validate_plan(const SweepPlan& plan, const SweepScenarios& scenarios) {
  const auto& spec = plan.spec();
  Scenario first;
  for (int variant = 0; variant < static_cast<int>(spec.variants.size()); ++variant) {
    for (int point = 0; point < plan.point_count(); ++point) {
      // Replicates differ only in their seed: one resolve per (variant, point) checks them all.
      const PlannedRun run = plan.run((variant * plan.point_count() + point) * spec.replicates);
      const auto& v = spec.variants[static_cast<std::size_t>(variant)];
      Scenario s;
      try {
        s = scenarios.resolve(run);
      } catch (const InputError& e) {
        // Name the factor whose key the error is about, else the variant.
        for (const auto& factor : spec.factors)
          for (const auto& path : factor.key_paths)
            if (!e.key_path().empty() && (e.key_path().rfind(path, 0) == 0 || path.rfind(e.key_path(), 0) == 0))
              throw InputError({spec.path, factor.line, factor.column}, "factors." + factor.name,
                               "run " + std::to_string(run.index) + " (variant " + v.name + ", point " +
                                   std::to_string(point) + ") is not a valid scenario: " + e.what());
        throw InputError({spec.path, v.line, v.column}, "variants." + v.name,
                         "run " + std::to_string(run.index) + " (point " + std::to_string(point) +
                             ") is not a valid scenario: " + e.what());
      }
      if (run.index == 0) {
        first = std::move(s);
      } else if (!same_shape(first, s)) {
        throw InputError({spec.path, v.line, v.column}, "variants." + v.name,
                         "every run of a sweep must have the same statuses, fields, origins, prefectures, "
                         "municipalities, census years and output groups as the first run, and run " +
                             std::to_string(run.index) + " does not");
      }
    }
  }
  return first;
}

}  // namespace migsim::sweep
