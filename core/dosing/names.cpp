#include "core/dosing/names.h"

namespace kit::dosing {

std::string_view to_string(AdministrationRoute r) {
  switch (r) {
    case AdministrationRoute::kIvInfusion:
      return "iv-infusion";
    case AdministrationRoute::kIvPush:
      return "iv-push";
    case AdministrationRoute::kIntramuscular:
      return "im";
  }
  return "?";
}

std::string_view to_string(DoseKind k) {
  switch (k) {
    case DoseKind::kPerKg:
      return "mg_per_kg";
    case DoseKind::kPerKgPerHour:
      return "mg_per_kg_per_h";
    case DoseKind::kFixedRatePerH:
      return "mg_per_h";
  }
  return "?";
}

std::string_view to_string(WeightRuleKind k) {
  switch (k) {
    case WeightRuleKind::kActual:
      return "actual";
    case WeightRuleKind::kIdealWhenBmiAtLeast:
      return "ideal_when_bmi_at_least";
    case WeightRuleKind::kAdjustedWhenBmiAtLeast:
      return "adjusted_when_bmi_at_least";
  }
  return "?";
}

std::string_view to_string(WeightBasis b) {
  switch (b) {
    case WeightBasis::kActual:
      return "actual";
    case WeightBasis::kIdeal:
      return "ideal";
    case WeightBasis::kAdjusted:
      return "adjusted";
  }
  return "?";
}

std::string_view to_string(LimitQuantity q) {
  switch (q) {
    case LimitQuantity::kDoseMgPerKg:
      return "dose_mg_per_kg";
    case LimitQuantity::kDoseMg:
      return "dose_mg";
    case LimitQuantity::kRateMgPerKgPerH:
      return "rate_mg_per_kg_per_h";
    case LimitQuantity::kRateMgPerH:
      return "rate_mg_per_h";
    case LimitQuantity::kRateMlPerH:
      return "rate_ml_per_h";
    case LimitQuantity::kConcentrationMgPerMl:
      return "concentration_mg_per_ml";
    case LimitQuantity::kAgeY:
      return "age_y";
    case LimitQuantity::kVolumeMl:
      return "volume_ml";
    case LimitQuantity::kCumulativeDoseMgPerKg:
      return "cumulative_dose_mg_per_kg";
  }
  return "?";
}

std::string_view to_string(LimitLevel l) { return l == LimitLevel::kSoft ? "soft" : "hard"; }
std::string_view to_string(BoundType t) { return t == BoundType::kMax ? "max" : "min"; }

std::string_view to_string(PlanStatus s) {
  switch (s) {
    case PlanStatus::kAccepted:
      return "accepted";
    case PlanStatus::kNeedsOverride:
      return "needs_override";
    case PlanStatus::kRefused:
      return "refused";
  }
  return "?";
}

std::string_view to_string(Sex s) { return s == Sex::kFemale ? "female" : "male"; }

std::optional<Sex> parse_sex(std::string_view text) {
  if (text == "female") return Sex::kFemale;
  if (text == "male") return Sex::kMale;
  return std::nullopt;
}

}  // namespace kit::dosing
