#pragma once
// A linear compartment model in modal (eigen) coordinates. Every compartment amount and every
// concentration is a sum of exponentials, so one state per exponential carries the whole system:
//   dz_k/dt = -lambda_k z_k + w_k R(t)      (R: input rate into the central compartment, mg/min)
//   output  = sum_k c_k z_k
// For piecewise-constant R this recursion is exact: no step-size error (stanpumpR
// advanceClosedForm0.R; reference §2.3). Modes: the parent's 1-3 hybrid rate constants, then the
// effect site (ke0) and the metabolite elimination when the model has them.
#include <array>

#include "core/pk/model.h"

namespace kit::pk {

inline constexpr int kMaxModes = 5;
using ModeArray = std::array<double, kMaxModes>;

struct ModalSystem {
  int n_modes = 0;         // total modes
  int n_parent = 0;        // parent drug modes (= compartments)
  int effect_mode = -1;    // index of the ke0 mode, -1 if none
  int metabolite_mode = -1;
  ModeArray lambda{};      // hybrid rate constants, per min (parent modes sorted descending)
  ModeArray input{};       // w_k: modal weight of 1 mg entering the central compartment
  ModeArray plasma{};      // c_k for plasma concentration, (mg/L) per modal unit
  ModeArray effect{};      // c_k for effect-site concentration (zero if no effect site)
  ModeArray metabolite{};  // c_k for metabolite concentration (zero if no metabolite)
  std::array<ModeArray, 3> amount{};  // c_k for the parent amounts A1..A3, mg
  ModeArray met_amount{};             // c_k for the metabolite amount, mg

  bool has_effect() const { return effect_mode >= 0; }
  bool has_metabolite() const { return metabolite_mode >= 0; }
};

// Hybrid rate constants of the mammillary model (cubic roots for 3 compartments, reference §2.2),
// polished by Newton steps on the characteristic polynomial; sorted descending.
std::array<double, 3> hybrid_rate_constants(const Parameters& p);

// Builds the modal system for a parameter set. Throws kit::InputError("model", ...) for
// non-physical parameters (non-positive volumes or clearances).
ModalSystem build_modal_system(const Parameters& p);

// Re-targets the metabolite mode to a new elimination rate constant (per min) while keeping the
// metabolite amount continuous: used for time-varying metabolite clearance (Flint 2017).
void set_metabolite_elimination(ModalSystem& sys, const Parameters& p, double k_met_per_min,
                                ModeArray& state);

}  // namespace kit::pk
