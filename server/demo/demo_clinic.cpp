// The demo clinic, seeded through the API (Router::dispatch) as the demo users, on a simulated
// clock: the seeder builds a timeline of actions (register, screen, consent, approve, book, infuse,
// assess, ...) dated over the past weeks, sorts it and replays it with a second Services whose
// clock reads the action's time. Every rule of the routes applies at that time (the 7-day window
// on charting, "not in the future", scheduling, dose limits), and the audit log shows the demo
// users doing it. Sessions of the login are opened on the real clock, so they stay valid.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/common/calendar.h"
#include "server/api/auth.h"
#include "server/api/router.h"
#include "server/api/services.h"
#include "server/demo/demo.h"
#include "storage/database.h"

namespace kit::server {
namespace {

using nlohmann::json;

constexpr std::int64_t kMinMs = 60'000;
constexpr std::int64_t kDayMs = 86'400'000;
constexpr int kOpen = 8 * 60;    // clinic hours, minutes of the day (08:00-18:00)
constexpr int kClose = 18 * 60;
constexpr int kChairs = 4;

std::string iso_date(std::int64_t day) { return calendar::format_day(day); }
int iso_weekday(std::int64_t day) { return calendar::iso_weekday(day); }
// The demo clinic keeps UTC as its zone, so a UTC day and minute (at) and the same day and minute
// on the clinic's wall clock (wall, what the booking routes read) are one moment.
std::string wall(std::int64_t day, int minute) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "T%02d:%02d", minute / 60, minute % 60);
  return iso_date(day) + buf;
}
std::int64_t at(std::int64_t day, int minute) { return day * kDayMs + minute * kMinMs; }

// Answers for an instrument whose items are summed: `total` spread evenly over `n` items.
json spread(int total, int n, int item_max) {
  total = std::clamp(total, 0, n * item_max);
  json a = json::array();
  for (int k = 0; k < n; ++k) a.push_back(std::min(item_max, total / n + (k < total % n ? 1 : 0)));
  return a;
}

enum class Stage { intake, declined_ineligible, declined, planned, treated };
enum class Profile { remitter, responder, partial, nonresponder, relapser };

struct DemoPatient {
  int n = 0;
  std::string mrn, indication, sex, dob;
  double weight = 70, height = 170;
  Stage stage = Stage::treated;
  Profile profile = Profile::responder;
  int weeks_ago = 0;  // the first infusion is on the Monday this many weeks before this week's
  bool item9_alert = false;
  bool vitals_alert = false;
  std::int64_t id = 0, course_id = 0;
  struct Appt {
    std::int64_t id = 0, day = 0;
    int minute = 0, chair = 0;
    bool booster = false;  // booked later, once the course is in maintenance
  };
  std::vector<Appt> appts;
  double baseline = 0;  // instrument baseline total
};

struct Timed {
  std::int64_t t;
  std::function<void()> run;
};

// The seeder acts as the demo staff through the API; a clinic policy requiring a second factor
// (totp_required_roles) is for people signing in, not for the seeding the server does itself.
ServerConfig seeding_config(ServerConfig config) {
  config.totp_required_roles.clear();
  return config;
}

class Seeder {
 public:
  Seeder(Services& real, const std::string& password)
      : real_(real),
        sim_(real.db(), seeding_config(real.config())),
        password_(password),
        rng_(20260401u) {
    register_all_routes(router_);
    sim_.set_clock([this] { return sim_now_; });
    now_ = real.now_ms();
    sim_now_ = now_;
    today_ = now_ / kDayMs;
    monday_ = today_ - (iso_weekday(today_) - 1);
  }

  json run();

 private:
  // --- HTTP-free API calls --------------------------------------------------------------------
  Response send(const std::string& method, const std::string& path, const std::string& token,
                const json& body, const std::map<std::string, std::string>& query = {},
                const std::string& if_match = "", const std::string& remote = "127.0.0.1") {
    Request r;
    r.method = method;
    r.path = path;
    r.query = query;
    if (!body.is_null()) {
      r.body = body.dump();
      r.headers["content-type"] = "application/json";
    }
    r.remote_address = remote;
    if (!token.empty()) r.headers["authorization"] = "Bearer " + token;
    if (!if_match.empty()) r.headers["if-match"] = if_match;
    ++calls_;
    return router_.dispatch(r, sim_);
  }
  json call(const std::string& method, const std::string& path, const std::string& token,
            const json& body = nullptr, const std::map<std::string, std::string>& query = {},
            const std::string& if_match = "", const std::string& remote = "127.0.0.1") {
    Response r = send(method, path, token, body, query, if_match, remote);
    if (r.status < 200 || r.status >= 300) {
      throw std::runtime_error("demo seed: " + method + " " + path + " " + body.dump() + " -> " +
                               std::to_string(r.status) + " " + r.body);
    }
    return r.body.empty() ? json() : json::parse(r.body);
  }
  std::string etag(const std::string& path, const std::string& token) {
    Response r = send("GET", path, token, nullptr);
    for (const auto& [k, v] : r.headers) {
      if (k == "ETag") return v;
    }
    throw std::runtime_error("demo seed: no ETag on " + path + ": " + r.body);
  }
  // A write with If-Match from the last answer's ETag; refetches the ETag once on 412.
  json call_if_match(const std::string& method, const std::string& path,
                     const std::string& etag_path, const std::string& token, const json& body,
                     std::string& cached) {
    if (cached.empty()) cached = etag(etag_path, token);
    Response r = send(method, path, token, body, {}, cached);
    if (r.status == 412) {
      cached = etag(etag_path, token);
      r = send(method, path, token, body, {}, cached);
    }
    if (r.status < 200 || r.status >= 300) {
      throw std::runtime_error("demo seed: " + method + " " + path + " " + body.dump() + " -> " +
                               std::to_string(r.status) + " " + r.body);
    }
    cached.clear();
    for (const auto& [k, v] : r.headers) {
      if (k == "ETag") cached = v;
    }
    return r.body.empty() ? json() : json::parse(r.body);
  }
  std::string post_path(const DemoPatient& p, const std::string& what) const {
    return "/api/v1/patients/" + std::to_string(p.id) + what;
  }

  void at_time(std::int64_t t, std::function<void()> f) {
    if (t > now_) return;  // not yet happened
    timeline_.push_back({t, std::move(f)});
  }

  // --- content --------------------------------------------------------------------------------
  void setup_clinic();
  std::vector<DemoPatient> roster();
  std::pair<int, int> find_slot(std::int64_t day, int minutes);  // chair index, start minute
  void plan_patient(DemoPatient& p);
  void plan_infusion(DemoPatient& p, std::size_t k, bool last, int duration_min);
  void assess(DemoPatient& p, double factor, bool item9);
  void inquiries();

  Services& real_;
  Services sim_;
  Router router_;
  std::string password_;
  std::mt19937 rng_;
  std::int64_t now_ = 0, sim_now_ = 0, today_ = 0, monday_ = 0;
  std::string admin_, physician_, nurse_, desk_;
  std::int64_t physician_id_ = 0, nurse_id_ = 0, clinic_id_ = 0, lot_id_ = 0;
  std::array<std::int64_t, kChairs> chairs_{};
  std::map<std::int64_t, std::array<std::vector<std::pair<int, int>>, kChairs>> booked_;
  std::vector<Timed> timeline_;
  std::vector<std::unique_ptr<DemoPatient>> patients_;
  int waste_budget_ = 4;
  long calls_ = 0;
  std::map<std::string, long> counts_;
};

std::pair<int, int> Seeder::find_slot(std::int64_t day, int minutes) {
  auto& chairs = booked_[day];
  for (int start = kOpen; start + minutes <= kClose; start += 15) {
    for (int c = 0; c < kChairs; ++c) {
      bool free = true;
      for (const auto& [s, e] : chairs[c]) {
        if (start < e && s < start + minutes) free = false;
      }
      if (free) {
        chairs[c].emplace_back(start, start + minutes);
        return {c, start};
      }
    }
  }
  throw std::runtime_error("demo seed: no free chair on " + iso_date(day));
}

void Seeder::setup_clinic() {
  // The clinic, its chairs, the staff's weekly hours, a ketamine lot: eight weeks ago.
  sim_now_ = at(monday_ - 8 * 7 - 3, 8 * 60);
  const json clinic = call("POST", "/api/v1/clinics", admin_,
                           {{"name", "KIT Demo Clinic"},
                            {"timezone", "UTC"},
                            {"opens_at", "08:00"},
                            {"closes_at", "18:00"},
                            {"open_weekdays", "12345"},
                            {"recovery_minutes", 60}});
  clinic_id_ = clinic.at("id").get<std::int64_t>();
  for (int c = 0; c < kChairs; ++c) {
    chairs_[c] = call("POST", "/api/v1/chairs", admin_,
                      {{"clinic_id", clinic_id_}, {"name", "Chair " + std::to_string(c + 1)}})
                     .at("id")
                     .get<std::int64_t>();
  }
  for (std::int64_t user : {physician_id_, nurse_id_}) {
    for (int wd = 1; wd <= 5; ++wd) {
      call("POST", "/api/v1/staff-availability", admin_,
           {{"user_id", user}, {"weekday", wd}, {"from", "08:00"}, {"to", "18:00"},
            {"clinic_id", clinic_id_}});
    }
  }
  const json lot = call("POST", "/api/v1/stock/lots", nurse_,
                        {{"drug", "ketamine"},
                         {"concentration_mg_per_ml", 50},
                         {"vial_volume_ml", 10},
                         {"lot_number", "DEMO-KET-" + iso_date(today_).substr(0, 4) + "-01"},
                         {"expiry_date", iso_date(today_ + 365)},
                         {"vials_received", 25},
                         {"supplier", "Demo Pharma (synthetic)"},
                         {"notes", "Demo stock lot"}});
  lot_id_ = lot.at("id").get<std::int64_t>();
}

std::vector<DemoPatient> Seeder::roster() {
  // n, indication, stage, profile, weeks_ago. 1-12 depression, 13-19 PTSD, 20-24 OCD,
  // 25-30 chronic pain.
  struct Row {
    const char* indication;
    Stage stage;
    Profile profile;
    int weeks;
  };
  using S = Stage;
  using P = Profile;
  const std::vector<Row> rows = {
      {"depression", S::treated, P::responder, 5},      // 01: the `patient` account
      {"depression", S::treated, P::relapser, 6},       // 02: relapse + item 9 alert
      {"depression", S::treated, P::remitter, 7},       // 03
      {"depression", S::treated, P::relapser, 5},       // 04
      {"depression", S::treated, P::partial, 4},        // 05
      {"depression", S::treated, P::nonresponder, 3},   // 06
      {"depression", S::treated, P::responder, 2},      // 07
      {"depression", S::treated, P::responder, 1},      // 08: mid-series
      {"depression", S::treated, P::remitter, 0},       // 09: series this week
      {"depression", S::planned, P::responder, -1},     // 10: starts next week
      {"depression", S::intake, P::responder, 0},       // 11: at intake (from an inquiry)
      {"depression", S::declined_ineligible, P::responder, 0},  // 12
      {"ptsd", S::treated, P::remitter, 6},             // 13
      {"ptsd", S::treated, P::responder, 5},            // 14
      {"ptsd", S::treated, P::relapser, 4},             // 15
      {"ptsd", S::treated, P::partial, 3},              // 16
      {"ptsd", S::treated, P::responder, 1},            // 17
      {"ptsd", S::treated, P::responder, 2},            // 18
      {"ptsd", S::intake, P::responder, 0},             // 19: screened, awaiting approval
      {"ocd", S::treated, P::responder, 5},             // 20
      {"ocd", S::treated, P::nonresponder, 4},          // 21
      {"ocd", S::treated, P::remitter, 3},              // 22
      {"ocd", S::treated, P::responder, 1},             // 23
      {"ocd", S::declined, P::responder, 0},            // 24
      {"chronic_pain", S::treated, P::responder, 6},    // 25
      {"chronic_pain", S::treated, P::partial, 5},      // 26
      {"chronic_pain", S::treated, P::responder, 4},    // 27
      {"chronic_pain", S::treated, P::nonresponder, 3}, // 28
      {"chronic_pain", S::treated, P::responder, 2},    // 29
      {"chronic_pain", S::treated, P::responder, 1},    // 30
  };
  std::vector<DemoPatient> out;
  std::uniform_int_distribution<int> year(1958, 1999), month(1, 12), dom(1, 28);
  std::uniform_int_distribution<int> kg(55, 92), cm(155, 190);
  for (std::size_t k = 0; k < rows.size(); ++k) {
    DemoPatient p;
    p.n = static_cast<int>(k + 1);
    char mrn[32];
    std::snprintf(mrn, sizeof mrn, "DEMO-%04d", p.n);
    p.mrn = mrn;
    p.indication = rows[k].indication;
    p.stage = rows[k].stage;
    p.profile = rows[k].profile;
    p.weeks_ago = rows[k].weeks;
    p.sex = p.n % 2 ? "female" : "male";
    char dob[48];
    std::snprintf(dob, sizeof dob, "%04d-%02d-%02d", year(rng_), month(rng_), dom(rng_));
    p.dob = dob;
    p.weight = kg(rng_);
    p.height = cm(rng_);
    // crps-outpatient-4h: 0.35 mg/kg/h may not pass 25 mg/h, so pain patients weigh <= 70 kg.
    if (p.indication == "chronic_pain") p.weight = std::min(p.weight, 50.0 + p.n % 20);
    p.item9_alert = p.n == 2;
    p.vitals_alert = p.n == 7;
    out.push_back(p);
  }
  return out;
}

json screening_body(const DemoPatient& p, std::int64_t today, bool eligible) {
  static const char* kConditions[] = {
      "schizophrenia", "current_psychosis_or_mania", "pregnant", "breastfeeding",
      "uncontrolled_hypertension", "poorly_controlled_cardiovascular_disease",
      "significant_arrhythmia", "unstable_cerebrovascular_disease", "coronary_artery_disease",
      "heart_failure", "hypertension", "elevated_intracranial_pressure",
      "cns_mass_or_hydrocephalus", "glaucoma_or_elevated_intraocular_pressure",
      "acute_globe_injury", "airway_instability_or_tracheal_disease",
      "active_pulmonary_infection", "thyroid_disorder_or_medication",
      "active_substance_use_disorder"};
  json c = json::object();
  for (const char* k : kConditions) c[k] = false;
  c["schizophrenia"] = !eligible;
  c["hepatic_impairment"] = "none";
  const int age = calendar::age_years(calendar::parse_iso_date(p.dob).value(),
                                      calendar::Date::from_day_number(today));
  return {{"indication", p.indication},
          {"age_years", age},
          {"conditions", c},
          {"medications", {{"benzodiazepine_lorazepam_eq_mg_per_day", 0}}}};
}

// The symptom trajectory: fraction of the baseline at follow-up k (0 = baseline, 1 = mid-series,
// 2 = end of series, 3.. weekly after the series).
double trajectory(Profile p, std::size_t k) {
  static const std::map<Profile, std::vector<double>> kCurves = {
      {Profile::remitter, {1.0, 0.55, 0.2, 0.15, 0.12, 0.12, 0.15}},
      {Profile::responder, {1.0, 0.7, 0.45, 0.42, 0.4, 0.42, 0.4}},
      {Profile::partial, {1.0, 0.85, 0.7, 0.68, 0.7, 0.72, 0.7}},
      {Profile::nonresponder, {1.0, 0.95, 0.92, 0.95, 0.95, 0.97, 0.95}},
      {Profile::relapser, {1.0, 0.6, 0.4, 0.55, 0.85, 0.9, 0.92}},
  };
  const auto& c = kCurves.at(p);
  return c[std::min(k, c.size() - 1)];
}

void Seeder::assess(DemoPatient& p, double factor, bool item9) {
  json body;
  if (p.indication == "depression") {
    const int total = static_cast<int>(std::lround(p.baseline * factor));
    json a = spread(total, 8, 3);
    a.push_back(item9 ? 1 : 0);
    body = {{"instrument", "phq9"}, {"answers", a}};
  } else if (p.indication == "ptsd") {
    body = {{"instrument", "pcl5"},
            {"answers", spread(static_cast<int>(std::lround(p.baseline * factor)), 20, 4)}};
  } else if (p.indication == "ocd") {
    body = {{"instrument", "ybocs"},
            {"answers", spread(static_cast<int>(std::lround(p.baseline * factor)), 10, 4)}};
  } else {
    body = {{"instrument", "nrs"},
            {"answers", json::array({std::clamp(static_cast<int>(std::lround(p.baseline * factor)),
                                                0, 10)})}};
  }
  if (p.course_id) body["course_id"] = p.course_id;
  call("POST", post_path(p, "/assessments"), nurse_, body);
  ++counts_["assessments"];
}

void Seeder::plan_infusion(DemoPatient& p, std::size_t k, bool last, int duration_min) {
  const DemoPatient::Appt a = p.appts[k];
  const std::int64_t t0 = at(a.day, a.minute);
  const std::int64_t end_of_visit = t0 + (duration_min + 55) * kMinMs;
  if (end_of_visit > now_) return;  // still to come: stays booked
  auto session = std::make_shared<std::int64_t>(0);
  auto drawn = std::make_shared<double>(0);
  auto tag = std::make_shared<std::string>();
  const bool waste = waste_budget_ > 0 && p.n % 5 == 3 && k == 0;
  if (waste) --waste_budget_;
  const bool vitals_alert = p.vitals_alert && k == 1;
  if (k == 0) {
    at_time(t0 - 30 * kMinMs, [this, &p] {
      call("POST", "/api/v1/courses/" + std::to_string(p.course_id) + "/transitions", physician_,
           {{"to", "induction"}, {"reason", "first infusion today"}});
    });
  }
  at_time(t0, [this, &p, k, session, drawn, waste, tag] {
    Response plan = send("POST", post_path(p, "/sessions"), nurse_,
                        {{"course_id", p.course_id},
                         {"appointment_id", p.appts[k].id},
                         {"lot_id", lot_id_},
                         {"preparation", {{"concentration_mg_per_ml", 1}}}});
    if (plan.status != 201) throw std::runtime_error("demo seed: session plan -> " + plan.body);
    for (const auto& [h, v] : plan.headers) {
      if (h == "ETag") *tag = v;
    }
    const json s = json::parse(plan.body);
    *session = s.at("id").get<std::int64_t>();
    ++counts_["sessions"];
    // Draw what the pump will deliver (rate x duration x 1 mg/mL); a few sessions draw whole
    // 10 mg and waste the rest with a witness.
    // Stock moves in whole micrograms: round the draw to 3 decimals of a mg.
    const double dose = std::round(s.at("planned_rate_ml_per_h").get<double>() *
                                   s.at("planned_duration_min").get<double>() / 60.0 * 1000.0) /
                        1000.0;
    *drawn = waste ? std::ceil(dose / 10.0) * 10.0 + 10.0 : dose;
    call("POST", "/api/v1/stock/draws", nurse_,
         {{"session_id", *session}, {"lot_id", lot_id_}, {"mg", *drawn}});
    ++counts_["draws"];
    call("POST", "/api/v1/sessions/" + std::to_string(*session) + "/vitals", nurse_,
         {{"point", "baseline"}, {"sbp_mmhg", 118 + p.n % 12}, {"dbp_mmhg", 74 + p.n % 8},
          {"hr_bpm", 68 + p.n % 10}, {"spo2_percent", 98}, {"rr_per_min", 14}});
  });
  at_time(t0 + 5 * kMinMs, [this, &p] {
    // The day-of check (pre-infusion screening): the start gate needs it cleared today.
    json body = screening_body(p, sim_now_ / kDayMs, true);
    body["pre_infusion"] = {{"sbp_mmhg", 118 + p.n % 12},
                            {"dbp_mmhg", 74 + p.n % 8},
                            {"fasted_as_instructed", true},
                            {"escort_home_confirmed", true}};
    call("POST", post_path(p, "/screening"), nurse_, body);
    ++counts_["day_of_checks"];
  });
  at_time(t0 + 10 * kMinMs, [this, session, tag] {
    const std::string path = "/api/v1/sessions/" + std::to_string(*session);
    call_if_match("POST", path + "/events", path, nurse_, {{"kind", "start"}}, *tag);
  });
  // Safety data for the outcome analytics (the director's per-100-infusion plots): nausea in the
  // third infusion of every fourth patient, a blood pressure above the pause line in the second
  // infusion of patients 5, 17, 23 and 29 (core/safety default policy: SBP > 180 pauses).
  if (p.n % 4 == 1 && k == 2) {
    at_time(t0 + 30 * kMinMs, [this, session] {
      call("POST", "/api/v1/sessions/" + std::to_string(*session) + "/adverse-events", nurse_,
           {{"kind", "nausea"}, {"severity", "mild"}, {"action_taken", "ondansetron 4 mg"}});
      ++counts_["adverse_events"];
    });
  }
  if (p.n % 6 == 5 && k == 1) {
    at_time(t0 + 20 * kMinMs, [this, &p, session] {
      call("POST", "/api/v1/sessions/" + std::to_string(*session) + "/vitals", nurse_,
           {{"point", "interval"},
            {"sbp_mmhg", 184},
            {"dbp_mmhg", 96 + p.n % 4},
            {"hr_bpm", 82},
            {"spo2_percent", 97},
            {"rr_per_min", 15}});
      ++counts_["vitals_alerts"];
    });
  }
  at_time(t0 + 25 * kMinMs, [this, &p, session, vitals_alert] {
    json v = {{"point", "interval"}, {"sbp_mmhg", 126 + p.n % 10}, {"dbp_mmhg", 80 + p.n % 6},
              {"hr_bpm", 74 + p.n % 10}, {"spo2_percent", 97}, {"rr_per_min", 14}};
    if (vitals_alert) {
      v["spo2_percent"] = 89;
      v["rr_per_min"] = 10;
    }
    const json r =
        call("POST", "/api/v1/sessions/" + std::to_string(*session) + "/vitals", nurse_, v);
    if (!r.value("alert", json()).is_null()) {
      ++counts_["vitals_alerts"];
      // The physician sees it at once (a critical alert must be acknowledged before discharge).
      const std::string alert_path =
          "/api/v1/alerts/" + std::to_string(r["alert"]["id"].get<std::int64_t>());
      std::string alert_tag = "\"1\"";
      call_if_match("POST", alert_path + "/acknowledge", alert_path, physician_,
                    {{"note",
                      "reviewed at the chair: patient rousable, SpO2 back to 96% on "
                      "stimulation; infusion slowed"}},
                    alert_tag);
    }
  });
  at_time(t0 + (10 + duration_min) * kMinMs, [this, session, tag] {
    const std::string path = "/api/v1/sessions/" + std::to_string(*session);
    call_if_match("POST", path + "/events", path, nurse_, {{"kind", "stop"}}, *tag);
  });
  at_time(t0 + (25 + duration_min) * kMinMs, [this, session] {
    call("POST", "/api/v1/sessions/" + std::to_string(*session) + "/vitals", nurse_,
         {{"point", "recovery"}, {"sbp_mmhg", 120}, {"dbp_mmhg", 76}, {"hr_bpm", 70},
          {"spo2_percent", 98}, {"rr_per_min", 14}});
  });
  at_time(t0 + (50 + duration_min) * kMinMs, [this, &p, k, session, drawn, waste, last, tag] {
    const std::string path = "/api/v1/sessions/" + std::to_string(*session);
    if (waste) {
      const json d = call("GET", path + "/delivered", nurse_);
      const double rest =
          std::round((*drawn - d.at("delivered_mg").get<double>()) * 1000.0) / 1000.0;
      call("POST", "/api/v1/stock/wastes", nurse_,
           {{"session_id", *session}, {"mg", rest}, {"witness_user_id", physician_id_},
            {"witness_password", password_}, {"reason", "remainder of the drawn syringe"}});
      ++counts_["wastes"];
    }
    call_if_match("POST", path + "/discharge", path, nurse_,
                  {{"aldrete",
                    {{"activity", 2}, {"respiration", 2}, {"circulation", 2},
                     {"consciousness", 2}, {"o2_saturation", 2}}}},
                  *tag);
    const std::string ap = "/api/v1/appointments/" + std::to_string(p.appts[k].id);
    std::string appt_tag = "\"1\"";  // as booked
    call_if_match("PATCH", ap, ap, nurse_, {{"status", "completed"}}, appt_tag);
    ++counts_["appointments_completed"];
    if (last) {
      const std::string cp = "/api/v1/courses/" + std::to_string(p.course_id) + "/transitions";
      const bool keep = p.indication != "ocd" && p.indication != "chronic_pain" &&
                        (p.profile == Profile::responder || p.profile == Profile::remitter ||
                         p.profile == Profile::relapser);
      if (keep) {
        call("POST", cp, physician_,
             {{"to", "maintenance"}, {"reason", "responded to the induction series"}});
      } else {
        call("POST", cp, physician_, {{"to", "completed"}, {"reason", "course given as planned"}});
      }
    }
  });
}

void Seeder::plan_patient(DemoPatient& p) {
  // Journey days relative to the first infusion (a Monday).
  const std::int64_t start = monday_ - 7LL * p.weeks_ago;
  const std::int64_t created = start - 10, screened = start - 7, approved = start - 6,
                     course_day = start - 4;
  std::uniform_int_distribution<int> base_phq(17, 23), base_pcl(44, 62), base_ybocs(22, 30),
      base_nrs(6, 8);
  p.baseline = p.indication == "depression" ? base_phq(rng_)
               : p.indication == "ptsd"     ? base_pcl(rng_)
               : p.indication == "ocd"      ? base_ybocs(rng_)
                                            : base_nrs(rng_);
  const bool from_inquiry = p.stage == Stage::intake;
  at_time(at(created, 9 * 60 + p.n), [this, &p, from_inquiry] {
    json body = {{"mrn", p.mrn},
                 {"given_name", "Demo"},
                 {"family_name", "Patient " + p.mrn.substr(7)},
                 {"date_of_birth", p.dob},
                 {"sex", p.sex},
                 {"indication", p.indication},
                 {"weight_kg", p.weight},
                 {"height_cm", p.height},
                 {"email", "demo.patient." + p.mrn.substr(5) + "@example.invalid"}};
    if (from_inquiry) {
      const json inq = call("POST", "/api/v1/inquiries", "",
                            {{"name", "Demo Patient " + p.mrn.substr(7)},
                             {"contact", "demo.patient." + p.mrn.substr(5) + "@example.invalid"},
                             {"reason", p.indication == "chronic_pain" ? "other" : p.indication},
                             {"message", "Synthetic demo inquiry"}},
                            {}, "", "192.0.2." + std::to_string(p.n));
      body["inquiry_id"] = inq.at("id");
      ++counts_["inquiries"];
    }
    if (p.id == 0) {
      p.id = call("POST", "/api/v1/patients", desk_, body).at("id").get<std::int64_t>();
    }
    ++counts_["patients"];
  });
  if (p.stage == Stage::intake && p.indication == "depression") return;  // just registered
  at_time(at(screened, 10 * 60 + p.n), [this, &p, screened] {
    call("POST", post_path(p, "/screening"), nurse_,
         screening_body(p, screened, p.stage != Stage::declined_ineligible));
    call("POST", post_path(p, "/consents"), nurse_,
         {{"type", "treatment"}, {"version", "2026-01"}});
    if (p.indication == "chronic_pain") {
      call("POST", post_path(p, "/medications"), nurse_,
           {{"medications",
             {{{"drug", "oxycodone"}, {"route", "oral"}, {"dose_mg", 10}, {"doses_per_day", 3}},
              {{"drug", "morphine"}, {"route", "oral"}, {"dose_mg", 15}, {"doses_per_day", 2}}}},
            {"note", "at intake"}});
      ++counts_["medication_lists"];
    }
  });
  if (p.stage == Stage::intake) return;  // screened, awaiting the physician
  at_time(at(screened, 10 * 60 + 30 + p.n), [this, &p] { assess(p, 1.0, false); });
  at_time(at(approved, 11 * 60 + p.n), [this, &p] {
    json body = {{"decision", "approved"}};
    if (p.stage == Stage::declined_ineligible) {
      body = {{"decision", "declined"},
              {"reason", "absolute contraindication on screening (schizophrenia); referred "
                         "back to the treating psychiatrist"}};
    } else if (p.stage == Stage::declined) {
      body = {{"decision", "declined"},
              {"reason", "prefers exposure and response prevention first; re-assess in 3 "
                         "months"}};
    }
    call("POST", post_path(p, "/approval"), physician_, body);
    counts_[p.stage == Stage::declined || p.stage == Stage::declined_ineligible ? "declined"
                                                                                 : "approved"]++;
  });
  if (p.stage == Stage::declined || p.stage == Stage::declined_ineligible) return;

  // The course and its bookings.
  const std::string protocol = p.indication == "depression"     ? "depression-induction-series"
                               : p.indication == "ptsd"         ? "ptsd-induction-series"
                               : p.indication == "ocd"          ? "ocd-standard"
                                                                : "crps-outpatient-4h";
  const int duration = p.indication == "chronic_pain" ? 240 : 40;
  const int hold = p.indication == "chronic_pain" ? 300 : 105;  // + 60 min recovery, 15-min grid
  std::vector<std::int64_t> days;
  if (p.indication == "ocd") {
    days = {start + 2};
  } else if (p.indication == "chronic_pain") {
    days = {start, start + 1, start + 2, start + 3, start + 4};  // 5 of the 10 daily sessions
  } else {
    days = {start, start + 2, start + 4, start + 7, start + 9, start + 11};
  }
  for (std::int64_t d : days) {
    const auto [chair, minute] = find_slot(d, hold);
    p.appts.push_back({0, d, minute, chair});
  }
  at_time(at(course_day, 10 * 60 + p.n), [this, &p, protocol] {
    p.course_id = call("POST", post_path(p, "/courses"), physician_,
                       {{"protocol_id", protocol}, {"notes", "demo course"}})
                      .at("id")
                      .get<std::int64_t>();
    ++counts_["courses"];
    for (auto& a : p.appts) {
      if (a.booster) continue;
      json body = {{"patient_id", p.id},
                   {"course_id", p.course_id},
                   {"chair_id", chairs_[a.chair]},
                   {"start", wall(a.day, a.minute)}};
      if (a.chair < 2) body["staff_user_id"] = a.chair == 0 ? nurse_id_ : physician_id_;
      a.id = call("POST", "/api/v1/appointments", desk_, body).at("id").get<std::int64_t>();
      ++counts_["appointments"];
    }
  });
  // The two earliest relapsing depression responders had a booster three and a half weeks after
  // the series (the Monday: the series ends on a Friday), booked once the course was in
  // maintenance, so the outcome analytics have a booster to count.
  if (p.profile == Profile::relapser && p.indication == "depression" && p.weeks_ago >= 5) {
    const std::int64_t d = days.back() + 24;
    const auto [chair, minute] = find_slot(d, hold);
    p.appts.push_back({0, d, minute, chair, true});
    const std::size_t b = p.appts.size() - 1;
    at_time(at(days.back() + 2, 17 * 60), [this, &p, b] {
      DemoPatient::Appt& a = p.appts[b];
      a.id = call("POST", "/api/v1/appointments", desk_,
                  {{"patient_id", p.id},
                   {"course_id", p.course_id},
                   {"chair_id", chairs_[a.chair]},
                   {"start", wall(a.day, a.minute)},
                   {"notes", "booster"}})
                 .at("id")
                 .get<std::int64_t>();
      ++counts_["appointments"];
      ++counts_["boosters_booked"];
    });
  }
  for (std::size_t k = 0; k < p.appts.size(); ++k) {
    // `last` is the last infusion of the series (the course moves on), never a booster.
    const bool last = !p.appts[k].booster && (k + 1 == p.appts.size() || p.appts[k + 1].booster);
    plan_infusion(p, k, last, duration);
  }

  // Assessments: baseline (above), mid-series, end of series, then weekly.
  std::vector<std::int64_t> times = {at(screened, 10 * 60 + 30 + p.n)};
  if (days.size() >= 3) {
    times.push_back(at(days[days.size() % 2 == 0 ? days.size() / 2 - 1 : days.size() / 2],
                       17 * 60 + 45));
  } else {
    times.push_back(at(days[0] + 1, 16 * 60));
  }
  times.push_back(at(days.back() + 2, 16 * 60));
  for (int w = 1; w <= 4; ++w) times.push_back(at(days.back() + 2 + 7 * w, 16 * 60));
  std::vector<std::int64_t> follow(times.begin() + 1, times.end());
  for (std::size_t k = 0; k < follow.size(); ++k) {
    const bool last_done = k + 1 == follow.size() || follow[k + 1] > now_;
    const bool item9 = p.item9_alert && last_done;
    at_time(follow[k], [this, &p, k, item9] { assess(p, trajectory(p.profile, k + 1), item9); });
  }
  if (p.indication == "chronic_pain") {
    at_time(at(days.back() + 2, 16 * 60 + 30), [this, &p] {
      call("POST", post_path(p, "/medications"), nurse_,
           {{"medications",
             {{{"drug", "oxycodone"}, {"route", "oral"}, {"dose_mg", 5}, {"doses_per_day", 3}},
              {{"drug", "morphine"}, {"route", "oral"}, {"dose_mg", 15}, {"doses_per_day", 2}}}},
            {"note", "oxycodone reduced after the ketamine course"}});
      ++counts_["medication_lists"];
    });
  }
  // Relapsing responders get a booster booked on the next open day.
  if (p.profile == Profile::relapser && at(days.back(), 18 * 60) < now_) {
    std::int64_t d = today_ + 1;
    while (iso_weekday(d) > 5) ++d;
    const auto [chair, minute] = find_slot(d, hold);
    std::int64_t when = follow.front();
    for (std::int64_t t : follow) {
      if (t <= now_) when = t;
    }
    at_time(when + 5 * kMinMs, [this, &p, d = d, chair = chair, minute = minute] {
      json body = {{"patient_id", p.id},
                   {"course_id", p.course_id},
                   {"chair_id", chairs_[chair]},
                   {"start", wall(d, minute)},
                   {"notes", "booster: symptoms returning"}};
      call("POST", "/api/v1/appointments", desk_, body);
      ++counts_["appointments"];
      ++counts_["boosters_booked"];
    });
  }
}

void Seeder::inquiries() {
  const std::vector<std::pair<const char*, const char*>> queue = {
      {"depression", "Asking about ketamine for depression after two antidepressants failed."},
      {"ptsd", "Referred by my therapist; what does a course involve?"},
      {"other", "Chronic back pain, does the clinic treat pain?"},
      {"depression", "Do you take insurance? (synthetic demo inquiry)"}};
  for (std::size_t k = 0; k < queue.size(); ++k) {
    at_time(now_ - static_cast<std::int64_t>(queue.size() - k) * 5 * 3'600'000, [this, k, queue] {
      call("POST", "/api/v1/inquiries", "",
           {{"name", "Demo Inquirer " + std::to_string(k + 1)},
            {"contact", "demo.inquirer." + std::to_string(k + 1) + "@example.invalid"},
            {"reason", queue[k].first},
            {"message", queue[k].second}},
           {}, "", "198.51.100." + std::to_string(k + 1));
      ++counts_["inquiries"];
    });
  }
}

json Seeder::run() {
  // Log the staff in (on the real clock, so the sessions stay valid through the replay).
  auto token = [&](const std::string& user, std::int64_t* id) {
    LoginResult r = login(real_, user, password_, "127.0.0.1");
    if (id) *id = r.principal.user_id;
    return r.token;
  };
  admin_ = token("admin", nullptr);
  physician_ = token("physician", &physician_id_);
  nurse_ = token("nurse", &nurse_id_);
  desk_ = token("frontdesk", nullptr);

  setup_clinic();
  for (DemoPatient& p : roster()) patients_.push_back(std::make_unique<DemoPatient>(p));
  // DEMO-0001 keeps the demographics it was created with (server/demo/demo.cpp).
  patients_[0]->dob = "1980-01-01";
  patients_[0]->sex = "female";
  patients_[0]->weight = 70;
  patients_[0]->height = 170;
  // DEMO-0001 exists (the `patient` account's record): the seeder fills in its journey.
  patients_[0]->id = storage::with_transaction(real_.db(), [](storage::Transaction& tx) {
    return tx.query("SELECT id FROM patients WHERE mrn = 'DEMO-0001'").at(0).i64("id");
  });
  for (auto& p : patients_) plan_patient(*p);
  inquiries();

  std::stable_sort(timeline_.begin(), timeline_.end(),
                   [](const Timed& a, const Timed& b) { return a.t < b.t; });
  for (Timed& e : timeline_) {
    sim_now_ = e.t;
    e.run();
  }
  sim_now_ = now_;
  for (const std::string& t : {admin_, physician_, nurse_, desk_}) {
    send("POST", "/api/v1/auth/logout", t, nullptr);
  }
  json counts = json::object();
  for (const auto& [k, v] : counts_) counts[k] = v;
  counts["chairs"] = kChairs;
  counts["api_calls"] = calls_;
  return counts;
}

}  // namespace

DemoSummary seed_demo_clinic(Services& services, const std::string& password) {
  DemoSummary out;
  const auto started = std::chrono::steady_clock::now();
  const bool empty = storage::with_transaction(services.db(), [](storage::Transaction& tx) {
    const std::int64_t others =
        tx.query("SELECT COUNT(*) AS n FROM patients WHERE mrn <> 'DEMO-0001'").at(0).i64("n");
    const std::int64_t screened =
        tx.query("SELECT COUNT(*) AS n FROM screenings s JOIN patients p ON p.id = s.patient_id "
                 "WHERE p.mrn = 'DEMO-0001'")
            .at(0)
            .i64("n");
    return others == 0 && screened == 0;
  });
  if (empty) {
    Seeder seeder(services, password);
    out.counts = seeder.run();
    out.seeded = true;
  }
  out.elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                             started)
                       .count();
  return out;
}

}  // namespace kit::server
