// Pain medications: dated lists with the daily morphine milligram equivalents computed by the core
// (contract/mme_api.h, CDC 2022 factors, docs/clinical-rules/opioids.md); the history of active
// lists is the trend. A list is corrected by marking it entered in error or amending it; the
// original stays listed.
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "contract/json_reader.h"
#include "contract/mme_api.h"
#include "core/common/error.h"
#include "server/api/api_error.h"
#include "server/api/services.h"
#include "server/resources/chair_common.h"
#include "server/resources/modules.h"
#include "server/resources/record_corrections.h"
#include "storage/stores/medication_store.h"

namespace kit::server {

namespace {

using nlohmann::json;

json opt_json(const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); }

json correction_json(const std::optional<storage::MedicationListCorrection>& c) {
  if (!c) return nullptr;
  return {{"id", c->id},         {"action", c->action},
          {"reason", c->reason}, {"replacement_id", opt_json(c->replacement_id)},
          {"by", c->by_user_id}, {"at", iso8601_ms(c->at_ms)}};
}

json list_json(const storage::MedicationList& m) {
  return {{"id", m.id},
          {"patient_id", m.patient_id},
          {"as_of", m.as_of},
          {"medications", chair::stored_json(m.items_json)},
          {"total_mme_per_day", m.total_mme_per_day},
          {"result", chair::stored_json(m.result_json)},
          {"note", m.note},
          {"recorded_by", m.recorded_by},
          {"recorded_at", iso8601_ms(m.recorded_at_ms)},
          {"status", m.status},
          {"amends_id", opt_json(m.amends_id)},
          {"correction", correction_json(m.correction)}};
}

// A list as POST /patients/{id}/medications takes it, read but not yet computed.
struct ListInput {
  json medications;
  std::string as_of;
  std::string note;
};

// An amendment (`amends`) describes the same date as the list it replaces unless it gives one.
ListInput read_list(RouteContext& ctx, const json& body, const storage::MedicationList* amends) {
  contract::ObjectReader r(body, "");
  ListInput in;
  in.medications = r.array("medications");
  const auto as_of_text = r.optional_string("as_of");
  in.note = chair::optional_text(r.optional_string("note"), "note").value_or("");
  r.finish();
  const std::string today = chair::iso_date(ctx.services().now_ms());
  in.as_of =
      as_of_text ? chair::require_date("as_of", *as_of_text) : (amends ? amends->as_of : today);
  if (in.as_of > today) throw kit::InputError("as_of", "must not be in the future");
  return in;
}

// The core's answer for the list, with the active list in force before it (by date) for the
// change and the thresholds crossed.
json compute_list(storage::MedicationStore& store, std::int64_t patient_id, const ListInput& in) {
  json request = {{"medications", in.medications}};
  if (auto previous = store.in_force_on(patient_id, in.as_of)) {
    request["previous_medications"] = chair::stored_json(previous->items_json);
  }
  return contract::handle_mme(request);  // the core: CDC factors, flags
}

std::int64_t record_list(RouteContext& ctx, storage::MedicationStore& store,
                         std::int64_t patient_id, const ListInput& in, const json& result,
                         std::optional<std::int64_t> amends_id) {
  storage::NewMedicationList list;
  list.patient_id = patient_id;
  list.as_of = in.as_of;
  list.items_json = in.medications.dump();
  list.result_json = result.dump();
  list.total_mme_per_day = result.at("total_mme_per_day").get<double>();
  list.note = in.note;
  list.recorded_by = ctx.user().user_id;
  list.at_ms = ctx.services().now_ms();
  list.amends_id = amends_id;
  return store.insert(list);
}

Response create_list(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  const ListInput in = read_list(ctx, parse_body(ctx.request()), nullptr);
  chair::require_patient(ctx.tx(), patient_id);
  storage::MedicationStore store(ctx.tx());
  const json result = compute_list(store, patient_id, in);
  const std::int64_t id = record_list(ctx, store, patient_id, in, result, std::nullopt);
  return json_response(list_json(*store.find(id)), 201);
}

Response history(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  chair::require_patient(ctx.tx(), patient_id);
  json lists = json::array();
  json trend = json::array();
  json current = nullptr;
  std::optional<double> last;
  for (const auto& m : storage::MedicationStore(ctx.tx()).of_patient(patient_id)) {
    lists.push_back(list_json(m));
    // A list marked in error, or replaced by its amendment, is not a point of the trend.
    if (m.status != "active") continue;
    trend.push_back(
        {{"as_of", m.as_of},
         {"list_id", m.id},
         {"total_mme_per_day", m.total_mme_per_day},
         {"change_mme_per_day",
          last ? json(std::round((m.total_mme_per_day - *last) * 1e6) / 1e6) : json(nullptr)}});
    last = m.total_mme_per_day;
    current = lists.back();
  }
  return json_response(
      {{"patient_id", patient_id}, {"current", current}, {"trend", trend}, {"lists", lists}});
}

// Marks a list entered in error, or amends it with a new list; the original stays listed with its
// status and correction, and the trend reads active lists only.
Response correct_list(RouteContext& ctx) {
  const std::int64_t id = ctx.id_param("id");
  storage::MedicationStore store(ctx.tx());
  const auto original = store.find(id);
  if (!original) throw ApiError::not_found("medication list");
  ctx.require_patient_access(original->patient_id);
  const corrections::CorrectionRequest in =
      corrections::read_correction_request(parse_body(ctx.request()));
  if (original->status != "active") {
    throw ApiError::conflict("the medication list is already " + original->status, "id");
  }
  std::optional<ListInput> amended;
  if (in.amend()) {
    amended = corrections::within_values([&] { return read_list(ctx, in.values, &*original); });
  }
  const std::int64_t now = ctx.services().now_ms();
  const std::string status = in.corrected_status();
  if (!store.mark_corrected(id, status)) {
    throw ApiError::conflict("the medication list was corrected meanwhile", "id");
  }
  json replacement = nullptr;
  std::optional<std::int64_t> replacement_id;
  if (amended) {
    // Computed once the original is out of force, so the change is against the list before it;
    // a refusal by the core rolls the whole correction back.
    const json result = corrections::within_values(
        [&] { return compute_list(store, original->patient_id, *amended); });
    replacement_id = record_list(ctx, store, original->patient_id, *amended, result, id);
    replacement = list_json(*store.find(*replacement_id));
  }
  storage::NewMedicationListCorrection c;
  c.list_id = id;
  c.patient_id = original->patient_id;
  c.action = in.action;
  c.reason = in.reason;
  c.replacement_id = replacement_id;
  c.by_user_id = ctx.user().user_id;
  c.at_ms = now;
  const std::int64_t correction_id = store.record_correction(c);
  return json_response({{"id", correction_id},
                        {"entity", "medication_list"},
                        {"entry_id", id},
                        {"action", in.action},
                        {"reason", in.reason},
                        {"status", status},
                        {"replacement", replacement},
                        {"by", ctx.user().user_id},
                        {"at", iso8601_ms(now)}},
                       201);
}

}  // namespace

void register_medication_routes(Router& router) {
  router.add({"POST", "/api/v1/patients/{id}/medications",
              "Record the patient's current pain medications (dated); daily MME by the core",
              "medications", access_roles({Role::physician, Role::nurse}), true, create_list, 201});
  router.add({"GET", "/api/v1/patients/{id}/medications",
              "Medication lists with their daily MME (corrected ones with their status); the "
              "trend of active lists",
              "medications", access_roles({Role::physician, Role::nurse}, true), true, history,
              200});
  router.add({"POST", "/api/v1/medication-lists/{id}/corrections",
              "Correct a medication list: entered_in_error or amend, with a reason; the original "
              "stays",
              "medications", access_roles({Role::physician, Role::nurse}), true, correct_list,
              201});
}

}  // namespace kit::server
