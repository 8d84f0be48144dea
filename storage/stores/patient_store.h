#pragma once
// The patient store: the patient record (table `patients`,
// storage/migrations/0003_patients_intake.sql) and the two writes registration makes to a public
// inquiry it comes from. Follows the store pattern of docs/storage.md: named operations over the
// caller's transaction, plain records, one row->record function per type; "not found" is
// std::nullopt, a refused write the database's ConstraintViolation. Input rules (lengths, ranges,
// allowed values) stay with the caller.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/database.h"

namespace kit::storage {

struct Patient {
  std::int64_t id = 0;
  std::string mrn;
  std::string given_name;
  std::string family_name;
  std::string date_of_birth;  // ISO date
  std::string sex;            // female | male
  std::optional<double> weight_kg;
  std::optional<double> height_cm;
  std::optional<std::string> email;
  std::optional<std::string> phone;
  std::string indication;  // depression | ptsd | ocd | chronic_pain | other
  // intake | approved | declined | in_treatment | maintenance | discharged
  std::string status;
  std::optional<std::int64_t> inquiry_id;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  std::int64_t version = 0;
};

struct NewPatient {
  std::optional<std::string> mrn;  // none: the store assigns "KIT-<id, 6 digits>"
  std::string given_name;
  std::string family_name;
  std::string date_of_birth;
  std::string sex;
  std::optional<double> weight_kg;
  std::optional<double> height_cm;
  std::optional<std::string> email;
  std::optional<std::string> phone;
  std::string indication;
  std::optional<std::int64_t> inquiry_id;
  std::int64_t at_ms = 0;
};

// The demographics an edit may change: an absent field is left alone. For the optional columns
// the inner optional is the new value, so an edit can clear them (a present nullopt).
// The workflow status is not here: it moves with approval and course transitions (set_status).
struct PatientEdit {
  std::optional<std::string> mrn;
  std::optional<std::string> given_name;
  std::optional<std::string> family_name;
  std::optional<std::string> date_of_birth;
  std::optional<std::string> sex;
  std::optional<std::string> indication;
  std::optional<std::optional<double>> weight_kg;
  std::optional<std::optional<double>> height_cm;
  std::optional<std::optional<std::string>> email;
  std::optional<std::optional<std::string>> phone;

  bool empty() const;
};

// One recorded change of a clinical field (weight_kg, height_cm, date_of_birth, sex, indication).
struct PatientFieldChange {
  std::int64_t id = 0;
  std::int64_t patient_id = 0;
  std::string field;
  std::optional<std::string> old_value;  // as text ("70", "1980-02-01"); absent = was empty
  std::optional<std::string> new_value;
  std::int64_t by_user_id = 0;
  std::int64_t at_ms = 0;
};

struct PatientSearch {
  // Case-insensitive substring of the given name, family name, "given family" or MRN; empty
  // matches everyone. Matched literally: % and _ are not wildcards.
  std::string text;
  std::optional<std::string> status;
  std::int64_t limit = 50;
  std::int64_t offset = 0;
};

class PatientStore {
 public:
  explicit PatientStore(Transaction& tx) : tx_(tx) {}

  // Inserts the patient in status intake, version 1; returns its id. A taken MRN or inquiry is
  // the database's ConstraintViolation (callers ask mrn_taken / inquiry_patient first to say
  // which).
  std::int64_t create(const NewPatient& patient);
  std::optional<Patient> find(std::int64_t id);
  bool mrn_taken(const std::string& mrn);
  std::optional<Patient> find_by_mrn(const std::string& mrn);
  // The patient registered from this inquiry, if any.
  std::optional<std::int64_t> inquiry_patient(std::int64_t inquiry_id);
  // Ordered by family name, given name, id.
  std::vector<Patient> search(const PatientSearch& search);
  // Applies the edit if the patient is still at expected_version (and bumps it); false if it
  // changed meanwhile, in this process or another.
  bool update(std::int64_t id, std::int64_t expected_version, const PatientEdit& edit,
              std::int64_t now_ms);
  // Sets the workflow status and bumps the version.
  void set_status(std::int64_t id, const std::string& status, std::int64_t now_ms);
  // The same, only if the patient is still at expected_version; false (nothing changed) if it
  // moved meanwhile, in this process or another: a decision taken on what was read stays valid.
  bool set_status_at_version(std::int64_t id, std::int64_t expected_version,
                             const std::string& status, std::int64_t now_ms);

  // The inquiry tables belong to the inquiry routes; registration only asks whether one exists
  // and marks it scheduled, so these two statements are everything this store touches there.
  bool inquiry_exists(std::int64_t inquiry_id);
  void mark_inquiry_scheduled(std::int64_t inquiry_id, std::int64_t now_ms);

  void record_field_change(const PatientFieldChange& change);
  std::vector<PatientFieldChange> field_changes(std::int64_t patient_id);

 private:
  Transaction& tx_;
};

}  // namespace kit::storage
