// The medication store (storage/stores/medication_store.h): the SQL of medication lists, and this
// store's one read of the `corrections` table.
#include "storage/stores/medication_store.h"

#include "storage/stores/infusion_store.h"

namespace kit::storage {
namespace {

Value opt_value(const std::optional<std::int64_t>& v) { return v ? Value(*v) : null(); }

// Every list is read with its correction, if any: the latest row of `corrections` naming it. There
// is at most one, as only an active list may be corrected; the MAX keeps the join one row per list
// regardless.
constexpr const char* kListSelect =
    "SELECT m.id, m.patient_id, m.as_of, m.items_json, m.result_json, m.total_mme_per_day, "
    "m.note, m.recorded_by, m.recorded_at_ms, m.status, m.amends_id, c.id AS correction_id, "
    "c.action AS correction_action, c.reason AS correction_reason, "
    "c.replacement_id AS correction_replacement_id, c.by_user_id AS correction_by_user_id, "
    "c.at_ms AS correction_at_ms "
    "FROM medication_lists m LEFT JOIN corrections c ON c.id = (SELECT MAX(k.id) FROM "
    "corrections k WHERE k.entity = 'medication_list' AND k.entity_id = m.id)";

MedicationList list_from_row(const Row& r) {
  MedicationList m;
  m.id = r.i64("id");
  m.patient_id = r.i64("patient_id");
  m.as_of = r.text("as_of");
  m.items_json = r.text("items_json");
  m.result_json = r.text("result_json");
  m.total_mme_per_day = r.f64("total_mme_per_day");
  m.note = r.text("note");
  m.recorded_by = r.i64("recorded_by");
  m.recorded_at_ms = r.i64("recorded_at_ms");
  m.status = r.text("status");
  m.amends_id = r.opt_i64("amends_id");
  if (auto id = r.opt_i64("correction_id")) {
    m.correction = MedicationListCorrection{*id,
                                            r.text("correction_action"),
                                            r.text("correction_reason"),
                                            r.opt_i64("correction_replacement_id"),
                                            r.i64("correction_by_user_id"),
                                            r.i64("correction_at_ms")};
  }
  return m;
}

}  // namespace

std::int64_t MedicationStore::insert(const NewMedicationList& list) {
  return tx_
      .query(
          "INSERT INTO medication_lists (patient_id, as_of, items_json, result_json, "
          "total_mme_per_day, note, recorded_by, recorded_at_ms, status, amends_id) VALUES ($1, "
          "$2, $3, $4, $5, $6, $7, $8, 'active', $9) RETURNING id",
          {list.patient_id, list.as_of, list.items_json, list.result_json, list.total_mme_per_day,
           list.note, list.recorded_by, list.at_ms, opt_value(list.amends_id)})
      .front()
      .i64("id");
}

std::optional<MedicationList> MedicationStore::find(std::int64_t list_id) {
  Rows rows = tx_.query(std::string(kListSelect) + " WHERE m.id = $1", {list_id});
  if (rows.empty()) return std::nullopt;
  return list_from_row(rows.front());
}

std::vector<MedicationList> MedicationStore::of_patient(std::int64_t patient_id) {
  std::vector<MedicationList> out;
  for (const Row& r :
       tx_.query(std::string(kListSelect) + " WHERE m.patient_id = $1 ORDER BY m.as_of, m.id",
                 {patient_id})) {
    out.push_back(list_from_row(r));
  }
  return out;
}

std::optional<MedicationList> MedicationStore::in_force_on(std::int64_t patient_id,
                                                           const std::string& as_of) {
  Rows rows = tx_.query(std::string(kListSelect) +
                            " WHERE m.patient_id = $1 AND m.as_of <= $2 AND m.status = 'active' "
                            "ORDER BY m.as_of DESC, m.id DESC LIMIT 1",
                        {patient_id, as_of});
  if (rows.empty()) return std::nullopt;
  return list_from_row(rows.front());
}

bool MedicationStore::mark_corrected(std::int64_t list_id, const std::string& status) {
  return tx_.exec("UPDATE medication_lists SET status = $2 WHERE id = $1 AND status = 'active'",
                  {list_id, status}) == 1;
}

std::int64_t MedicationStore::record_correction(const NewMedicationListCorrection& c) {
  StoredCorrection row;
  row.entity = "medication_list";
  row.entity_id = c.list_id;
  row.action = c.action;
  row.reason = c.reason;
  row.replacement_id = c.replacement_id;
  row.by_user_id = c.by_user_id;
  row.at_ms = c.at_ms;
  // Not a session's entry: no session_id.
  return InfusionStore(tx_).insert_correction(row, std::nullopt, c.patient_id);
}

}  // namespace kit::storage
