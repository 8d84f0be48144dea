#pragma once
// The ED sedation store: episodes, doses, monitoring, adverse events and corrections (tables
// sedation_*, storage/migrations/0011_ed_sedation.sql). Store pattern of docs/storage.md: named
// operations over the caller's transaction, plain records, one row->record function per type;
// "not found" is std::nullopt; writes that change an episode are compare-and-set on its version, so
// two requests computed on the same history cannot both land. Rules stay in core/sedation.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/database.h"

namespace kit::storage {

struct SedationEpisode {
  std::int64_t id = 0;
  std::int64_t patient_id = 0;
  std::string procedure_name;
  double weight_kg = 0;
  double age_y = 0;
  std::string screening_json;
  std::string findings_json;
  std::string gates_json;
  std::optional<std::string> relative_review_reason;
  std::optional<std::int64_t> relative_review_physician_id;
  std::string state;  // open | sedated | recovering | discharged | voided
  std::optional<std::int64_t> procedure_ended_at_ms;
  std::optional<std::int64_t> procedure_ended_by;
  std::optional<std::string> discharge_json;
  std::optional<std::int64_t> discharged_at_ms;
  std::optional<std::int64_t> discharged_by;
  std::optional<std::string> void_reason;
  std::optional<std::int64_t> voided_by;
  std::int64_t opened_at_ms = 0;  // when care began (may be charted later: created_at_ms)
  std::int64_t created_by = 0;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  std::int64_t version = 0;
};

struct SedationDose {
  std::int64_t id = 0;
  std::int64_t episode_id = 0;
  std::string route;  // iv | im
  std::string protocol_id;
  bool is_repeat = false;
  double dose_mg = 0;
  double dose_mg_per_kg = 0;
  double concentration_mg_per_ml = 0;
  double volume_ml = 0;
  double running_total_mg = 0;
  double running_total_mg_per_kg = 0;
  double cumulative_hard_limit_mg_per_kg = 0;
  std::string limit_status;  // within | soft_limit_overridden
  std::string plan_json;
  std::string gates_json;
  std::optional<std::string> override_reason;
  std::optional<std::int64_t> override_physician_id;
  std::optional<std::string> ordered_by;
  std::string status = "active";  // active | entered_in_error
  std::int64_t given_by = 0;
  std::int64_t at_ms = 0;
  std::int64_t recorded_at_ms = 0;
};

struct SedationMonitoring {
  std::int64_t id = 0;
  std::int64_t episode_id = 0;
  std::optional<double> spo2_percent, hr_bpm, sbp_mmhg, dbp_mmhg, rr_per_min;
  std::optional<bool> on_oxygen;
  std::string sedation_observation;
  std::string status = "active";  // active | entered_in_error | amended
  std::optional<std::int64_t> amends_id;
  std::int64_t recorded_by = 0;
  std::int64_t at_ms = 0;
  std::int64_t recorded_at_ms = 0;
};

struct SedationAdverseEvent {
  std::int64_t id = 0;
  std::int64_t episode_id = 0;
  std::string kind;
  std::string severity;
  std::string interventions_json;  // JSON array
  std::string description;
  std::string status = "active";
  std::optional<std::int64_t> amends_id;
  std::int64_t recorded_by = 0;
  std::int64_t at_ms = 0;
  std::int64_t recorded_at_ms = 0;
};

struct SedationCorrection {
  std::int64_t id = 0;
  std::int64_t episode_id = 0;
  std::int64_t patient_id = 0;
  std::string entity;  // dose | monitoring | adverse_event
  std::int64_t entity_id = 0;
  std::string action;  // entered_in_error | amend
  std::string reason;
  std::optional<std::int64_t> replacement_id;
  std::int64_t by_user_id = 0;
  std::int64_t at_ms = 0;
};

struct SedationEpisodeSearch {
  std::optional<std::int64_t> patient_id;
  std::optional<std::string> state;
  std::int64_t limit = 50;
};

class SedationStore {
 public:
  explicit SedationStore(Transaction& tx) : tx_(tx) {}

  // Inserts the episode (state open, version 1); returns its id.
  std::int64_t create_episode(const SedationEpisode& e);
  std::optional<SedationEpisode> find_episode(std::int64_t id);
  // Newest first.
  std::vector<SedationEpisode> search(const SedationEpisodeSearch& search);

  // Compare-and-set on version (each bumps it): false if the episode changed meanwhile.
  bool set_state(std::int64_t id, std::int64_t expected_version, const std::string& state,
                 std::int64_t now_ms);
  bool end_procedure(std::int64_t id, std::int64_t expected_version, std::int64_t by_user,
                     std::int64_t at_ms, std::int64_t now_ms);
  bool discharge(std::int64_t id, std::int64_t expected_version, const std::string& discharge_json,
                 std::int64_t by_user, std::int64_t now_ms);
  bool void_episode(std::int64_t id, std::int64_t expected_version, const std::string& reason,
                    std::int64_t by_user, std::int64_t now_ms);

  std::int64_t insert_dose(const SedationDose& d);
  std::vector<SedationDose> doses(std::int64_t episode_id);  // in time order
  std::int64_t insert_monitoring(const SedationMonitoring& m);
  std::vector<SedationMonitoring> monitoring(std::int64_t episode_id);
  std::int64_t insert_adverse_event(const SedationAdverseEvent& a);
  std::vector<SedationAdverseEvent> adverse_events(std::int64_t episode_id);

  // Moves an active entry of this episode to `status`; false when it is not active (any more).
  bool set_entry_status(const std::string& entity, std::int64_t entry_id, std::int64_t episode_id,
                        const std::string& status);
  std::int64_t insert_correction(const SedationCorrection& c);
  std::vector<SedationCorrection> corrections(std::int64_t episode_id);

 private:
  Transaction& tx_;
};

}  // namespace kit::storage
