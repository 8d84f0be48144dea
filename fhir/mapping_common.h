#pragma once
// The resource ids of the FHIR shell, shared by export.cpp and import.cpp: one prefix per kind of
// KIT record, then the record's id ("p12", "inf-40", "vit-7"). Internal to fhir/.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace kit::fhir {

// prefix + id, appended (GCC 12's -Wrestrict misfires on "literal" + std::string).
inline std::string prefixed(const char* prefix, std::int64_t id) {
  std::string s(prefix);
  s += std::to_string(id);
  return s;
}

inline std::string patient_id(std::int64_t id) { return prefixed("p", id); }
inline std::string course_id(std::int64_t id) { return prefixed("course-", id); }
inline std::string clinic_id(std::int64_t id) { return prefixed("clinic-", id); }
inline std::string chair_id(std::int64_t id) { return prefixed("chair-", id); }
inline std::string appointment_id(std::int64_t id) { return prefixed("appt-", id); }
inline std::string session_id(std::int64_t id) { return prefixed("inf-", id); }
inline std::string vital_id(std::int64_t id) { return prefixed("vit-", id); }

nlohmann::json vital_signs_category();

}  // namespace kit::fhir
