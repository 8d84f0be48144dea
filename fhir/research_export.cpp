// The de-identified research CSV (fhir/research_export.h, docs/research-export.md).
#include "fhir/research_export.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <sstream>

#include "core/common/calendar.h"

namespace kit::fhir {
namespace {

// SplitMix64 (Steele, Lea and Flood 2014): a well-mixed 64-bit value from key and patient.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

std::string number(double v) {
  std::ostringstream s;
  s.precision(10);
  s << std::round(v * 1000.0) / 1000.0;
  return s.str();
}

// Values are codes and numbers (no free text is written); quoted all the same when they hold a
// comma, a quote or a line break.
std::string cell(const std::string& v) {
  if (v.find_first_of(",\"\n\r") == std::string::npos) return v;
  std::string out(1, '"');
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string row(const std::vector<std::string>& cells) {
  std::string out;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) out += ',';
    out += cell(cells[i]);
  }
  return out + "\n";
}

std::string age_on(const storage::Patient& p, std::int64_t day) {
  const auto birth = calendar::parse_iso_date(p.date_of_birth);
  if (!birth) return "";
  return research_age(calendar::age_years(*birth, calendar::Date::from_day_number(day)));
}

}  // namespace

std::uint64_t random_research_key() {
  std::random_device rd;
  return (static_cast<std::uint64_t>(rd()) << 32) ^ static_cast<std::uint64_t>(rd());
}

std::int64_t research_day_shift(std::uint64_t key, std::int64_t patient_id) {
  return -1 -
         static_cast<std::int64_t>(mix(key ^ mix(static_cast<std::uint64_t>(patient_id))) % 365);
}

std::string research_age(int years) { return years > 89 ? "90+" : std::to_string(years); }

ResearchTables research_tables(const std::vector<PatientRecord>& records, std::uint64_t key,
                               std::int64_t now_ms) {
  (void)now_ms;
  ResearchTables t;
  // Study numbers in an order drawn from the key, not the clinic's (ids and MRNs are identifiers).
  std::vector<std::size_t> order(records.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return mix(key ^ static_cast<std::uint64_t>(records[a].patient.id) * 0x2545F4914F6CDD1DULL) <
           mix(key ^ static_cast<std::uint64_t>(records[b].patient.id) * 0x2545F4914F6CDD1DULL);
  });
  t.infusions_csv = row({"study_id", "infusion_number", "day", "age_years", "sex", "indication",
                         "protocol", "state", "dosing_weight_kg", "planned_dose_mg", "delivered_mg",
                         "delivered_mg_per_kg", "infused_minutes", "adverse_events",
                         "adverse_event_kinds", "worst_adverse_event_severity"});
  t.assessments_csv = row({"study_id", "day", "days_from_first_infusion", "age_years", "sex",
                           "indication", "instrument", "total", "band", "self_report"});
  int study = 0;
  for (std::size_t idx : order) {
    const PatientRecord& pr = records[idx];
    const storage::Patient& p = pr.patient;
    char sid[16];
    std::snprintf(sid, sizeof sid, "S%04d", ++study);
    ++t.patients;
    const std::int64_t shift = research_day_shift(key, p.id);
    std::vector<const SessionRecord*> sessions;
    for (const auto& s : pr.sessions) sessions.push_back(&s);
    std::sort(sessions.begin(), sessions.end(), [](const SessionRecord* a, const SessionRecord* b) {
      return a->session.started_at_ms.value_or(a->session.created_at_ms) <
             b->session.started_at_ms.value_or(b->session.created_at_ms);
    });
    std::optional<std::int64_t> first_day;
    int n = 0;
    for (const SessionRecord* sr : sessions) {
      const storage::InfusionSession& s = sr->session;
      const std::int64_t day = calendar::day_of_ms(s.started_at_ms.value_or(s.created_at_ms));
      if (s.started_at_ms && !first_day) first_day = day;
      int events = 0;
      std::string kinds;
      int worst = -1;
      static const char* kSeverity[] = {"mild", "moderate", "severe", "life_threatening"};
      for (const auto& a : sr->adverse_events) {
        if (a.status != "active") continue;
        ++events;
        if (!kinds.empty()) kinds += ';';
        kinds += a.kind;
        for (int k = 0; k < 4; ++k) {
          if (a.severity == kSeverity[k]) worst = std::max(worst, k);
        }
      }
      std::int64_t infused_ms = 0;
      std::optional<std::int64_t> running_since;
      for (const auto& e : sr->events) {
        if (e.status != "active") continue;
        if (running_since) infused_ms += e.at_ms - *running_since;
        running_since =
            (e.kind == "pause" || e.kind == "stop") ? std::nullopt : std::optional(e.at_ms);
      }
      t.infusions_csv += row({sid, std::to_string(++n), calendar::format_day(day + shift),
                              age_on(p, day), p.sex, p.indication, s.protocol_id, s.state,
                              number(s.dosing_weight_kg), number(s.planned_dose_mg),
                              number(s.delivered_mg), number(s.delivered_mg / s.dosing_weight_kg),
                              number(static_cast<double>(infused_ms) / 60000.0),
                              std::to_string(events), kinds, worst < 0 ? "" : kSeverity[worst]});
      ++t.infusion_rows;
    }
    for (const auto& a : pr.assessments) {
      if (a.status != "active") continue;
      const auto day = calendar::parse_day(a.taken_on);
      if (!day) continue;
      t.assessments_csv += row({sid, calendar::format_day(*day + shift),
                                first_day ? std::to_string(*day - *first_day) : "", age_on(p, *day),
                                p.sex, p.indication, a.instrument, number(a.total),
                                a.band.value_or(""), a.self_report ? "1" : "0"});
      ++t.assessment_rows;
    }
  }
  return t;
}

}  // namespace kit::fhir
