// Strict reading of a scenario: every key known, every value typed and in range, every name
// defined. The first problem stops the load with file, line, column, key path and expectation.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>
#include <set>
#include <unordered_map>

#include "io/scenario_sections.hpp"
#include "io/scenario_values.hpp"
#include "io/yaml_tree.hpp"
#include "migsim/error.hpp"
#include "migsim/scenario_io.hpp"

namespace migsim {

using detail::boolean;
using detail::CsvTable;
using detail::find_name;
using detail::Mapping;
using detail::quoted_list;
using detail::real;
using detail::resolve;
using detail::Value;
using detail::whole;
using detail::YamlTree;

std::string format_month(MonthIndex m) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d", year_of(m), month_of(m));
  return buffer;
}

const char* to_string(EmployerChangeRule rule) {
  switch (rule) {
    case EmployerChangeRule::never:
      return "never";
    case EmployerChangeRule::after_months:
      return "after_months";
    case EmployerChangeRule::within_field:
      return "within_field";
    case EmployerChangeRule::free:
      return "free";
  }
  return "?";
}

int Scenario::last_year() const {
  const int end_year = year_of(end);
  return month_of(end) >= census_month ? end_year : end_year - 1;
}

namespace {

constexpr std::size_t kMaxMunicipalities = 65'535;  // indexed by std::uint16_t
constexpr int kMaxRunMonths = 100 * 12;             // a century: beyond it agents only accumulate

// The initial stock as last read from a streamed table, with what its reading depended on: a
// sweep resolves the same table for every run, and a run's overrides rarely touch it.
struct StockCache {
  const CsvTable* table = nullptr;
  std::vector<std::string> labels;  // statuses, fields and origins, with works/employs flags
  std::vector<int> municipalities;
  std::vector<StockCell> cells;
};

class ScenarioReader {
 public:
  explicit ScenarioReader(const YamlTree& tree, StockCache* stock_cache = nullptr)
      : tree_(tree), stock_cache_(stock_cache) {}

  Scenario read() {
    Scenario s;
    Mapping top(Value(tree_, tree_.root(), {}));
    s.source_file = tree_.top_file();
    s.resolved_yaml = tree_.emit();
    for (const auto& [key_path, file, sha256] : tree_.table_files()) s.table_files.push_back({key_path, file, sha256});
    s.input_files = tree_.input_files();
    s.name = top.optional("name", std::filesystem::path(tree_.top_file()).stem().string(),
                          [](const Value& v) { return v.as_string(); });
    s.description = top.optional("description", std::string(), [](const Value& v) { return v.as_string(); });
    s.seed = static_cast<std::uint64_t>(top.optional(
        "seed", std::int64_t{1}, [](const Value& v) { return v.as_int(0, std::numeric_limits<std::int64_t>::max()); }));
    if (top.has("scale")) {
      const Value v = top.get("scale");
      s.scale = v.as_double(1e-6, 1.0);
      const double per_agent = 1.0 / s.scale;
      if (std::fabs(per_agent - std::round(per_agent)) > 1e-9 * per_agent)
        v.fail(
            "expected a scale X in (0, 1] with 1/X a whole number (1, 0.5, 0.25, 0.1, ...), so counts scale back "
            "exactly");
    }
    s.census_month = static_cast<int>(
        top.optional("census_month", std::int64_t{10}, [](const Value& v) { return v.as_int(1, 12); }));
    const Value start = top.get("start");
    s.start = start.as_month();
    if (month_of(s.start) != s.census_month)
      start.fail("expected the start month to be the census month (" + std::to_string(s.census_month) +
                 "): the initial stock is that year's census");
    const Value end = top.get("end");
    s.end = end.as_month();
    if (s.end <= s.start) end.fail("expected an end date after start (" + format_month(s.start) + ")");
    if (s.end - s.start > kMaxRunMonths)
      end.fail("expected an end date at most " + std::to_string(kMaxRunMonths / 12) +
               " years after start (the longest run: docs/reliability.md)");

    read_fields(s, top.get("fields"));
    read_statuses(s, top.get("statuses"));
    read_field_hires(s);
    read_origins(s, top.get("origins"));
    read_prefectures(s, top.get("prefectures"));
    read_municipalities(s, top.get("municipalities"));
    read_initial_stock(s, top.get("initial_stock"));
    if (top.has("initial_months_in_status"))
      detail::read_initial_months_in_status(s, top.get("initial_months_in_status"));
    if (top.has("caps")) detail::read_caps(s, top.get("caps"));
    s.cap_multiplier = top.optional("cap_multiplier", 1.0, real(0.0, 100.0));
    s.applicants_multiplier = top.optional("applicants_multiplier", 1.0, real(0.0, 100.0));
    if (top.has("events")) read_events(s, top.get("events"));
    read_employers(s, top.has("employers") ? top.get("employers") : empty("employers"));
    detail::read_family(s, top.has("family") ? top.get("family") : empty("family"));
    detail::read_integration(s, top.has("integration") ? top.get("integration") : empty("integration"));
    detail::read_behaviour(s, top.has("behaviour") ? top.get("behaviour") : empty("behaviour"));
    detail::read_learning(s, top.has("learning") ? top.get("learning") : empty("learning"));
    detail::read_municipal_policy(
        s, top.has("municipal_policy") ? top.get("municipal_policy") : empty("municipal_policy"));
    detail::read_output(s, top.has("output") ? top.get("output") : empty("output"));
    top.finish();
    return s;
  }

 private:
  Value empty(const std::string& key) const { return Value(tree_, YAML::Node(YAML::NodeType::Null), {key}); }

  // Labels become output coordinates: UPPER_SNAKE for statuses, lower_snake for fields and origins.
  static void check_name(const Value& where, const std::string& name, bool upper, const char* what) {
    auto letter = [upper](char c) { return upper ? (c >= 'A' && c <= 'Z') : (c >= 'a' && c <= 'z'); };
    bool ok = !name.empty() && letter(name[0]);
    for (char c : name) ok = ok && (letter(c) || (c >= '0' && c <= '9') || c == '_');
    if (!ok) where.fail(std::string("expected ") + what + ", got '" + name + "'");
  }
  // `all` or a list of field names -> one flag per field.
  std::vector<std::uint8_t> field_set(const Scenario& s, const Value& v) const {
    std::vector<std::uint8_t> flags(s.fields.size(), 0);
    if (v.node().IsScalar() && v.node().Scalar() == "all") {
      for (std::size_t f = 0; f < s.fields.size(); ++f) flags[f] = s.fields[f].employs ? 1 : 0;
      return flags;
    }
    if (!v.node().IsSequence()) v.fail("expected 'all' or a list of field names, got " + v.kind());
    for (const auto& item : v.as_sequence()) flags[resolve(s.fields, item, "field")] = 1;
    return flags;
  }

  void read_fields(Scenario& s, const Value& v) {
    Mapping fields(v);
    if (fields.entries().empty()) v.fail("expected a mapping of at least one field name to its settings");
    for (const auto& [name, settings] : fields.entries()) {
      check_name(settings, name, false, "a lower snake case field name like food_service");
      Mapping m(settings);
      Field f;
      f.name = name;
      f.employs = m.optional("employs", true, boolean);
      f.labour_demand_growth_per_year = m.optional("labour_demand_growth_per_year", 0.0, real(-0.5, 1.0));
      if (m.has("labour_demand_growth_by_year")) {
        Mapping series(m.get("labour_demand_growth_by_year"));
        for (const auto& [year, rate] : series.entries()) {
          const Value year_value(rate.tree(), YAML::Node(year), rate.path());
          f.labour_demand_growth_by_year.emplace_back(static_cast<int>(year_value.as_int(1900, 2200)),
                                                      rate.as_double(-0.5, 1.0));
        }
        std::sort(f.labour_demand_growth_by_year.begin(), f.labour_demand_growth_by_year.end());
      }
      if (m.has("hires")) field_hires_.emplace_back(s.fields.size(), m.get("hires"));  // statuses come later
      m.finish();
      s.fields.push_back(f);
    }
    if (s.fields.size() > 250) v.fail("expected at most 250 fields");
  }

  void read_statuses(Scenario& s, const Value& v) {
    Mapping statuses(v);
    const auto entries = statuses.entries();
    if (entries.empty()) v.fail("expected a mapping of at least one status name to its rules");
    if (entries.size() > 250) v.fail("expected at most 250 statuses");
    for (const auto& [name, rule] : entries) {
      check_name(rule, name, true, "an upper-case status name like SSW1");
      StatusRule r;
      r.name = name;
      s.statuses.push_back(r);  // names first: transitions may point forward
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
      status_nodes_[entries[i].first] = entries[i].second.node();
      s.statuses[i] = read_status_rule(s, entries[i].first, entries[i].second);
    }
  }

  StatusRule read_status_rule(const Scenario& s, const std::string& name, const Value& v) const {
    Mapping m(v);
    StatusRule r;
    r.name = name;
    r.works = m.optional("works", true, boolean);
    if (m.has("max_stay_months")) {
      const Value x = m.get("max_stay_months");
      r.max_stay_months = x.node().IsScalar() && x.node().Scalar() == "unlimited"
                              ? kUnlimitedMonths
                              : static_cast<std::int32_t>(x.as_int(1, 1200));
    }
    if (m.has("first_term_months")) {
      const Value x = m.get("first_term_months");
      r.first_term_months = static_cast<std::int32_t>(x.as_int(1, 1200));
      if (r.first_term_months >= r.max_stay_months)
        x.fail("expected fewer months than max_stay_months (" + std::to_string(r.max_stay_months) + ")");
    }
    r.renewal_share = m.optional("renewal_share", 1.0, real(0.0, 1.0));
    r.employer_change =
        static_cast<EmployerChangeRule>(m.optional("employer_change", std::size_t{0}, [](const Value& x) {
          return x.as_choice({"never", "after_months", "within_field", "free"});
        }));
    r.employer_change_after_months.assign(s.fields.size(), 12);
    if (m.has("employer_change_after_months")) {
      const Value x = m.get("employer_change_after_months");
      if (x.node().IsMap()) {
        Mapping per_field(x);
        const auto fallback = static_cast<std::int32_t>(per_field.get("default").as_int(0, 1200));
        r.employer_change_after_months.assign(s.fields.size(), fallback);
        for (const auto& [field, months] : per_field.entries()) {
          if (field == "default") continue;
          const auto index = find_name(s.fields, field);
          if (!index) {
            std::vector<std::string> names;
            for (const auto& f : s.fields) names.push_back(f.name);
            months.fail("expected 'default' or a defined field (" + quoted_list(names) + ")");
          }
          r.employer_change_after_months[*index] = static_cast<std::int32_t>(months.as_int(0, 1200));
        }
      } else {
        r.employer_change_after_months.assign(s.fields.size(), static_cast<std::int32_t>(x.as_int(0, 1200)));
      }
    } else if (r.employer_change == EmployerChangeRule::after_months) {
      m.get("employer_change_after_months");  // the rule needs its period
    }
    r.family_allowed = m.optional("family", std::size_t{0}, [](const Value& x) {
      return x.as_choice({"none", "allowed"});
    }) == 1;
    r.family_delay_months =
        static_cast<std::int32_t>(m.optional("family_delay_months", std::int64_t{0}, whole(0, 600)));
    r.initial_families = static_cast<StatusRule::InitialFamilies>(  // the choices in the enum's order
        m.optional("initial_families", std::size_t{0}, [](const Value& x) {
          return x.as_choice({"reunited", "by_months_in_status"});
        }));
    // Read with family: none too: a variant may close the family route of a status, an event open it.
    if (m.has("family_joins_as")) r.family_joins_as = resolve(s.statuses, m.get("family_joins_as"), "status");
    r.entries_open = m.optional("entries_open", false, boolean);
    r.entry_fields =
        m.has("entry_fields") ? field_set(s, m.get("entry_fields")) : std::vector<std::uint8_t>(s.fields.size(), 0);
    if (m.has("entry_fields")) {
      bool employing = false, not_employing = false;
      for (std::size_t f = 0; f < s.fields.size(); ++f) {
        if (!r.entry_fields[f]) continue;
        (s.fields[f].employs ? employing : not_employing) = true;
      }
      if (employing && not_employing)
        m.get("entry_fields")
            .fail("expected either fields that employ (entrants need a job) or a field that employs nobody, not both");
      if (employing && !r.works)
        m.get("entry_fields").fail("expected a field that employs nobody: status " + name + " does not work");
    } else {
      for (std::size_t f = 0; f < s.fields.size(); ++f) r.entry_fields[f] = (s.fields[f].employs == r.works) ? 1 : 0;
    }
    r.enters_without_job = m.optional("enters_without_job", false, boolean);
    r.channel_multiplier = m.optional("channel_multiplier", 1.0, real(0.0, 100.0));
    r.part_time_search_share = m.optional("part_time_search_share", 0.0, real(0.0, 1.0));
    if (m.has("part_time_search_share")) {
      if (!r.enters_without_job) m.get("part_time_search_share").fail("expected only with enters_without_job: true");
      bool employing = false;
      for (std::size_t f = 0; f < s.fields.size(); ++f)
        employing = employing || (r.entry_fields[f] && s.fields[f].employs);
      if (r.part_time_search_share > 0.0 && !employing)
        m.get("part_time_search_share")
            .fail("expected entry_fields that employ (the fields entrants look for part-time work in)");
    }
    if (m.has("transitions")) {
      for (const auto& t : m.get("transitions").as_sequence()) {
        Mapping tm(t);
        StatusTransition tr;
        tr.to_status = resolve(s.statuses, tm.get("to"), "status");
        if (s.statuses[tr.to_status].name == name) tm.get("to").fail("expected a status other than the current one");
        tr.after_months = static_cast<std::int32_t>(tm.get("after_months").as_int(0, 1200));
        tr.pass_rate = tm.optional("pass_rate", 1.0, real(0.0, 1.0));
        if (tm.has("pass_rate_by_year")) {
          Mapping series(tm.get("pass_rate_by_year"));
          for (const auto& [year, rate] : series.entries()) {
            const Value year_value(rate.tree(), YAML::Node(year), rate.path());
            tr.pass_rate_by_year.emplace_back(static_cast<int>(year_value.as_int(1900, 2200)),
                                              rate.as_double(0.0, 1.0));
          }
          std::sort(tr.pass_rate_by_year.begin(), tr.pass_rate_by_year.end());
        }
        if (tm.has("requires_japanese")) tr.requires_japanese = japanese_level(tm.get("requires_japanese"));
        tr.requires_skill = static_cast<std::uint8_t>(tm.optional("requires_skill", std::int64_t{0}, whole(0, 250)));
        tr.fields_allowed =
            tm.has("fields") ? field_set(s, tm.get("fields")) : std::vector<std::uint8_t>(s.fields.size(), 1);
        tm.finish();
        r.transitions.push_back(tr);
      }
    }
    r.exit_rate_per_year = m.optional("exit_rate_per_year", 0.0, real(0.0, 1.0));
    r.abscond_rate_per_year = m.optional("abscond_rate_per_year", 0.0, real(0.0, 1.0));
    r.job_search_rate_per_month = m.optional("job_search_rate_per_month", 0.0, real(0.0, 1.0));
    r.field_change_share = m.optional("field_change_share", 0.0, real(0.0, 1.0));
    if (m.has("entry_japanese")) r.entry_japanese = japanese_level(m.get("entry_japanese"));
    r.second_year_wage_raise = m.optional("second_year_wage_raise", 0.0, real(0.0, 1.0));
    r.drawn_by_diaspora_vacancies = m.optional("drawn_by_diaspora_vacancies", true, boolean);
    r.job_search_area = m.optional("job_search_area", JobSearchArea::country, [](const Value& x) {
      return x.as_choice({"country", "prefecture"}) == 1 ? JobSearchArea::prefecture : JobSearchArea::country;
    });
    r.hiring_follows_stock = m.optional("hiring_follows_stock", 0.0, real(0.0, 1.0));
    r.second_year_wage_raise_after_months =
        static_cast<std::int32_t>(m.optional("second_year_wage_raise_after_months", std::int64_t{12}, whole(0, 1200)));
    r.second_year_wage_raise_if_restriction_over_months = static_cast<std::int32_t>(
        m.optional("second_year_wage_raise_if_restriction_over_months", std::int64_t{12}, whole(0, 1200)));
    r.entry_skill = static_cast<std::uint8_t>(m.optional("entry_skill", std::int64_t{0}, whole(0, 250)));
    if (m.has("entry_age_years")) {
      const Value x = m.get("entry_age_years");
      const auto range = x.as_sequence(false);
      if (range.size() != 2) x.fail("expected [min, max] ages in years");
      r.entry_age_min_years = static_cast<int>(range[0].as_int(0, 100));
      r.entry_age_max_years = static_cast<int>(range[1].as_int(r.entry_age_min_years, 100));
    }
    m.finish();
    return r;
  }

  // Which statuses each field's employers hire: a share per status, 1 where not listed.
  void read_field_hires(Scenario& s) {
    for (auto& f : s.fields) f.hires_share.assign(s.statuses.size(), 1.0);
    for (const auto& [field, value] : field_hires_) {
      Mapping shares(value);
      for (const auto& [status, share] : shares.entries()) {
        const auto index = find_name(s.statuses, status);
        if (!index) share.fail("expected a defined status");
        s.fields[field].hires_share[*index] = share.as_double(0.0, 1.0);
      }
    }
  }

  static std::pair<double, double> read_location(const Value& v) {
    const auto pair = v.as_sequence(false);
    if (pair.size() != 2) v.fail("expected [latitude, longitude] in degrees");
    return {pair[0].as_double(-90.0, 90.0), pair[1].as_double(-180.0, 180.0)};
  }

  void read_origins(Scenario& s, const Value& v) {
    Mapping origins(v);
    if (origins.entries().empty()) v.fail("expected a mapping of at least one origin name to its settings");
    for (const auto& [name, settings] : origins.entries()) {
      check_name(settings, name, false, "a lower snake case origin name like vietnam");
      Mapping m(settings);
      Origin o;
      o.name = name;
      o.applicants_per_year = m.optional("applicants_per_year", 0.0, real(0.0, 1e8));
      o.channel_weights.assign(s.statuses.size(), 0.0);
      o.language_proximity = m.optional("language_proximity", 0.5, real(0.0, 1.0));
      if (m.has("location")) o.location = read_location(m.get("location"));
      o.orientation_to_work_abroad = m.optional("orientation_to_work_abroad", 1.0, real(0.0, 100.0));
      o.network_elasticity = m.optional("network_elasticity", 0.0, real(0.0, 100.0));
      // The sending government's push, as a sending_push event of this origin.
      if (m.has("sending_push")) {
        Mapping push(m.get("sending_push"));
        SendingPush p;
        p.origin = static_cast<std::uint8_t>(s.origins.size());
        p.from = push.get("from").as_month();
        p.to = push.get("to").as_month();
        if (p.to < p.from) push.get("to").fail("expected a date on or after from");
        p.applicant_multiplier = push.get("applicant_multiplier").as_double(0.0, 100.0);
        push.finish();
        s.sending_pushes.push_back(p);
      }
      if (m.has("channels")) {
        Mapping channels(m.get("channels"));
        for (const auto& [status, weight] : channels.entries())
          o.channel_weights[resolve_key(s.statuses, status, weight, "status")] = weight.as_double(0.0, 1e6);
      }
      m.finish();
      s.origins.push_back(o);
    }
    if (s.origins.size() > 250) v.fail("expected at most 250 origins");
  }

  void read_prefectures(Scenario& s, const Value& v) {
    for (const auto& item : v.as_sequence(false)) {
      Mapping m(item);
      Prefecture p;
      p.code = static_cast<int>(m.get("code").as_int(1, 99));
      p.name = m.get("name").as_string();
      p.minimum_wage_yen_per_hour = m.get("minimum_wage_yen_per_hour").as_double(1.0, 1e5);
      m.finish();
      for (const auto& other : s.prefectures)
        if (other.code == p.code)
          item.fail("expected a unique prefecture code, " + std::to_string(p.code) + " is repeated");
      s.prefectures.push_back(p);
    }
  }

  void read_municipalities(Scenario& s, const Value& v) {
    const auto items = v.as_sequence(false);
    if (items.size() > kMaxMunicipalities)
      v.fail("expected at most " + std::to_string(kMaxMunicipalities) + " municipalities");
    std::set<int> codes;
    for (const auto& item : items) {
      Mapping m(item);
      Municipality mu;
      mu.code = static_cast<int>(m.get("code").as_int(1000, 999999));
      if (!codes.insert(mu.code).second)
        m.get("code").fail("expected a unique municipality code, " + std::to_string(mu.code) + " is repeated");
      mu.name = m.get("name").as_string();
      const Value pref = m.get("prefecture");
      const auto pref_code = pref.as_int(1, 99);
      const auto it = std::find_if(s.prefectures.begin(), s.prefectures.end(),
                                   [&](const Prefecture& p) { return p.code == pref_code; });
      if (it == s.prefectures.end())
        pref.fail("expected the code of a defined prefecture, got " + std::to_string(pref_code));
      mu.prefecture = static_cast<std::uint16_t>(it - s.prefectures.begin());
      mu.population = m.get("population").as_int(0, 100'000'000);
      if (m.has("location")) mu.location = read_location(m.get("location"));
      mu.policy.agreements.assign(s.origins.size(), 0);
      if (m.has("policy")) {
        Mapping p(m.get("policy"));
        mu.policy.language_classes = p.optional("language_classes", false, boolean);
        mu.policy.consultation = p.optional("consultation", false, boolean);
        mu.policy.residents_assembly = p.optional("residents_assembly", false, boolean);
        mu.policy.hires_ajts = p.optional("hires_ajts", false, boolean);
        mu.policy.employer_subsidy = p.optional("employer_subsidy", false, boolean);
        mu.policy.council_member = p.optional("council_member", false, boolean);
        mu.policy.budget_yen_per_year = p.optional("budget_yen_per_year", -1.0, real(0.0, 1e12));
        mu.policy.ajts = static_cast<std::int32_t>(p.optional("ajts", std::int64_t{0}, whole(0, 100000)));
        if (p.has("agreements"))
          for (const auto& origin : p.get("agreements").as_sequence())
            mu.policy.agreements[resolve(s.origins, origin, "origin")] = 1;
        p.finish();
      }
      m.finish();
      s.municipalities.push_back(mu);
    }
  }

  void resolve_municipality_index(const Scenario& s) {
    if (municipality_index_.size() != s.municipalities.size()) {  // tables have many rows: index once
      municipality_index_.clear();
      for (std::size_t i = 0; i < s.municipalities.size(); ++i)
        municipality_index_.emplace(s.municipalities[i].code, static_cast<std::uint16_t>(i));
    }
  }

  std::uint16_t resolve_municipality(const Scenario& s, const Value& v) {
    resolve_municipality_index(s);
    const auto code = v.as_int(0, 999999);
    const auto it = municipality_index_.find(static_cast<int>(code));
    if (it != municipality_index_.end()) return it->second;
    v.fail("expected the code of a defined municipality, got " + std::to_string(code));
  }

  static constexpr std::int64_t kMaxCellPersons = 100'000'000;

  StockCell read_stock_row(Scenario& s, const Value& item) {
    Mapping m(item);
    StockCell c;
    c.municipality = resolve_municipality(s, m.get("municipality"));
    c.status = resolve(s.statuses, m.get("status"), "status");
    c.field = resolve(s.fields, m.get("field"), "field");
    c.origin = resolve(s.origins, m.get("origin"), "origin");
    c.persons = m.get("persons").as_int(0, kMaxCellPersons);
    if (s.fields[c.field].employs && !s.statuses[c.status].works)
      m.get("field").fail("expected a field that employs nobody: status " + s.statuses[c.status].name +
                          " does not work");
    m.finish();
    return c;
  }

  // A table of exactly the five columns is read cell by cell: a row whose cells all read
  // cleanly goes straight in; any other row goes through read_stock_row, which reads it the
  // same way or reports the problem where it is (file, line, column, key).
  void read_initial_stock(Scenario& s, const Value& v) {
    const std::vector<std::string> keys{"municipality", "status", "field", "origin", "persons"};
    std::vector<std::size_t> column(keys.size(), keys.size());
    bool direct = v.is_streamed_table();
    if (direct) {
      const auto header = v.header_keys();
      direct = header.size() == keys.size();
      for (std::size_t c = 0; direct && c < header.size(); ++c) {
        const auto k = std::find(keys.begin(), keys.end(), header[c]);
        direct = k != keys.end() && column[static_cast<std::size_t>(k - keys.begin())] == keys.size();
        if (direct) column[static_cast<std::size_t>(k - keys.begin())] = c;
      }
    }
    if (!direct) {
      for (const auto& item : v.as_sequence()) s.initial_stock.push_back(read_stock_row(s, item));
      return;
    }
    resolve_municipality_index(s);
    StockCache key;
    if (stock_cache_) {
      key.table = v.streamed_table();
      for (const auto& x : s.statuses) key.labels.push_back(x.name + (x.works ? "+" : "-"));
      for (const auto& x : s.fields) key.labels.push_back(x.name + (x.employs ? "+" : "-"));
      for (const auto& x : s.origins) key.labels.push_back(x.name);
      for (const auto& m : s.municipalities) key.municipalities.push_back(m.code);
      if (stock_cache_->table == key.table && stock_cache_->labels == key.labels &&
          stock_cache_->municipalities == key.municipalities) {
        s.initial_stock = stock_cache_->cells;
        return;
      }
    }
    auto index_of = [](const auto& items) {
      std::unordered_map<std::string, std::uint8_t> index;
      for (std::size_t i = 0; i < items.size(); ++i) index.emplace(items[i].name, static_cast<std::uint8_t>(i));
      return index;
    };
    const auto statuses = index_of(s.statuses), fields = index_of(s.fields), origins = index_of(s.origins);
    auto whole = [](const std::string& text, std::int64_t& value) {
      const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      return !text.empty() && ec == std::errc() && ptr == text.data() + text.size();
    };
    s.initial_stock.reserve(v.row_count());
    for (std::size_t r = 0; r < v.row_count(); ++r) {
      std::int64_t code = 0, persons = 0;
      const auto status = statuses.find(v.text(r, column[1]));
      const auto field = fields.find(v.text(r, column[2]));
      const auto origin = origins.find(v.text(r, column[3]));
      const auto municipality = whole(v.text(r, column[0]), code) ? municipality_index_.find(static_cast<int>(code))
                                                                  : municipality_index_.end();
      const bool clean = municipality != municipality_index_.end() && status != statuses.end() &&
                         field != fields.end() && origin != origins.end() && whole(v.text(r, column[4]), persons) &&
                         persons >= 0 && persons <= kMaxCellPersons &&
                         !(s.fields[field->second].employs && !s.statuses[status->second].works);
      if (!clean) {
        s.initial_stock.push_back(read_stock_row(s, v.row_value(r)));
        continue;
      }
      s.initial_stock.push_back({municipality->second, status->second, field->second, origin->second, persons});
    }
    if (stock_cache_) {
      key.cells = s.initial_stock;
      *stock_cache_ = std::move(key);
    }
  }

  void read_events(Scenario& s, const Value& v) {
    std::map<std::string, YAML::Node> current_rules = status_nodes_;
    // Rule changes build on one another in date order, whatever order the file lists them in.
    // Indices are sorted, not the items: swapping YAML::Nodes writes through shared nodes.
    const auto items = v.as_sequence();
    auto date_of = [&](std::size_t k) {
      const YAML::Node node = items[k].node();
      // By month: 2027-04 and 2027-04-01 are the same month and keep their listed order. Events
      // without a date (sending pushes, closures) have a period instead: its start orders them.
      if (!node.IsMap()) return std::string();
      for (const char* key : {"date", "from"}) {
        const YAML::Node when = node[key];
        if (when.IsDefined() && when.IsScalar()) return when.Scalar().substr(0, 7);
      }
      return std::string();
    };
    std::vector<std::size_t> order(items.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return date_of(a) < date_of(b); });
    for (const std::size_t k : order) {
      const Value& item = items[k];
      Mapping m(item);
      const auto type = m.get("type").as_choice({"border_closure", "status_rule", "sending_push", "agreement"});
      if (type == 0) {
        BorderClosure b;
        b.from = m.get("from").as_month();
        b.to = m.get("to").as_month();
        if (b.to < b.from) m.get("to").fail("expected a date on or after from");
        b.admit_share = m.optional("admit_share", 0.0, real(0.0, 1.0));
        if (m.has("admit_share_by_status")) {
          // Channels close unequally (2020: interns nearly stopped, spouses kept coming).
          b.admit_share_by_status.assign(s.statuses.size(), b.admit_share);
          Mapping shares(m.get("admit_share_by_status"));
          for (const auto& [status, share] : shares.entries())
            b.admit_share_by_status[resolve_key(s.statuses, status, share, "status")] = share.as_double(0.0, 1.0);
        }
        if (m.has("stay_on_share")) {
          if (!m.has("stay_on_as"))
            m.get("stay_on_share").fail("expected stay_on_as with it: the status they stay on under");
          b.stay_on_share = m.get("stay_on_share").as_double(0.0, 1.0);
        }
        if (m.has("stay_on_as")) {
          if (!m.has("stay_on_share"))
            m.get("stay_on_as").fail("expected stay_on_share with it: the share who stay on");
          b.stay_on_status = resolve(s.statuses, m.get("stay_on_as"), "status");
        }
        b.catch_up_share = m.optional("catch_up_share", 0.0, real(0.0, 1.0));
        b.catch_up_months = static_cast<std::int32_t>(m.optional("catch_up_months", std::int64_t{12}, whole(1, 60)));
        if (m.has("catch_up_months") && !m.has("catch_up_share"))
          m.get("catch_up_months").fail("expected catch_up_share with it: the share of those kept out who still come");
        s.border_closures.push_back(b);
      } else if (type == 1) {
        StatusRuleChange c;
        c.date = m.get("date").as_month();
        c.status = resolve(s.statuses, m.get("status"), "status");
        const Value set = m.get("set");
        if (!set.node().IsMap()) set.fail("expected a mapping of status rule keys to their new values");
        // A linked family's status follows its principal's status through the run's one rule.
        if (const auto joins_as = set.child("family_joins_as"))
          joins_as->fail("expected no family_joins_as in an event: the status a family joins as is fixed for the run");
        if (const auto initial = set.child("initial_families"))
          initial->fail("expected no initial_families in an event: it sets up the initial residents only");
        // The change applies on top of the rule as it stands after earlier changes.
        YAML::Node merged = YAML::Clone(current_rules[s.statuses[c.status].name]);
        if (!merged.IsMap()) merged = YAML::Node(YAML::NodeType::Map);
        for (const auto& entry : set.node()) merged[entry.first.as<std::string>()] = YAML::Clone(entry.second);
        c.rule = read_status_rule(s, s.statuses[c.status].name, Value(tree_, merged, set.path()));
        // reset, not =: assigning to a handle writes into the tree's own status node.
        current_rules[s.statuses[c.status].name].reset(merged);
        s.rule_changes.push_back(c);
      } else if (type == 2) {
        SendingPush p;
        p.origin = resolve(s.origins, m.get("origin"), "origin");
        p.from = m.get("from").as_month();
        p.to = m.get("to").as_month();
        if (p.to < p.from) m.get("to").fail("expected a date on or after from");
        p.applicant_multiplier = m.get("applicant_multiplier").as_double(0.0, 100.0);
        s.sending_pushes.push_back(p);
      } else {
        AgreementEvent a;
        a.date = m.get("date").as_month();
        a.municipality = resolve_municipality(s, m.get("municipality"));
        a.origin = resolve(s.origins, m.get("origin"), "origin");
        s.agreements.push_back(a);
      }
      m.finish();
    }
    std::stable_sort(s.rule_changes.begin(), s.rule_changes.end(),
                     [](const StatusRuleChange& a, const StatusRuleChange& b) { return a.date < b.date; });
  }

  void read_employers(Scenario& s, const Value& v) {
    Mapping m(v);
    auto& e = s.employers;
    e.workers_per_employer = m.optional("workers_per_employer", e.workers_per_employer, real(1.0, 1e5));
    e.initial_vacancy_rate = m.optional("initial_vacancy_rate", e.initial_vacancy_rate, real(0.0, 10.0));
    e.wage_premium_mean = m.optional("wage_premium_mean", e.wage_premium_mean, real(0.5, 10.0));
    e.wage_premium_sd = m.optional("wage_premium_sd", e.wage_premium_sd, real(0.0, 5.0));
    e.hours_per_month = m.optional("hours_per_month", e.hours_per_month, real(1.0, 400.0));
    e.wage_raise_on_loss = m.optional("wage_raise_on_loss", e.wage_raise_on_loss, real(0.0, 1.0));
    e.wage_ceiling_over_minimum =
        m.optional("wage_ceiling_over_minimum", e.wage_ceiling_over_minimum, real(0.0, 100.0));
    if (e.wage_ceiling_over_minimum > 0.0 && e.wage_ceiling_over_minimum < 1.0)
      m.get("wage_ceiling_over_minimum").fail("expected 0 (no ceiling) or at least 1 (the minimum wage)");
    e.wage_reversion_per_year = m.optional("wage_reversion_per_year", e.wage_reversion_per_year, real(0.0, 1.0));
    e.minimum_wage_year =
        static_cast<int>(m.optional("minimum_wage_year", std::int64_t{e.minimum_wage_year}, whole(0, 2200)));
    e.minimum_wage_growth_per_year =
        m.optional("minimum_wage_growth_per_year", e.minimum_wage_growth_per_year, real(-0.5, 1.0));
    e.minimum_wage_revision_month = static_cast<int>(
        m.optional("minimum_wage_revision_month", std::int64_t{e.minimum_wage_revision_month}, whole(1, 12)));
    e.conditions_mean = m.optional("conditions_mean", e.conditions_mean, real(0.0, 1.0));
    e.size_sd = m.optional("size_sd", e.size_sd, real(0.0, 5.0));
    e.small_employer_places = static_cast<std::int32_t>(
        m.optional("small_employer_places", std::int64_t{e.small_employer_places}, whole(0, 100000)));
    e.diaspora_share = m.optional("diaspora_share", e.diaspora_share, real(0.0, 1.0));
    e.diaspora_other_origin_acceptance =
        m.optional("diaspora_other_origin_acceptance", e.diaspora_other_origin_acceptance, real(0.0, 1.0));
    e.diaspora_vacancy_applicants_per_month =
        m.optional("diaspora_vacancy_applicants_per_month", e.diaspora_vacancy_applicants_per_month, real(0.0, 100.0));
    e.conditions_sd = m.optional("conditions_sd", e.conditions_sd, real(0.0, 1.0));
    if (m.has("establishments")) {
      for (const auto& item : m.get("establishments").as_sequence()) {
        Mapping row(item);
        EstablishmentCell cell;
        cell.municipality = resolve_municipality(s, row.get("municipality"));
        cell.field = resolve(s.fields, row.get("field"), "field");
        if (!s.fields[cell.field].employs) row.get("field").fail("expected a field that employs workers");
        cell.establishments = row.get("establishments").as_int(0, 10'000'000);
        row.finish();
        e.establishments.push_back(cell);
      }
    }
    m.finish();
  }

  // A CEFR level name as Japanese points: A0 0, A1 50, A2 100, B1 150, B2 200.
  static std::uint8_t japanese_level(const Value& v) {
    return static_cast<std::uint8_t>(50 * v.as_choice({"A0", "A1", "A2", "B1", "B2"}));
  }

  const YamlTree& tree_;
  StockCache* stock_cache_;
  std::unordered_map<int, std::uint16_t> municipality_index_;  // code -> position
  std::map<std::string, YAML::Node> status_nodes_;
  std::vector<std::pair<std::size_t, Value>> field_hires_;
};

}  // namespace

std::optional<std::size_t> Scenario::status_index(const std::string& n) const { return find_name(statuses, n); }
std::optional<std::size_t> Scenario::field_index(const std::string& n) const { return find_name(fields, n); }
std::optional<std::size_t> Scenario::origin_index(const std::string& n) const { return find_name(origins, n); }

// The two tables that run to hundreds of thousands of rows are read row by row, not as YAML.
const std::vector<detail::KeyPath> kStreamedTables{{"initial_stock"}, {"employers", "establishments"}};
// Municipalities and prefectures are indexed by 16 bits: a larger table is refused as it is read.
const std::vector<std::pair<detail::KeyPath, std::size_t>> kRowLimits{{{"municipalities"}, kMaxMunicipalities},
                                                                      {{"prefectures"}, kMaxMunicipalities}};

Scenario load_scenario(const ScenarioSource& source) {
  const YamlTree tree(source.path, source.overrides, kStreamedTables, kRowLimits);
  return ScenarioReader(tree).read();
}

struct LoadedScenario::Impl {
  YamlTree tree;
  StockCache stock;
};

namespace {
// yaml-cpp nodes share memory pools, even when only read, and the trees of a process share their
// table files (variants of a sweep): every resolve of the process takes its turn.
std::mutex resolve_turns;
}  // namespace

LoadedScenario::LoadedScenario(const ScenarioSource& source) {
  const std::lock_guard<std::mutex> lock(resolve_turns);
  impl_.reset(new Impl{YamlTree(source.path, source.overrides, kStreamedTables, kRowLimits), {}});
}

LoadedScenario::~LoadedScenario() = default;

Scenario LoadedScenario::resolve(const std::vector<std::string>& overrides) const {
  const std::lock_guard<std::mutex> lock(resolve_turns);
  Scenario out;
  impl_->tree.with_overrides(overrides,
                             [&](const YamlTree& tree) { out = ScenarioReader(tree, &impl_->stock).read(); });
  return out;
}

std::optional<double> LoadedScenario::number_at(const std::string& key_path) const {
  const std::lock_guard<std::mutex> lock(resolve_turns);
  return impl_->tree.number_at(key_path);
}

}  // namespace migsim
