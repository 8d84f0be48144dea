#pragma once
// The clinic report: the clinic's outcomes for a date range, per indication and protocol, as
// plots first and tables under them. The numbers are the core's outcome analytics
// (core/outcomes/analytics.h: responder and remission rates with 95 % Wilson intervals, response
// by infusion number, Kaplan-Meier durability with a Greenwood band, boosters, pain, MME, safety)
// over the cohort read by server/analytics/load_analytics_input.h (courses started in the
// range); definitions: docs/clinical-rules/outcome-analytics.md. Aggregates only: no patient is
// named. Groups of fewer than kSmallCellPatients patients are suppressed unless the reader may
// read every record anyway (ADR 0026, as GET /api/v1/analytics/outcomes does).
#include <cstdint>
#include <string>
#include <vector>

#include "core/outcomes/analytics.h"
#include "server/reports/html.h"
#include "storage/database.h"

namespace kit::reports {

// Policy, the same as GET /api/v1/analytics/outcomes
// (docs/adr/0026-director-role-and-small-cells.md).
inline constexpr int kSmallCellPatients = 5;

struct ClinicGroup {
  std::string indication;
  std::string protocol;
  std::string protocol_name;
  int patients = 0;
  bool suppressed = false;  // fewer than kSmallCellPatients patients, shown without figures
  outcomes::analytics::GroupOutcomes outcomes;
};

struct ClinicReport {
  std::string clinic_name;  // the first clinic's name ("" when none)
  std::string from;         // the cohort: courses started from .. to (clinic-local dates)
  std::string to;
  std::string as_of;  // the end of observation
  std::string generated_at;
  int courses = 0;
  int patients = 0;
  bool small_cells_applied = true;
  std::vector<ClinicGroup> groups;
};

// Reads the cohort and analyses it. kit::InputError naming `from` or `to` for a bad date or a
// range that ends before it starts.
ClinicReport load_clinic_report(storage::Transaction& tx, const std::string& from,
                                const std::string& to, bool suppress_small_groups,
                                std::int64_t now_ms);

std::string render_clinic_report_html(const ClinicReport& report, Paper paper);

}  // namespace kit::reports
