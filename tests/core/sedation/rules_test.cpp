// ED procedural sedation: opening gates, doses through the calculator with the episode's history,
// repeat intervals, cumulative limits, discharge readiness and the state machine.
#include "core/sedation/rules.h"

#include <gtest/gtest.h>

#include "core/common/error.h"

namespace kit::sedation {
namespace {

constexpr std::int64_t kT0 = 1'790'000'000'000;
constexpr std::int64_t kMin = 60'000;

const GateResult* find_gate(const std::vector<GateResult>& gates, const std::string& name) {
  for (const auto& g : gates) {
    if (g.gate == name) return &g;
  }
  return nullptr;
}
bool passed(const std::vector<GateResult>& gates, const std::string& name) {
  const GateResult* g = find_gate(gates, name);
  EXPECT_NE(g, nullptr) << name;
  return g != nullptr && g->passed;
}

EpisodeFacts child(double kg = 20, double age = 6) {
  EpisodeFacts e;
  e.weight = units::Kg(kg);
  e.age = units::Years(age);
  e.opened_at_ms = kT0;
  return e;
}

DoseOrder iv(std::int64_t at_ms, std::optional<double> mg_per_kg = std::nullopt) {
  DoseOrder o;
  o.route = Route::iv_push;
  o.concentration = units::MgPerMl(10);
  if (mg_per_kg) o.dose_per_kg = units::MgPerKg(*mg_per_kg);
  o.by_physician = true;
  o.at_ms = at_ms;
  return o;
}

// Records an accepted dose the way the server does.
void give(EpisodeFacts& e, const DoseDecision& d, Route route, std::int64_t at) {
  ASSERT_TRUE(d.accepted());
  e.doses.push_back({static_cast<std::int64_t>(e.doses.size() + 1), route, d.plan.dose, at});
  e.state = *next_state(e.state, Action::dose);
}

TEST(SedationStateMachine, OnlyTheTableMoves) {
  EXPECT_EQ(next_state(State::open, Action::dose), State::sedated);
  EXPECT_EQ(next_state(State::sedated, Action::end_procedure), State::recovering);
  EXPECT_EQ(next_state(State::recovering, Action::discharge), State::discharged);
  EXPECT_FALSE(next_state(State::recovering, Action::dose));
  EXPECT_FALSE(next_state(State::open, Action::discharge));
  EXPECT_FALSE(next_state(State::discharged, Action::void_episode));
  for (State s : kAllStates) {
    EXPECT_EQ(parse_state(to_string(s)), s);
    EXPECT_EQ(accepts_entries(s), s != State::discharged && s != State::voided);
  }
}

TEST(SedationOpening, InfantUnderThreeMonthsIsRefused) {
  OpeningFacts f;
  f.intake.age_years = 2.0 / 12.0;  // ACEP: age < 3 months absolute
  const auto d = opening_gates(f);
  EXPECT_FALSE(passed(d.gates, "age_at_least_3_months"));
  f.intake.age_years = 4.0 / 12.0;
  EXPECT_TRUE(passed(opening_gates(f).gates, "age_at_least_3_months"));
}

TEST(SedationOpening, SchizophreniaIsAbsolute) {
  OpeningFacts f;
  f.intake.age_years = 30;
  f.intake.conditions_present.emplace("schizophrenia");
  f.caller_is_physician = true;
  f.relative_review_reason = "reviewed";
  const auto d = opening_gates(f);
  EXPECT_FALSE(passed(d.gates, "no_absolute_contraindication"));
  EXPECT_THROW(infusion::require_all(d.gates), RuleRefused);
}

TEST(SedationOpening, RelativeNeedsAPhysiciansDocumentedReview) {
  OpeningFacts f;
  f.intake.age_years = 8;
  f.intake.conditions_present.emplace("active_pulmonary_infection");  // ACEP relative
  EXPECT_FALSE(passed(opening_gates(f).gates, "relative_contraindications_reviewed"));
  f.caller_is_physician = true;
  EXPECT_FALSE(passed(opening_gates(f).gates, "relative_contraindications_reviewed"));
  f.relative_review_reason = "mild URI, benefit outweighs laryngospasm risk";
  const auto d = opening_gates(f);
  EXPECT_TRUE(passed(d.gates, "relative_contraindications_reviewed"));
  EXPECT_EQ(d.relative.size(), 1u);
  EXPECT_NO_THROW(infusion::require_all(d.gates));
}

TEST(SedationOpening, PosteriorPharynxProcedureIsRelative) {
  OpeningFacts f;
  f.intake.age_years = 8;
  f.intake.major_posterior_pharynx_procedure = true;
  EXPECT_FALSE(passed(opening_gates(f).gates, "relative_contraindications_reviewed"));
}

TEST(SedationDose, PaediatricFirstIvDoseIsAcepDefault) {
  const auto d = decide_dose(dosing::builtin_library(), child(), iv(kT0 + kMin));
  EXPECT_TRUE(d.accepted());
  EXPECT_EQ(d.protocol_id, "ed-sedation-pediatric-iv");
  EXPECT_FALSE(d.repeat);
  EXPECT_NEAR(d.plan.dose.value(), 30.0, 1e-9);   // 1.5 mg/kg x 20 kg (ACEP children)
  EXPECT_NEAR(d.plan.volume.value(), 3.0, 1e-9);  // at 10 mg/mL
  EXPECT_NEAR(d.running_total_per_kg.value(), 1.5, 1e-9);
  EXPECT_DOUBLE_EQ(d.cumulative.hard_mg_per_kg, 5.0);  // ACEP "total dose 5.0 mg/kg"
  EXPECT_EQ(d.limit_status, "within");
  EXPECT_EQ(d.earliest_repeat_ms, kT0 + 6 * kMin);  // ACEP every 5-15 min
}

TEST(SedationDose, AdultImUsesAdultProtocol) {
  DoseOrder o = iv(kT0 + kMin);
  o.route = Route::intramuscular;
  o.concentration = units::MgPerMl(100);
  const auto d = decide_dose(dosing::builtin_library(), child(70, 40), o);
  EXPECT_EQ(d.protocol_id, "ed-sedation-adult-im");
}

TEST(SedationDose, RepeatTooSoonIsRefused) {
  EpisodeFacts e = child();
  give(e, decide_dose(dosing::builtin_library(), e, iv(kT0 + kMin)), Route::iv_push, kT0 + kMin);
  const auto early = decide_dose(dosing::builtin_library(), e, iv(kT0 + 4 * kMin, 0.5));
  EXPECT_EQ(early.protocol_id, "ed-sedation-pediatric-iv-repeat");
  EXPECT_FALSE(passed(early.gates, "repeat_interval"));
  const auto ok = decide_dose(dosing::builtin_library(), e, iv(kT0 + 6 * kMin, 0.5));
  EXPECT_TRUE(ok.accepted());
  EXPECT_NEAR(ok.running_total.value(), 40.0, 1e-9);
  EXPECT_NEAR(ok.running_total_per_kg.value(), 2.0, 1e-9);
}

TEST(SedationDose, DoseBeforeTheLastIsRefused) {
  EpisodeFacts e = child();
  give(e, decide_dose(dosing::builtin_library(), e, iv(kT0 + 10 * kMin)), Route::iv_push,
       kT0 + 10 * kMin);
  EXPECT_FALSE(passed(decide_dose(dosing::builtin_library(), e, iv(kT0 + 5 * kMin, 0.5)).gates,
                      "dose_in_time_order"));
}

TEST(SedationDose, CumulativeHardLimitIsNeverPassed) {
  // 20 kg child: 2 mg/kg first, then 1 mg/kg repeats every 6 min; the IV total is 5 mg/kg (ACEP).
  EpisodeFacts e = child();
  std::int64_t t = kT0 + kMin;
  give(e, decide_dose(dosing::builtin_library(), e, iv(t, 2.0)), Route::iv_push, t);
  for (int i = 0; i < 3; ++i) {
    t += 6 * kMin;
    give(e, decide_dose(dosing::builtin_library(), e, iv(t, 1.0)), Route::iv_push, t);
  }
  t += 6 * kMin;
  DoseOrder o = iv(t, 1.0);
  o.override_reason = "procedure not finished";
  const auto d = decide_dose(dosing::builtin_library(), e, o);  // 5 -> 6 mg/kg
  EXPECT_FALSE(d.accepted());
  EXPECT_FALSE(passed(d.gates, "dose_hard_limits"));
  EXPECT_FALSE(passed(d.gates, "episode_cumulative_hard_limit"));
  EXPECT_EQ(d.limit_status, "hard_limit_exceeded");
}

TEST(SedationDose, SoftLimitNeedsAPhysiciansReason) {
  // IM repeat above the cumulative soft 10 mg/kg (first 5 + repeat 5 = 10; a third 2 -> 12).
  EpisodeFacts e = child(20, 6);
  DoseOrder im = iv(kT0 + kMin, 5.0);
  im.route = Route::intramuscular;
  im.concentration = units::MgPerMl(100);
  give(e, decide_dose(dosing::builtin_library(), e, im), Route::intramuscular, kT0 + kMin);
  im.at_ms = kT0 + 11 * kMin;
  im.dose_per_kg = units::MgPerKg(5.0);
  give(e, decide_dose(dosing::builtin_library(), e, im), Route::intramuscular, im.at_ms);
  im.at_ms = kT0 + 21 * kMin;
  im.dose_per_kg = units::MgPerKg(2.0);
  auto d = decide_dose(dosing::builtin_library(), e, im);
  EXPECT_FALSE(passed(d.gates, "dose_soft_limits"));
  EXPECT_EQ(d.limit_status, "soft_limit_exceeded");
  im.override_reason = "fracture reduction not complete";
  im.by_physician = false;
  im.ordered_by = "Dr Who";
  EXPECT_FALSE(passed(decide_dose(dosing::builtin_library(), e, im).gates, "dose_soft_limits"));
  im.by_physician = true;
  d = decide_dose(dosing::builtin_library(), e, im);
  EXPECT_TRUE(d.accepted());
  EXPECT_EQ(d.limit_status, "soft_limit_overridden");
}

TEST(SedationDose, MixedRoutesTakeTheStrictestHardLimit) {
  // IM 5 mg/kg first, then an IV repeat of 1 mg/kg: 6 mg/kg above the IV total 5 mg/kg.
  EpisodeFacts e = child();
  DoseOrder im = iv(kT0 + kMin, 5.0);
  im.route = Route::intramuscular;
  im.concentration = units::MgPerMl(100);
  give(e, decide_dose(dosing::builtin_library(), e, im), Route::intramuscular, kT0 + kMin);
  const auto d = decide_dose(dosing::builtin_library(), e, iv(kT0 + 15 * kMin, 1.0));
  EXPECT_DOUBLE_EQ(d.cumulative.hard_mg_per_kg, 5.0);
  EXPECT_FALSE(d.accepted());
}

TEST(SedationDose, NurseNeedsAnOrderingPhysician) {
  DoseOrder o = iv(kT0 + kMin);
  o.by_physician = false;
  EXPECT_FALSE(
      passed(decide_dose(dosing::builtin_library(), child(), o).gates, "ordered_by_physician"));
  o.ordered_by = "Dr Grey";
  EXPECT_TRUE(decide_dose(dosing::builtin_library(), child(), o).accepted());
  o.ordered_by = "  ";
  EXPECT_THROW(decide_dose(dosing::builtin_library(), child(), o), InputError);
}

TEST(SedationDose, NoDoseAfterTheProcedureEnded) {
  EpisodeFacts e = child();
  give(e, decide_dose(dosing::builtin_library(), e, iv(kT0 + kMin)), Route::iv_push, kT0 + kMin);
  e.state = State::recovering;
  EXPECT_FALSE(passed(decide_dose(dosing::builtin_library(), e, iv(kT0 + 20 * kMin, 0.5)).gates,
                      "episode_accepts_doses"));
}

TEST(SedationDischarge, ChildChecklistFollowsRcemKetamineGuidance) {
  std::vector<std::string> child_ids, adult_ids;
  for (const auto& c : discharge_checklist(units::Years(6))) child_ids.emplace_back(c.id);
  for (const auto& c : discharge_checklist(units::Years(30))) adult_ids.emplace_back(c.id);
  EXPECT_EQ(adult_ids.size(), 7u);  // RCEM's seven criteria
  EXPECT_EQ(std::count(child_ids.begin(), child_ids.end(), "tolerating_fluids"), 0);
  EXPECT_EQ(std::count(child_ids.begin(), child_ids.end(), "ambulates_and_converses_at_baseline"),
            1);
  EXPECT_FALSE(discharge_instructions(units::Years(6)).empty());
  EXPECT_TRUE(discharge_instructions(units::Years(30)).empty());
}

DischargeFacts ready_child_at(std::int64_t now) {
  DischargeFacts f;
  f.age = units::Years(6);
  f.doses = {{1, Route::iv_push, units::Mg(30), kT0}};
  for (const auto& c : discharge_checklist(f.age)) f.criteria_met.emplace(c.id);
  f.now_ms = now;
  return f;
}

TEST(SedationDischarge, WaitsForTheIntervalSinceTheLastDose) {
  const SedationPolicy policy;
  auto r = discharge_readiness(ready_child_at(kT0 + 30 * kMin), policy);
  EXPECT_FALSE(r.ready);
  EXPECT_TRUE(passed(r.gates, "observation_after_last_iv_dose"));  // RCEM 25 min
  EXPECT_FALSE(passed(r.gates, "interval_after_last_iv_dose"));    // ACEP 50 min (policy)
  EXPECT_EQ(r.earliest_ms, kT0 + 50 * kMin);
  r = discharge_readiness(ready_child_at(kT0 + 50 * kMin), policy);
  EXPECT_TRUE(r.ready);
}

TEST(SedationDischarge, ImAndAdverseEventsAndReversalPushTheEarliestTime) {
  DischargeFacts f = ready_child_at(kT0 + 200 * kMin);
  f.doses.push_back({2, Route::intramuscular, units::Mg(80), kT0 + 10 * kMin});
  auto r = discharge_readiness(f, {});
  EXPECT_EQ(r.earliest_ms, kT0 + 70 * kMin);  // IM: ACEP 60 min (policy)
  f.adverse_event_at_ms = {kT0 + 60 * kMin};
  EXPECT_EQ(discharge_readiness(f, {}).earliest_ms, kT0 + 85 * kMin);
  f.reversal_agent_at_ms = kT0 + 30 * kMin;
  EXPECT_EQ(discharge_readiness(f, {}).earliest_ms, kT0 + 150 * kMin);  // RCEM 2 h
  EXPECT_TRUE(discharge_readiness(f, {}).ready);
}

TEST(SedationDischarge, MissingCriteriaAreListed) {
  DischargeFacts f = ready_child_at(kT0 + 90 * kMin);
  f.criteria_met.erase("minimal_nausea");
  const auto r = discharge_readiness(f, {});
  EXPECT_FALSE(r.ready);
  ASSERT_EQ(r.missing.size(), 1u);
  EXPECT_EQ(r.missing[0], "minimal_nausea");
  f.state = State::sedated;
  f.criteria_met.emplace("minimal_nausea");
  EXPECT_FALSE(discharge_readiness(f, {}).ready);
}

TEST(SedationPolicyValidation, IvIntervalNeverBelowRcem) {
  SedationPolicy p;
  p.min_after_last_iv_dose_min = 20;
  try {
    validate(p);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "policy.min_after_last_iv_dose_min");
  }
}

TEST(SedationEntries, AdverseEventAndMonitoringNameTheField) {
  AdverseEvent a{"laryngospasm", "severe", {"airway_repositioning", "bag_mask_ventilation"}, ""};
  EXPECT_NO_THROW(validate(a));
  a.interventions.push_back("prayer");
  try {
    validate(a);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "interventions[2]");
  }
  AdverseEvent other{"other", "mild", {}, " "};
  EXPECT_THROW(validate(other), InputError);
  Monitoring m;
  EXPECT_THROW(validate(m), InputError);
  m.spo2_percent = 140;
  try {
    validate(m);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "spo2_percent");
  }
}

TEST(SedationVoid, OnlyWithoutDosesInForce) {
  EXPECT_TRUE(void_gate(State::open, 0).passed);
  EXPECT_FALSE(void_gate(State::sedated, 1).passed);
  EXPECT_TRUE(void_gate(State::sedated, 0).passed);
  EXPECT_FALSE(void_gate(State::discharged, 0).passed);
}

}  // namespace
}  // namespace kit::sedation
