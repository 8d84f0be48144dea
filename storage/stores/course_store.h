#pragma once
// The course store: courses of treatment and their history (tables `courses` and
// `course_events`, storage/migrations/0004_courses_scheduling.sql). Follows the store pattern of
// docs/storage.md: named operations over the caller's transaction, plain records, one row->record
// function per type; "not found" is std::nullopt, a refused write the database's
// ConstraintViolation. The state machine, the series limits and their sources stay with the
// caller (server/resources/course_routes.cpp); the schema keeps at most 12 infusions and one
// course under way per patient (courses_one_active), even between two server processes.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/database.h"

namespace kit::storage {

struct Course {
  std::int64_t id = 0;
  std::int64_t patient_id = 0;
  std::string protocol_id;  // a protocol of the core drug library
  std::string state;        // planned | induction | maintenance | completed | stopped
  std::int64_t planned_infusions = 0;
  std::int64_t extension_infusions = 0;
  std::string notes;
  std::int64_t created_by = 0;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  std::int64_t version = 0;

  std::int64_t total_infusions() const { return planned_infusions + extension_infusions; }
};

struct NewCourse {
  std::int64_t patient_id = 0;
  std::string protocol_id;
  std::int64_t planned_infusions = 0;
  std::string notes;
  std::int64_t created_by = 0;
  std::int64_t at_ms = 0;
};

// One change of a course: its creation, a transition or an extension.
struct CourseEvent {
  std::int64_t id = 0;
  std::int64_t course_id = 0;
  std::string event;                      // created | transition | extended
  std::optional<std::string> from_state;  // none for `created`
  std::string to_state;
  std::int64_t infusions_added = 0;
  std::string reason;
  std::int64_t by_user_id = 0;
  std::int64_t at_ms = 0;
};

struct NewCourseEvent {
  std::int64_t course_id = 0;
  std::string event;
  std::optional<std::string> from_state;
  std::string to_state;
  std::int64_t infusions_added = 0;
  std::string reason;
  std::int64_t by_user_id = 0;
  std::int64_t at_ms = 0;
};

class CourseStore {
 public:
  explicit CourseStore(Transaction& tx) : tx_(tx) {}

  // Inserts the course in state planned, version 1, with its `created` event; returns its id.
  std::int64_t create(const NewCourse& course);
  std::optional<Course> find(std::int64_t course_id);
  // The patient's courses, newest first.
  std::vector<Course> for_patient(std::int64_t patient_id);
  // Whether the patient has a course in induction or maintenance other than `except_course_id`.
  bool other_course_under_way(std::int64_t patient_id, std::int64_t except_course_id);
  // Sets the state and adds `extra_infusions` if the course is still at expected_version (and
  // bumps it); false if it changed meanwhile. A second course under way for the patient, or more
  // than 12 infusions, is the database's ConstraintViolation.
  bool change(std::int64_t course_id, std::int64_t expected_version, const std::string& to_state,
              std::int64_t extra_infusions, std::int64_t now_ms);

  // Events (append-only).
  std::int64_t record_event(const NewCourseEvent& event);
  // Oldest first.
  std::vector<CourseEvent> events(std::int64_t course_id);

 private:
  Transaction& tx_;
};

}  // namespace kit::storage
