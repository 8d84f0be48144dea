#pragma once
// The written instructions for the adult who takes a patient home after an infusion (the chair
// side prints them at discharge). Only statements a clinical source makes, each with that source;
// the clinic adds its own phone number and text through its configuration (discharge_phone,
// discharge_instructions_file), never the code. Sources and how they were found: docs/web-chair.md,
// "Escort instructions: sources".
#include <string_view>
#include <vector>

namespace kit::infusion {

struct EscortStatement {
  std::string_view id;      // stable key, e.g. "no_driving_until_next_day"
  std::string_view text;    // plain language, to the escort
  std::string_view source;  // where it comes from, with its tag ([P] primary, [S] secondary)
};

struct EscortFacts {
  int age_years = 0;  // on the day of discharge
};

// RCEM's paediatric advice applies to children; the chair's adult protocols start at this age
// (policy: the age of majority the clinic's adult protocols assume; RCEM names no age).
inline constexpr int kEscortChildUnderYears = 18;

// The statements for this patient, in the order they are printed.
std::vector<EscortStatement> escort_statements(const EscortFacts& facts);

}  // namespace kit::infusion
