#pragma once
// Exact simulation of one individual under piecewise-constant input: the modal state advances by
// closed-form exponentials, so any step length gives the same answer (no step-size error).
#include <optional>
#include <vector>

#include "core/pk/modal_system.h"
#include "core/pk/regimen.h"

namespace kit::pk {

class Simulator {
 public:
  explicit Simulator(const Parameters& p);

  double time_min() const { return t_min_; }
  double rate_mg_per_min() const { return rate_mg_per_min_; }
  void set_rate(double mg_per_min);
  void bolus(double mg);
  // Advances by dt with the current rate, accumulating the exact plasma AUC.
  void advance(double dt_min);

  double plasma_mg_per_l() const { return output(sys_.plasma); }
  double effect_mg_per_l() const { return output(sys_.effect); }
  double metabolite_mg_per_l() const { return output(sys_.metabolite); }
  double amount_mg(int compartment) const { return output(sys_.amount[compartment]); }
  double metabolite_amount_mg() const { return output(sys_.met_amount); }
  double auc_mg_min_per_l() const { return auc_; }
  // Plasma AUC from now to infinity if no more drug is given.
  double auc_tail_mg_min_per_l() const;
  // Plasma (or effect) concentration `dt` ahead with the current rate, without moving the state.
  double predict_plasma(double dt_min) const { return predict(sys_.plasma, dt_min, rate_mg_per_min_); }
  double predict(const ModeArray& row, double dt_min, double rate_mg_per_min) const;

  const ModalSystem& system() const { return sys_; }
  const ModeArray& state() const { return z_; }
  const Parameters& parameters() const { return params_; }

 private:
  double output(const ModeArray& row) const;
  void advance_exact(double dt_min);
  void note_input();

  Parameters params_;
  ModalSystem sys_;
  ModeArray z_{};
  double t_min_ = 0;
  double rate_mg_per_min_ = 0;
  double auc_ = 0;
  std::optional<double> first_input_min_;  // time origin of time-varying metabolite clearance
};

struct SimulationOptions {
  std::optional<double> threshold_mg_per_l;  // for time above threshold
  bool amounts = false;                      // record compartment amounts
};

struct SimulationResult {
  std::vector<double> times_min;
  std::vector<double> plasma_mg_per_l;
  std::vector<double> effect_mg_per_l;      // empty if no effect site
  std::vector<double> metabolite_mg_per_l;  // empty if no metabolite
  std::vector<std::array<double, 3>> amounts_mg;  // per sample, A1..A3 (if requested)
  std::vector<double> metabolite_amount_mg;
  double cmax_mg_per_l = 0;  // over the samples and every dosing event instant in the window
  double tmax_min = 0;
  double auc_mg_min_per_l = 0;      // 0 .. last sample time
  double auc_inf_mg_min_per_l = 0;  // 0 .. infinity, all doses
  std::optional<double> time_above_min;
};

// `times_min` must be non-decreasing and >= 0; doses start at >= 0.
SimulationResult simulate(const Parameters& p, const std::vector<Dose>& doses,
                          const std::vector<double>& times_min, const SimulationOptions& options = {});

}  // namespace kit::pk
