// Row getters. Errors name the column and what it actually held, so a repository bug reads as
// "column 'weight_kg' is text, not a number" rather than a bad_variant_access.
#include <cmath>
#include <limits>
#include <string>

#include "storage/database.h"

namespace kit::storage {
namespace {

const char* type_name(const Value& v) {
  switch (v.index()) {
    case 0:
      return "NULL";
    case 1:
      return "an integer";
    case 2:
      return "a real number";
    default:
      return "text";
  }
}

[[noreturn]] void wrong_type(std::string_view column, const Value& v, const char* wanted) {
  throw std::runtime_error("column '" + std::string(column) + "' is " + type_name(v) + ", not " +
                           wanted);
}

}  // namespace

const Value& Row::at(std::string_view column) const {
  const auto& names = *names_;
  for (std::size_t i = 0; i < names.size() && i < values_.size(); ++i) {
    if (names[i] == column) return values_[i];
  }
  std::string known;
  for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
  throw std::out_of_range("no column '" + std::string(column) +
                          "' in the result (columns: " + known + ")");
}

bool Row::is_null(std::string_view column) const {
  return std::holds_alternative<std::monostate>(at(column));
}

std::optional<std::int64_t> Row::opt_i64(std::string_view column) const {
  const Value& v = at(column);
  if (std::holds_alternative<std::monostate>(v)) return std::nullopt;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  // PostgreSQL answers SUM(bigint) and numeric as numbers with a fraction part; accept whole
  // values.
  if (const auto* d = std::get_if<double>(&v)) {
    if (std::isfinite(*d) && std::trunc(*d) == *d && std::fabs(*d) < 9.007199254740992e15) {
      return static_cast<std::int64_t>(*d);
    }
    throw std::runtime_error("column '" + std::string(column) + "' holds " + std::to_string(*d) +
                             ", not a whole number");
  }
  wrong_type(column, v, "an integer");
}

std::int64_t Row::i64(std::string_view column) const {
  auto v = opt_i64(column);
  if (!v) wrong_type(column, at(column), "an integer");
  return *v;
}

std::optional<double> Row::opt_f64(std::string_view column) const {
  const Value& v = at(column);
  if (std::holds_alternative<std::monostate>(v)) return std::nullopt;
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  wrong_type(column, v, "a number");
}

double Row::f64(std::string_view column) const {
  auto v = opt_f64(column);
  if (!v) wrong_type(column, at(column), "a number");
  return *v;
}

std::optional<std::string> Row::opt_text(std::string_view column) const {
  const Value& v = at(column);
  if (std::holds_alternative<std::monostate>(v)) return std::nullopt;
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  wrong_type(column, v, "text");
}

std::string Row::text(std::string_view column) const {
  auto v = opt_text(column);
  if (!v) wrong_type(column, at(column), "text");
  return *v;
}

}  // namespace kit::storage
