#pragma once
// The benchmark workload shared by kit_bench and kit_population_bench (and mirrored in
// bench/vs_scipy.py): Domino 1982, a 70 kg adult, six infusions of 0.5 mg/kg over 40 min on days
// 0, 2, 4, 7, 9 and 11, plasma on a 1-minute grid for 14 days (20,161 samples), 30% CV
// log-normal variability on CL, V1, Q2, V2, Q3, V3.
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "core/pk/model.h"
#include "core/pk/population.h"
#include "core/pk/regimen.h"

namespace kit::bench {

inline constexpr double kWeightKg = 70;
inline constexpr double kDoseMgPerKg = 0.5;
inline constexpr double kInfusionMin = 40;
inline constexpr double kDays[] = {0, 2, 4, 7, 9, 11};
inline constexpr double kEndMin = 14 * 1440;  // 20160 min: 20,161 grid samples
inline constexpr double kStepMin = 1;
inline constexpr double kCv = 0.3;

inline const pk::ModelDefinition& model() {
  const pk::ModelDefinition* m = pk::find_model("domino1982");
  if (m == nullptr) throw std::runtime_error("model domino1982 missing");
  return *m;
}

inline pk::Patient typical_patient() {
  pk::Patient pt;
  pt.weight_kg = kWeightKg;
  pt.age_y = 40;  // Domino 1982 is an adult model; age does not enter its equations
  return pt;
}

// The course for one patient (plasma only: the typical parameters without ke0).
inline std::vector<pk::Dose> course_doses() {
  std::vector<pk::Dose> doses;
  for (double day : kDays) doses.push_back({day * 1440, kInfusionMin, kDoseMgPerKg * kWeightKg});
  return doses;
}

inline std::vector<double> course_grid() {
  std::vector<double> grid;
  const auto n = static_cast<std::size_t>(kEndMin / kStepMin);
  grid.reserve(n + 1);
  for (std::size_t i = 0; i <= n; ++i) grid.push_back(static_cast<double>(i) * kStepMin);
  return grid;
}

inline pk::PopulationSpec population_spec(std::uint64_t n, std::uint64_t seed, unsigned threads) {
  pk::PopulationSpec s;
  s.model = &model();
  s.n = n;
  s.seed = seed;
  s.weight_kg = {kWeightKg, 0, kWeightKg, kWeightKg};
  s.age_y = pk::Distribution{40, 0, 40, 40};
  s.p_male = 0.5;
  for (pk::ParamId id : {pk::ParamId::cl, pk::ParamId::v1, pk::ParamId::q2, pk::ParamId::v2, pk::ParamId::q3,
                         pk::ParamId::v3}) {
    s.iiv.push_back({id, pk::omega_from_cv(kCv), "benchmark: 30% CV"});
  }
  for (double day : kDays) {
    s.doses.push_back({.start_min = day * 1440, .duration_min = kInfusionMin, .amount_mg_per_kg = kDoseMgPerKg,
                       .per_kg = true});
  }
  s.end_min = kEndMin;
  s.step_min = kStepMin;
  s.percentile_step_min = 0;  // default coarse grid (at most ~481 points)
  s.threads = threads;
  return s;
}

}  // namespace kit::bench
