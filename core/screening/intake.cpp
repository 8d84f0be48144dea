#include "core/screening/intake.h"

#include <array>
#include <utility>

namespace kit::screening {

namespace {
constexpr std::array<std::pair<std::string_view, Indication>, 5> kIndications{{
    {"depression", Indication::kDepression},
    {"ptsd", Indication::kPtsd},
    {"ocd", Indication::kOcd},
    {"chronic_pain", Indication::kChronicPain},
    {"ed_sedation", Indication::kEdSedation},
}};
}  // namespace

Setting setting_of(Indication indication) {
  switch (indication) {
    case Indication::kChronicPain:
      return Setting::kChronicPain;
    case Indication::kEdSedation:
      return Setting::kEdSedation;
    default:
      return Setting::kPsychiatric;
  }
}

std::optional<Indication> parse_indication(std::string_view text) {
  for (const auto& [name, value] : kIndications) {
    if (name == text) return value;
  }
  return std::nullopt;
}

std::string_view to_string(Indication indication) {
  for (const auto& [name, value] : kIndications) {
    if (value == indication) return name;
  }
  return "unknown";
}

std::string_view to_string(Setting setting) {
  switch (setting) {
    case Setting::kPsychiatric:
      return "psychiatric";
    case Setting::kChronicPain:
      return "chronic_pain";
    case Setting::kEdSedation:
      return "ed_sedation";
  }
  return "unknown";
}

std::string indication_names() {
  std::string out;
  for (const auto& [name, value] : kIndications)
    out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

std::optional<HepaticImpairment> parse_hepatic_impairment(std::string_view text) {
  if (text == "none") return HepaticImpairment::kNone;
  if (text == "mild") return HepaticImpairment::kMild;
  if (text == "moderate") return HepaticImpairment::kModerate;
  if (text == "severe") return HepaticImpairment::kSevere;
  return std::nullopt;
}

}  // namespace kit::screening
