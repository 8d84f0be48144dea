// Every impossible or ill-formed request is refused with the field that is wrong.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "core/common/error.h"
#include "tests/core/dosing/plan_fixtures.h"

namespace kit::dosing {
namespace {

using test::plan;
using test::request;

struct Row {
  const char* why;
  std::function<void(PlanRequest&)> spoil;
  const char* field;
};

TEST(InputValidation, NamesTheField) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const Row rows[] = {
      {"unknown protocol", [](PlanRequest& r) { r.protocol_id = "depression"; }, "protocol"},
      {"zero weight", [](PlanRequest& r) { r.patient.weight = units::Kg(0); }, "patient.weight_kg"},
      {"NaN weight", [&](PlanRequest& r) { r.patient.weight = units::Kg(nan); },
       "patient.weight_kg"},
      {"infinite weight", [&](PlanRequest& r) { r.patient.weight = units::Kg(inf); },
       "patient.weight_kg"},
      {"height in metres", [](PlanRequest& r) { r.patient.height = units::Cm(1.75); },
       "patient.height_cm"},
      {"negative age", [](PlanRequest& r) { r.patient.age = units::Years(-1); }, "patient.age_y"},
      {"age in months", [](PlanRequest& r) { r.patient.age = units::Years(420); }, "patient.age_y"},
      {"zero concentration",
       [](PlanRequest& r) { r.preparation.concentration = units::MgPerMl(0); },
       "preparation.concentration_mg_per_ml"},
      {"both preparation forms", [](PlanRequest& r) { r.preparation.bag_drug = units::Mg(50); },
       "preparation"},
      {"bag without volume",
       [](PlanRequest& r) {
         r.preparation = Preparation{{}, units::Mg(50), {}};
       },
       "preparation.volume_ml"},
      {"bag without drug",
       [](PlanRequest& r) {
         r.preparation = Preparation{{}, {}, units::Ml(100)};
       },
       "preparation.drug_mg"},
      {"empty bag",
       [](PlanRequest& r) {
         r.preparation = Preparation{{}, units::Mg(0), units::Ml(100)};
       },
       "preparation.drug_mg"},
      {"zero dose", [](PlanRequest& r) { r.dose_per_kg = units::MgPerKg(0); }, "dose_mg_per_kg"},
      {"negative dose", [](PlanRequest& r) { r.dose_per_kg = units::MgPerKg(-0.5); },
       "dose_mg_per_kg"},
      {"a rate for a per-kg protocol", [](PlanRequest& r) { r.rate = units::MgPerH(22); },
       "rate_mg_per_h"},
      {"a per-kg rate for a per-kg protocol",
       [](PlanRequest& r) { r.rate_per_kg = units::MgPerKgPerH(0.35); }, "rate_mg_per_kg_per_h"},
      {"blank override reason", [](PlanRequest& r) { r.override_reason = "  "; },
       "override_reason"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.why);
    PlanRequest r = request("depression-standard", 70, 1);
    row.spoil(r);
    try {
      plan(r);
      ADD_FAILURE() << "no error";
    } catch (const InputError& e) {
      EXPECT_EQ(e.field(), row.field);
      EXPECT_FALSE(e.reason().empty());
    }
  }
}

TEST(InputValidation, DoseFieldMustMatchTheProtocolKind) {
  PlanRequest r = request("crps-inpatient-4day", 70, 1);
  r.dose_per_kg = units::MgPerKg(0.5);
  EXPECT_THROW(plan(r), InputError);
}

}  // namespace
}  // namespace kit::dosing
