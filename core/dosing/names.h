#pragma once
// The contract's spelling of every dosing enum (JSON values, docs, error messages).
#include <optional>
#include <string_view>

#include "core/dosing/body_weight.h"
#include "core/dosing/dose_calculator.h"
#include "core/dosing/protocol.h"

namespace kit::dosing {

std::string_view to_string(AdministrationRoute r);
std::string_view to_string(DoseKind k);
std::string_view to_string(WeightRuleKind k);
std::string_view to_string(WeightBasis b);
std::string_view to_string(LimitQuantity q);
std::string_view to_string(LimitLevel l);
std::string_view to_string(BoundType t);
std::string_view to_string(PlanStatus s);
std::string_view to_string(Sex s);

std::optional<Sex> parse_sex(std::string_view text);

}  // namespace kit::dosing
