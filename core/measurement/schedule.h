#pragma once
// Measurement schedules: which questionnaires a patient owes, and when, over a course. The
// occasions follow the course (a baseline before the first infusion, one before each infusion,
// one a day after each, one a week during maintenance); which instruments each occasion asks for
// is the clinic's policy, editable, with the default below. Pure: times in, occasions out. The
// reminders and the portal read the status of each occasion from here (issue 12 §1).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kit::measurement {

// When an occasion falls in the course.
enum class Moment {
  baseline,            // before the first infusion
  before_infusion,     // in the day before each infusion starts
  after_infusion,      // about a day after each infusion ends (the rapid effect)
  weekly_maintenance,  // once a week while the course is in maintenance
};
std::string_view moment_name(Moment m);
std::optional<Moment> moment_from_name(std::string_view name);

struct Rule {
  std::string instrument_id;  // core/instruments ids: "phq9", "gad7", "pcl5", "nrs", ...
  Moment moment = Moment::baseline;
};

// The clinic's policy. Window lengths are policy, not clinical facts (no source sets them): the
// defaults are stated in docs/clinical-rules/measurement-schedule.md and a clinic may change them.
struct Policy {
  std::vector<Rule> rules;
  std::int64_t baseline_window_ms = 14 * 86'400'000LL;  // up to 14 days before the 1st infusion
  std::int64_t before_window_ms = 24 * 3'600'000LL;     // within 24 h before an infusion starts
  std::int64_t after_delay_ms = 24 * 3'600'000LL;       // aimed at 24 h after an infusion ends
  std::int64_t after_early_ms = 4 * 3'600'000LL;        // answerable from 20 h after the end
  std::int64_t after_late_ms = 24 * 3'600'000LL;        // and until 48 h after it
  std::int64_t week_ms = 7 * 86'400'000LL;              // one weekly occasion per 7 days
};

// The default rules for an indication (the issue's "baseline, before each infusion, 24 h after,
// weekly during maintenance"), asking only for patient-reported instruments KIT may show
// (docs/clinical-rules/instrument-licenses.md): depression PHQ-9 (+ GAD-7 at baseline and weekly);
// PTSD PCL-5 (+ PHQ-9); OCD PHQ-9 (Y-BOCS is clinician-rated, so not a portal questionnaire);
// chronic pain the pain NRS (+ PHQ-9 at baseline and weekly). Unknown indications: PHQ-9.
Policy default_policy(std::string_view indication);

// What the schedule needs of a course. Times are UTC ms; an infusion without an end is
// planned or running (its after-infusion occasion is not yet placed).
struct Infusion {
  int number = 0;  // 1-based, in the course
  std::int64_t start_ms = 0;
  std::optional<std::int64_t> end_ms;
  bool cancelled = false;  // a cancelled or no-show infusion asks for nothing
};
struct Course {
  std::vector<Infusion> infusions;
  std::optional<std::int64_t> maintenance_from_ms;  // when the course entered maintenance
  std::optional<std::int64_t> ended_ms;             // completed or stopped: nothing after it
};

// One questionnaire on one occasion, answerable in [opens_ms, closes_ms).
struct Occasion {
  std::string instrument_id;
  Moment moment = Moment::baseline;
  int infusion_number = 0;  // the infusion it belongs to (0 for baseline and weekly)
  int week = 0;             // 1-based maintenance week (weekly occasions only)
  std::int64_t opens_ms = 0;
  std::int64_t closes_ms = 0;
};

// Every occasion of the course up to `until_ms` (weekly occasions are open-ended: they stop at
// the course's end or at `until_ms`), ordered by closing time, then instrument.
std::vector<Occasion> occasions(const Policy& policy, const Course& course, std::int64_t until_ms);

// A questionnaire the patient completed, and when it was taken. A sheet recorded as it was
// answered was taken at its recording time `at_ms` (earliest_ms and latest_ms unset: a point). A
// paper sheet typed in on a later day is known only to have been taken somewhere in
// [earliest_ms, latest_ms], both included (the day written on it: see taken_on_day).
struct Taken {
  std::string instrument_id;
  std::int64_t at_ms = 0;  // when it was recorded
  std::int64_t assessment_id = 0;
  std::optional<std::int64_t> earliest_ms;  // unset: at_ms
  std::optional<std::int64_t> latest_ms;    // unset: at_ms; never before earliest()

  std::int64_t earliest() const { return earliest_ms.value_or(at_ms); }
  std::int64_t latest() const { return latest_ms.value_or(at_ms); }
};

// A sheet dated on a clinic-local day and recorded at `recorded_ms`. The day is given as the
// instants of its two local midnights, [day_starts_ms, day_ends_ms) (the server reads the date in
// the clinic's time zone; the core knows no zones). Recorded on that day: taken at the recording
// time (a point, as every sheet counted before dates were read). Recorded on a later day
// (back-dated, a paper form typed in later): taken somewhere in that day, up to the recording
// time. Dated after the day it was recorded on (a date that cannot be right: nothing is answered
// after it is recorded): the recording time, the one instant known.
Taken taken_on_day(std::string instrument_id, std::int64_t assessment_id, std::int64_t recorded_ms,
                   std::int64_t day_starts_ms, std::int64_t day_ends_ms);

enum class Status { upcoming, due, done, missed };
std::string_view status_name(Status s);

struct OccasionStatus {
  Occasion occasion;
  Status status = Status::upcoming;
  std::optional<std::int64_t> assessment_id;  // the assessment that satisfied it (done)
};

// Matches completed questionnaires to occasions and says where each stands at `now_ms`: done
// (an assessment of that instrument that can have been taken inside the window, i.e. whose
// [earliest, latest] meets [opens_ms, closes_ms); each assessment satisfies one occasion at most),
// due (open now), missed (closed unanswered), upcoming (not yet open). The matching gives each
// assessment, in the order of the latest time it can have been taken, to the open occasion of its
// instrument that closes first: for intervals against intervals that is a maximum matching, so no
// occasion is called missed that a different assignment could have satisfied. Sheets recorded as
// they were answered (instants) are matched exactly as before sheets carried their date.
std::vector<OccasionStatus> statuses(const std::vector<Occasion>& occasions,
                                     const std::vector<Taken>& taken, std::int64_t now_ms);

}  // namespace kit::measurement
