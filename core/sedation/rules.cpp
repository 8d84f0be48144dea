#include "core/sedation/rules.h"

#include <algorithm>
#include <cmath>

#include "core/common/error.h"
#include "core/dosing/names.h"
#include "core/dosing/sources.h"
#include "core/safety/rcem.h"
#include "core/safety/vitals.h"
#include "core/screening/screen.h"

namespace kit::sedation {

namespace {

constexpr std::int64_t kMinuteMs = 60'000;
// Adult protocols from 18 years: the drug library's age limits (dosing src::kAdultAgePolicy).
constexpr double kAdultAgeY = 18.0;

constexpr const char* kAcepContraindications =
    "ACEP 2011 ketamine ED sedation contraindications (docs/reference/pharmacology.md §3.6) [S]; "
    "core/screening ED rules";
constexpr const char* kRelativeReviewPolicy =
    "policy: a relative contraindication needs a physician's documented review before ketamine "
    "(as for the infusions: core/screening physician_review_not_documented)";
constexpr const char* kOrderPolicy =
    "policy: ketamine is given by a physician, or by a nurse on a named physician's order";
constexpr const char* kOverridePolicy =
    "policy: a soft limit is exceeded only on a physician's documented reason (drug-library "
    "convention, docs/reference/pharmacology.md §7)";
constexpr const char* kOrderInTimePolicy =
    "policy: doses are charted in the order they were given; a dose charted before an earlier one "
    "would rewrite the running totals (correct the record instead)";
constexpr const char* kEpisodeCumulativePolicy =
    "policy: the episode's hard cumulative limit is the strictest of the routes used (IM mg count "
    "in full, docs/reference/pharmacology.md §1.5)";
constexpr const char* kDischargePolicySource =
    "policy: lower end of ACEP's dose-to-discharge time, IV 50-110 min, IM 60-140 min "
    "(docs/reference/pharmacology.md §3.6) [S]; configurable";
constexpr const char* kAfterAdverseEventSource =
    "policy: observation restarts after an adverse event, anchored on RCEM's 25 min after the last "
    "IV medication (docs/reference/pharmacology.md §13); configurable";
constexpr const char* kChildChecklistSource =
    "RCEM ketamine sedation guidance [S]: children are discharged 'once they are able to ambulate "
    "and vocalise/converse at pre-sedation levels' (docs/reference/pharmacology.md §13)";

GateResult pass(std::string gate, std::string reason, std::string source) {
  return {std::move(gate), true, std::move(reason), std::move(source)};
}
GateResult fail(std::string gate, std::string reason, std::string source) {
  return {std::move(gate), false, std::move(reason), std::move(source)};
}
GateResult gate(std::string name, bool passed, std::string reason, std::string source) {
  return {std::move(name), passed, std::move(reason), std::move(source)};
}

std::string num(double v) {
  // Up to 3 decimals, no trailing zeros (1.5, 35, 0.25).
  std::string s = std::to_string(std::round(v * 1000.0) / 1000.0);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

std::string findings_text(const std::vector<screening::Finding>& fs) {
  std::string out;
  for (const auto& f : fs) out += (out.empty() ? "" : "; ") + f.finding;
  return out;
}

bool is_blank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

void require_minutes(double v, const char* field) {
  if (!std::isfinite(v) || v <= 0 || v > 24 * 60) {
    throw InputError(field, "must be a number of minutes above 0 and at most 1440");
  }
}

const GivenDose* last_dose(const std::vector<GivenDose>& doses,
                           std::optional<Route> route = std::nullopt) {
  const GivenDose* last = nullptr;
  for (const auto& d : doses) {
    if (route && d.route != *route) continue;
    if (last == nullptr || d.at_ms > last->at_ms || (d.at_ms == last->at_ms && d.id > last->id)) {
      last = &d;
    }
  }
  return last;
}

std::string minutes_text(std::int64_t ms) { return num(static_cast<double>(ms) / kMinuteMs); }

std::optional<double> limit_of(const dosing::Protocol& p, dosing::LimitQuantity q,
                               dosing::LimitLevel level, std::string* source) {
  for (const auto& l : p.limits) {
    if (l.quantity == q && l.level == level && l.type == dosing::BoundType::kMax) {
      if (source) *source = l.source;
      return l.bound;
    }
  }
  return std::nullopt;
}

std::string failed_checks(const dosing::Plan& plan, dosing::LimitLevel level) {
  std::string out;
  for (const auto& c : plan.checks) {
    if (c.passed || c.limit.level != level) continue;
    out += (out.empty() ? "" : "; ") + std::string(dosing::to_string(c.limit.quantity)) + " " +
           num(c.value) + (c.limit.type == dosing::BoundType::kMax ? " above " : " below ") +
           (level == dosing::LimitLevel::kHard ? "hard" : "soft") + " limit " + num(c.limit.bound);
  }
  return out;
}

}  // namespace

void validate(const SedationPolicy& p) {
  require_minutes(p.min_after_last_iv_dose_min, "policy.min_after_last_iv_dose_min");
  require_minutes(p.min_after_last_im_dose_min, "policy.min_after_last_im_dose_min");
  require_minutes(p.after_adverse_event_min, "policy.after_adverse_event_min");
  if (p.min_after_last_iv_dose_min < kRcemObservationAfterIvMin) {
    throw InputError("policy.min_after_last_iv_dose_min",
                     "may not be below RCEM's 25 minutes after the last IV dose");
  }
}

// ---- Opening ---------------------------------------------------------------------------------

OpeningDecision opening_gates(const OpeningFacts& facts) {
  screening::Intake intake = facts.intake;
  intake.indication = screening::Indication::kEdSedation;
  const screening::ScreeningPolicy policy;  // the ED column ignores the elective-only settings
  screening::validate(intake, std::nullopt, policy);
  const screening::RuleResult r = screening::evaluate_rules(intake, policy);
  OpeningDecision out;
  std::vector<screening::Finding> other_absolute;
  std::optional<screening::Finding> age;
  for (const auto& f : r.absolute) {
    if (f.rule == "age_under_3_months") {
      age = f;
    } else {
      other_absolute.push_back(f);
    }
  }
  out.absolute = r.absolute;
  out.relative = r.relative;
  const std::string age_text = num(intake.age_years) + " years";
  out.gates.push_back(
      age ? fail("age_at_least_3_months",
                 "age " + age_text + " is under 3 months: ketamine sedation is contraindicated",
                 age->source)
          : pass("age_at_least_3_months", "age " + age_text, kAcepContraindications));
  out.gates.push_back(other_absolute.empty()
                          ? pass("no_absolute_contraindication", "no absolute contraindication",
                                 kAcepContraindications)
                          : fail("no_absolute_contraindication",
                                 "absolute contraindication: " + findings_text(other_absolute) +
                                     ": no ketamine sedation",
                                 other_absolute.front().source));
  if (r.relative.empty()) {
    out.gates.push_back(pass("relative_contraindications_reviewed", "no relative contraindication",
                             kRelativeReviewPolicy));
  } else if (!facts.caller_is_physician) {
    out.gates.push_back(fail("relative_contraindications_reviewed",
                             "relative contraindication (" + findings_text(r.relative) +
                                 "): a physician opens this episode with a documented review",
                             kRelativeReviewPolicy));
  } else if (!facts.relative_review_reason || is_blank(*facts.relative_review_reason)) {
    out.gates.push_back(fail("relative_contraindications_reviewed",
                             "relative contraindication (" + findings_text(r.relative) +
                                 "): give relative_contraindication_review_reason",
                             kRelativeReviewPolicy));
  } else {
    out.gates.push_back(pass("relative_contraindications_reviewed",
                             "reviewed by the physician: " + *facts.relative_review_reason,
                             kRelativeReviewPolicy));
  }
  return out;
}

// ---- Doses -----------------------------------------------------------------------------------

std::string_view to_string(Route r) { return r == Route::iv_push ? "iv" : "im"; }

std::optional<Route> parse_route(std::string_view text) {
  if (text == "iv") return Route::iv_push;
  if (text == "im") return Route::intramuscular;
  return std::nullopt;
}

bool is_adult(units::Years age) { return age.value() >= kAdultAgeY; }

std::string protocol_id(units::Years age, Route route, bool repeat) {
  return std::string("ed-sedation-") + (is_adult(age) ? "adult" : "pediatric") + "-" +
         std::string(to_string(route)) + (repeat ? "-repeat" : "");
}

CumulativeLimit episode_cumulative_limit(const dosing::DrugLibrary& library, units::Years age,
                                         const std::vector<Route>& routes_used) {
  CumulativeLimit out;
  bool any = false;
  for (Route r : routes_used) {
    const dosing::Protocol* p = library.find(protocol_id(age, r, true));
    if (p == nullptr) continue;
    std::string src;
    auto hard = limit_of(*p, dosing::LimitQuantity::kCumulativeDoseMgPerKg,
                         dosing::LimitLevel::kHard, &src);
    if (!hard) continue;
    if (!any || *hard < out.hard_mg_per_kg) {
      out.hard_mg_per_kg = *hard;
      out.source = src;
      any = true;
    }
  }
  if (!any) {
    // A library without a cumulative hard limit for ED sedation is not a library KIT doses from.
    throw RuleRefused("episode_cumulative_limit",
                      "the drug library has no cumulative hard limit for ED sedation");
  }
  if (routes_used.size() > 1)
    out.source = std::string(kEpisodeCumulativePolicy) + "; " + out.source;
  return out;
}

bool DoseDecision::accepted() const {
  return std::all_of(gates.begin(), gates.end(), [](const GateResult& g) { return g.passed; });
}

DoseDecision decide_dose(const dosing::DrugLibrary& library, const EpisodeFacts& e,
                         const DoseOrder& order) {
  if (order.override_reason && is_blank(*order.override_reason)) {
    throw InputError("override_reason", "must document the reason (empty text given)");
  }
  if (order.ordered_by && is_blank(*order.ordered_by)) {
    throw InputError("ordered_by", "must name the ordering physician (empty text given)");
  }
  DoseDecision d;
  d.repeat = !e.doses.empty();
  d.protocol_id = protocol_id(e.age, order.route, d.repeat);
  for (const auto& g : e.doses) d.previous_total = d.previous_total + g.mg;

  // The state machine.
  const auto next = next_state(e.state, Action::dose);
  d.gates.push_back(gate(
      "episode_accepts_doses", next.has_value(),
      next ? "the episode is " + std::string(to_string(e.state))
           : "the episode is " + std::string(to_string(e.state)) + ": no ketamine may be recorded",
      "ED sedation state machine (core/sedation/episode.h)"));

  // Who gives it.
  const bool ordered = order.by_physician || order.ordered_by.has_value();
  d.gates.push_back(gate("ordered_by_physician", ordered,
                         order.by_physician ? "given by a physician"
                         : ordered
                             ? "given on the order of " + *order.ordered_by
                             : "a nurse gives ketamine on a physician's order: give ordered_by",
                         kOrderPolicy));

  // Time: in order, and not sooner than the protocol's repeat interval.
  const GivenDose* last = last_dose(e.doses);
  const bool in_order =
      order.at_ms >= e.opened_at_ms && (last == nullptr || order.at_ms >= last->at_ms);
  d.gates.push_back(gate("dose_in_time_order", in_order,
                         in_order ? "after the episode opened and after the last dose"
                                  : "the dose is timed before the episode opened or before the "
                                    "last recorded dose",
                         kOrderInTimePolicy));

  // The calculator, with the episode's history.
  dosing::PlanRequest q;
  q.protocol_id = d.protocol_id;
  q.patient = {e.weight, units::Cm(0), dosing::Sex::kFemale, e.age};  // height: not measured
  q.preparation.concentration = order.concentration;
  q.dose_per_kg = order.dose_per_kg;
  if (d.repeat) q.previous_total = d.previous_total;
  q.override_reason = order.override_reason;
  d.plan = dosing::compute_plan(library, q);
  const dosing::Protocol& protocol = *library.find(d.protocol_id);

  if (d.repeat && last != nullptr) {
    if (const auto& after = protocol.schedule.repeat_after_min) {
      const auto min_ms = static_cast<std::int64_t>(std::llround(after->value() * kMinuteMs));
      const std::int64_t since = order.at_ms - last->at_ms;
      d.gates.push_back(gate("repeat_interval", since >= min_ms,
                             minutes_text(since) +
                                 " min since the last dose; the protocol repeats "
                                 "after at least " +
                                 num(after->value()) + " min (" + protocol.schedule.description +
                                 ")",
                             protocol.schedule.source));
    }
  }

  // Limits of this dose and of the running total (the calculator's checks).
  bool hard_failed = false, soft_failed = false;
  for (const auto& c : d.plan.checks) {
    if (c.passed) continue;
    (c.limit.level == dosing::LimitLevel::kHard ? hard_failed : soft_failed) = true;
  }
  d.gates.push_back(gate("dose_hard_limits", !hard_failed,
                         hard_failed ? "a hard limit is exceeded: " +
                                           failed_checks(d.plan, dosing::LimitLevel::kHard) +
                                           "; it can never be overridden"
                                     : "every hard limit holds",
                         "drug library hard limits (each check cites its source)"));
  if (!soft_failed) {
    d.gates.push_back(pass("dose_soft_limits", "every soft limit holds", kOverridePolicy));
  } else if (!order.override_reason) {
    d.gates.push_back(fail("dose_soft_limits",
                           "a soft limit is exceeded (" +
                               failed_checks(d.plan, dosing::LimitLevel::kSoft) +
                               "): a physician may give it with override_reason",
                           kOverridePolicy));
  } else if (!order.by_physician) {
    d.gates.push_back(fail("dose_soft_limits",
                           "a soft limit is exceeded: only a physician may override it",
                           kOverridePolicy));
  } else {
    d.gates.push_back(
        pass("dose_soft_limits",
             "soft limit exceeded on the physician's reason: " + *order.override_reason,
             kOverridePolicy));
  }

  // The episode's own cumulative limit (strictest route used).
  std::vector<Route> routes;
  for (const auto& g : e.doses) routes.push_back(g.route);
  routes.push_back(order.route);
  d.cumulative = episode_cumulative_limit(library, e.age, routes);
  std::string soft_src;
  if (auto soft = limit_of(protocol, dosing::LimitQuantity::kCumulativeDoseMgPerKg,
                           dosing::LimitLevel::kSoft, &soft_src)) {
    d.cumulative.soft_mg_per_kg = *soft;
    d.cumulative.soft_source = soft_src;
  }
  d.running_total = d.previous_total + d.plan.dose;
  d.running_total_per_kg = units::MgPerKg(
      dosing::report_precision(d.running_total.value() / d.plan.dosing_weight.weight.value()));
  const bool within_episode = d.running_total_per_kg.value() <= d.cumulative.hard_mg_per_kg;
  d.gates.push_back(gate("episode_cumulative_hard_limit", within_episode,
                         "running total " + num(d.running_total.value()) +
                             " mg = " + num(d.running_total_per_kg.value()) + " mg/kg " +
                             (within_episode ? "within" : "above") + " the episode's hard limit " +
                             num(d.cumulative.hard_mg_per_kg) + " mg/kg",
                         d.cumulative.source));

  if (!within_episode || hard_failed) {
    d.limit_status = "hard_limit_exceeded";
  } else if (soft_failed) {
    d.limit_status = d.plan.override_applied && order.by_physician ? "soft_limit_overridden"
                                                                   : "soft_limit_exceeded";
  } else {
    d.limit_status = "within";
  }

  // When the next repeat may follow this dose.
  if (const dosing::Protocol* rep = library.find(protocol_id(e.age, order.route, true))) {
    if (rep->schedule.repeat_after_min) {
      d.earliest_repeat_ms =
          order.at_ms + static_cast<std::int64_t>(
                            std::llround(rep->schedule.repeat_after_min->value() * kMinuteMs));
    }
  }
  return d;
}

// ---- Adverse events and monitoring -----------------------------------------------------------

const std::vector<std::string_view>& adverse_event_kinds() {
  static const std::vector<std::string_view> k = {"laryngospasm", "emesis", "emergence_reaction",
                                                  "hypoxia",      "apnoea", "other"};
  return k;
}
const std::vector<std::string_view>& adverse_event_severities() {
  static const std::vector<std::string_view> k = {"mild", "moderate", "severe", "life_threatening"};
  return k;
}
const std::vector<std::string_view>& interventions() {
  static const std::vector<std::string_view> k = {
      "airway_repositioning", "suction",    "supplemental_oxygen", "bag_mask_ventilation",
      "intubation",           "medication", "procedure_stopped",   "other"};
  return k;
}

namespace {
std::string joined(const std::vector<std::string_view>& v) {
  std::string out;
  for (auto x : v) out += (out.empty() ? "" : ", ") + std::string(x);
  return out;
}
bool contains(const std::vector<std::string_view>& v, std::string_view x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}
}  // namespace

void validate(const AdverseEvent& a) {
  if (!contains(adverse_event_kinds(), a.kind)) {
    throw InputError("kind", "must be one of " + joined(adverse_event_kinds()));
  }
  if (!contains(adverse_event_severities(), a.severity)) {
    throw InputError("severity", "must be one of " + joined(adverse_event_severities()));
  }
  std::set<std::string, std::less<>> seen;
  for (std::size_t i = 0; i < a.interventions.size(); ++i) {
    const std::string field = "interventions[" + std::to_string(i) + "]";
    if (!contains(interventions(), a.interventions[i])) {
      throw InputError(field, "must be one of " + joined(interventions()));
    }
    if (!seen.insert(a.interventions[i]).second) throw InputError(field, "is listed twice");
  }
  const bool other = a.kind == "other" || seen.contains("other");
  if (other && is_blank(a.description)) {
    throw InputError("description", "is required when kind or an intervention is other");
  }
}

void validate(const Monitoring& m) {
  safety::VitalSigns v;
  v.sbp_mmhg = m.sbp_mmhg;
  v.dbp_mmhg = m.dbp_mmhg;
  v.hr_bpm = m.hr_bpm;
  v.spo2_percent = m.spo2_percent;
  v.rr_per_min = m.rr_per_min;
  const bool readings = m.sbp_mmhg || m.dbp_mmhg || m.hr_bpm || m.spo2_percent || m.rr_per_min;
  if (!readings) {
    if (is_blank(m.sedation_observation)) {
      throw InputError("input",
                       "at least one reading (spo2_percent, hr_bpm, sbp_mmhg, dbp_mmhg, "
                       "rr_per_min) or a sedation_observation is required");
    }
    return;
  }
  safety::validate(v);
}

// ---- Discharge -------------------------------------------------------------------------------

std::vector<ChecklistItem> discharge_checklist(units::Years age) {
  std::vector<ChecklistItem> out;
  const bool adult = is_adult(age);
  for (const auto& c : safety::rcem_criteria()) {
    if (!adult && c.id == "tolerating_fluids") continue;
    out.push_back({c.id, c.text, safety::kRcemSource});
  }
  if (!adult) {
    out.push_back({"ambulates_and_converses_at_baseline",
                   "Able to walk (as before) and vocalise or converse at the pre-sedation level",
                   kChildChecklistSource});
  }
  return out;
}

std::vector<std::string> discharge_instructions(units::Years age) {
  if (is_adult(age)) return {};
  return {
      "No food or drink for 2 hours after discharge (RCEM ketamine sedation guidance [S], "
      "docs/reference/pharmacology.md §13)."};
}

Readiness discharge_readiness(const DischargeFacts& f, const SedationPolicy& policy) {
  validate(policy);
  Readiness out;
  out.gates.push_back(gate("episode_recovering", f.state == State::recovering,
                           f.state == State::recovering
                               ? "the procedure has ended"
                               : "the episode is " + std::string(to_string(f.state)) +
                                     (f.state == State::sedated ? ": end the procedure first" : ""),
                           "ED sedation state machine (core/sedation/episode.h)"));

  // The checklist.
  for (const auto& item : discharge_checklist(f.age)) {
    if (!f.criteria_met.contains(item.id)) out.missing.emplace_back(item.id);
  }
  std::string missing;
  for (const auto& m : out.missing) missing += (missing.empty() ? "" : ", ") + m;
  out.gates.push_back(gate("discharge_checklist", out.missing.empty(),
                           out.missing.empty() ? "every criterion met" : "not yet met: " + missing,
                           is_adult(f.age)
                               ? std::string(safety::kRcemSource)
                               : std::string(safety::kRcemSource) + "; " + kChildChecklistSource));

  // Time rules: each gives an earliest instant.
  std::int64_t earliest = 0;
  bool any_time = false;
  auto time_rule = [&](const std::string& name, std::int64_t from_ms, double minutes,
                       const std::string& what, const std::string& source) {
    const std::int64_t at = from_ms + static_cast<std::int64_t>(std::llround(minutes * kMinuteMs));
    earliest = any_time ? std::max(earliest, at) : at;
    any_time = true;
    const std::int64_t since = f.now_ms - from_ms;
    out.gates.push_back(gate(name, f.now_ms >= at,
                             minutes_text(std::max<std::int64_t>(0, since)) + " min since " + what +
                                 "; at least " + num(minutes) + " min",
                             source));
  };
  if (const GivenDose* iv = last_dose(f.doses, Route::iv_push)) {
    time_rule("observation_after_last_iv_dose", iv->at_ms, kRcemObservationAfterIvMin,
              "the last IV dose", std::string(kRcemAfterIvSource));
    time_rule("interval_after_last_iv_dose", iv->at_ms, policy.min_after_last_iv_dose_min,
              "the last IV dose", kDischargePolicySource);
  }
  if (const GivenDose* im = last_dose(f.doses, Route::intramuscular)) {
    time_rule("interval_after_last_im_dose", im->at_ms, policy.min_after_last_im_dose_min,
              "the last IM dose", kDischargePolicySource);
  }
  if (!f.adverse_event_at_ms.empty()) {
    const std::int64_t last_ae =
        *std::max_element(f.adverse_event_at_ms.begin(), f.adverse_event_at_ms.end());
    time_rule("observation_after_adverse_event", last_ae, policy.after_adverse_event_min,
              "the last adverse event", kAfterAdverseEventSource);
  }
  if (f.reversal_agent_at_ms) {
    time_rule("after_reversal_agent", *f.reversal_agent_at_ms,
              safety::kRcemHoursAfterReversalAgent * 60.0, "the reversal agent",
              std::string(safety::kRcemSource));
  }
  if (any_time) out.earliest_ms = earliest;
  out.ready =
      std::all_of(out.gates.begin(), out.gates.end(), [](const GateResult& g) { return g.passed; });
  return out;
}

GateResult void_gate(State state, std::size_t doses_in_force) {
  const auto next = next_state(state, Action::void_episode);
  if (!next) {
    return fail("episode_voidable",
                "the episode is " + std::string(to_string(state)) + ": it cannot be voided",
                "ED sedation state machine (core/sedation/episode.h)");
  }
  if (doses_in_force > 0) {
    return fail("episode_voidable",
                std::to_string(doses_in_force) +
                    " dose(s) in force: a given dose is never voided away; correct a dose "
                    "entered in error first",
                "nothing clinical is deleted (docs/security.md)");
  }
  return pass("episode_voidable", "no ketamine recorded", "ED sedation state machine");
}

}  // namespace kit::sedation
