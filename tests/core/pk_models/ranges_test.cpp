// check_patient against each model's documented ranges: inside accepted, outside refused with the
// offending field named, refused patients accepted with allow_extrapolation, physical limits never
// waived. Every range row cites where the range comes from.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "core/common/error.h"
#include "core/pk/model.h"

namespace kit::pk {
namespace {

struct RangeRow {
  const char* id;
  double weight_kg;
  std::optional<double> age_y;
  const char* refused_field;  // nullptr = accepted
  const char* source;
};

const RangeRow kRows[] = {
    // Adults: age >= 18 (exact study ranges NOT FOUND), no weight limit beyond physical ones.
    {"domino1982", 70, 40, nullptr, "adult volunteers"},
    {"domino1982", 150, 18, nullptr, "no study weight limit known"},
    {"domino1982", 30, 12, "patient.age_y", "adult model, age >= 18"},
    {"domino1982", 70, std::nullopt, "patient.age_y", "age required when an age range applies"},
    {"clements1981", 70, 30, nullptr, "adult"},
    {"clements1981", 70, 17.5, "patient.age_y", "adult model, age >= 18"},
    // Hijazi: study ages NOT FOUND; opentiva's age_upper 18 deliberately not copied.
    {"hijazi2003", 70, 45, nullptr, "no age limit enforced (opentiva age_upper 18 not copied)"},
    {"hijazi2003", 70, std::nullopt, nullptr, "no age range, so age is not required"},
    // Herd: opentiva 1-14 y, 10.8-74.8 kg.
    {"herd2007", 30, 8, nullptr, "opentiva Herd limits"},
    {"herd2007", 10.8, 1, nullptr, "lower bounds inclusive"},
    {"herd2007", 74.8, 14, nullptr, "upper bounds inclusive"},
    {"herd2007", 10, 3, "patient.weight_kg", "below 10.8 kg"},
    {"herd2007", 80, 13, "patient.weight_kg", "above 74.8 kg"},
    {"herd2007", 30, 0.5, "patient.age_y", "below 1 y"},
    {"herd2007", 50, 15, "patient.age_y", "above 14 y"},
    // Hornik: opentiva 1-18 y, 2-176 kg.
    {"hornik2018", 60, 16, nullptr, "opentiva Hornik limits"},
    {"hornik2018", 180, 17, "patient.weight_kg", "above 176 kg"},
    {"hornik2018", 60, 19, "patient.age_y", "above 18 y"},
    {"hornik2018", 8, 0.8, "patient.age_y", "below 1 y"},
    // Sherwin: 'children' -> age <= 18; weight range NOT FOUND.
    {"sherwin2015", 25, 7, nullptr, "abstract: 57 children"},
    {"sherwin2015", 70, 25, "patient.age_y", "not a child"},
    // Elkomy: abstract 6 months to 18 years; weight range NOT FOUND.
    {"elkomy2015", 12, 1, nullptr, "abstract age range"},
    {"elkomy2015", 6, 0.25, "patient.age_y", "below 6 months"},
    {"elkomy2015", 70, 30, "patient.age_y", "adult"},
    // Kamp: ranges NOT FOUND, nothing enforced beyond physical limits.
    {"kamp2020", 70, 40, nullptr, "meta-analysis, no ranges"},
    {"kamp2020", 20, 6, nullptr, "meta-analysis included paediatric data"},
    // Flint: nlmixr2lib population 0.02-12.5 y, 3.4-35 kg.
    {"flint2017", 7, 0.42, nullptr, "median patient"},
    {"flint2017", 3.4, 0.02, nullptr, "lower bounds inclusive"},
    {"flint2017", 40, 12, "patient.weight_kg", "above 35 kg"},
    {"flint2017", 3, 0.1, "patient.weight_kg", "below 3.4 kg"},
    {"flint2017", 30, 14, "patient.age_y", "above 12.5 y"},
    {"flint2017", 20, std::nullopt, "patient.age_y", "age required"},
};

TEST(PkModelRanges, CheckPatientTable) {
  for (const auto& r : kRows) {
    const Patient pt{.weight_kg = r.weight_kg, .age_y = r.age_y};
    SCOPED_TRACE(std::string(r.id) + " " + std::to_string(r.weight_kg) + " kg, age " +
                 (r.age_y ? std::to_string(*r.age_y) : std::string("none")) + ": " + r.source);
    const ModelDefinition& m = *find_model(r.id);
    if (!r.refused_field) {
      EXPECT_NO_THROW(check_patient(m, pt, false));
      continue;
    }
    try {
      check_patient(m, pt, false);
      ADD_FAILURE() << "expected refusal";
    } catch (const InputError& e) {
      EXPECT_EQ(e.field(), r.refused_field);
      EXPECT_NE(e.reason().find(m.id), std::string::npos) << e.reason();
    }
    // Out-of-range values (not a missing age) are accepted when extrapolation is allowed.
    if (r.age_y || std::string(r.refused_field) == "patient.weight_kg") {
      EXPECT_NO_THROW(check_patient(m, pt, true));
    }
  }
}

TEST(PkModelRanges, PhysicalLimitsNeverWaived) {
  for (const auto& m : model_registry()) {
    SCOPED_TRACE(m.id);
    for (bool extrapolate : {false, true}) {
      EXPECT_THROW(check_patient(m, Patient{.weight_kg = 0, .age_y = 5}, extrapolate), InputError);
      EXPECT_THROW(check_patient(m, Patient{.weight_kg = 500, .age_y = 5}, extrapolate),
                   InputError);
      EXPECT_THROW(check_patient(m, Patient{.weight_kg = 20, .age_y = -1}, extrapolate),
                   InputError);
    }
  }
}

TEST(PkModelRanges, RangeBoundsMatchSources) {
  struct Bounds {
    const char* id;
    std::optional<double> wmin, wmax, amin, amax;
  };
  const Bounds expected[] = {
      {"domino1982", std::nullopt, std::nullopt, 18, std::nullopt},
      {"clements1981", std::nullopt, std::nullopt, 18, std::nullopt},
      {"hijazi2003", std::nullopt, std::nullopt, std::nullopt, std::nullopt},
      {"herd2007", 10.8, 74.8, 1, 14},
      {"hornik2018", 2, 176, 1, 18},
      {"sherwin2015", std::nullopt, std::nullopt, std::nullopt, 18},
      {"elkomy2015", std::nullopt, std::nullopt, 0.5, 18},
      {"kamp2020", std::nullopt, std::nullopt, std::nullopt, std::nullopt},
      {"flint2017", 3.4, 35, 0.02, 12.5},
  };
  for (const auto& b : expected) {
    SCOPED_TRACE(b.id);
    const ModelDefinition& m = *find_model(b.id);
    EXPECT_EQ(m.weight_kg.min, b.wmin);
    EXPECT_EQ(m.weight_kg.max, b.wmax);
    EXPECT_EQ(m.age_y.min, b.amin);
    EXPECT_EQ(m.age_y.max, b.amax);
  }
}

}  // namespace
}  // namespace kit::pk
