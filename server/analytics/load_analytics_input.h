#pragma once
// The outcome analytics' loader: from the stores (storage/stores/analytics_store.h) to the core's
// plain records (core/outcomes/analytics.h AnalyticsInput), for one set of filters. Used by
// GET /api/v1/analytics/outcomes and `kit report`. Rules (docs/clinical-rules/outcome-analytics.md
// §6, ADR 0026):
//
// - Cohort: the courses *started* (created) on a clinic-local day in [from, to], of the
//   indication (the patient's), protocol and clinic (where the course is given: the chair of its
//   first session, else of its first appointment) asked for. Observation ends at `to`, or today
//   if `to` is later: as_of = min(to, the latest clinic-local today); nothing dated after as_of is
//   read, and a course ended after it counts as under way.
// - Dates are clinic-local days (the zone of the session's clinic; a course's own dates in the
//   zone of its clinic; without any clinic, UTC).
// - Only entries in force: a corrected entry counts by its amendment, never by the superseded
//   value; one entered in error not at all. Voided sessions and sessions never started are not
//   infusions; a session still running or paused is not counted yet.
// - Infusions: a session on a `booster` appointment, an unscheduled session after the course went
//   to maintenance, and every session after a first booster are boosters; the others are the
//   induction infusions 1, 2, ... in start order (at most 12 by the course's limit; any beyond
//   counts as a booster). A session is `stopped_early` when it delivered less than its planned
//   dose (at the programmed rate) by more than one minute of infusion at that rate (policy: a nurse
//   stopping the pump seconds early has given the dose).
// - Blood-pressure alerts: active readings of the session that raised an alert with a blood
//   pressure among their reasons (sbp, dbp, or their rise over baseline). CADSS: the highest
//   active total of the session.
// - Outcome sheets: the active sheets taken outside a session of instruments with outcome rules;
//   a sheet linked to a course belongs to it, an unlinked one to the patient's first course not
//   ended before the sheet's day (so a sheet at screening is the next course's baseline), or to
//   the last course when all ended before it (follow-up). Two sheets of one instrument on one day:
//   the later recorded stands (the series holds one total a day). MME: the patient's active
//   medication lists dated before the patient's next course starts (a follow-up list after the
//   course ended counts), the later recorded of a day standing.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/outcomes/analytics.h"
#include "storage/database.h"

namespace kit::server::analytics {

struct AnalyticsFilter {
  std::string from;  // ISO date (clinic-local): courses started on or after
  std::string to;    // ISO date (clinic-local): courses started on or before; end of observation
  std::optional<std::string> indication;  // depression | ptsd | ocd | chronic_pain | other
  std::optional<std::string> protocol;    // a protocol id
  std::optional<std::int64_t> clinic_id;
};

struct LoadedAnalytics {
  outcomes::analytics::AnalyticsInput input;  // as_of and one record per course of the cohort
  std::vector<std::int64_t> course_ids;       // the same order as input.courses
  std::vector<std::int64_t> patient_ids;      // per course, the same order
  // Distinct patients per group (indication, protocol): the small-cell rule counts people.
  std::map<std::pair<std::string, std::string>, int> patients_per_group;
};

// Validates the filter (kit::InputError naming `from`, `to`, `indication` or `clinic_id`) and
// reads the cohort. now_ms: the server's clock (for "today").
LoadedAnalytics load_analytics_input(storage::Transaction& tx, const AnalyticsFilter& filter,
                                     std::int64_t now_ms);

// The latest clinic-local date at now_ms over every clinic (UTC's without one): the default `to`.
std::string latest_clinic_today(storage::Transaction& tx, std::int64_t now_ms);

}  // namespace kit::server::analytics
