#pragma once
// Outcome analytics over a clinic's courses: per group (indication, protocol) the treated,
// completed-induction, responder and remission rates with 95 % Wilson intervals, the change from
// baseline per instrument, response by infusion number, the durability of response (Kaplan-Meier
// to confirmed relapse with a Greenwood log-log band), boosters per patient-year and the time
// between boosters, pain outcomes (IMMPACT tiers, MME change on opioids) and safety (adverse
// events per 100 infusions, blood-pressure alerts, CADSS, sessions stopped early).
//
// Pure: the storage layer fills the plain records below; nothing is read here. Every response,
// remission and relapse judgement is the instrument's outcome rule (criteria.h, outcome.h) with its
// source; nothing here adds a clinical threshold. Definitions, formulas and sources:
// docs/clinical-rules/outcome-analytics.md. Refusals are kit::InputError naming the field path
// ("courses[2].infusions[0].date").
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/outcomes/statistics.h"

namespace kit::outcomes::analytics {

// ---- Inputs ------------------------------------------------------------------------------------

enum class InfusionKind { induction, booster };
// A voided session was never given and is not passed in. `stopped_early`: the session was stopped
// before its planned dose was delivered (the storage layer decides from the delivered dose).
enum class InfusionStatus { completed, stopped_early };

struct InfusionRecord {
  InfusionKind kind = InfusionKind::induction;
  int number = 0;    // position within its kind: induction 1..12, boosters 1, 2, ...
  std::string date;  // ISO YYYY-MM-DD (the clinic-local date)
  InfusionStatus status = InfusionStatus::completed;
  int bp_alerts = 0;                  // blood-pressure readings that raised an alert
  std::optional<double> cadss_total;  // highest CADSS total recorded during the session
};

struct AssessmentRecord {
  std::string instrument;  // "phq9", "madrs", "nrs", ... (not "cadss": see InfusionRecord)
  std::string date;
  double total = 0;
};

struct AdverseEventRecord {
  std::string date;
  std::string kind;      // as recorded ("hypertension", "nausea", ...)
  std::string severity;  // mild | moderate | severe | life_threatening
};

// A daily MME total from the patient's medication list on that date (core/opioids summarize).
struct MmeRecord {
  std::string date;
  double total_mme_per_day = 0;
};

// One course of treatment of one patient.
struct CourseRecord {
  std::string indication;  // depression | ptsd | ocd | chronic_pain | other
  std::string protocol;    // the course's protocol id
  std::string course_start;
  std::optional<std::string> course_end;  // completed or stopped; empty while under way
  int planned_induction_infusions = 0;    // planned + extension, 1..12
  std::vector<InfusionRecord> infusions;
  std::vector<AssessmentRecord> assessments;
  std::vector<AdverseEventRecord> adverse_events;
  std::vector<MmeRecord> mme;
};

struct AnalyticsInput {
  std::string as_of;  // the end of observation: no record may be dated after it
  std::vector<CourseRecord> courses;
};

// ---- Outputs -----------------------------------------------------------------------------------

// Response by infusion number. A first response is attributed to the number of induction
// infusions given before the assessment's date (a pre-infusion assessment on the day of infusion
// k measures infusions 1..k-1).
struct ResponseByInfusion {
  // cumulative[k-1]: evaluable courses whose first response came after at most k infusions.
  std::vector<int> cumulative;  // k = 1..12
  stats::Proportion by_6;       // first response after infusions 1-6, of evaluable courses
  stats::Proportion at_7_to_9;
  stats::Proportion at_10_to_12;  // "only by 10-12"
  int after_a_booster = 0;        // first response dated after the first booster
  int never = 0;                  // evaluable courses that never met the response rule
};

// The change from baseline over time: for week w since the first induction infusion (days 1-7
// are week 1, 8-14 week 2, ...; week 0 is the baseline, change 0), the change of each evaluable
// course's last reading that week, summarised over the courses with one.
struct TrajectoryPoint {
  int week = 0;
  stats::Summary change;
};

struct InstrumentOutcomes {
  std::string instrument;
  int with_baseline = 0;  // courses with a baseline (latest total on or before the 1st infusion)
  int evaluable = 0;      // ... and at least one total after it
  stats::Proportion responders;              // met the response rule at any post-baseline reading
  stats::Proportion remitters;               // met the remission rule at any post-baseline reading
  stats::Summary change;                     // latest - baseline (points; negative = better)
  stats::Summary change_pct;                 // (latest - baseline) / baseline x 100
  std::map<std::string, int> latest_status;  // evaluate_outcome's status at the latest reading
  ResponseByInfusion by_infusion;
  // Durability: days from the first response to the onset of a confirmed relapse (the first
  // reading of the confirming run); responders without one are censored at their last reading.
  stats::KmCurve durability;
  // Pain instruments (IMMPACT tiers, Dworkin 2008): share of evaluable courses whose latest
  // reduction is >= 30 % (moderate) and >= 50 % (substantial); empty for other instruments.
  std::optional<stats::Proportion> reduction_moderate;
  std::optional<stats::Proportion> reduction_substantial;
  std::map<int, int> change_histogram;  // whole-point change -> courses (whole totals only)
  std::vector<TrajectoryPoint> change_trajectory;  // by week, weeks with a reading only
};

struct BoosterSummary {
  int courses_followed = 0;   // courses with >= 1 induction infusion
  double follow_up_days = 0;  // sum over courses: last induction infusion -> end of follow-up
  double patient_years = 0;   // follow_up_days / 365.25
  int boosters = 0;           // booster infusions given
  std::optional<double> boosters_per_patient_year;  // empty when patient_years is 0
  stats::Summary days_between_boosters;             // consecutive boosters of one course, pooled
};

struct MmeOutcomes {
  int on_opioids = 0;      // courses whose baseline MME (latest on or before the 1st infusion) > 0
  int with_follow_up = 0;  // ... and a later MME record
  stats::Summary baseline_mme_per_day;
  stats::Summary latest_mme_per_day;
  stats::Summary change_mme_per_day;  // latest - baseline
  int reduced = 0;
  int unchanged = 0;
  int increased = 0;
  int stopped = 0;  // latest MME 0 (also counted in `reduced`)
};

struct RateCount {
  int count = 0;
  std::optional<double> per_100_infusions;  // count x 100 / infusions given
};

struct SafetySummary {
  int infusions = 0;  // sessions given (induction and boosters)
  int adverse_events = 0;
  std::optional<double> adverse_events_per_100_infusions;
  std::map<std::string, RateCount> by_kind;
  std::map<std::string, RateCount> by_severity;
  std::map<std::string, std::map<std::string, int>> by_kind_and_severity;
  int bp_alerts = 0;
  std::optional<double> bp_alerts_per_100_infusions;
  stats::Proportion infusions_with_bp_alert;
  stats::Summary cadss;  // per session (highest total), sessions with a CADSS recorded
  stats::Proportion stopped_early;
};

struct GroupOutcomes {
  std::string indication;
  std::string protocol;
  int courses = 0;
  stats::Proportion treated;                    // >= 1 induction infusion given, of courses
  stats::Proportion completed_induction;        // induction infusions given >= planned, of treated
  std::vector<InstrumentOutcomes> instruments;  // in the instrument catalogue's order
  BoosterSummary boosters;
  MmeOutcomes mme;
  SafetySummary safety;
};

struct AnalyticsResult {
  std::string as_of;
  std::vector<GroupOutcomes> groups;  // sorted by (indication, protocol)
};

// Validates every record (kit::InputError naming the field) and summarises per group.
AnalyticsResult analyze(const AnalyticsInput& input);

}  // namespace kit::outcomes::analytics
