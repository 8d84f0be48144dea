#include "core/pk/modal_system.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/common/error.h"

namespace kit::pk {

namespace {

// Modes that coincide make the modal basis singular; nudging one by a relative 1e-9 changes the
// result by about that much while keeping the cancellation error near 1e-7 of machine epsilon.
double separate(double rate, const ModeArray& lambda, int n) {
  for (int pass = 0; pass < 4; ++pass) {
    bool clash = false;
    for (int i = 0; i < n; ++i) {
      if (std::fabs(rate - lambda[i]) <= 1e-9 * std::max(rate, lambda[i])) {
        rate *= 1.0 + 2e-9;
        clash = true;
      }
    }
    if (!clash) break;
  }
  return rate;
}

void require_positive(double v, const char* what) {
  if (!(v > 0) || !std::isfinite(v)) {
    throw InputError("model", std::string(what) + " must be positive and finite");
  }
}

}  // namespace

std::array<double, 3> hybrid_rate_constants(const Parameters& p) {
  const double k10 = p.k10();
  if (p.compartments == 1) return {k10, 0, 0};
  const double k12 = p.k12(), k21 = p.k21();
  if (p.compartments == 2) {
    const double s = k10 + k12 + k21;
    const double disc = std::sqrt(s * s - 4.0 * k10 * k21);
    const double l1 = 0.5 * (s + disc);
    // The small root from the product avoids cancellation: l1*l2 = k10*k21.
    return {l1, k10 * k21 / l1, 0};
  }
  const double k13 = p.k13(), k31 = p.k31();
  // Reference §2.2 (STANPUMP/stanpumpR cube.R; opentiva pkpd.pyx).
  const double a0 = k10 * k21 * k31;
  const double a1 = k10 * k31 + k21 * k31 + k21 * k13 + k10 * k21 + k31 * k12;
  const double a2 = k10 + k12 + k13 + k21 + k31;
  const double pp = a1 - a2 * a2 / 3.0;
  const double q = 2.0 * a2 * a2 * a2 / 27.0 - a1 * a2 / 3.0 + a0;
  const double r1 = std::sqrt(-pp * pp * pp / 27.0);
  const double phi = std::acos(std::clamp(-q / (2.0 * r1), -1.0, 1.0)) / 3.0;
  const double r2 = 2.0 * std::cbrt(r1);
  std::array<double, 3> l{};
  for (int j = 0; j < 3; ++j) {
    l[j] = -(std::cos(phi + j * 2.0 * std::numbers::pi / 3.0) * r2 - a2 / 3.0);
  }
  std::sort(l.begin(), l.end(), std::greater<>());
  // Newton polish on f(x) = x^3 - a2 x^2 + a1 x - a0 (roots are the lambdas).
  for (double& x : l) {
    for (int it = 0; it < 3; ++it) {
      const double f = ((x - a2) * x + a1) * x - a0;
      const double df = (3.0 * x - 2.0 * a2) * x + a1;
      if (df == 0) break;
      x -= f / df;
    }
  }
  return l;
}

ModalSystem build_modal_system(const Parameters& p) {
  if (p.compartments < 1 || p.compartments > 3) {
    throw InputError("model", "compartments must be 1, 2 or 3");
  }
  require_positive(p.v1_l, "V1");
  require_positive(p.cl_l_per_min, "CL");
  if (p.compartments >= 2) {
    require_positive(p.v2_l, "V2");
    require_positive(p.q2_l_per_min, "Q2");
  }
  if (p.compartments >= 3) {
    require_positive(p.v3_l, "V3");
    require_positive(p.q3_l_per_min, "Q3");
  }
  ModalSystem s;
  const int n = p.compartments;
  s.n_parent = n;
  const auto l = hybrid_rate_constants(p);
  // Peripheral return rates k_j1, and transfer rates k_1j.
  const double kin[2] = {n >= 2 ? p.k12() : 0.0, n >= 3 ? p.k13() : 0.0};
  const double kout[2] = {n >= 2 ? p.k21() : 0.0, n >= 3 ? p.k31() : 0.0};
  for (int i = 0; i < n; ++i) {
    s.lambda[i] = l[i];
    // w_i = prod_p (k_p1 - l_i) / prod_{m != i} (l_m - l_i): unit-disposition coefficient times
    // V1 (reference §2.3: C_i = (k21-l_i)(k31-l_i)/((l_j-l_i)(l_k-l_i))/V1).
    double num = 1.0, den = 1.0;
    for (int pj = 0; pj < n - 1; ++pj) num *= kout[pj] - l[i];
    for (int m = 0; m < n; ++m) {
      if (m != i) den *= l[m] - l[i];
    }
    s.input[i] = num / den;
    // Eigenvector: central component 1, peripheral j component k_1j / (k_j1 - l_i).
    s.amount[0][i] = 1.0;
    for (int pj = 0; pj < n - 1; ++pj) s.amount[pj + 1][i] = kin[pj] / (kout[pj] - l[i]);
    s.plasma[i] = 1.0 / p.v1_l;
  }
  s.n_modes = n;
  if (p.ke0_per_min) {
    require_positive(*p.ke0_per_min, "ke0");
    const double ke0 = separate(*p.ke0_per_min, s.lambda, n);
    const int e = s.n_modes++;
    s.effect_mode = e;
    s.lambda[e] = ke0;
    // dCe/dt = ke0 (A1/V1 - Ce): parent mode i contributes ke0/(V1 (ke0 - l_i)); the ke0 mode's
    // own weight keeps Ce(0) = 0 after an input (reference §2.3, stanpumpR getDrugPK.R).
    double w = 0;
    for (int i = 0; i < n; ++i) {
      s.effect[i] = ke0 / (p.v1_l * (ke0 - l[i]));
      w -= s.effect[i] * s.input[i];
    }
    s.effect[e] = 1.0;
    s.input[e] = w;
  }
  if (p.has_metabolite) {
    require_positive(p.met_v_l, "metabolite volume");
    require_positive(p.met_cl_l_per_min, "metabolite clearance");
    const int m = s.n_modes++;
    s.metabolite_mode = m;
    ModeArray zero{};
    set_metabolite_elimination(s, p, p.met_cl_l_per_min / p.met_v_l, zero);
  }
  return s;
}

void set_metabolite_elimination(ModalSystem& s, const Parameters& p, double k_met, ModeArray& state) {
  const int m = s.metabolite_mode;
  // Current metabolite amount, to be preserved across the change of basis.
  double amount = 0;
  for (int k = 0; k < s.n_modes; ++k) amount += s.met_amount[k] * state[k];
  k_met = separate(k_met, s.lambda, s.n_parent);
  const double k10 = p.k10();
  // dAm/dt = k10 A1 - k_met Am: parent mode i contributes k10 / (k_met - l_i) per unit of A1.
  double w = 0, from_parent = 0;
  for (int i = 0; i < s.n_parent; ++i) {
    s.met_amount[i] = k10 / (k_met - s.lambda[i]);
    w -= s.met_amount[i] * s.input[i];
    from_parent += s.met_amount[i] * state[i];
  }
  s.lambda[m] = k_met;
  s.met_amount[m] = 1.0;
  s.input[m] = w;
  state[m] = amount - from_parent;
  for (int k = 0; k < s.n_modes; ++k) s.metabolite[k] = s.met_amount[k] / p.met_v_l;
}

}  // namespace kit::pk
