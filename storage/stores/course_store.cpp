// The course store (storage/stores/course_store.h): the SQL of courses and their events.
#include "storage/stores/course_store.h"

namespace kit::storage {
namespace {

constexpr const char* kCourseColumns =
    "id, patient_id, protocol_id, state, planned_infusions, extension_infusions, notes, "
    "created_by, created_at_ms, updated_at_ms, version";

constexpr const char* kEventColumns =
    "id, course_id, event, from_state, to_state, infusions_added, reason, by_user_id, at_ms";

Course course_from_row(const Row& r) {
  Course c;
  c.id = r.i64("id");
  c.patient_id = r.i64("patient_id");
  c.protocol_id = r.text("protocol_id");
  c.state = r.text("state");
  c.planned_infusions = r.i64("planned_infusions");
  c.extension_infusions = r.i64("extension_infusions");
  c.notes = r.text("notes");
  c.created_by = r.i64("created_by");
  c.created_at_ms = r.i64("created_at_ms");
  c.updated_at_ms = r.i64("updated_at_ms");
  c.version = r.i64("version");
  return c;
}

CourseEvent event_from_row(const Row& r) {
  CourseEvent e;
  e.id = r.i64("id");
  e.course_id = r.i64("course_id");
  e.event = r.text("event");
  e.from_state = r.opt_text("from_state");
  e.to_state = r.text("to_state");
  e.infusions_added = r.i64("infusions_added");
  e.reason = r.text("reason");
  e.by_user_id = r.i64("by_user_id");
  e.at_ms = r.i64("at_ms");
  return e;
}

}  // namespace

std::int64_t CourseStore::create(const NewCourse& c) {
  const std::int64_t id =
      tx_.query(
             "INSERT INTO courses (patient_id, protocol_id, state, planned_infusions, "
             "extension_infusions, notes, created_by, created_at_ms, updated_at_ms, version) "
             "VALUES ($1, $2, 'planned', $3, 0, $4, $5, $6, $6, 1) RETURNING id",
             {c.patient_id, c.protocol_id, c.planned_infusions, c.notes, c.created_by, c.at_ms})
          .front()
          .i64("id");
  record_event({id, "created", std::nullopt, "planned", 0, "", c.created_by, c.at_ms});
  return id;
}

std::optional<Course> CourseStore::find(std::int64_t course_id) {
  const Rows rows = tx_.query(
      std::string("SELECT ") + kCourseColumns + " FROM courses WHERE id = $1", {course_id});
  if (rows.empty()) return std::nullopt;
  return course_from_row(rows.front());
}

std::vector<Course> CourseStore::for_patient(std::int64_t patient_id) {
  std::vector<Course> out;
  for (const Row& r : tx_.query(std::string("SELECT ") + kCourseColumns +
                                    " FROM courses WHERE patient_id = $1 ORDER BY id DESC",
                                {patient_id})) {
    out.push_back(course_from_row(r));
  }
  return out;
}

bool CourseStore::other_course_under_way(std::int64_t patient_id, std::int64_t except_course_id) {
  return !tx_.query(
                 "SELECT id FROM courses WHERE patient_id = $1 AND id <> $2 AND state IN "
                 "('induction', 'maintenance')",
                 {patient_id, except_course_id})
              .empty();
}

bool CourseStore::change(std::int64_t course_id, std::int64_t expected_version,
                         const std::string& to_state, std::int64_t extra_infusions,
                         std::int64_t now_ms) {
  return tx_.exec(
             "UPDATE courses SET state = $1, extension_infusions = extension_infusions + $2, "
             "updated_at_ms = $3, version = version + 1 WHERE id = $4 AND version = $5",
             {to_state, extra_infusions, now_ms, course_id, expected_version}) == 1;
}

std::int64_t CourseStore::record_event(const NewCourseEvent& e) {
  return tx_
      .query(
          "INSERT INTO course_events (course_id, event, from_state, to_state, infusions_added, "
          "reason, by_user_id, at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
          {e.course_id, e.event, e.from_state ? Value(*e.from_state) : null(), e.to_state,
           e.infusions_added, e.reason, e.by_user_id, e.at_ms})
      .front()
      .i64("id");
}

std::vector<CourseEvent> CourseStore::events(std::int64_t course_id) {
  std::vector<CourseEvent> out;
  for (const Row& r : tx_.query(std::string("SELECT ") + kEventColumns +
                                    " FROM course_events WHERE course_id = $1 ORDER BY id",
                                {course_id})) {
    out.push_back(event_from_row(r));
  }
  return out;
}

}  // namespace kit::storage
