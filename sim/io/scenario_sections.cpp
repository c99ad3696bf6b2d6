// Strict reading of the scenario sections that stand on their own: scenario_sections.hpp.
#include "io/scenario_sections.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace migsim::detail {

namespace {

// A non-empty list of status names -> one flag per status.
std::vector<std::uint8_t> status_set(const Scenario& s, const Value& v) {
  std::vector<std::uint8_t> flags(s.statuses.size(), 0);
  for (const auto& item : v.as_sequence(false)) flags[resolve(s.statuses, item, "status")] = 1;
  return flags;
}

}  // namespace

void read_caps(Scenario& s, const Value& v) {
  for (const auto& item : v.as_sequence()) {
    Mapping m(item);
    FieldCap c;
    c.field = resolve(s.fields, m.get("field"), "field");
    c.statuses = status_set(s, m.get("statuses"));
    c.from = m.get("from").as_month();
    c.to = m.get("to").as_month();
    if (c.to < c.from) m.get("to").fail("expected a date on or after from (" + format_month(c.from) + ")");
    c.kind = m.optional("kind", std::size_t{0},
                        [](const Value& x) {
                          return x.as_choice({"stock", "admissions"});
                        }) == 0
                 ? FieldCap::Kind::stock
                 : FieldCap::Kind::admissions;
    c.limit_persons = m.get("limit_persons").as_int(0, 100'000'000);
    m.finish();
    s.caps.push_back(c);
  }
}

void read_initial_months_in_status(Scenario& s, const Value& v) {
  constexpr std::size_t rows_none = static_cast<std::size_t>(-1);
  std::vector<double> share_sum(s.statuses.size(), 0.0);
  std::vector<std::size_t> last_row(s.statuses.size(), rows_none);
  const auto rows = v.as_sequence();
  for (std::size_t k = 0; k < rows.size(); ++k) {
    Mapping m(rows[k]);
    InitialMonthsBand b;
    b.status = resolve(s.statuses, m.get("status"), "status");
    const auto& rule = s.statuses[b.status];
    b.from_months = static_cast<std::int32_t>(m.get("from_months").as_int(0, 1199));
    const Value to = m.get("to_months");
    b.to_months = static_cast<std::int32_t>(to.as_int(1, 1200));
    if (b.to_months <= b.from_months)
      to.fail("expected more months than from_months (" + std::to_string(b.from_months) + ")");
    // A resident at or past the maximum stay would expire at once: the stock is of people still there.
    if (b.to_months > rule.max_stay_months)
      to.fail("expected at most " + rule.name + "'s max_stay_months (" + std::to_string(rule.max_stay_months) + ")");
    b.share = m.get("share").as_double(0.0, 1.0);
    m.finish();
    share_sum[b.status] += b.share;
    last_row[b.status] = k;
    s.initial_months_in_status.push_back(b);
  }
  for (std::size_t status = 0; status < s.statuses.size(); ++status)
    if (last_row[status] != rows_none && std::fabs(share_sum[status] - 1.0) > 1e-6)
      Mapping(rows[last_row[status]])
          .get("share")
          .fail("expected the shares of " + s.statuses[status].name + "'s bands to add up to 1, they add up to " +
                std::to_string(share_sum[status]));
}

void read_family(Scenario& s, const Value& v) {
  Mapping m(v);
  auto& f = s.family;
  if (m.has("dependent_status")) {
    f.dependent_status = resolve(s.statuses, m.get("dependent_status"), "status");
  } else {
    const auto dependent = s.status_index("DEPENDENT");
    if (!dependent)
      v.tree().fail(child_path(v.path(), "dependent_status"), "required when no status is named DEPENDENT");
    f.dependent_status = static_cast<std::uint8_t>(*dependent);
  }
  if (s.statuses[f.dependent_status].works &&
      s.fields.end() == std::find_if(s.fields.begin(), s.fields.end(), [](const Field& x) { return !x.employs; }))
    v.fail("expected a field with employs: false for family members who join");
  f.spouse_probability = m.optional("spouse_probability", f.spouse_probability, real(0.0, 1.0));
  f.children_mean = m.optional("children_mean", f.children_mean, real(0.0, 10.0));
  f.children_max_age_years = static_cast<int>(m.optional("children_max_age_years", std::int64_t{14}, whole(0, 30)));
  f.school_age_min_years = static_cast<int>(m.optional("school_age_min_years", std::int64_t{6}, whole(0, 30)));
  f.school_age_max_years = static_cast<int>(m.optional("school_age_max_years", std::int64_t{14}, whole(0, 30)));
  if (f.school_age_max_years < f.school_age_min_years)
    m.get("school_age_max_years")
        .fail("expected an age at least school_age_min_years (" + std::to_string(f.school_age_min_years) + ")");
  f.initial_months_in_status_max =
      static_cast<std::int32_t>(m.optional("initial_months_in_status_max", std::int64_t{120}, whole(1, 1200)));
  f.join_rate_per_month = m.optional("join_rate_per_month", f.join_rate_per_month, real(0.0, 1.0));
  m.finish();
  if (std::none_of(s.fields.begin(), s.fields.end(), [](const Field& x) { return !x.employs; }))
    v.tree().fail({"fields"}, "expected one field with employs: false (for non-workers and family members)");
}

void read_integration(Scenario& s, const Value& v) {
  Mapping m(v);
  auto& g = s.integration;
  auto weight = real(0.0, 1.0);
  g.weight_language_classes = m.optional("weight_language_classes", g.weight_language_classes, weight);
  g.weight_consultation = m.optional("weight_consultation", g.weight_consultation, weight);
  g.weight_residents_assembly = m.optional("weight_residents_assembly", g.weight_residents_assembly, weight);
  g.weight_ajt_coverage = m.optional("weight_ajt_coverage", g.weight_ajt_coverage, weight);
  g.ajt_children_per_teacher = m.optional("ajt_children_per_teacher", g.ajt_children_per_teacher, real(1.0, 1e4));
  g.exit_reduction = m.optional("exit_reduction", g.exit_reduction, weight);
  g.family_join_boost = m.optional("family_join_boost", g.family_join_boost, real(0.0, 100.0));
  g.learning_boost = m.optional("learning_boost", g.learning_boost, real(0.0, 100.0));
  g.settlement_boost = m.optional("settlement_boost", g.settlement_boost, real(0.0, 100.0));
  g.onward_move_push = m.optional("onward_move_push", g.onward_move_push, real(0.0, 100.0));
  g.children_japanese_points_per_month =
      m.optional("children_japanese_points_per_month", g.children_japanese_points_per_month, real(0.0, 50.0));
  g.children_japanese_needed = m.optional("children_japanese_needed", g.children_japanese_needed, [](const Value& x) {
    return static_cast<std::uint8_t>(50 * x.as_choice({"A0", "A1", "A2", "B1", "B2"}));
  });
  g.ajt_learning_boost = m.optional("ajt_learning_boost", g.ajt_learning_boost, real(0.0, 100.0));
  g.ajt_family_stay_effect = m.optional("ajt_family_stay_effect", g.ajt_family_stay_effect, weight);
  m.finish();
}

void read_learning(Scenario& s, const Value& v) {
  Mapping m(v);
  auto& l = s.learning;
  l.japanese_points_per_month = m.optional("japanese_points_per_month", l.japanese_points_per_month, real(0.0, 50.0));
  l.language_class_boost = m.optional("language_class_boost", l.language_class_boost, real(0.0, 10.0));
  l.skill_points_per_month = m.optional("skill_points_per_month", l.skill_points_per_month, real(0.0, 50.0));
  l.skill_test_width_points = m.optional("skill_test_width_points", l.skill_test_width_points, real(0.0, 250.0));
  m.finish();
}

void read_municipal_policy(Scenario& s, const Value& v) {
  Mapping m(v);
  auto& p = s.municipal_policy;
  auto rate = real(0.0, 1.0);
  auto effect = real(0.0, 100.0);
  auto yen = real(0.0, 1e12);
  p.base_adoption_per_year = m.optional("base_adoption_per_year", p.base_adoption_per_year, rate);
  p.foreign_share_effect = m.optional("foreign_share_effect", p.foreign_share_effect, effect);
  p.peer_effect = m.optional("peer_effect", p.peer_effect, effect);
  p.vacancy_effect = m.optional("vacancy_effect", p.vacancy_effect, effect);
  p.budget_yen_per_resident = m.optional("budget_yen_per_resident", p.budget_yen_per_resident, real(0.0, 1e6));
  p.budget_yen_per_foreign_resident =
      m.optional("budget_yen_per_foreign_resident", p.budget_yen_per_foreign_resident, real(0.0, 1e7));
  p.assembly_voice_effect = m.optional("assembly_voice_effect", p.assembly_voice_effect, effect);
  p.cost_language_classes_yen = m.optional("cost_language_classes_yen", p.cost_language_classes_yen, yen);
  p.cost_consultation_yen = m.optional("cost_consultation_yen", p.cost_consultation_yen, yen);
  p.cost_residents_assembly_yen = m.optional("cost_residents_assembly_yen", p.cost_residents_assembly_yen, yen);
  p.cost_employer_subsidy_yen = m.optional("cost_employer_subsidy_yen", p.cost_employer_subsidy_yen, yen);
  p.cost_per_ajt_yen = m.optional("cost_per_ajt_yen", p.cost_per_ajt_yen, yen);
  p.cost_per_agreement_yen = m.optional("cost_per_agreement_yen", p.cost_per_agreement_yen, yen);
  p.ajt_ability_mean = m.optional("ajt_ability_mean", p.ajt_ability_mean, real(0.2, 2.0));
  p.ajt_ability_sd = m.optional("ajt_ability_sd", p.ajt_ability_sd, rate);
  p.subsidy_capacity_growth = m.optional("subsidy_capacity_growth", p.subsidy_capacity_growth, rate);
  m.finish();
}

void read_behaviour(Scenario& s, const Value& v) {
  Mapping m(v);
  auto& b = s.behaviour;
  auto factor = real(0.0, 100.0);
  b.abscond_bad_conditions_multiplier =
      m.optional("abscond_bad_conditions_multiplier", b.abscond_bad_conditions_multiplier, factor);
  b.abscond_when_change_allowed = m.optional("abscond_when_change_allowed", b.abscond_when_change_allowed, factor);
  b.agreement_recruitment_weight =
      m.optional("agreement_recruitment_weight", b.agreement_recruitment_weight, real(0.0, 1000.0));
  b.satisfaction_weight_wage = m.optional("satisfaction_weight_wage", b.satisfaction_weight_wage, factor);
  b.satisfaction_weight_conditions =
      m.optional("satisfaction_weight_conditions", b.satisfaction_weight_conditions, factor);
  b.satisfaction_weight_integration =
      m.optional("satisfaction_weight_integration", b.satisfaction_weight_integration, factor);
  if (b.satisfaction_weight_wage + b.satisfaction_weight_conditions + b.satisfaction_weight_integration <= 0)
    v.fail("expected satisfaction weights that are not all 0");
  b.exit_satisfaction_reduction =
      m.optional("exit_satisfaction_reduction", b.exit_satisfaction_reduction, real(0.0, 1.0));
  b.exit_family_present = m.optional("exit_family_present", b.exit_family_present, factor);
  b.exit_family_separated = m.optional("exit_family_separated", b.exit_family_separated, factor);
  b.family_separation_months =
      static_cast<std::int32_t>(m.optional("family_separation_months", std::int64_t{36}, whole(0, 1200)));
  b.urban_pull = m.optional("urban_pull", b.urban_pull, factor);
  b.wage_full_marks_over_minimum =
      m.optional("wage_full_marks_over_minimum", b.wage_full_marks_over_minimum, real(1.01, 10.0));
  b.wage_minimum_share = m.optional("wage_minimum_share", b.wage_minimum_share, real(0.0, 1.0));
  b.wage_market_span = m.optional("wage_market_span", b.wage_market_span, real(0.01, 10.0));
  b.distance_decay_km = m.optional("distance_decay_km", b.distance_decay_km, real(0.0, 1e5));
  b.integration_pull = m.optional("integration_pull", b.integration_pull, factor);
  b.change_threshold = m.optional("change_threshold", b.change_threshold, real(0.0, 10.0));
  b.move_cost = m.optional("move_cost", b.move_cost, real(0.0, 1.0));
  b.search_bad_conditions_multiplier =
      m.optional("search_bad_conditions_multiplier", b.search_bad_conditions_multiplier, factor);
  m.finish();
}

void read_output(Scenario& s, const Value& v) {
  Mapping m(v);
  if (m.has("groups")) {
    s.output.national = s.output.prefecture = s.output.municipality = s.output.labour_market = false;
    for (const auto& g : m.get("groups").as_sequence()) {
      switch (g.as_choice({"national", "prefecture", "municipality", "labour_market"})) {
        case 0:
          s.output.national = true;
          break;
        case 1:
          s.output.prefecture = true;
          break;
        case 2:
          s.output.municipality = true;
          break;
        default:
          s.output.labour_market = true;
          break;
      }
    }
  }
  s.output.compression_level = static_cast<int>(m.optional("compression_level", std::int64_t{4}, whole(0, 9)));
  if (m.has("summary_years"))
    for (const auto& year : m.get("summary_years").as_sequence())
      s.output.summary_years.push_back(
          static_cast<int>(year.as_int(1900, 2200)));  // years outside the run are not shown
  m.finish();
}

}  // namespace migsim::detail
