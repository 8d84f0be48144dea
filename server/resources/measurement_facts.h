#pragma once
// What the measurement schedule (core/measurement/schedule.h) needs of a stored course: its
// infusions (appointments and unscheduled sessions; cancelled and no-show appointments marked),
// when it entered maintenance and when it ended. Shared by GET /api/v1/patients/{id}/measurements
// and the reminders' planner (server/reminders/reminder_runner.h).
#include "core/measurement/schedule.h"
#include "storage/database.h"
#include "storage/stores/course_store.h"

namespace kit::server {

measurement::Course course_facts(storage::Transaction& tx, const storage::Course& course);

}  // namespace kit::server
