// Pain medications: dated lists with the daily morphine milligram equivalents computed by the core
// (app/mme_api.h, CDC 2022 factors, docs/clinical-rules/opioids.md); the history is the trend.
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "contract/json_reader.h"
#include "contract/mme_api.h"
#include "core/common/error.h"
#include "server/api/api_error.h"
#include "server/api/services.h"
#include "server/resources/chair_common.h"
#include "server/resources/modules.h"

namespace kit::server {

namespace {

using nlohmann::json;

constexpr const char* kColumns =
    "id, patient_id, as_of, items_json, result_json, total_mme_per_day, note, recorded_by, "
    "recorded_at_ms";

json list_json(const storage::Row& r) {
  return {{"id", r.i64("id")},
          {"patient_id", r.i64("patient_id")},
          {"as_of", r.text("as_of")},
          {"medications", chair::stored_json(r.text("items_json"))},
          {"total_mme_per_day", r.f64("total_mme_per_day")},
          {"result", chair::stored_json(r.text("result_json"))},
          {"note", r.text("note")},
          {"recorded_by", r.i64("recorded_by")},
          {"recorded_at", iso8601_ms(r.i64("recorded_at_ms"))}};
}

Response create_list(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  const json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  const json& medications = r.array("medications");
  const auto as_of_text = r.optional_string("as_of");
  const std::string note = chair::optional_text(r.optional_string("note"), "note").value_or("");
  r.finish();
  const std::int64_t now = ctx.services().now_ms();
  const std::string today = chair::iso_date(now);
  const std::string as_of = as_of_text ? chair::require_date("as_of", *as_of_text) : today;
  if (as_of > today) throw kit::InputError("as_of", "must not be in the future");

  storage::Transaction& tx = ctx.tx();
  chair::require_patient(tx, patient_id);
  // The list in force before this one (by date), for the change and the thresholds crossed.
  storage::Rows previous = tx.query(
      "SELECT items_json FROM medication_lists WHERE patient_id = $1 AND as_of <= $2 "
      "ORDER BY as_of DESC, id DESC LIMIT 1",
      {patient_id, as_of});
  json request = {{"medications", medications}};
  if (!previous.empty())
    request["previous_medications"] = chair::stored_json(previous.front().text("items_json"));
  const json result = contract::handle_mme(request);  // the core: CDC factors, flags
  const std::int64_t id =
      tx.query(
            "INSERT INTO medication_lists (patient_id, as_of, items_json, result_json, "
            "total_mme_per_day, note, recorded_by, recorded_at_ms) VALUES ($1, $2, $3, $4, $5, "
            "$6, $7, $8) RETURNING id",
            {patient_id, as_of, medications.dump(), result.dump(),
             result.at("total_mme_per_day").get<double>(), note, ctx.user().user_id, now})
          .front()
          .i64("id");
  storage::Rows rows =
      tx.query(std::string("SELECT ") + kColumns + " FROM medication_lists WHERE id = $1", {id});
  return json_response(list_json(rows.front()), 201);
}

Response history(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  storage::Transaction& tx = ctx.tx();
  chair::require_patient(tx, patient_id);
  json lists = json::array();
  json trend = json::array();
  std::optional<double> last;
  for (const storage::Row& r : tx.query(std::string("SELECT ") + kColumns +
                                            " FROM medication_lists WHERE patient_id = $1 "
                                            "ORDER BY as_of, id",
                                        {patient_id})) {
    const double total = r.f64("total_mme_per_day");
    trend.push_back({{"as_of", r.text("as_of")},
                     {"list_id", r.i64("id")},
                     {"total_mme_per_day", total},
                     {"change_mme_per_day",
                      last ? json(std::round((total - *last) * 1e6) / 1e6) : json(nullptr)}});
    last = total;
    lists.push_back(list_json(r));
  }
  return json_response({{"patient_id", patient_id},
                        {"current", lists.empty() ? json(nullptr) : lists.back()},
                        {"trend", trend},
                        {"lists", lists}});
}

}  // namespace

void register_medication_routes(Router& router) {
  router.add({"POST", "/api/v1/patients/{id}/medications",
              "Record the patient's current pain medications (dated); daily MME by the core",
              "medications", access_roles({Role::physician, Role::nurse}), true, create_list, 201});
  router.add({"GET", "/api/v1/patients/{id}/medications",
              "Medication lists with their daily MME: the trend", "medications",
              access_roles({Role::physician, Role::nurse}, true), true, history, 200});
}

}  // namespace kit::server
