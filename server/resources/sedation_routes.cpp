// Emergency-department procedural sedation (ketamine) records: an episode opened for a registered
// patient or a minimal ED patient, its doses computed and gated by the core (core/sedation/rules.h)
// with the running total held to the protocol's limits, monitoring, adverse events, the end of the
// procedure, discharge readiness, a void, and corrections that keep the original. The routes follow
// the infusion routes: parse -> gather facts through the store -> ask the core -> store -> respond;
// a refusal stores nothing; every call is audited as patient data. Contract: docs/api-sedation.md.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "contract/dosing_api.h"
#include "contract/json_reader.h"
#include "core/common/calendar.h"
#include "core/common/error.h"
#include "core/dosing/drug_library.h"
#include "core/sedation/rules.h"
#include "server/api/api_error.h"
#include "server/api/services.h"
#include "server/resources/chair_common.h"
#include "server/resources/infusion_common.h"
#include "server/resources/journey_common.h"
#include "server/resources/modules.h"
#include "storage/stores/patient_store.h"
#include "storage/stores/sedation_store.h"

namespace kit::server {

namespace {

using nlohmann::json;
namespace sd = kit::sedation;

constexpr std::size_t kMaxName = 200;
constexpr std::int64_t kMinuteMs = 60'000;

// The clinic's ED sedation policy (core/sedation/rules.h SedationPolicy, each default cited there):
// kit serve's configuration (docs/kit.example.toml ed_sedation_*).
sd::SedationPolicy sedation_policy(RouteContext& ctx) {
  const ServerConfig& c = ctx.services().config();
  sd::SedationPolicy p;
  p.min_after_last_iv_dose_min = c.ed_sedation_min_after_iv_dose_minutes;
  p.min_after_last_im_dose_min = c.ed_sedation_min_after_im_dose_minutes;
  p.after_adverse_event_min = c.ed_sedation_after_adverse_event_minutes;
  return p;
}

bool is_physician(const RouteContext& ctx) { return ctx.user().role == Role::physician; }

json opt(const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); }
json opt(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }
json opt(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }
json opt_time(const std::optional<std::int64_t>& ms) {
  return ms ? json(iso8601_ms(*ms)) : json(nullptr);
}

json gates_json(const std::vector<sd::GateResult>& gates) {
  return infusion_routes::gates_json(gates);
}

// Completed calendar months / 12 from the date of birth to the clinic-local date: the 3-month
// rule (ACEP) is judged on whole months, the adult protocols from 216 months.
double age_years_on(const std::string& dob, const std::string& today) {
  const auto b = calendar::parse_iso_date(dob);
  const auto t = calendar::parse_iso_date(today);
  if (!b || !t) throw InputError("date_of_birth", "must be a date YYYY-MM-DD");
  int months = (t->year() - b->year()) * 12 + (t->month() - b->month());
  if (t->day() < b->day()) --months;
  return std::max(0, months) / 12.0;
}

storage::SedationEpisode episode_for(RouteContext& ctx) {
  storage::SedationStore store(ctx.tx());
  auto e = store.find_episode(ctx.id_param("id"));
  if (!e) throw ApiError::not_found("sedation episode");
  ctx.require_patient_access(e->patient_id);
  ctx.set_patient(e->patient_id);
  return *e;
}

sd::State state_of(const storage::SedationEpisode& e) { return *sd::parse_state(e.state); }

std::vector<sd::GivenDose> doses_in_force(const std::vector<storage::SedationDose>& doses) {
  std::vector<sd::GivenDose> out;
  for (const auto& d : doses) {
    if (d.status != "active") continue;
    out.push_back({d.id, *sd::parse_route(d.route), units::Mg(d.dose_mg), d.at_ms});
  }
  return out;
}

sd::EpisodeFacts facts_of(const storage::SedationEpisode& e,
                          const std::vector<storage::SedationDose>& doses) {
  sd::EpisodeFacts f;
  f.state = state_of(e);
  f.weight = units::Kg(e.weight_kg);
  f.age = units::Years(e.age_y);
  f.opened_at_ms = e.opened_at_ms;
  f.doses = doses_in_force(doses);
  return f;
}

void require_open_for_entries(const storage::SedationEpisode& e) {
  if (!sd::accepts_entries(state_of(e))) {
    throw ApiError::conflict(
        "the episode is " + e.state + ": new entries are refused (corrections are still accepted)",
        "state");
  }
}

// ---- Opening ---------------------------------------------------------------------------------

screening::Intake read_answers(contract::ObjectReader& r) {
  screening::Intake in;
  in.indication = screening::Indication::kEdSedation;
  contract::ObjectReader c = r.object("conditions");
  // Every question answered, the later-added ones too: this API is new, and in the ED a missing
  // answer (ketamine hypersensitivity is absolute) must never read as "no".
  for (std::string_view key : screening::yes_no_condition_keys()) {
    if (c.boolean(key)) in.conditions_present.emplace(key);
  }
  const std::string hepatic = c.string("hepatic_impairment");
  auto h = screening::parse_hepatic_impairment(hepatic);
  if (!h) {
    throw InputError(c.path_of("hepatic_impairment"),
                     "must be one of none, mild, moderate, severe");
  }
  in.hepatic_impairment = *h;
  c.finish();
  in.major_posterior_pharynx_procedure = r.boolean("major_posterior_pharynx_procedure");
  in.benzodiazepine_lorazepam_eq_mg_per_day =
      r.optional_number("benzodiazepine_lorazepam_eq_mg_per_day").value_or(0.0);
  return in;
}

json findings_json(const std::vector<screening::Finding>& fs) {
  json out = json::array();
  for (const auto& f : fs) {
    out.push_back({{"rule", f.rule},
                   {"finding", f.finding},
                   {"severity", std::string(screening::to_string(f.severity))},
                   {"basis", std::string(screening::to_string(f.basis))},
                   {"source", f.source}});
  }
  return out;
}

struct NewEdPatient {
  std::string given_name, family_name, date_of_birth, sex;
  std::optional<std::string> mrn;
};

NewEdPatient read_new_patient(contract::ObjectReader& p, std::int64_t now_ms) {
  NewEdPatient n;
  n.given_name = journey::require_line(p.string("given_name"), p.path_of("given_name"), kMaxName);
  n.family_name =
      journey::require_line(p.string("family_name"), p.path_of("family_name"), kMaxName);
  n.date_of_birth = p.string("date_of_birth");
  const std::int64_t day = journey::require_date(n.date_of_birth, p.path_of("date_of_birth"));
  if (day > now_ms / calendar::kDayMs) {
    throw InputError(p.path_of("date_of_birth"), "is in the future");
  }
  n.sex = p.string("sex");
  if (n.sex != "female" && n.sex != "male") {
    throw InputError(p.path_of("sex"), "must be female or male");
  }
  if (auto mrn = p.optional_string("mrn")) {
    n.mrn = journey::require_line(*mrn, p.path_of("mrn"), 64);
  }
  p.finish();
  return n;
}

json episode_json(RouteContext& ctx, storage::SedationStore& store,
                  const storage::SedationEpisode& e);

Response episode_response(RouteContext& ctx, std::int64_t id, int status = 200) {
  storage::SedationStore store(ctx.tx());
  const auto e = store.find_episode(id);
  if (!e) throw ApiError::not_found("sedation episode");
  Response r = json_response_with_etag(episode_json(ctx, store, *e), e->version, status);
  if (status == 201) r.set_header("Location", "/api/v1/sedation/episodes/" + std::to_string(id));
  return r;
}

Response create_episode(RouteContext& ctx) {
  const json body = parse_body(ctx.request());
  const std::int64_t now = ctx.services().now_ms();
  contract::ObjectReader r(body, "");
  const auto patient_id = r.optional_integer("patient_id");
  std::optional<NewEdPatient> new_patient;
  if (auto p = r.optional_object("patient")) new_patient = read_new_patient(*p, now);
  const double weight = r.number("weight_kg");
  const std::string procedure = journey::require_line(r.string("procedure"), "procedure", kMaxName);
  screening::Intake intake = read_answers(r);
  const auto review =
      infusion_routes::optional_reason(r.optional_string("relative_contraindication_review_reason"),
                                       "relative_contraindication_review_reason");
  const auto at_ms = r.optional_integer("at_ms");
  r.finish();
  const std::int64_t opened_at = chair::event_time(at_ms, "at_ms", now);
  if (patient_id.has_value() == new_patient.has_value()) {
    throw InputError("patient_id",
                     "give either patient_id (a registered patient) or patient (a minimal ED "
                     "identity: given_name, family_name, date_of_birth, sex, mrn?)");
  }
  // Patient records allow up to 400 kg (storage/migrations/0003); the dose calculator refuses
  // more than 500 kg as a typing error.
  if (!std::isfinite(weight) || weight <= 0 || weight > 400) {
    throw InputError("weight_kg", "must be above 0 and at most 400 kg (is it in grams or pounds?)");
  }

  storage::Transaction& tx = ctx.tx();
  std::string dob;
  if (patient_id) {
    auto p = storage::PatientStore(tx).find(*patient_id);
    if (!p) throw ApiError::not_found("patient");
    ctx.require_patient_access(p->id);
    ctx.set_patient(p->id);
    dob = p->date_of_birth;
  } else {
    dob = new_patient->date_of_birth;
    if (new_patient->mrn && storage::PatientStore(tx).mrn_taken(*new_patient->mrn)) {
      throw ApiError::conflict(
          "a patient with this MRN exists: open the episode with its patient_id", "patient.mrn");
    }
  }
  const std::string today = infusion_routes::local_date(tx, std::nullopt, now);
  intake.age_years = age_years_on(dob, today);

  sd::OpeningFacts f;
  f.intake = intake;
  f.relative_review_reason = review;
  f.caller_is_physician = is_physician(ctx);
  const sd::OpeningDecision d = sd::opening_gates(f);
  infusion::require_all(d.gates);  // refused: nothing stored (no patient, no episode)

  std::int64_t pid = 0;
  if (patient_id) {
    pid = *patient_id;
  } else {
    storage::NewPatient p;
    p.mrn = new_patient->mrn;
    p.given_name = new_patient->given_name;
    p.family_name = new_patient->family_name;
    p.date_of_birth = new_patient->date_of_birth;
    p.sex = new_patient->sex;
    p.indication = "other";  // an ED patient, not a clinic course
    p.at_ms = now;
    pid = storage::PatientStore(tx).create(p);
    ctx.set_patient(pid);
  }
  storage::SedationEpisode e;
  e.patient_id = pid;
  e.procedure_name = procedure;
  e.weight_kg = weight;
  e.age_y = intake.age_years;
  json answers = body;
  answers.erase("patient");
  e.screening_json = answers.dump();
  e.findings_json =
      json{{"absolute", findings_json(d.absolute)}, {"relative", findings_json(d.relative)}}.dump();
  e.gates_json = gates_json(d.gates).dump();
  if (!d.relative.empty()) {
    e.relative_review_reason = review;
    e.relative_review_physician_id = ctx.user().user_id;
  }
  e.opened_at_ms = opened_at;
  e.created_by = ctx.user().user_id;
  e.created_at_ms = now;
  const std::int64_t id = storage::SedationStore(tx).create_episode(e);
  return episode_response(ctx, id, 201);
}

// ---- Reading ---------------------------------------------------------------------------------

json correction_of(const std::vector<storage::SedationCorrection>& all, const std::string& entity,
                   std::int64_t id) {
  for (const auto& c : all) {
    if (c.entity == entity && c.entity_id == id) {
      return {{"id", c.id},         {"action", c.action},
              {"reason", c.reason}, {"replacement_id", opt(c.replacement_id)},
              {"by", c.by_user_id}, {"at", iso8601_ms(c.at_ms)}};
    }
  }
  return nullptr;
}

json dose_json(const storage::SedationDose& d, const json& correction) {
  return {{"id", d.id},
          {"route", d.route},
          {"protocol", d.protocol_id},
          {"repeat", d.is_repeat},
          {"dose_mg", d.dose_mg},
          {"dose_mg_per_kg", d.dose_mg_per_kg},
          {"concentration_mg_per_ml", d.concentration_mg_per_ml},
          {"volume_ml", d.volume_ml},
          {"running_total_mg", d.running_total_mg},
          {"running_total_mg_per_kg", d.running_total_mg_per_kg},
          {"cumulative_hard_limit_mg_per_kg", d.cumulative_hard_limit_mg_per_kg},
          {"limit_status", d.limit_status},
          {"override_reason", opt(d.override_reason)},
          {"override_physician_id", opt(d.override_physician_id)},
          {"ordered_by", opt(d.ordered_by)},
          {"given_by", d.given_by},
          {"at", iso8601_ms(d.at_ms)},
          {"at_ms", d.at_ms},
          {"status", d.status},
          {"correction", correction}};
}

json monitoring_json(const storage::SedationMonitoring& m, const json& correction) {
  return {{"id", m.id},
          {"spo2_percent", opt(m.spo2_percent)},
          {"hr_bpm", opt(m.hr_bpm)},
          {"sbp_mmhg", opt(m.sbp_mmhg)},
          {"dbp_mmhg", opt(m.dbp_mmhg)},
          {"rr_per_min", opt(m.rr_per_min)},
          {"on_oxygen", m.on_oxygen ? json(*m.on_oxygen) : json(nullptr)},
          {"sedation_observation", m.sedation_observation},
          {"at", iso8601_ms(m.at_ms)},
          {"recorded_by", m.recorded_by},
          {"status", m.status},
          {"amends_id", opt(m.amends_id)},
          {"correction", correction}};
}

json adverse_json(const storage::SedationAdverseEvent& a, const json& correction) {
  return {{"id", a.id},
          {"kind", a.kind},
          {"severity", a.severity},
          {"interventions", chair::stored_json(a.interventions_json)},
          {"description", a.description},
          {"at", iso8601_ms(a.at_ms)},
          {"recorded_by", a.recorded_by},
          {"status", a.status},
          {"amends_id", opt(a.amends_id)},
          {"correction", correction}};
}

sd::DischargeFacts discharge_facts(const storage::SedationEpisode& e, storage::SedationStore& store,
                                   std::int64_t now) {
  sd::DischargeFacts f;
  f.state = state_of(e);
  f.age = units::Years(e.age_y);
  f.doses = doses_in_force(store.doses(e.id));
  for (const auto& a : store.adverse_events(e.id)) {
    if (a.status == "active") f.adverse_event_at_ms.push_back(a.at_ms);
  }
  f.now_ms = now;
  return f;
}

json readiness_json(const sd::Readiness& r, units::Years age) {
  json checklist = json::array();
  for (const auto& c : sd::discharge_checklist(age)) {
    checklist.push_back({{"id", c.id}, {"text", c.text}, {"source", c.source}});
  }
  return {{"ready", r.ready},       {"gates", gates_json(r.gates)},
          {"missing", r.missing},   {"earliest_at", opt_time(r.earliest_ms)},
          {"checklist", checklist}, {"instructions", sd::discharge_instructions(age)}};
}

json episode_json(RouteContext& ctx, storage::SedationStore& store,
                  const storage::SedationEpisode& e) {
  const std::int64_t now = ctx.services().now_ms();
  const auto doses = store.doses(e.id);
  const auto corrections = store.corrections(e.id);
  const auto patient = storage::PatientStore(ctx.tx()).find(e.patient_id);
  json dose_list = json::array(), mon = json::array(), ae = json::array();
  for (const auto& d : doses)
    dose_list.push_back(dose_json(d, correction_of(corrections, "dose", d.id)));
  for (const auto& m : store.monitoring(e.id)) {
    mon.push_back(monitoring_json(m, correction_of(corrections, "monitoring", m.id)));
  }
  for (const auto& a : store.adverse_events(e.id)) {
    ae.push_back(adverse_json(a, correction_of(corrections, "adverse_event", a.id)));
  }
  const auto in_force = doses_in_force(doses);
  double total_mg = 0;
  for (const auto& g : in_force) total_mg += g.mg.value();
  std::vector<sd::Route> routes;
  for (const auto& g : in_force) routes.push_back(g.route);
  json cumulative = nullptr;
  if (!routes.empty()) {
    const auto lim =
        sd::episode_cumulative_limit(dosing::builtin_library(), units::Years(e.age_y), routes);
    cumulative = {{"hard_mg_per_kg", lim.hard_mg_per_kg}, {"source", lim.source}};
  }
  json next_repeat = nullptr;
  if (!in_force.empty()) {
    const auto last =
        std::max_element(in_force.begin(), in_force.end(),
                         [](const auto& a, const auto& b) { return a.at_ms < b.at_ms; });
    const dosing::Protocol* rep =
        dosing::builtin_library().find(sd::protocol_id(units::Years(e.age_y), last->route, true));
    if (rep && rep->schedule.repeat_after_min) {
      const auto at = last->at_ms + static_cast<std::int64_t>(std::llround(
                                        rep->schedule.repeat_after_min->value() * kMinuteMs));
      next_repeat = {{"route", std::string(sd::to_string(last->route))},
                     {"earliest_at", iso8601_ms(at)},
                     {"schedule", rep->schedule.description},
                     {"source", rep->schedule.source}};
    }
  }
  const sd::Readiness readiness =
      sd::discharge_readiness(discharge_facts(e, store, now), sedation_policy(ctx));
  json patient_json = nullptr;
  if (patient) {
    patient_json = {{"id", patient->id},
                    {"mrn", patient->mrn},
                    {"given_name", patient->given_name},
                    {"family_name", patient->family_name},
                    {"date_of_birth", patient->date_of_birth},
                    {"sex", patient->sex}};
  }
  return {{"id", e.id},
          {"patient_id", e.patient_id},
          {"patient", patient_json},
          {"procedure", e.procedure_name},
          {"weight_kg", e.weight_kg},
          {"age_y", e.age_y},
          {"age_group", sd::is_adult(units::Years(e.age_y)) ? "adult" : "pediatric"},
          {"state", e.state},
          {"findings", chair::stored_json(e.findings_json)},
          {"opening_gates", chair::stored_json(e.gates_json)},
          {"relative_review_reason", opt(e.relative_review_reason)},
          {"relative_review_physician_id", opt(e.relative_review_physician_id)},
          {"running_total_mg", dosing::report_precision(total_mg)},
          {"running_total_mg_per_kg", dosing::report_precision(total_mg / e.weight_kg)},
          {"cumulative_limit", cumulative},
          {"next_repeat", next_repeat},
          {"doses", dose_list},
          {"monitoring", mon},
          {"adverse_events", ae},
          {"discharge_readiness", readiness_json(readiness, units::Years(e.age_y))},
          {"discharge", e.discharge_json ? chair::stored_json(*e.discharge_json) : json(nullptr)},
          {"procedure_ended_at", opt_time(e.procedure_ended_at_ms)},
          {"discharged_at", opt_time(e.discharged_at_ms)},
          {"discharged_by", opt(e.discharged_by)},
          {"void_reason", opt(e.void_reason)},
          {"voided_by", opt(e.voided_by)},
          {"opened_at", iso8601_ms(e.opened_at_ms)},
          {"created_by", e.created_by},
          {"created_at", iso8601_ms(e.created_at_ms)},
          {"version", e.version}};
}

Response get_episode(RouteContext& ctx) {
  const auto e = episode_for(ctx);
  return episode_response(ctx, e.id);
}

Response list_episodes(RouteContext& ctx) {
  storage::SedationEpisodeSearch s;
  s.patient_id = query_int(ctx.request(), "patient_id", 1, INT64_MAX);
  const auto& q = ctx.request().query;
  if (auto st = q.find("state"); st != q.end()) {
    if (!sd::parse_state(st->second)) {
      throw InputError("state", "must be open, sedated, recovering, discharged or voided");
    }
    s.state = st->second;
  }
  s.limit = query_int(ctx.request(), "limit", 1, 500).value_or(50);
  if (s.patient_id) {
    ctx.require_patient_access(*s.patient_id);
    ctx.set_patient(*s.patient_id);
  }
  storage::SedationStore store(ctx.tx());
  json out = json::array();
  for (const auto& e : store.search(s)) {
    out.push_back({{"id", e.id},
                   {"patient_id", e.patient_id},
                   {"procedure", e.procedure_name},
                   {"state", e.state},
                   {"weight_kg", e.weight_kg},
                   {"age_y", e.age_y},
                   {"created_at", iso8601_ms(e.created_at_ms)},
                   {"version", e.version}});
  }
  return json_response({{"episodes", out}});
}

// ---- Doses -----------------------------------------------------------------------------------

sd::DoseOrder read_dose(RouteContext& ctx, const json& body, std::int64_t now) {
  contract::ObjectReader r(body, "");
  sd::DoseOrder o;
  const std::string route = r.string("route");
  const double conc = r.number("concentration_mg_per_ml");
  const auto per_kg = r.optional_number("dose_mg_per_kg");
  o.override_reason =
      infusion_routes::optional_reason(r.optional_string("override_reason"), "override_reason");
  if (auto by = r.optional_string("ordered_by")) {
    o.ordered_by = journey::require_line(*by, "ordered_by", kMaxName);
  }
  const auto at_ms = r.optional_integer("at_ms");
  r.finish();
  const auto parsed = sd::parse_route(route);
  if (!parsed) throw InputError("route", "must be iv or im");
  o.route = *parsed;
  if (!std::isfinite(conc) || conc <= 0) {
    throw InputError("concentration_mg_per_ml", "must be greater than 0");
  }
  o.concentration = units::MgPerMl(conc);
  if (per_kg) o.dose_per_kg = units::MgPerKg(*per_kg);
  o.by_physician = is_physician(ctx);
  o.at_ms = chair::event_time(at_ms, "at_ms", now);
  return o;
}

json decision_json(const sd::DoseDecision& d, const sd::DoseOrder& o) {
  json plan = contract::plan_to_json(d.plan);
  return {{"protocol", d.protocol_id},
          {"repeat", d.repeat},
          {"route", std::string(sd::to_string(o.route))},
          {"dose_mg", dosing::report_precision(d.plan.dose.value())},
          {"dose_mg_per_kg", dosing::report_precision(d.plan.dose_per_kg.value())},
          {"volume_ml", dosing::report_precision(d.plan.volume.value())},
          {"concentration_mg_per_ml", dosing::report_precision(o.concentration.value())},
          {"previous_total_mg", dosing::report_precision(d.previous_total.value())},
          {"running_total_mg", dosing::report_precision(d.running_total.value())},
          {"running_total_mg_per_kg", d.running_total_per_kg.value()},
          {"cumulative_limit",
           {{"hard_mg_per_kg", d.cumulative.hard_mg_per_kg},
            {"source", d.cumulative.source},
            {"soft_mg_per_kg", opt(d.cumulative.soft_mg_per_kg)},
            {"soft_source", opt(d.cumulative.soft_source)}}},
          {"limit_status", d.limit_status},
          {"accepted", d.accepted()},
          {"earliest_repeat_at", opt_time(d.earliest_repeat_ms)},
          {"gates", gates_json(d.gates)},
          {"plan", plan}};
}

Response preview_dose(RouteContext& ctx) {
  const auto e = episode_for(ctx);
  const std::int64_t now = ctx.services().now_ms();
  const sd::DoseOrder o = read_dose(ctx, parse_body(ctx.request()), now);
  storage::SedationStore store(ctx.tx());
  const sd::DoseDecision d =
      sd::decide_dose(dosing::builtin_library(), facts_of(e, store.doses(e.id)), o);
  return json_response(decision_json(d, o));
}

Response post_dose(RouteContext& ctx) {
  const auto e = episode_for(ctx);
  ctx.require_if_match(e.version);
  const std::int64_t now = ctx.services().now_ms();
  const sd::DoseOrder o = read_dose(ctx, parse_body(ctx.request()), now);
  if (!sd::accepts_entries(state_of(e)) || !sd::next_state(state_of(e), sd::Action::dose)) {
    throw ApiError::conflict("the episode is " + e.state + ": no dose may be recorded", "state");
  }
  storage::SedationStore store(ctx.tx());
  const sd::DoseDecision d =
      sd::decide_dose(dosing::builtin_library(), facts_of(e, store.doses(e.id)), o);
  infusion::require_all(d.gates);  // refused: nothing stored
  storage::SedationDose row;
  row.episode_id = e.id;
  row.route = std::string(sd::to_string(o.route));
  row.protocol_id = d.protocol_id;
  row.is_repeat = d.repeat;
  row.dose_mg = dosing::report_precision(d.plan.dose.value());
  row.dose_mg_per_kg = dosing::report_precision(d.plan.dose_per_kg.value());
  row.concentration_mg_per_ml = o.concentration.value();
  row.volume_ml = dosing::report_precision(d.plan.volume.value());
  row.running_total_mg = dosing::report_precision(d.running_total.value());
  row.running_total_mg_per_kg = d.running_total_per_kg.value();
  row.cumulative_hard_limit_mg_per_kg = d.cumulative.hard_mg_per_kg;
  row.limit_status = d.limit_status;
  row.plan_json = contract::plan_to_json(d.plan).dump();
  row.gates_json = gates_json(d.gates).dump();
  if (d.limit_status == "soft_limit_overridden") {
    row.override_reason = o.override_reason;
    row.override_physician_id = ctx.user().user_id;
  }
  if (!o.by_physician) row.ordered_by = o.ordered_by;
  row.given_by = ctx.user().user_id;
  row.at_ms = o.at_ms;
  row.recorded_at_ms = now;
  const std::int64_t id = store.insert_dose(row);
  const sd::State next = *sd::next_state(state_of(e), sd::Action::dose);
  if (!store.set_state(e.id, e.version, std::string(sd::to_string(next)), now)) {
    throw ApiError::precondition_failed();
  }
  json out = decision_json(d, o);
  out["id"] = id;
  out["episode_id"] = e.id;
  out["at"] = iso8601_ms(o.at_ms);
  out["episode_state"] = std::string(sd::to_string(next));
  Response resp = json_response_with_etag(out, e.version + 1, 201);
  return resp;
}

// ---- Monitoring and adverse events -----------------------------------------------------------

std::optional<double> range_number(contract::ObjectReader& r, const char* key) {
  return r.optional_number(key);
}

json record_monitoring(RouteContext& ctx, storage::SedationStore& store,
                       const storage::SedationEpisode& e, const json& body,
                       std::optional<std::int64_t> amends_id) {
  contract::ObjectReader r(body, "");
  sd::Monitoring m;
  m.spo2_percent = range_number(r, "spo2_percent");
  m.hr_bpm = range_number(r, "hr_bpm");
  m.sbp_mmhg = range_number(r, "sbp_mmhg");
  m.dbp_mmhg = range_number(r, "dbp_mmhg");
  m.rr_per_min = range_number(r, "rr_per_min");
  m.on_oxygen = r.optional_boolean("on_oxygen");
  m.sedation_observation =
      chair::optional_text(r.optional_string("sedation_observation"), "sedation_observation", 500)
          .value_or("");
  const auto at_ms = r.optional_integer("at_ms");
  r.finish();
  sd::validate(m);
  const std::int64_t now = ctx.services().now_ms();
  storage::SedationMonitoring row;
  row.episode_id = e.id;
  row.spo2_percent = m.spo2_percent;
  row.hr_bpm = m.hr_bpm;
  row.sbp_mmhg = m.sbp_mmhg;
  row.dbp_mmhg = m.dbp_mmhg;
  row.rr_per_min = m.rr_per_min;
  row.on_oxygen = m.on_oxygen;
  row.sedation_observation = m.sedation_observation;
  row.amends_id = amends_id;
  row.recorded_by = ctx.user().user_id;
  row.at_ms = chair::event_time(at_ms, "at_ms", now);
  row.recorded_at_ms = now;
  row.id = store.insert_monitoring(row);
  json out = monitoring_json(row, nullptr);
  out["episode_id"] = e.id;
  return out;
}

json record_adverse(RouteContext& ctx, storage::SedationStore& store,
                    const storage::SedationEpisode& e, const json& body,
                    std::optional<std::int64_t> amends_id) {
  contract::ObjectReader r(body, "");
  sd::AdverseEvent a;
  a.kind = r.string("kind");
  a.severity = r.string("severity");
  if (const json* list = r.optional_array("interventions")) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      if (!(*list)[i].is_string()) {
        throw InputError("interventions[" + std::to_string(i) + "]", "must be a string");
      }
      a.interventions.push_back((*list)[i].get<std::string>());
    }
  }
  a.description =
      chair::optional_text(r.optional_string("description"), "description").value_or("");
  const auto at_ms = r.optional_integer("at_ms");
  r.finish();
  sd::validate(a);
  const std::int64_t now = ctx.services().now_ms();
  storage::SedationAdverseEvent row;
  row.episode_id = e.id;
  row.kind = a.kind;
  row.severity = a.severity;
  row.interventions_json = json(a.interventions).dump();
  row.description = a.description;
  row.amends_id = amends_id;
  row.recorded_by = ctx.user().user_id;
  row.at_ms = chair::event_time(at_ms, "at_ms", now);
  row.recorded_at_ms = now;
  row.id = store.insert_adverse_event(row);
  json out = adverse_json(row, nullptr);
  out["episode_id"] = e.id;
  return out;
}

// Monitoring and adverse events leave the version alone (as the infusion's vitals do): a nurse
// charting SpO2 must not make a physician's dose request stale. Discharge reads them at its time.
Response post_entry(RouteContext& ctx, const std::string& entity) {
  const auto e = episode_for(ctx);
  require_open_for_entries(e);
  const json body = parse_body(ctx.request());
  storage::SedationStore store(ctx.tx());
  const json out = entity == "monitoring" ? record_monitoring(ctx, store, e, body, std::nullopt)
                                          : record_adverse(ctx, store, e, body, std::nullopt);
  return json_response(out, 201);
}

// ---- End of procedure, discharge, void -------------------------------------------------------

Response end_procedure(RouteContext& ctx) {
  const auto e = episode_for(ctx);
  ctx.require_if_match(e.version);
  const json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  const auto at_ms = r.optional_integer("at_ms");
  r.finish();
  if (!sd::next_state(state_of(e), sd::Action::end_procedure)) {
    throw ApiError::conflict(
        "the procedure ends after a dose, while sedated; the episode is " + e.state, "state");
  }
  const std::int64_t now = ctx.services().now_ms();
  const std::int64_t at = chair::event_time(at_ms, "at_ms", now);
  storage::SedationStore store(ctx.tx());
  for (const auto& d : doses_in_force(store.doses(e.id))) {
    if (d.at_ms > at) throw InputError("at_ms", "is before a recorded dose");
  }
  if (!store.end_procedure(e.id, e.version, ctx.user().user_id, at, now)) {
    throw ApiError::precondition_failed();
  }
  return episode_response(ctx, e.id);
}

Response post_discharge(RouteContext& ctx) {
  const auto e = episode_for(ctx);
  ctx.require_if_match(e.version);
  const json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  contract::ObjectReader c = r.object("criteria");
  const std::int64_t now = ctx.services().now_ms();
  storage::SedationStore store(ctx.tx());
  sd::DischargeFacts f = discharge_facts(e, store, now);
  json answers = json::object();
  for (const auto& item : sd::discharge_checklist(f.age)) {
    const bool met = c.boolean(item.id);  // every criterion answered
    answers[std::string(item.id)] = met;
    if (met) f.criteria_met.emplace(item.id);
  }
  c.finish();
  if (auto rev = r.optional_integer("reversal_agent_at_ms")) {
    f.reversal_agent_at_ms = chair::event_time(rev, "reversal_agent_at_ms", now);
  }
  r.finish();
  if (!sd::next_state(state_of(e), sd::Action::discharge)) {
    throw ApiError::conflict(
        "discharge follows the end of the procedure; the episode is " + e.state, "state");
  }
  const sd::Readiness readiness = sd::discharge_readiness(f, sedation_policy(ctx));
  infusion::require_all(readiness.gates);  // not ready: nothing stored
  const json record = {{"criteria", answers},
                       {"reversal_agent_at", opt_time(f.reversal_agent_at_ms)},
                       {"readiness", readiness_json(readiness, f.age)}};
  if (!store.discharge(e.id, e.version, record.dump(), ctx.user().user_id, now)) {
    throw ApiError::precondition_failed();
  }
  return episode_response(ctx, e.id, 201);
}

Response void_episode(RouteContext& ctx) {
  const auto e = episode_for(ctx);
  ctx.require_if_match(e.version);
  const json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  const auto reason = infusion_routes::optional_reason(r.optional_string("reason"), "reason");
  r.finish();
  if (!reason) throw InputError("reason", "is required: say why the episode is voided");
  storage::SedationStore store(ctx.tx());
  infusion::require_all({sd::void_gate(state_of(e), doses_in_force(store.doses(e.id)).size())});
  if (!store.void_episode(e.id, e.version, *reason, ctx.user().user_id, ctx.services().now_ms())) {
    throw ApiError::precondition_failed();
  }
  return episode_response(ctx, e.id);
}

// ---- Corrections -----------------------------------------------------------------------------

struct CorrectionInput {
  std::string action;
  std::string reason;
  json values;
};

CorrectionInput read_correction(const json& body) {
  contract::ObjectReader r(body, "");
  CorrectionInput c;
  c.action = r.string("action");
  const auto reason = infusion_routes::optional_reason(r.optional_string("reason"), "reason");
  if (const json* v = r.optional_value("values")) c.values = *v;
  r.finish();
  if (c.action != "entered_in_error" && c.action != "amend") {
    throw InputError("action", "must be entered_in_error or amend");
  }
  if (!reason) throw InputError("reason", "is required: say why the entry is corrected");
  c.reason = *reason;
  if (c.action == "amend" && !c.values.is_object()) {
    throw InputError("values", "is required to amend: the corrected entry, as first posted");
  }
  if (c.action == "entered_in_error" && !c.values.is_null()) {
    throw InputError("values", "is only for amend");
  }
  return c;
}

template <class Read>
json within_values(Read&& read) {
  try {
    return read();
  } catch (const kit::Error& err) {
    if (err.kind() != kit::ErrorKind::invalid_input) throw;
    throw InputError(err.field().empty() ? "values" : "values." + err.field(), err.message());
  }
}

Response correct_entry(RouteContext& ctx, const std::string& entity) {
  const auto e = episode_for(ctx);
  const std::int64_t entry_id = ctx.id_param("entry_id");
  const CorrectionInput in = read_correction(parse_body(ctx.request()));
  storage::SedationStore store(ctx.tx());
  const std::int64_t now = ctx.services().now_ms();
  std::optional<std::string> status;
  auto find_in = [&](const auto& list) {
    for (const auto& x : list) {
      if (x.id == entry_id) status = x.status;
    }
  };
  if (entity == "dose") {
    find_in(store.doses(e.id));
    if (in.action == "amend") {
      throw InputError("action",
                       "a dose is corrected by marking it entered_in_error and recording the dose "
                       "given (with at_ms), which the core checks again");
    }
  } else if (entity == "monitoring") {
    find_in(store.monitoring(e.id));
  } else {
    find_in(store.adverse_events(e.id));
  }
  if (!status) throw ApiError::not_found("entry");
  if (*status != "active") throw ApiError::conflict("the entry is already " + *status, "entry_id");
  const std::string new_status = in.action == "amend" ? "amended" : "entered_in_error";
  if (!store.set_entry_status(entity, entry_id, e.id, new_status)) {
    throw ApiError::conflict("the entry changed meanwhile", "entry_id");
  }
  json replacement = nullptr;
  std::optional<std::int64_t> replacement_id;
  if (in.action == "amend") {
    replacement = within_values([&] {
      return entity == "monitoring" ? record_monitoring(ctx, store, e, in.values, entry_id)
                                    : record_adverse(ctx, store, e, in.values, entry_id);
    });
    replacement_id = replacement.at("id").get<std::int64_t>();
  }
  storage::SedationCorrection c;
  c.episode_id = e.id;
  c.patient_id = e.patient_id;
  c.entity = entity;
  c.entity_id = entry_id;
  c.action = in.action;
  c.reason = in.reason;
  c.replacement_id = replacement_id;
  c.by_user_id = ctx.user().user_id;
  c.at_ms = now;
  const std::int64_t id = store.insert_correction(c);
  if (!store.set_state(e.id, e.version, e.state, now)) throw ApiError::precondition_failed();
  return json_response({{"id", id},
                        {"episode_id", e.id},
                        {"entity", entity},
                        {"entry_id", entry_id},
                        {"action", in.action},
                        {"reason", in.reason},
                        {"status", new_status},
                        {"replacement", replacement},
                        {"by", ctx.user().user_id},
                        {"at", iso8601_ms(now)}},
                       201);
}

}  // namespace

void register_sedation_routes(Router& router) {
  // ED staff: physicians and nurses (a nurse's dose names the ordering physician; only a
  // physician overrides a soft limit or reviews a relative contraindication).
  const Access ed = access_roles({Role::physician, Role::nurse});
  const std::string base = "/api/v1/sedation/episodes";
  router.add({"POST", base,
              "Open an ED ketamine sedation episode for a patient (patient_id) or a minimal ED "
              "patient (patient): age and ACEP contraindication gates (422, nothing stored)",
              "sedation", ed, true, create_episode, 201});
  router.add({"GET", base, "ED sedation episodes (?patient_id=, ?state=, ?limit=)", "sedation", ed,
              true, list_episodes, 200});
  router.add({"GET", base + "/{id}",
              "One episode: doses with running totals, monitoring, adverse events, corrections, "
              "next repeat time, discharge readiness (ETag)",
              "sedation", ed, true, get_episode, 200});
  router.add({"POST", base + "/{id}/dose-preview",
              "Compute the next dose (first or repeat, IV or IM) with every gate; stores nothing",
              "sedation", ed, true, preview_dose, 200});
  router.add({"POST", base + "/{id}/doses",
              "Record a dose (If-Match): the calculator with the episode's history; hard limits "
              "refused, soft limits need a physician's override_reason (422, nothing stored)",
              "sedation", ed, true, post_dose, 201});
  router.add({"POST", base + "/{id}/monitoring",
              "Monitoring: SpO2, HR, BP, RR, oxygen, sedation observation (409 after discharge)",
              "sedation", ed, true, [](RouteContext& c) { return post_entry(c, "monitoring"); },
              201});
  router.add({"POST", base + "/{id}/adverse-events",
              "Adverse event: laryngospasm, emesis, emergence reaction, hypoxia, apnoea, other; "
              "severity and interventions (409 after discharge)",
              "sedation", ed, true, [](RouteContext& c) { return post_entry(c, "adverse_event"); },
              201});
  router.add({"POST", base + "/{id}/end-procedure",
              "End of the procedure (If-Match): no more doses; recovery and discharge readiness",
              "sedation", ed, true, end_procedure, 200});
  router.add({"POST", base + "/{id}/discharge",
              "Discharge (If-Match): the RCEM checklist and every time rule (422 naming the gate, "
              "nothing stored)",
              "sedation", ed, true, post_discharge, 201});
  router.add({"POST", base + "/{id}/void",
              "Void an episode without a dose in force, with a reason (If-Match; it stays on file)",
              "sedation", ed, true, void_episode, 200});
  const struct {
    const char* collection;
    const char* entity;
  } correctable[] = {
      {"doses", "dose"}, {"monitoring", "monitoring"}, {"adverse-events", "adverse_event"}};
  for (const auto& c : correctable) {
    const std::string entity = c.entity;
    router.add({"POST", base + "/{id}/" + c.collection + "/{entry_id}/corrections",
                std::string("Correct a ") + c.entity +
                    ": entered_in_error (or amend, not for doses), with a reason; the original "
                    "stays",
                "sedation", ed, true,
                [entity](RouteContext& ctx) { return correct_entry(ctx, entity); }, 201});
  }
}

}  // namespace kit::server
