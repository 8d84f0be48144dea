#pragma once
// JSON contract of the PK engine (kit pk models|simulate|tci|population, and later the HTTP
// server). Requests and responses are documented in docs/cli-pk.md. Handlers are pure: they read a
// parsed request, call the core and return JSON; every refusal is a kit::InputError naming the
// request field. The engine works in mg, L and min (mg/L = ug/mL); every concentration crossing
// this boundary is in ng/mL.
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/pk/population.h"

namespace kit::contract {

// Upper bounds on requests. None is a clinical limit: they keep every request finite in time and
// memory and catch unit slips (mg for ug, h for min) long before the engine sees them.
struct PkLimits {
  // 60 days: longer than any protocol in the reference (continuous CRPS infusions run 4-5 days,
  // docs/reference/pharmacology.md §3.5; a six-infusion series spans ~12 days, §3.2).
  static constexpr double kMaxTimeMin = 60.0 * 24 * 60;
  // Samples per simulate request (one day at 0.72 s steps); the JSON answer stays below ~100 MB.
  static constexpr std::size_t kMaxSamples = 2'000'000;
  static constexpr std::size_t kMaxDoses = 10'000;
  // Per dose: 20 mg/kg is above any published ketamine dose (label IM 6.5-13 mg/kg, IV induction
  // 1-4.5 mg/kg, §3.6); 2000 mg absolute is 13 mg/kg for a 150 kg adult (the IM label maximum).
  static constexpr double kMaxDoseMgPerKg = 20.0;
  static constexpr double kMaxDoseMg = 2000.0;
  // Concentrations (targets, thresholds): STANPUMP's "max reasonable Cp 10 ug/mL" (§1.1).
  static constexpr double kMaxConcentrationNgPerMl = 10'000.0;
  // ke0 override: opentiva's largest coded ke0 is 5.2 /min (§1.8); 60 /min is t1/2 0.7 s.
  static constexpr double kMaxKe0PerMin = 60.0;
  // TCI: 7 days covers the 4-5 day CRPS infusions; 1 s is the finest pump update; 600 s is 60
  // times coarser than the 10 s default (§2.6); at most 1,000,000 updates and 1000 target steps.
  static constexpr double kMaxTciMin = 7.0 * 24 * 60;
  static constexpr double kMinIntervalS = 1.0;
  static constexpr double kMaxIntervalS = 600.0;
  static constexpr std::size_t kMaxTciUpdates = 1'000'000;
  static constexpr std::size_t kMaxTciSteps = 1000;
  // Max rate: STANPUMP's ketamine maximum 0.75 mg/kg/min (§1.1, §2.6) is the default; an explicit
  // value may not exceed that maximum for a 400 kg patient (the physical weight cap): 18,000 mg/h.
  static constexpr double kStanpumpMaxMgPerKgPerMin = 0.75;
  static constexpr double kMaxRateMgPerH = 0.75 * 400 * 60;
  // Population: 10 million patients; per-patient rows are held in memory, so at most 2 million
  // with --per-patient. CV up to 300% (published ketamine BSV reaches 104%, Flint 2017 CLM).
  static constexpr std::uint64_t kMaxPopulationN = 10'000'000;
  static constexpr std::uint64_t kMaxPerPatientRows = 2'000'000;
  static constexpr double kMaxCv = 3.0;
  static constexpr long long kMaxThreads = 256;
  // Population grid points per patient (end_min / step_min).
  static constexpr std::size_t kMaxPopulationSamples = 200'000;
};

nlohmann::json handle_pk_models();
nlohmann::json handle_pk_simulate(const nlohmann::json& request);
nlohmann::json handle_pk_tci(const nlohmann::json& request);

// (done, total) from time to time, from one thread; must not throw.
using PopulationProgress = std::function<void(std::uint64_t, std::uint64_t)>;

struct PopulationOutput {
  nlohmann::json response;
  // Per-patient rows, only when asked for (keep_patients).
  std::vector<pk::PatientRow> patients;
  bool has_age = false;         // the request gave age_y
  bool has_metabolite = false;  // the model has a metabolite (CLM, VM columns)
  int compartments = 1;
};

PopulationOutput handle_pk_population(const nlohmann::json& request,
                                      const PopulationProgress& progress = {},
                                      bool keep_patients = false);

// The --csv form of a simulate response: time_min,plasma_ng_per_ml[,effect_ng_per_ml]
// [,metabolite_ng_per_ml], one line per sample.
void write_simulate_csv(std::ostream& out, const nlohmann::json& simulate_response);

// The --per-patient CSV: a header naming units, then one row per patient in index order.
void write_per_patient_csv(std::ostream& out, const PopulationOutput& output);

}  // namespace kit::contract
