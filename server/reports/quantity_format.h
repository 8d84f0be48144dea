#pragma once
// One formatting function for every quantity in a printed report, following ISMP's list of
// error-prone abbreviations, symbols and dose designations (docs/reference/pharmacology.md §11),
// the C++ twin of the web application's web/src/format/quantity.ts (the same table of cases is
// tested on both sides: tests/reports/quantity_format_test.cpp and quantity.test.ts):
//   - a leading zero below one: 0.5 mg, never .5 mg;
//   - no trailing zero after a whole number: 35 mg, never 35.0 mg;
//   - thousands separators at or above 1,000: 1,200 mL/h;
//   - units written mg, mcg, mL, mL/h, units: never µg, cc, U or IU (the Unit enum admits no other
//     spelling).
// The number and its unit are joined by a no-break space (U+00A0, UTF-8), so they never wrap
// apart. Pure functions.
#include <optional>
#include <string>
#include <string_view>

namespace kit::reports {

enum class Unit {
  mg,
  mcg,
  g,
  mL,
  L,
  mL_per_h,
  mg_per_kg,
  mg_per_kg_per_h,
  mg_per_h,
  mg_per_min,
  mg_per_mL,
  mcg_per_mL,
  ng_per_mL,
  kg,
  cm,
  min,
  h,
  mmHg,
  bpm,
  breaths_per_min,
  percent,
  units,
  MME_per_day,
};

// "mg", "mL/h", "%", ... as written on the page.
std::string_view unit_text(Unit unit);
// Decimals shown at most for the unit (trailing zeros are then dropped): mg 2, mL/h 1, ...
int unit_max_decimals(Unit unit);

// What is shown for a missing or non-finite value.
inline constexpr std::string_view kNoValue = "\xE2\x80\x94";  // U+2014 em dash
inline constexpr std::string_view kNbsp = "\xC2\xA0";         // U+00A0 no-break space

// The number alone, ISMP style: "0.5", "35", "1,200", "12.25". Rounds half up on the decimal
// digits as written (70.55 -> 70.6), not on the binary value. max_decimals is clamped to 0..6.
std::string format_number(double value, int max_decimals);

// A quantity with its unit: format_quantity(0.5, Unit::mg_per_kg) -> "0.5 mg/kg" (no-break
// space); "97%" for percent; kNoValue for nullopt, NaN or infinity.
std::string format_quantity(std::optional<double> value, Unit unit,
                            std::optional<int> max_decimals = std::nullopt);

}  // namespace kit::reports
