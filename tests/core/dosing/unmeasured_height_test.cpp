// ED sedation doses on actual body weight: an emergency department weighs a child but rarely
// measures height. A height of 0 means "not measured"; it is accepted only by protocols whose
// weight rule is actual body weight, and refused (naming patient.height_cm) by the others.
#include <gtest/gtest.h>

#include "core/common/error.h"
#include "core/dosing/dose_calculator.h"

namespace kit::dosing {
namespace {

PlanRequest request(const char* protocol) {
  PlanRequest q;
  q.protocol_id = protocol;
  q.patient = {units::Kg(20), units::Cm(0), Sex::kFemale, units::Years(6)};
  q.preparation.concentration = units::MgPerMl(10);
  return q;
}

TEST(UnmeasuredHeight, ActualWeightProtocolDosesWithoutHeight) {
  const Plan plan = compute_plan(builtin_library(), request("ed-sedation-pediatric-iv"));
  EXPECT_EQ(plan.status, PlanStatus::kAccepted);
  EXPECT_NEAR(plan.dose.value(), 30.0, 1e-9);  // 1.5 mg/kg (ACEP children) x 20 kg
  EXPECT_EQ(plan.dosing_weight.basis, WeightBasis::kActual);
  EXPECT_FALSE(plan.dosing_weight.ideal.has_value());
  EXPECT_NE(plan.dosing_weight.ideal_note.find("height"), std::string::npos);
}

TEST(UnmeasuredHeight, LeanWeightProtocolStillNeedsHeight) {
  PlanRequest q = request("depression-standard");
  q.patient.age = units::Years(40);
  try {
    compute_plan(builtin_library(), q);
    FAIL() << "a lean-weight rule needs a height";
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "patient.height_cm");
  }
}

}  // namespace
}  // namespace kit::dosing
