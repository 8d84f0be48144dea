// The modal decomposition against the reference's derived Domino test vectors (§1.1, computed with
// the cubic-root formula of §2.2) and against the structure every mammillary model must have.
#include "core/pk/modal_system.h"

#include <gtest/gtest.h>

#include "core/common/error.h"
#include "core/pk/model.h"

namespace kit::pk {
namespace {

Parameters domino70() { return individual_parameters(*find_model("domino1982"), Patient{.weight_kg = 70}); }

TEST(ModalSystem, DominoHybridRateConstantsMatchReference) {
  // Reference §1.1 "Derived 70-kg Domino values": 1.72424, 0.151513, 0.0060475 /min.
  const auto l = hybrid_rate_constants(domino70());
  EXPECT_NEAR(l[0], 1.72424, 1e-5);
  EXPECT_NEAR(l[1], 0.151513, 1e-6);
  EXPECT_NEAR(l[2], 0.0060475, 1e-7);
}

TEST(ModalSystem, DominoUnitDispositionCoefficientsMatchReference) {
  // Reference §1.1: A = 0.211930, B = 0.0129580, C = 0.00186963 /L; A+B+C = 1/V1 = 0.226757.
  const Parameters p = domino70();
  const ModalSystem s = build_modal_system(p);
  EXPECT_NEAR(s.input[0] * s.plasma[0], 0.211930, 1e-6);
  EXPECT_NEAR(s.input[1] * s.plasma[1], 0.0129580, 1e-7);
  EXPECT_NEAR(s.input[2] * s.plasma[2], 0.00186963, 1e-8);
  double sum = 0;
  for (int k = 0; k < s.n_parent; ++k) sum += s.input[k] * s.plasma[k];
  EXPECT_NEAR(sum, 1.0 / p.v1_l, 1e-12);
}

TEST(ModalSystem, UnitInputStartsEntirelyInCentralCompartment) {
  Parameters p = domino70();
  p.ke0_per_min = 0.238;
  const ModalSystem s = build_modal_system(p);
  double a1 = 0, a2 = 0, a3 = 0, ce = 0;
  for (int k = 0; k < s.n_modes; ++k) {
    a1 += s.amount[0][k] * s.input[k];
    a2 += s.amount[1][k] * s.input[k];
    a3 += s.amount[2][k] * s.input[k];
    ce += s.effect[k] * s.input[k];
  }
  EXPECT_NEAR(a1, 1.0, 1e-12);
  EXPECT_NEAR(a2, 0.0, 1e-12);
  EXPECT_NEAR(a3, 0.0, 1e-12);
  EXPECT_NEAR(ce, 0.0, 1e-12);
}

TEST(ModalSystem, TwoCompartmentRootsSatisfyProductAndSum) {
  Parameters p;
  p.compartments = 2;
  p.v1_l = 10;
  p.v2_l = 40;
  p.cl_l_per_min = 1;
  p.q2_l_per_min = 2;
  const auto l = hybrid_rate_constants(p);
  EXPECT_NEAR(l[0] + l[1], p.k10() + p.k12() + p.k21(), 1e-14);
  EXPECT_NEAR(l[0] * l[1], p.k10() * p.k21(), 1e-15);
}

TEST(ModalSystem, RefusesNonPhysicalParameters) {
  Parameters p = domino70();
  p.v3_l = 0;
  EXPECT_THROW(build_modal_system(p), InputError);
}

}  // namespace
}  // namespace kit::pk
