// A drug library is refused unless it is internally sound: soft inside hard, every limit cited,
// dose rule consistent with the route, ids unique. A clinic's own library goes through the same.
#include <gtest/gtest.h>

#include <functional>

#include "core/common/error.h"
#include "core/dosing/dose_calculator.h"
#include "core/dosing/drug_library.h"

namespace kit::dosing {
namespace {

std::vector<Protocol> builtin_protocols() { return builtin_library().protocols(); }

Protocol& find(std::vector<Protocol>& ps, const std::string& id) {
  for (auto& p : ps) {
    if (p.id == id) return p;
  }
  throw std::logic_error("no protocol " + id);
}

Limit& find_limit(Protocol& p, LimitQuantity q, LimitLevel level, BoundType type) {
  for (auto& l : p.limits) {
    if (l.quantity == q && l.level == level && l.type == type) return l;
  }
  throw std::logic_error("no such limit");
}

TEST(LibraryValidation, BuiltInLibraryIsSound) {
  const auto problems = validate_library(builtin_protocols(), builtin_pump());
  for (const auto& p : problems) ADD_FAILURE() << p.path << ": " << p.reason;
  EXPECT_GE(builtin_protocols().size(), 18u);
}

struct Row {
  const char* defect;
  std::function<void(std::vector<Protocol>&)> spoil;
};

TEST(LibraryValidation, RefusesEachDefect) {
  using Q = LimitQuantity;
  const Row rows[] = {
      {"soft max above hard max",
       [](auto& ps) {
         find_limit(find(ps, "depression-standard"), Q::kDoseMgPerKg, LimitLevel::kSoft,
                    BoundType::kMax)
             .bound = 1.2;
       }},
      {"uncited limit",
       [](auto& ps) {
         find_limit(find(ps, "ocd-standard"), Q::kDoseMg, LimitLevel::kHard, BoundType::kMax)
             .source.clear();
       }},
      {"negative bound",
       [](auto& ps) {
         find_limit(find(ps, "ocd-standard"), Q::kDoseMg, LimitLevel::kHard, BoundType::kMax)
             .bound = -1;
       }},
      {"no hard absolute dose maximum",
       [](auto& ps) {
         auto& l = find(ps, "ptsd-standard").limits;
         std::erase_if(l, [](const Limit& x) {
           return x.quantity == Q::kDoseMg && x.level == LimitLevel::kHard;
         });
       }},
      {"duplicate id", [](auto& ps) { ps[1].id = ps[0].id; }},
      {"empty id", [](auto& ps) { ps[2].id.clear(); }},
      {"IM with an infusion duration",
       [](auto& ps) { find(ps, "ed-sedation-adult-im").duration = units::Minutes(1); }},
      {"infusion without duration",
       [](auto& ps) { find(ps, "depression-standard").duration.reset(); }},
      {"rate limit on an IV push",
       [](auto& ps) {
         find(ps, "ed-sedation-adult-iv")
             .limits.push_back(
                 Limit{Q::kRateMgPerH, LimitLevel::kHard, BoundType::kMax, 100, "x", true});
       }},
      {"ideal-weight rule without an adult age floor",
       [](auto& ps) {
         find(ps, "ed-sedation-pediatric-iv").weight = {WeightRuleKind::kIdealWhenBmiAtLeast, 30,
                                                        "x"};
       }},
      {"two dose defaults",
       [](auto& ps) { find(ps, "depression-standard").dose.default_rate = units::MgPerH(22); }},
      {"default of the wrong kind",
       [](auto& ps) {
         auto& d = find(ps, "crps-inpatient-4day").dose;
         d.default_rate_per_kg.reset();
         d.default_dose = units::MgPerKg(0.5);
       }},
      {"zero default dose",
       [](auto& ps) { find(ps, "ocd-standard").dose.default_dose = units::MgPerKg(0); }},
      {"uncited dose rule", [](auto& ps) { find(ps, "ocd-standard").dose.source.clear(); }},
      {"soft min below hard min",
       [](auto& ps) {
         find(ps, "depression-standard")
             .limits.push_back(
                 Limit{Q::kDoseMgPerKg, LimitLevel::kHard, BoundType::kMin, 0.2, "x", true});
       }},
      {"volume limit on an infusion",
       [](auto& ps) {
         find(ps, "depression-standard")
             .limits.push_back(
                 Limit{Q::kVolumeMl, LimitLevel::kHard, BoundType::kMax, 100, "x", true});
       }},
      {"cumulative limit on a first dose",
       [](auto& ps) {
         find(ps, "ed-sedation-adult-iv")
             .limits.push_back(Limit{Q::kCumulativeDoseMgPerKg, LimitLevel::kHard, BoundType::kMax,
                                     5, "x", true});
       }},
      {"repeat dose without a hard cumulative maximum",
       [](auto& ps) {
         std::erase_if(find(ps, "ed-sedation-adult-iv-repeat").limits,
                       [](const Limit& x) { return x.quantity == Q::kCumulativeDoseMgPerKg; });
       }},
      {"empty library", [](auto& ps) { ps.clear(); }},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.defect);
    auto ps = builtin_protocols();
    r.spoil(ps);
    EXPECT_FALSE(validate_library(ps, builtin_pump()).empty());
    EXPECT_THROW(DrugLibrary(ps, builtin_pump()), InputError);
  }
}

TEST(LibraryValidation, ErrorNamesTheLibraryPath) {
  auto ps = builtin_protocols();
  ps[0].dose.source.clear();
  try {
    DrugLibrary lib(ps, builtin_pump());
    FAIL() << "accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "library.protocols[0].dose.source");
  }
}

TEST(LibraryValidation, ClinicLibraryCanUseAdjustedWeight) {
  // No built-in protocol uses adjusted weight (no source says so); a clinic may choose it.
  auto ps = builtin_protocols();
  find(ps, "depression-standard").weight = {WeightRuleKind::kAdjustedWhenBmiAtLeast, 30, "clinic"};
  const DrugLibrary clinic(ps, builtin_pump());
  PlanRequest r;
  r.protocol_id = "depression-standard";
  r.patient = Patient{units::Kg(140), units::Cm(177.8), Sex::kMale, units::Years(40)};
  r.preparation.concentration = units::MgPerMl(1);
  const Plan p = compute_plan(clinic, r);
  EXPECT_EQ(p.dosing_weight.basis, WeightBasis::kAdjusted);
  EXPECT_NEAR(p.dosing_weight.weight.value(), 99.8, 1e-9);  // 73 + 0.4 x (140 - 73)
}

}  // namespace
}  // namespace kit::dosing
