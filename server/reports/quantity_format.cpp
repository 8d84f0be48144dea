#include "server/reports/quantity_format.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace kit::reports {

namespace {

struct UnitInfo {
  Unit unit;
  std::string_view text;
  int max_decimals;
};

// The same table as MAX_DECIMALS in web/src/format/quantity.ts.
constexpr UnitInfo kUnits[] = {
    {Unit::mg, "mg", 2},
    {Unit::mcg, "mcg", 1},
    {Unit::g, "g", 3},
    {Unit::mL, "mL", 2},
    {Unit::L, "L", 3},
    {Unit::mL_per_h, "mL/h", 1},  // pumps are programmed to 0.1 mL/h
    {Unit::mg_per_kg, "mg/kg", 3},
    {Unit::mg_per_kg_per_h, "mg/kg/h", 3},
    {Unit::mg_per_h, "mg/h", 2},
    {Unit::mg_per_min, "mg/min", 3},
    {Unit::mg_per_mL, "mg/mL", 2},
    {Unit::mcg_per_mL, "mcg/mL", 3},
    {Unit::ng_per_mL, "ng/mL", 0},
    {Unit::kg, "kg", 1},
    {Unit::cm, "cm", 0},
    {Unit::min, "min", 0},
    {Unit::h, "h", 1},
    {Unit::mmHg, "mmHg", 0},
    {Unit::bpm, "bpm", 0},
    {Unit::breaths_per_min, "breaths/min", 0},
    {Unit::percent, "%", 0},
    {Unit::units, "units", 0},
    {Unit::MME_per_day, "MME/day", 1},
};

const UnitInfo& info(Unit unit) {
  for (const UnitInfo& i : kUnits) {
    if (i.unit == unit) return i;
  }
  return kUnits[0];  // unreachable: every enumerator is in the table (tested)
}

// Adds one to the decimal digit string (no sign, no point): "099" -> "100", "99" -> "100".
void increment(std::string& digits) {
  for (std::size_t i = digits.size(); i-- > 0;) {
    if (digits[i] == '9') {
      digits[i] = '0';
    } else {
      ++digits[i];
      return;
    }
  }
  digits.insert(digits.begin(), '1');
}

}  // namespace

std::string_view unit_text(Unit unit) { return info(unit).text; }
int unit_max_decimals(Unit unit) { return info(unit).max_decimals; }

std::string format_number(double value, int max_decimals) {
  if (!std::isfinite(value)) return std::string(kNoValue);
  const int decimals = std::clamp(max_decimals, 0, 6);
  // The shortest decimal text that reads back as the same double ("70.55", not 70.549999...):
  // rounding works on the digits as written, as people read them.
  char buf[400];
  const auto res = std::to_chars(buf, buf + sizeof buf, std::fabs(value), std::chars_format::fixed);
  std::string text(buf, res.ptr);
  const std::size_t point = text.find('.');
  std::string whole = point == std::string::npos ? text : text.substr(0, point);
  std::string fraction = point == std::string::npos ? std::string() : text.substr(point + 1);
  if (fraction.size() > static_cast<std::size_t>(decimals)) {
    const bool up = fraction[static_cast<std::size_t>(decimals)] >= '5';
    fraction.resize(static_cast<std::size_t>(decimals));
    if (up) {
      std::string digits = whole + fraction;
      increment(digits);
      whole = digits.substr(0, digits.size() - fraction.size());
      fraction = digits.substr(digits.size() - fraction.size());
    }
  }
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  const bool nonzero =
      std::any_of(whole.begin(), whole.end(), [](char c) { return c > '0'; }) ||
      std::any_of(fraction.begin(), fraction.end(), [](char c) { return c > '0'; });
  std::string grouped;
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) grouped.push_back(',');
    grouped.push_back(whole[i]);
  }
  if (grouped.empty()) grouped.push_back('0');
  std::string out;
  out.reserve(grouped.size() + fraction.size() + 2);
  if (value < 0 && nonzero) out.push_back('-');
  out.append(grouped);
  if (!fraction.empty()) out.append(".").append(fraction);
  return out;
}

std::string format_quantity(std::optional<double> value, Unit unit,
                            std::optional<int> max_decimals) {
  if (!value || !std::isfinite(*value)) return std::string(kNoValue);
  const std::string number = format_number(*value, max_decimals.value_or(unit_max_decimals(unit)));
  if (unit == Unit::percent) return number + "%";
  std::string out = number;
  out.append(kNbsp).append(unit_text(unit));
  return out;
}

}  // namespace kit::reports
