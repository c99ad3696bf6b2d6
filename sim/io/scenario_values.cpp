#include "io/scenario_values.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "migsim/error.hpp"

namespace migsim::detail {

std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

void Value::fail(const std::string& expected) const {
  if (is_cell()) throw InputError({table_->file(), cell().line, cell().column}, join_path(path()), expected);
  if (is_row()) throw InputError({table_->file(), row().front().line, 1}, join_path(path()), expected);
  tree_->fail(path_, expected);
}

void Value::fail_key(const std::string& key, const std::string& expected) const {
  if (is_row()) {
    const auto& cell = table_->header()[*column_of(key)];
    throw InputError({table_->file(), cell.line, cell.column}, join_path(child_path(path(), key)), expected);
  }
  tree_->fail(child_path(path(), key), expected, true);
}

void Value::fail_missing(const std::string& key) const {
  if (is_row())
    throw InputError({table_->file(), row().front().line, 1}, join_path(child_path(path(), key)),
                     "required key is missing (no such column, or an empty cell)");
  tree_->fail(child_path(path(), key), "required key is missing");
}

std::vector<std::string> Value::keys() const {
  std::vector<std::string> out;
  if (is_row()) {
    for (const auto& cell : table_->header()) out.push_back(cell.text);
  } else if (!table_ && node_.IsMap()) {
    for (const auto& entry : node_) out.push_back(entry.first.as<std::string>());
  }
  return out;
}

bool Value::as_bool() const {
  const auto text = scalar_text("true or false");
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  fail("expected true or false, got '" + text + "'");
}

std::int64_t Value::as_int(std::int64_t min, std::int64_t max) const {
  const auto text = scalar_text("a whole number");
  std::int64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) fail("expected a whole number, got '" + text + "'");
  if (value < min || value > max)
    fail("expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) + ", got " + text);
  return value;
}

double Value::as_double(double min, double max) const {
  const auto text = scalar_text("a number");
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(value))
    fail("expected a number, got '" + text + "'");
  if (value < min || value > max)
    fail("expected a number from " + number(min) + " to " + number(max) + ", got " + text);
  return value;
}

MonthIndex Value::as_month() const {
  const auto text = scalar_text("a date YYYY-MM or YYYY-MM-DD");
  auto digits = [&](std::size_t from, std::size_t count) {
    for (std::size_t k = from; k < from + count; ++k)
      if (!std::isdigit(static_cast<unsigned char>(text[k]))) return false;
    return true;
  };
  const bool month_form = text.size() == 7 && digits(0, 4) && text[4] == '-' && digits(5, 2);
  const bool day_form =
      text.size() == 10 && digits(0, 4) && text[4] == '-' && digits(5, 2) && text[7] == '-' && digits(8, 2);
  if (!month_form && !day_form) fail("expected a date YYYY-MM or YYYY-MM-DD, got '" + text + "'");
  const int year = std::stoi(text.substr(0, 4));
  const int month = std::stoi(text.substr(5, 2));
  if (year < 1900 || year > 2200 || month < 1 || month > 12)
    fail("expected a date YYYY-MM or YYYY-MM-DD with a month 01-12 and a year 1900-2200, got '" + text + "'");
  if (day_form) {
    static constexpr int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const int day = std::stoi(text.substr(8, 2));
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    const int last = month == 2 && !leap ? 28 : days[month - 1];
    if (day < 1 || day > last) fail("expected a valid day of the month, got '" + text + "'");
  }
  return month_index(year, month);
}

std::size_t Value::as_choice(const std::vector<std::string>& choices) const {
  const auto text = scalar_text(("one of: " + quoted_list(choices)).c_str());
  for (std::size_t i = 0; i < choices.size(); ++i)
    if (choices[i] == text) return i;
  fail("expected one of: " + quoted_list(choices) + ", got '" + text + "'");
}

std::vector<Value> Value::as_sequence(bool allow_empty) const {
  if (is_table()) {
    if (!allow_empty && table_->rows().empty()) fail("expected a non-empty list");
    std::vector<Value> out;
    out.reserve(table_->rows().size());
    for (std::size_t i = 0; i < table_->rows().size(); ++i) out.push_back(Value(*this, i));
    return out;
  }
  if (table_ || node_.IsNull()) {
    if (allow_empty && !table_) return {};
    fail(table_ ? "expected a list, got " + kind() : "expected a non-empty list");
  }
  if (!node_.IsSequence()) fail("expected a list, got " + kind());
  if (!allow_empty && node_.size() == 0) fail("expected a non-empty list");
  std::vector<Value> out;
  for (std::size_t i = 0; i < node_.size(); ++i) out.emplace_back(*tree_, node_[i], index_path(path_, i));
  return out;
}

std::string Value::kind() const {
  if (is_cell()) return "'" + cell().text + "'";
  if (is_row()) return "a mapping";
  if (is_table()) return "a list";
  switch (node_.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Scalar:
      return "'" + node_.Scalar() + "'";
    default:
      return "nothing";
  }
}

std::vector<std::string> Value::header_keys() const {
  std::vector<std::string> out;
  for (const auto& cell : table_->header()) out.push_back(cell.text);
  return out;
}

std::string Value::number(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", x);
  return buffer;
}

}  // namespace migsim::detail
