// The scenario: what to simulate, as plain validated data. Policy lives here, never in the
// engine: statuses, fields, origins, caps and dated events are all read from the YAML file.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace migsim {

// Months since year 0: year * 12 + (month - 1). The model steps monthly.
using MonthIndex = std::int32_t;

constexpr MonthIndex month_index(int year, int month) { return year * 12 + (month - 1); }
constexpr int year_of(MonthIndex m) { return m / 12; }
constexpr int month_of(MonthIndex m) { return m % 12 + 1; }
std::string format_month(MonthIndex m);  // "YYYY-MM"

constexpr std::int32_t kUnlimitedMonths = std::numeric_limits<std::int32_t>::max();

// When a worker may change employer at their own request (DESIGN §3).
enum class EmployerChangeRule : std::uint8_t {
  never,         // TITP: bound to the employer for the whole stay
  after_months,  // TES: after N months with the employer, N set per field, same field only
  within_field,  // SSW: free within the same field
  free,          // status-based residents: any employer, any field
};
const char* to_string(EmployerChangeRule rule);

struct StatusTransition {
  std::uint8_t to_status = 0;
  std::int32_t after_months = 0;  // months in the current status before the step is possible
  double pass_rate = 1.0;         // probability of passing when eligible (tests, screening)
  // The pass rate from January of each listed year on (year, rate), sorted; pass_rate before the first.
  std::vector<std::pair<int, double>> pass_rate_by_year;
  std::uint8_t requires_japanese = 0;        // points (level × 50: A0 0, A1 50, A2 100, B1 150, B2 200)
  std::uint8_t requires_skill = 0;           // skill points, 0-250
  std::vector<std::uint8_t> fields_allowed;  // 1 per field where the transition exists
};

enum class JobSearchArea : std::uint8_t { country, prefecture };

struct StatusRule {
  std::string name;
  bool works = true;  // holders may be employed
  std::int32_t max_stay_months = kUnlimitedMonths;
  // The end of a first term (TITP's 2-go at 36 months): holders who do not change status that month
  // stay on to max_stay_months with probability renewal_share (TITP 3-go), else their stay ends.
  std::int32_t first_term_months = 0;  // 0: no first term
  double renewal_share = 1.0;
  EmployerChangeRule employer_change = EmployerChangeRule::never;
  std::vector<std::int32_t> employer_change_after_months;  // per field (after_months rule)
  bool family_allowed = false;
  std::int32_t family_delay_months = 0;  // earliest month in status a family may join
  // Initial holders have all reunited, or keep a family abroad with the chance it has not joined at
  // family.join_rate_per_month in their months in status past the delay.
  enum class InitialFamilies : std::uint8_t { reunited, by_months_in_status };
  InitialFamilies initial_families = InitialFamilies::reunited;
  // The status the family of a holder joins as and holds while linked to it (the family of a permanent
  // resident gets 永住者の配偶者等 or 定住者, not 家族滞在); unset: family.dependent_status.
  std::optional<std::uint8_t> family_joins_as;
  bool entries_open = false;               // new entries from abroad admitted
  std::vector<std::uint8_t> entry_fields;  // 1 per field open to entries from abroad
  // Entrants are admitted without a vacancy (a school admits students); part_time_search_share of
  // them arrive looking for work in the employing entry_fields, the others do not work.
  bool enters_without_job = false;
  double part_time_search_share = 0.0;
  // The applicants of this status's entry channel are multiplied by this (its channel weight's
  // level against the other channels', for a calibration to set).
  double channel_multiplier = 1.0;
  std::vector<StatusTransition> transitions;
  double exit_rate_per_year = 0.0;         // return / death / naturalisation hazard
  double abscond_rate_per_year = 0.0;      // leaving the status without permission
  double job_search_rate_per_month = 0.0;  // share of eligible workers looking each month
  double field_change_share = 0.0;         // of searches, share aimed at another field
  int entry_age_min_years = 18;
  int entry_age_max_years = 35;
  std::uint8_t entry_japanese = 0;  // Japanese on arrival, points (level × 50)
  std::uint8_t entry_skill = 0;     // skill on arrival, points 0-250
  // Employers who hold workers longer than a restriction period must raise wages in year 2 (TES rules).
  double second_year_wage_raise = 0.0;
  // Whether entrants of this status answer the vacancies of diaspora employers known back home (false where
  // an agency abroad matches each entrant to one employer).
  bool drawn_by_diaspora_vacancies = true;
  std::int32_t second_year_wage_raise_after_months = 12;  // months with the employer before the raise is paid
  // The raise is owed only in fields whose restriction period is longer than this.
  std::int32_t second_year_wage_raise_if_restriction_over_months = 12;
  // Where holders look for a job inside Japan: anywhere, or only in their own prefecture (those bound
  // to a school or a family, working part-time).
  JobSearchArea job_search_area = JobSearchArea::country;
  // How far (0-1) an employer's chance to hire the status follows the status's share of its field's
  // workers in its prefecture in the initial stock, against the nation's (0: the field's share only).
  double hiring_follows_stock = 0.0;
};

struct Field {
  std::string name;
  bool employs = true;                         // false for the "none" field of non-workers
  double labour_demand_growth_per_year = 0.0;  // growth of employers' foreign-worker capacity
  // The labour-shortage series: growth from each listed census year on (year, rate), sorted.
  std::vector<std::pair<int, double>> labour_demand_growth_by_year;
  std::vector<double> hires_share;  // per status: share of the field's employers hiring it
  double growth_in(int year) const {
    double rate = labour_demand_growth_per_year;
    for (const auto& [from, r] : labour_demand_growth_by_year)
      if (from <= year) rate = r;
    return rate;
  }
};

struct Origin {
  std::string name;
  double applicants_per_year = 0.0;                   // persons applying to come, at full scale
  std::vector<double> channel_weights;                // per status: share of applicants per status
  double network_elasticity = 0.0;                    // pull of co-nationals: weight × (1 + e × their share)
  std::optional<std::pair<double, double>> location;  // (latitude, longitude) of where emigrants leave from
  // How readily its people take up a job they hear of in Japan: multiplies the applicants that vacancies of
  // co-national (diaspora) employers draw from the origin.
  double orientation_to_work_abroad = 1.0;
  double language_proximity = 0.5;  // 0 distant .. 1 close to Japanese: learning × (0.5 + p)
};

struct Prefecture {
  int code = 0;
  std::string name;
  double minimum_wage_yen_per_hour = 0.0;
};

struct MunicipalPolicy {
  bool language_classes = false;
  bool consultation = false;
  bool residents_assembly = false;
  bool hires_ajts = false;               // assistant Japanese teachers for foreign children
  bool employer_subsidy = false;         // subsidies to employers of foreign workers
  bool council_member = false;           // member of a council of municipalities (policy diffusion)
  std::int32_t ajts = 0;                 // teachers at the start
  double budget_yen_per_year = -1.0;     // for foreign-resident policy; < 0: population × per-resident rate
  std::vector<std::uint8_t> agreements;  // 1 per origin with a cooperation agreement
};

struct Municipality {
  int code = 0;
  std::string name;
  std::uint16_t prefecture = 0;  // index into Scenario::prefectures
  std::int64_t population = 0;
  std::optional<std::pair<double, double>> location;  // (latitude, longitude) in degrees
  MunicipalPolicy policy;
};

// Months an initial resident of a status has already spent in it: the shares of bands of months,
// each drawn uniformly within. A status without bands draws 0 to min(its max stay,
// family.initial_months_in_status_max) uniformly.
struct InitialMonthsBand {
  std::uint8_t status = 0;
  std::int32_t from_months = 0;  // inclusive
  std::int32_t to_months = 0;    // exclusive
  double share = 0.0;            // of the status's initial residents; a status's bands add up to 1
};

struct StockCell {
  std::uint16_t municipality = 0;
  std::uint8_t status = 0;
  std::uint8_t field = 0;
  std::uint8_t origin = 0;
  std::int64_t persons = 0;
};

// A ceiling on a status set in one field over a period. kind stock: the stock of those
// statuses in the field may not exceed limit; kind admissions: admissions counted from
// `from` may not exceed limit. No cap means unlimited; limit 0 admits nobody.
struct FieldCap {
  std::uint8_t field = 0;
  std::vector<std::uint8_t> statuses;  // 1 per status the cap counts and restricts
  MonthIndex from = 0;
  MonthIndex to = 0;  // inclusive
  enum class Kind : std::uint8_t { stock, admissions } kind = Kind::stock;
  std::int64_t limit_persons = 0;
};

struct BorderClosure {
  MonthIndex from = 0;
  MonthIndex to = 0;         // inclusive
  double admit_share = 0.0;  // share of entries from abroad still admitted (residents returning, exemptions)
  // Per status (entry channel, or the status a family member joins as), where the event names it;
  // empty: every status admits admit_share.
  std::vector<double> admit_share_by_status;
  // Holders whose stay ends while the closure keeps them from going home: this share stays on
  // under `stay_on_status` (2020-2022: designated activities for those unable to return).
  double stay_on_share = 0.0;
  std::uint8_t stay_on_status = 0;
  // Applicants it kept out who still come once it ends, spread evenly over catch_up_months after
  // `to` (2022: those granted entry during the closure arrived in the months after the reopening).
  double catch_up_share = 0.0;
  std::int32_t catch_up_months = 12;
};

// A dated change of one status's rules: the whole rule as it holds from `date` on.
struct StatusRuleChange {
  MonthIndex date = 0;
  std::uint8_t status = 0;
  StatusRule rule;
};

struct SendingPush {
  std::uint8_t origin = 0;
  MonthIndex from = 0;
  MonthIndex to = 0;  // inclusive
  double applicant_multiplier = 1.0;
};

struct AgreementEvent {
  MonthIndex date = 0;
  std::uint16_t municipality = 0;
  std::uint8_t origin = 0;
};

// Establishments of a field in a municipality that employ foreign workers (MHLW counts).
struct EstablishmentCell {
  std::uint16_t municipality = 0;
  std::uint8_t field = 0;
  std::int64_t establishments = 0;
};

struct EmployerParameters {
  double workers_per_employer = 10.0;  // mean foreign workers per synthesised employer
  double initial_vacancy_rate = 0.05;  // spare capacity at the start, share of workers
  double wage_premium_mean = 1.15;     // wage relative to the prefectural minimum wage
  double wage_premium_sd = 0.10;
  double hours_per_month = 160.0;
  double wage_raise_on_loss = 0.01;        // relative raise after losing a worker to a rival
  double wage_ceiling_over_minimum = 0.0;  // raises on loss stop at this × the prefectural minimum; 0: no ceiling
  double wage_reversion_per_year = 0.0;    // yearly, a wage moves this share of its gap to the market wage
  // The minimum-wage path: the prefectures' minimum wages are those of fiscal year minimum_wage_year (0: they
  // hold for the whole run), revised each year in minimum_wage_revision_month by minimum_wage_growth_per_year.
  int minimum_wage_year = 0;
  double minimum_wage_growth_per_year = 0.0;
  int minimum_wage_revision_month = 10;
  double conditions_mean = 0.7;  // working conditions, 0 (abusive) to 1 (good)
  double conditions_sd = 0.15;
  double size_sd = 1.0;                           // employer sizes ∝ lognormal(0, size_sd) within a place and field
  std::int32_t small_employer_places = 3;         // at most this many places: recruits abroad only through channels
  double diaspora_share = 0.05;                   // share of employers owned by an earlier migrant
  double diaspora_other_origin_acceptance = 0.3;  // chance a diaspora employer takes a non-co-national
  // Applicants a month each diaspora employer with an open place draws from its owner's origin (vacancies
  // known back home), times the origin's orientation to work abroad.
  double diaspora_vacancy_applicants_per_month = 0.5;
  // When given, the number of employers per (municipality, field) with workers: establishments × scale
  // (at least one); elsewhere workers / workers_per_employer.
  std::vector<EstablishmentCell> establishments;
};

// How migrants respond to what they meet; each factor multiplies a status's base rate.
struct BehaviourParameters {
  double abscond_bad_conditions_multiplier = 3.0;  // abscond hazard × (1 + m × (1 − conditions))
  double abscond_when_change_allowed = 0.2;        // abscond hazard × this where a legal change is open
  double search_bad_conditions_multiplier = 2.0;   // job search rate × (1 + m × (1 − conditions))
  double agreement_recruitment_weight = 3.0;       // pull of a municipality's agreement with an origin
  // A job seeker scores an opening: wage × (1 + urban_pull × urbanity) × (1 + network × co-national
  // share) × (1 + integration_pull × integration); urbanity: log population scaled 0 (smallest) to 1 (largest).
  double wage_full_marks_over_minimum = 1.5;  // wage / prefectural minimum giving full wage satisfaction
  double wage_market_span = 0.2;              // ± this share around the market wage spans 0 to 1
  double wage_minimum_share = 0.5;            // wage term = share × (against minimum) + rest × (against market)
  double urban_pull = 0.3;
  double distance_decay_km = 0.0;  // entrants' pull × exp(−distance / decay); 0 switches distance off
  double integration_pull = 0.3;
  double change_threshold = 0.02;  // a change must beat the current job's score by this share
  double move_cost = 0.0;          // a job seeker's score of an opening in another prefecture × (1 − move_cost)
  // Satisfaction (0-1) = weights × (wage term, conditions, integration); the weights are normalised.
  double satisfaction_weight_wage = 0.4;
  double satisfaction_weight_conditions = 0.3;
  double satisfaction_weight_integration = 0.3;
  double exit_satisfaction_reduction = 0.5;    // exit hazard × (1 − r × satisfaction)
  double exit_family_present = 0.6;            // exit hazard × this when the family lives with them
  double exit_family_separated = 1.5;          // exit hazard × this after long separation
  std::int32_t family_separation_months = 36;  // separation counted as long after this
};

struct FamilyParameters {
  std::uint8_t dependent_status = 0;  // status given to family members who join
  double spouse_probability = 0.5;    // a principal has a spouse abroad
  double children_mean = 0.8;         // mean children abroad (Poisson)
  double join_rate_per_month = 0.05;  // once allowed, hazard that the family joins
  int children_max_age_years = 14;    // children who join are 0 to this age
  int school_age_min_years = 6;       // compulsory schooling in Japan: ages 6-14
  int school_age_max_years = 14;
  std::int32_t initial_months_in_status_max =
      120;  // initial residents have been in status 0 to this (or their max stay)
};

struct IntegrationParameters {
  double weight_language_classes = 0.3;
  double weight_consultation = 0.2;
  double weight_residents_assembly = 0.1;
  double weight_ajt_coverage = 0.4;
  double ajt_children_per_teacher = 30.0;  // hiring target where a municipality hires AJTs
  double exit_reduction = 0.5;             // exit hazard × (1 − exit_reduction × integration)
  double family_join_boost = 1.0;          // family join hazard × (1 + boost × integration)
  double learning_boost = 0.5;             // Japanese learning × (1 + boost × integration)
  // Transitions into statuses without a stay limit pass × (1 + boost × integration).
  double settlement_boost = 0.5;
  double onward_move_push = 1.0;  // job search rate × (1 + push × (1 − integration))
  // AJTs at school (the Toyota study: AJTs teach foreign children Japanese and bridge school and
  // guardians): children of school age learn Japanese at school, faster where AJTs cover the
  // children who need instruction (those below a level), and a family living here stays longer.
  double children_japanese_points_per_month = 3.0;  // at language proximity 0.5, without AJTs
  std::uint8_t children_japanese_needed = 150;      // points (B1): below it a child needs instruction
  double ajt_learning_boost = 1.0;                  // children's learning × (1 + boost × coverage)
  double ajt_family_stay_effect = 0.3;              // exit with the family here × (1 − effect × coverage)
};

// Japanese is counted in points, 50 a CEFR level: A0 0-49, A1 50-99, A2 100-149, B1 150-199, B2 200-250.
struct LearningParameters {
  double japanese_points_per_month = 1.2;  // at language proximity 0.5, without classes
  double language_class_boost = 1.0;       // learning × (1 + boost) where the municipality runs classes
  double skill_points_per_month = 3.0;     // while employed
  // A skills test is passed with probability 1 / (1 + exp(−(skill − requires_skill) / width)): half pass at
  // the required level, more the further above it; 0 makes it a threshold (all pass at or above it).
  double skill_test_width_points = 15.0;
};

// How municipalities adapt their portfolio each year (DESIGN §2): adoption chances grow with the
// foreign share, with the share of fellow council members that run the policy, and (for
// employer subsidies) with employers' unfilled places; every policy costs, budgets bound them.
struct MunicipalPolicyParameters {
  double base_adoption_per_year = 0.01;
  double foreign_share_effect = 2.0;      // + effect × foreign residents / population
  double peer_effect = 0.3;               // + effect × share of council peers with the policy
  double vacancy_effect = 0.3;            // + effect × unfilled share of places (employer subsidy)
  double budget_yen_per_resident = 60.0;  // yearly budget for these policies, per inhabitant
  // + per foreign resident at the census (local taxes and national grants follow them)
  double budget_yen_per_foreign_resident = 0.0;
  // + to the adoption chance of the policies foreign residents ask for (language classes,
  // consultation, AJTs) where a foreign residents' assembly voices them (Kawasaki, 1996)
  double assembly_voice_effect = 0.5;
  double cost_language_classes_yen = 8e6;  // per year
  double cost_consultation_yen = 5e6;
  double cost_residents_assembly_yen = 3e6;
  double cost_employer_subsidy_yen = 1e7;
  double cost_per_ajt_yen = 4e6;
  double cost_per_agreement_yen = 2e6;  // a cooperation agreement with a sending country, per year
  double ajt_ability_mean = 1.0;        // each AJT's ability ~ Normal(mean, sd), within [0.2, 2]
  double ajt_ability_sd = 0.3;
  double subsidy_capacity_growth = 0.05;  // extra yearly capacity growth of subsidised employers
};

struct OutputSpec {
  bool national = true;
  bool prefecture = true;
  bool municipality = true;
  bool labour_market = true;
  int compression_level = 4;
  std::vector<int> summary_years;  // columns of the table `migsim run` prints; empty: spread over the run
};

// A CSV table the scenario reads, named so that a run can be reproduced from its output alone.
struct TableFile {
  std::string key_path;  // where the table stands in the scenario
  std::string file;      // as resolved from the scenario file's folder
  std::string sha256;    // of the file's bytes
};

struct Scenario {
  std::string name;
  std::string description;
  std::string source_file;               // the top file, as given
  std::string resolved_yaml;             // the merged tree after extends and --set
  std::vector<TableFile> table_files;    // the tables in force
  std::vector<std::string> input_files;  // every file read: the extends chain and the tables
  std::uint64_t seed = 1;
  double scale = 1.0;    // agents per person; 1/scale must be a whole number
  MonthIndex start = 0;  // the initial stock is the census of the start year
  MonthIndex end = 0;
  int census_month = 10;

  std::vector<StatusRule> statuses;
  std::vector<Field> fields;
  std::vector<Origin> origins;
  std::vector<Prefecture> prefectures;
  std::vector<Municipality> municipalities;
  std::vector<StockCell> initial_stock;
  std::vector<InitialMonthsBand> initial_months_in_status;
  std::vector<FieldCap> caps;
  double cap_multiplier = 1.0;  // every cap's limit times this: raises or lowers all caps at once
  // Every origin's applicants_per_year times this: the scale of the applicant estimates (a calibration factor).
  double applicants_multiplier = 1.0;
  std::vector<BorderClosure> border_closures;
  std::vector<StatusRuleChange> rule_changes;
  std::vector<SendingPush> sending_pushes;
  std::vector<AgreementEvent> agreements;
  EmployerParameters employers;
  FamilyParameters family;
  IntegrationParameters integration;
  BehaviourParameters behaviour;
  LearningParameters learning;
  MunicipalPolicyParameters municipal_policy;
  OutputSpec output;

  std::int64_t persons_per_agent() const { return static_cast<std::int64_t>(1.0 / scale + 0.5); }
  int first_year() const { return year_of(start); }
  int last_year() const;  // the last census year within [start, end]
  std::optional<std::size_t> status_index(const std::string& n) const;
  std::optional<std::size_t> field_index(const std::string& n) const;
  std::optional<std::size_t> origin_index(const std::string& n) const;
};

}  // namespace migsim
