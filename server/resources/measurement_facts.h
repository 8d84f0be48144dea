#pragma once
// What the measurement schedule (core/measurement/schedule.h) needs of a stored course: its
// infusions (appointments and unscheduled sessions; cancelled and no-show appointments marked),
// when it entered maintenance and when it ended; the clinic time zone its days are read in; and
// the patient's completed questionnaires with when each was taken. Shared by
// GET /api/v1/patients/{id}/measurements and the reminders' planner
// (server/reminders/reminder_runner.h).
#include <cstdint>
#include <optional>
#include <vector>

#include "core/measurement/schedule.h"
#include "server/resources/clinic_time.h"
#include "storage/database.h"
#include "storage/stores/assessment_store.h"
#include "storage/stores/course_store.h"

namespace kit::server {

measurement::Course course_facts(storage::Transaction& tx, const storage::Course& course);

// The time zone whose days the course's questionnaires are dated in: the clinic where the course is
// given, as the outcome analytics place it (storage/stores/analytics_store.cpp): the clinic of the
// chair of its first session (or of that session's appointment), else of its first appointment.
// A course with neither: the first clinic (lowest id), the clinic the reminders and the printed
// reports keep time by; with no clinic at all, UTC.
ClinicZone course_zone(storage::Transaction& tx, const storage::Course& course);

// The time zone of the calendar a patient's sheets are dated on (their `taken_on`): that of the
// course `course_id` when it is the patient's, else of the patient's latest course (course_zone),
// else the first clinic's, else UTC.
ClinicZone sheet_zone(storage::Transaction& tx, std::int64_t patient_id,
                      std::optional<std::int64_t> course_id);

// The completed questionnaires the schedule counts among `sheets` (the patient's assessments):
// active sheets outside a session. Each was taken at its recording time when recorded on the day
// written on it (`taken_on`, a date in `zone`), else somewhere in that day up to its recording
// (measurement::taken_on_day): a paper sheet typed in later counts for the day it was answered.
std::vector<measurement::Taken> completed_questionnaires(
    const std::vector<storage::Assessment>& sheets, const ClinicZone& zone);

}  // namespace kit::server
