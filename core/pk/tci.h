#pragma once
// Target-controlled infusion: every update interval, the rate that brings the plasma or effect-site
// concentration to the target as fast as the pump allows without overshoot, then holds it.
//   plasma: rate = (Ct - Cp_free(dt)) / Cp_unit(dt)            (Jacobs 1990; reference §2.4)
//   effect: rate such that the peak of the predicted Ce equals Ct (Shafer & Gregg 1992; §2.5)
// A negative answer means the prediction is above target: rate 0 until it falls (targets may step
// down). Rates are clamped to [0, max] and rounded down to the pump's step.
//
// Effect targeting adds two guards (TciOptions):
//   hybrid switch: plasma targeting while |Ct-Cp|/Ct <= 0.2 and |Ct-Ce|/Ct <= 0.05, so the pump
//     does not toggle between a rate and zero at every update once the target is reached
//     (jarretrt/tci tci_comb, code tolerances 0.2 and 0.05 [C]; docs/reference/pharmacology.md
//     §13 on §2.5);
//   plasma cap: the predicted plasma at the end of each update is held at or below 1.2 x target
//     (opentiva's "revised" method caps the overshoot at 1.2 x target [C];
//     docs/reference/pharmacology.md §10 on §1.8, §2.5).
#include <optional>
#include <vector>

#include "core/pk/simulator.h"

namespace kit::pk {

enum class TciTarget { plasma, effect };

struct TciOptions {
  // Hybrid switch to plasma targeting (jarretrt/tci tci_comb code tolerances, §13 on §2.5 [C]).
  bool hybrid = true;
  double hybrid_plasma_tol = 0.2;
  double hybrid_effect_tol = 0.05;
  // Effect targeting: plasma held at or below factor x target at the end of each update (opentiva
  // "revised" cp_limit 1.2 x target, §10 on §1.8 and §2.5 [C]); nullopt = no cap.
  std::optional<double> plasma_cap_factor = 1.2;
  // Pump step (mg/min): every rate is rounded down to a whole number of steps; 0 = no rounding.
  double rate_step_mg_per_min = 0;
};

class TciController {
 public:
  // Throws kit::InputError("target", ...) for effect targeting without a ke0.
  TciController(const Parameters& p, TciTarget target, double interval_min,
                double max_rate_mg_per_min, TciOptions options = {});
  // The rate (mg/min) to run for the next interval, from the simulator's current state.
  double next_rate(const Simulator& sim, double target_mg_per_l) const;
  double interval_min() const { return dt_; }
  // Whether the last next_rate targeted plasma (always for plasma targeting; for effect targeting,
  // when the hybrid switch was on).
  bool last_was_plasma() const { return last_plasma_; }

 private:
  double plasma_rate(const Simulator& sim, double target) const;
  double effect_rate(const Simulator& sim, double target) const;

  TciTarget target_;
  double dt_;
  double max_rate_;
  TciOptions options_;
  mutable bool last_plasma_ = false;
  ModalSystem sys_;
  ModeArray decay_{};        // e^{-lambda dt}
  ModeArray unit_plasma_{};  // plasma contribution of mode k after unit rate for dt
  double unit_plasma_sum_ = 0;
  ModeArray unit_effect_after_{};  // effect coefficient of unit-rate-for-dt, as a_k e^{-lambda (t)}
  double unit_effect_peak_time_ = 0;
  mutable double last_peak_min_ = 0;  // warm start for the next effect-site update
};

struct TargetStep {
  double at_min = 0;
  double target_mg_per_l = 0;
};

struct TciRun {
  std::vector<double> start_s;  // one row per update
  std::vector<double> rate_mg_per_min;
  std::vector<bool> plasma_mode;  // per update: the rate targeted plasma
  std::vector<double> times_s;    // predicted curves at every update and at the end
  std::vector<double> plasma_mg_per_l;
  std::vector<double> effect_mg_per_l;  // empty without a ke0
  std::vector<double> target_mg_per_l;
  double total_mg = 0;
};

// Runs the controller from an empty patient to end_min. Steps must be sorted by at_min.
TciRun run_tci(const Parameters& p, TciTarget target, const std::vector<TargetStep>& steps,
               double end_min, double max_rate_mg_per_min, double interval_s,
               const TciOptions& options = {});

}  // namespace kit::pk
