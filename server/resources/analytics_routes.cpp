// The clinic's outcome analytics (issue 12 §2): GET /api/v1/analytics/outcomes (JSON) and
// /api/v1/analytics/outcomes.csv (the same numbers as a long table), for the director, physicians
// and the admin. Filters -> server/analytics/load_analytics_input.h -> the core's analyze ->
// contract::outcome_analytics_to_json. Aggregates only: the answer names no patient, the router
// records one audit row per call (an aggregate read, no patient). Groups of fewer than
// kSmallCellPatients patients are suppressed for every role but the physician (ADR 0026).
// Definitions: docs/clinical-rules/outcome-analytics.md §5-§6.
#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "contract/outcome_analytics_api.h"
#include "core/common/calendar.h"
#include "core/common/error.h"
#include "core/dosing/drug_library.h"
#include "server/analytics/load_analytics_input.h"
#include "server/api/services.h"
#include "server/resources/modules.h"
#include "storage/stores/analytics_store.h"

namespace kit::server {
namespace {

using json = nlohmann::json;

// Policy (ADR 0026): a group of fewer than 5 distinct patients is shown as "suppressed" to
// directors and admins, so no figure can be traced back to one or two people. 5 follows common
// public-health small-cell practice (e.g. suppressing counts below 5); physicians, who may read
// every record anyway, see every group.
constexpr int kSmallCellPatients = 5;
// Without `from`, one year before `to`.
constexpr std::int64_t kDefaultWindowDays = 365;

const std::array<const char*, 5> kFilters = {"from", "to", "indication", "protocol", "clinic_id"};

struct Answer {
  json body;
  analytics::AnalyticsFilter filter;
};

analytics::AnalyticsFilter read_filter(RouteContext& ctx) {
  const Request& req = ctx.request();
  for (const auto& entry : req.query) {
    const std::string& name = entry.first;  // not a structured binding: lambdas capture it
    if (std::find_if(kFilters.begin(), kFilters.end(), [&](const char* f) { return name == f; }) ==
        kFilters.end()) {
      throw InputError(name, "is not a filter (from, to, indication, protocol, clinic_id)");
    }
  }
  const auto text = [&](const char* name) -> std::optional<std::string> {
    auto it = req.query.find(name);
    if (it == req.query.end()) return std::nullopt;
    return it->second;
  };
  analytics::AnalyticsFilter f;
  f.to = text("to").value_or(analytics::latest_clinic_today(ctx.tx(), ctx.services().now_ms()));
  const std::optional<std::int64_t> to_day = calendar::parse_day(f.to);
  if (!to_day) {
    throw InputError("to", "must be a real calendar date written YYYY-MM-DD, got '" + f.to + "'");
  }
  f.from = text("from").value_or(calendar::format_day(*to_day - kDefaultWindowDays));
  f.indication = text("indication");
  f.protocol = text("protocol");
  if (f.protocol && dosing::builtin_library().find(*f.protocol) == nullptr) {
    throw InputError("protocol", "no such protocol in the drug library");
  }
  f.clinic_id = query_int(req, "clinic_id", 1, INT64_MAX);
  return f;
}

json opt_text(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

Answer outcomes_answer(RouteContext& ctx) {
  Answer a;
  a.filter = read_filter(ctx);
  const analytics::LoadedAnalytics loaded =
      analytics::load_analytics_input(ctx.tx(), a.filter, ctx.services().now_ms());
  outcomes::analytics::AnalyticsResult result;
  try {
    result = outcomes::analytics::analyze(loaded.input);
  } catch (const kit::Error& e) {
    // The records came from the database, not from the caller: a refusal here is a fault of
    // the stored data or the loader, never bad input (500, logged by the router).
    throw std::runtime_error(std::string("outcome analytics refused the stored records: ") +
                             e.what());
  }
  json body = contract::outcome_analytics_to_json(result);
  const bool suppress = ctx.user().role != Role::physician;
  for (json& g : body["groups"]) {
    const auto key =
        std::make_pair(g.at("indication").get<std::string>(), g.at("protocol").get<std::string>());
    const int patients = loaded.patients_per_group.at(key);
    if (suppress && patients < kSmallCellPatients) {
      g = {{"indication", key.first},
           {"protocol", key.second},
           {"suppressed", true},
           {"patients", nullptr}};
    } else {
      g["suppressed"] = false;
      g["patients"] = patients;
    }
  }
  const std::set<std::int64_t> people(loaded.patient_ids.begin(), loaded.patient_ids.end());
  body["filters"] = {{"from", a.filter.from},
                     {"to", a.filter.to},
                     {"indication", opt_text(a.filter.indication)},
                     {"protocol", opt_text(a.filter.protocol)},
                     {"clinic_id", a.filter.clinic_id ? json(*a.filter.clinic_id) : json(nullptr)}};
  body["cohort"] = {{"courses", loaded.input.courses.size()}, {"patients", people.size()}};
  body["small_cells"] = {{"min_patients", kSmallCellPatients},
                         {"applied", suppress},
                         {"rule",
                          "groups of fewer than 5 patients are suppressed for directors and "
                          "admins (policy, docs/adr/0026-director-role-and-small-cells.md)"}};
  // What the filters can be set to: clinic names (no more), the indications, the protocols a
  // course can follow (timed IV infusions of the drug library).
  json clinics = json::array();
  for (const storage::AnalyticsClinic& c : storage::AnalyticsStore(ctx.tx()).clinics()) {
    clinics.push_back({{"id", c.id}, {"name", c.name}});
  }
  json protocols = json::array();
  for (const dosing::Protocol& p : dosing::builtin_library().protocols()) {
    if (p.route == dosing::AdministrationRoute::kIvInfusion && p.duration) {
      protocols.push_back({{"id", p.id}, {"name", p.name}});
    }
  }
  body["options"] = {
      {"clinics", clinics},
      {"indications", json::array({"depression", "ptsd", "ocd", "chronic_pain", "other"})},
      {"protocols", protocols}};
  a.body = std::move(body);
  return a;
}

Response outcomes(RouteContext& ctx) { return json_response(outcomes_answer(ctx).body); }

// ---- CSV
// -----------------------------------------------------------------------------------------

// RFC 4180 field: quoted when it holds a comma, quote or line break. A text cell starting with
// = + - @ (a spreadsheet formula) gets a leading apostrophe (OWASP CSV injection); numbers are
// written as numbers.
std::string csv_field(const json& v) {
  if (v.is_null()) return "";
  if (v.is_number() || v.is_boolean()) return v.dump();
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@')) s = "'" + s;
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

class CsvTable {
 public:
  CsvTable() {
    line({"section", "indication", "protocol", "instrument", "measure", "key", "count", "n",
          "share", "lower", "upper", "value"});
  }
  void set_group(const json& g) {
    indication_ = g.at("indication");
    protocol_ = g.at("protocol");
    instrument_ = nullptr;
  }
  void set_instrument(const json& name) { instrument_ = name; }
  void value(const std::string& section, const std::string& measure, const json& v,
             const json& key = nullptr) {
    row(section, measure, key, nullptr, nullptr, nullptr, nullptr, nullptr, v);
  }
  void proportion(const std::string& section, const std::string& measure, const json& p,
                  const json& key = nullptr) {
    if (p.is_null()) return;
    row(section, measure, key, p.at("count"), p.at("n"), p.at("share"), p.at("lower"),
        p.at("upper"), nullptr);
  }
  void summary(const std::string& section, const std::string& measure, const json& s) {
    for (const char* k : {"n", "min", "q1", "median", "q3", "max"})
      value(section, measure, s.at(k), k);
  }
  void count(const std::string& section, const std::string& measure, const json& key, const json& c,
             const json& v = nullptr) {
    row(section, measure, key, c, nullptr, nullptr, nullptr, nullptr, v);
  }
  void row(const std::string& section, const std::string& measure, const json& key,
           const json& count, const json& n, const json& share, const json& lower,
           const json& upper, const json& v) {
    line({section, indication_, protocol_, instrument_, measure, key, count, n, share, lower, upper,
          v});
  }
  std::string text() const { return out_.str(); }

 private:
  void line(std::initializer_list<json> cells) {
    bool first = true;
    for (const json& c : cells) {
      if (!first) out_ << ',';
      out_ << csv_field(c);
      first = false;
    }
    out_ << "\r\n";
  }
  std::ostringstream out_;
  json indication_, protocol_, instrument_;
};

Response outcomes_csv(RouteContext& ctx) {
  const Answer a = outcomes_answer(ctx);
  CsvTable t;
  for (const json& g : a.body.at("groups")) {
    t.set_group(g);
    if (g.at("suppressed").get<bool>()) {
      t.value("group", "suppressed", "fewer than 5 patients");
      continue;
    }
    t.value("group", "patients", g.at("patients"));
    t.value("group", "courses", g.at("courses"));
    t.proportion("group", "treated", g.at("treated"));
    t.proportion("group", "completed_induction", g.at("completed_induction"));
    for (const json& o : g.at("instruments")) {
      t.set_instrument(o.at("instrument"));
      t.value("instrument", "with_baseline", o.at("with_baseline"));
      t.value("instrument", "evaluable", o.at("evaluable"));
      t.proportion("instrument", "responders", o.at("responders"));
      t.proportion("instrument", "remitters", o.at("remitters"));
      t.proportion("instrument", "reduction_moderate", o.at("reduction_moderate"));
      t.proportion("instrument", "reduction_substantial", o.at("reduction_substantial"));
      t.summary("change", "change", o.at("change"));
      t.summary("change", "change_pct", o.at("change_pct"));
      for (const auto& [k, v] : o.at("change_histogram").items()) {
        t.count("change", "change_histogram", k, v);
      }
      for (const json& w : o.at("change_trajectory")) {
        t.summary("trajectory", "change_week_" + std::to_string(w.at("week").get<int>()),
                  w.at("change"));
      }
      for (const auto& [k, v] : o.at("latest_status").items()) {
        t.count("instrument", "latest_status", k, v);
      }
      const json& rbi = o.at("response_by_infusion");
      const json& cumulative = rbi.at("cumulative");
      for (std::size_t k = 0; k < cumulative.size(); ++k) {
        t.count("response_by_infusion", "cumulative", k + 1, cumulative[k]);
      }
      for (const char* k : {"by_6", "at_7_to_9", "at_10_to_12"}) {
        t.proportion("response_by_infusion", k, rbi.at(k));
      }
      t.count("response_by_infusion", "after_a_booster", nullptr, rbi.at("after_a_booster"));
      t.count("response_by_infusion", "never", nullptr, rbi.at("never"));
      const json& km = o.at("durability");
      for (const char* k : {"subjects", "events", "censored", "median_days"}) {
        t.value("durability", k, km.at(k));
      }
      for (const json& s : km.at("steps")) {
        // key = day; count = events; n = at risk; share = survival, lower/upper its band.
        t.row("durability", "survival", s.at("day"), s.at("events"), s.at("at_risk"),
              s.at("survival"), s.at("lower"), s.at("upper"), nullptr);
      }
    }
    t.set_instrument(nullptr);
    const json& b = g.at("boosters");
    for (const char* k : {"courses_followed", "follow_up_days", "patient_years", "boosters",
                          "boosters_per_patient_year"}) {
      t.value("boosters", k, b.at(k));
    }
    t.summary("boosters", "days_between_boosters", b.at("days_between_boosters"));
    const json& m = g.at("mme");
    for (const char* k :
         {"on_opioids", "with_follow_up", "reduced", "unchanged", "increased", "stopped"}) {
      t.value("mme", k, m.at(k));
    }
    for (const char* k : {"baseline_mme_per_day", "latest_mme_per_day", "change_mme_per_day"}) {
      t.summary("mme", k, m.at(k));
    }
    const json& s = g.at("safety");
    for (const char* k : {"infusions", "adverse_events", "adverse_events_per_100_infusions",
                          "bp_alerts", "bp_alerts_per_100_infusions"}) {
      t.value("safety", k, s.at(k));
    }
    for (const char* section : {"by_kind", "by_severity"}) {
      for (const auto& [k, v] : s.at(section).items()) {
        t.count("safety", std::string("adverse_events_") + section, k, v.at("count"),
                v.at("per_100_infusions"));
      }
    }
    for (const auto& [kind, sev] : s.at("by_kind_and_severity").items()) {
      for (const auto& [severity, n] : sev.items()) {
        t.count("safety", "adverse_events_by_kind_and_severity", kind + "/" + severity, n);
      }
    }
    t.proportion("safety", "infusions_with_bp_alert", s.at("infusions_with_bp_alert"));
    t.proportion("safety", "stopped_early", s.at("stopped_early"));
    t.summary("safety", "cadss", s.at("cadss"));
  }
  Response r;
  r.status = 200;
  r.content_type = "text/csv; charset=utf-8";
  r.body = t.text();
  r.set_header("Content-Disposition", "attachment; filename=\"kit-outcomes-" + a.filter.from +
                                          "-to-" + a.filter.to + ".csv\"");
  return r;
}

}  // namespace

void register_analytics_routes(Router& router) {
  const Access readers = access_roles({Role::director, Role::physician, Role::admin});
  router.add({"GET", "/api/v1/analytics/outcomes",
              "The clinic's outcomes per indication and protocol (?from=&to=&indication=&"
              "protocol=&clinic_id=): rates with 95% Wilson intervals, response by infusion, "
              "durability (Kaplan-Meier), boosters, pain, MME, safety; aggregates only",
              "analytics", readers, false, outcomes, 200, /*audited=*/true});
  router.add({"GET", "/api/v1/analytics/outcomes.csv",
              "The same outcomes as one long CSV table (text/csv; same filters)", "analytics",
              readers, false, outcomes_csv, 200, /*audited=*/true});
}

}  // namespace kit::server
