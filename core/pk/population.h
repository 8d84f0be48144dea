#pragma once
// Population simulation: N virtual patients drawn with log-normal inter-individual variability on
// the model's parameters and covariates from truncated normal distributions, each simulated
// exactly on a uniform grid. Patients run in SIMD lanes on all cores and are reduced as they go
// (Cmax, AUC, time above threshold, percentile curves), so a million patients need no curves in
// memory. Reproducible: patient i's draws depend only on (seed, i), not on the thread count.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/pk/model.h"

namespace kit::pk {

struct Distribution {  // truncated normal; sd 0 means a fixed value
  double mean = 0, sd = 0, min = 0, max = 0;
};

struct PopulationDose {
  double start_min = 0;
  double duration_min = 0;
  double amount_mg = 0;          // used when per_kg is false
  double amount_mg_per_kg = 0;   // used when per_kg is true
  bool per_kg = false;
};

struct PopulationSpec {
  const ModelDefinition* model = nullptr;
  std::uint64_t n = 0;
  std::uint64_t seed = 1;
  Distribution weight_kg;
  std::optional<Distribution> age_y;
  double p_male = 0.5;
  std::vector<Variability> iiv;  // omegas (SD of eta) actually used
  std::vector<Correlation> correlations;
  std::vector<PopulationDose> doses;
  double end_min = 0;
  double step_min = 1;
  std::optional<double> threshold_mg_per_l;
  double percentile_step_min = 0;  // 0: chosen so that the curves have at most ~481 points
  bool keep_patients = false;      // keep per-patient rows (parameters and summaries)
  unsigned threads = 0;            // 0: all hardware threads
};

struct PatientRow {
  std::uint64_t index = 0;
  double weight_kg = 0, age_y = 0;
  bool male = false;
  Parameters params;
  double cmax_mg_per_l = 0, tmax_min = 0, auc_mg_min_per_l = 0, time_above_min = 0;
};

struct Percentiles {
  double p5 = 0, p50 = 0, p95 = 0;
};

struct PopulationResult {
  std::uint64_t n = 0;
  Percentiles cmax_mg_per_l, auc_mg_min_per_l, time_above_min, tmax_min;
  std::vector<double> curve_times_min;
  std::vector<Percentiles> curve_mg_per_l;
  std::string curve_method;                // "exact" or "log_histogram"
  double curve_relative_error_bound = 0;   // 0 for exact
  std::vector<PatientRow> patients;        // when keep_patients
};

// Validates the spec (kit::InputError naming the request field) and runs it. `progress` is called
// from one thread with (done, total) from time to time; it must not throw.
PopulationResult run_population(const PopulationSpec& spec, bool allow_extrapolation,
                                 const std::function<void(std::uint64_t, std::uint64_t)>& progress = {});

// omega of a log-normal parameter from its coefficient of variation: sqrt(ln(1 + CV^2)).
double omega_from_cv(double cv);

}  // namespace kit::pk
