#include "rules/status_rules.hpp"

#include <algorithm>
#include <limits>

#include "rules/employer_change.hpp"

namespace migsim {

StatusRules::StatusRules(const Scenario& scenario) : fields_(scenario.fields), rules_(scenario.statuses) {
  for (std::size_t f = 0; f < fields_.size(); ++f)
    if (fields_[f].employs) employing_fields_.push_back(static_cast<std::uint8_t>(f));
  for (std::size_t f = fields_.size(); f-- > 0;)
    if (!fields_[f].employs) none_field_ = static_cast<std::uint8_t>(f);
  for (const auto& rule : rules_)
    family_status_.push_back(rule.family_joins_as.value_or(scenario.family.dependent_status));
}

void StatusRules::derive() {
  const std::size_t statuses = rules_.size(), fields = fields_.size();
  first_attempt_.assign(statuses, std::numeric_limits<std::int32_t>::max());
  last_attempt_.assign(statuses, std::numeric_limits<std::int32_t>::min());
  for (std::size_t s = 0; s < statuses; ++s)
    for (const auto& transition : rules_[s].transitions) {
      first_attempt_[s] = std::min(first_attempt_[s], attempt_month(transition));
      last_attempt_[s] = std::max(last_attempt_[s], attempt_month(transition));
    }
  covered_field_.resize(statuses * fields);
  works_in_.resize(statuses * fields);
  raise_in_year_two_.resize(statuses * fields);
  for (std::size_t s = 0; s < statuses; ++s)
    for (std::size_t f = 0; f < fields; ++f) {
      const auto field = static_cast<std::uint8_t>(f);
      covered_field_[s * fields + f] = find_covered_field(rules_[s], field);
      works_in_[s * fields + f] = rules_[s].works && fields_[f].employs;
      raise_in_year_two_[s * fields + f] = employer_change::raise_in_year_two(rules_[s], field);
    }
}

void StatusRules::use_year(int year) {
  for (auto& rule : rules_)
    for (auto& transition : rule.transitions)
      for (const auto& [from, rate] : transition.pass_rate_by_year)
        if (from <= year) transition.pass_rate = rate;
}

std::uint8_t StatusRules::find_covered_field(const StatusRule& rule, std::uint8_t field) const {
  if (!rule.works || !fields_[field].employs || rule.entry_fields[field]) return field;
  for (const auto target : employing_fields_)
    if (rule.entry_fields[target]) return target;
  return field;
}

}  // namespace migsim
