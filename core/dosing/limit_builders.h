#pragma once
// Short constructors for library rows, so the built-in tables read like the drug library they are.
#include <string>

#include "core/dosing/protocol.h"

namespace kit::dosing::build {

enum class Basis { kPublished, kPolicy };
inline constexpr Basis kPublished = Basis::kPublished;
inline constexpr Basis kPolicy = Basis::kPolicy;

inline Limit limit(LimitQuantity q, LimitLevel level, BoundType type, double bound,
                   std::string source, Basis basis) {
  return Limit{q, level, type, bound, std::move(source), basis == Basis::kPolicy};
}
inline Limit soft_max(LimitQuantity q, double bound, std::string source, Basis basis) {
  return limit(q, LimitLevel::kSoft, BoundType::kMax, bound, std::move(source), basis);
}
inline Limit hard_max(LimitQuantity q, double bound, std::string source, Basis basis) {
  return limit(q, LimitLevel::kHard, BoundType::kMax, bound, std::move(source), basis);
}
inline Limit soft_min(LimitQuantity q, double bound, std::string source, Basis basis) {
  return limit(q, LimitLevel::kSoft, BoundType::kMin, bound, std::move(source), basis);
}
inline Limit hard_min(LimitQuantity q, double bound, std::string source, Basis basis) {
  return limit(q, LimitLevel::kHard, BoundType::kMin, bound, std::move(source), basis);
}

using Q = LimitQuantity;

}  // namespace kit::dosing::build
