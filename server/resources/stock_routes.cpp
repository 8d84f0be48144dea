// Controlled-substance stock (ketamine, Schedule III): lots by lot number and expiry, draws tied
// to an infusion session, witnessed wastes, a running balance per lot and the reconciliation
// report. Rules: docs/api-chair.md.
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "app/json_reader.h"
#include "core/common/error.h"
#include "server/api/api_error.h"
#include "server/api/auth.h"
#include "server/api/services.h"
#include "server/resources/chair_common.h"
#include "server/resources/modules.h"

namespace kit::server {

namespace {

using nlohmann::json;

constexpr double kTolMg =
    1e-6;  // amounts are compared at 1e-6 mg (float noise, not a clinical tolerance)

double round6(double v) { return std::round(v * 1e6) / 1e6; }

constexpr const char* kLotColumns =
    "id, drug, concentration_mg_per_ml, vial_volume_ml, lot_number, expiry_date, vials_received, "
    "supplier, notes, active, created_by, created_at_ms, updated_at_ms, version";

// Book balance: receive + adjust - draw. A waste disposes of drug a session already drew.
constexpr const char* kBalanceSql =
    "SELECT COALESCE(SUM(CASE kind WHEN 'receive' THEN mg WHEN 'adjust' THEN mg WHEN 'draw' THEN "
    "-mg ELSE 0 END), 0) AS mg FROM stock_movements WHERE lot_id = $1";

double lot_balance(storage::Transaction& tx, std::int64_t lot_id) {
  return round6(tx.query(kBalanceSql, {lot_id}).front().f64("mg"));
}

storage::Row load_lot(storage::Transaction& tx, std::int64_t id, const std::string& field = "") {
  storage::Rows rows =
      tx.query(std::string("SELECT ") + kLotColumns + " FROM stock_lots WHERE id = $1", {id});
  if (rows.empty()) {
    if (!field.empty()) throw ApiError::bad_request(field, "no such lot");
    throw ApiError::not_found("lot");
  }
  return rows.front();
}

json lot_json(storage::Transaction& tx, const storage::Row& r, std::int64_t now_ms) {
  const double conc = r.f64("concentration_mg_per_ml");
  const double vial_mg = round6(conc * r.f64("vial_volume_ml"));
  const double balance = lot_balance(tx, r.i64("id"));
  return {{"id", r.i64("id")},
          {"drug", r.text("drug")},
          {"concentration_mg_per_ml", conc},
          {"vial_volume_ml", r.f64("vial_volume_ml")},
          {"vial_mg", vial_mg},
          {"lot_number", r.text("lot_number")},
          {"expiry_date", r.text("expiry_date")},
          {"expired", r.text("expiry_date") < chair::iso_date(now_ms)},
          {"vials_received", r.i64("vials_received")},
          {"received_mg", round6(vial_mg * static_cast<double>(r.i64("vials_received")))},
          {"balance_mg", balance},
          {"balance_ml", round6(balance / conc)},
          {"supplier", r.text("supplier")},
          {"notes", r.text("notes")},
          {"active", r.i64("active") == 1},
          {"created_by", r.i64("created_by")},
          {"created_at", iso8601_ms(r.i64("created_at_ms"))},
          {"updated_at", iso8601_ms(r.i64("updated_at_ms"))},
          {"version", r.i64("version")}};
}

Response lot_response(RouteContext& ctx, std::int64_t id, int status = 200) {
  storage::Row row = load_lot(ctx.tx(), id);
  return json_response_with_etag(lot_json(ctx.tx(), row, ctx.services().now_ms()),
                                 row.i64("version"), status);
}

std::string required_text(app::ObjectReader& r, const char* key, std::size_t max) {
  auto t = chair::optional_text(r.optional_string(key), key, max);
  if (!t) throw kit::InputError(key, "is required");
  return *t;
}

Response list_lots(RouteContext& ctx) {
  std::string sql = std::string("SELECT ") + kLotColumns + " FROM stock_lots";
  if (auto it = ctx.request().query.find("active"); it != ctx.request().query.end()) {
    if (it->second != "true" && it->second != "false") {
      throw kit::InputError("active", "must be true or false");
    }
    sql += it->second == "true" ? " WHERE active = 1" : " WHERE active = 0";
  }
  sql += " ORDER BY expiry_date, id";
  json out = json::array();
  const std::int64_t now = ctx.services().now_ms();
  for (const storage::Row& r : ctx.tx().query(sql)) out.push_back(lot_json(ctx.tx(), r, now));
  return json_response(out);
}

Response create_lot(RouteContext& ctx) {
  const json body = parse_body(ctx.request());
  app::ObjectReader r(body, "");
  const std::string drug =
      chair::optional_text(r.optional_string("drug"), "drug", 64).value_or("ketamine");
  const double conc = r.number("concentration_mg_per_ml");
  const double vial_ml = r.number("vial_volume_ml");
  const std::string lot_number = required_text(r, "lot_number", 64);
  const std::string expiry = chair::require_date("expiry_date", r.string("expiry_date"));
  const long long vials = r.integer("vials_received");
  const std::string supplier =
      chair::optional_text(r.optional_string("supplier"), "supplier", 200).value_or("");
  const std::string notes = chair::optional_text(r.optional_string("notes"), "notes").value_or("");
  r.finish();
  // Vial strengths: ketamine is sold as 10, 50 and 100 mg/mL (openFDA,
  // docs/clinical-rules/dosing.md).
  if (!(conc > 0 && conc <= 100)) {
    throw kit::InputError("concentration_mg_per_ml", "must be > 0 and <= 100");
  }
  if (!(vial_ml > 0 && vial_ml <= 1000))
    throw kit::InputError("vial_volume_ml", "must be > 0 and <= 1000");
  if (vials < 1 || vials > 100000) throw kit::InputError("vials_received", "must be 1 to 100000");
  const std::int64_t now = ctx.services().now_ms();
  storage::Transaction& tx = ctx.tx();
  if (!tx.query("SELECT id FROM stock_lots WHERE drug = $1 AND lot_number = $2", {drug, lot_number})
           .empty()) {
    throw ApiError::conflict("lot " + lot_number + " of " + drug + " is already recorded",
                             "lot_number");
  }
  const std::int64_t id =
      tx.query(
            "INSERT INTO stock_lots (drug, concentration_mg_per_ml, vial_volume_ml, lot_number, "
            "expiry_date, vials_received, supplier, notes, active, created_by, created_at_ms, "
            "updated_at_ms, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10, $10, 1) "
            "RETURNING id",
            {drug, conc, vial_ml, lot_number, expiry, static_cast<std::int64_t>(vials), supplier,
             notes, ctx.user().user_id, now})
          .front()
          .i64("id");
  const double ml = vial_ml * static_cast<double>(vials);
  tx.exec(
      "INSERT INTO stock_movements (lot_id, kind, mg, ml, reason, recorded_by, at_ms) VALUES ($1, "
      "'receive', $2, $3, $4, $5, $6)",
      {id, round6(ml * conc), round6(ml), "received " + std::to_string(vials) + " vials",
       ctx.user().user_id, now});
  return lot_response(ctx, id, 201);
}

Response get_lot(RouteContext& ctx) { return lot_response(ctx, ctx.id_param("id")); }

Response update_lot(RouteContext& ctx) {
  const std::int64_t id = ctx.id_param("id");
  storage::Row row = load_lot(ctx.tx(), id);
  ctx.require_if_match(row.i64("version"));
  const json body = parse_body(ctx.request());
  app::ObjectReader r(body, "");
  const bool active = r.optional_boolean("active").value_or(row.i64("active") == 1);
  const std::string notes =
      r.has("notes") ? chair::optional_text(r.optional_string("notes"), "notes").value_or("")
                     : row.text("notes");
  const std::string supplier =
      r.has("supplier")
          ? chair::optional_text(r.optional_string("supplier"), "supplier", 200).value_or("")
          : row.text("supplier");
  r.finish();
  const std::int64_t changed = ctx.tx().exec(
      "UPDATE stock_lots SET active = $2, notes = $3, supplier = $4, updated_at_ms = $5, "
      "version = version + 1 WHERE id = $1 AND version = $6",
      {id, std::int64_t{active ? 1 : 0}, notes, supplier, ctx.services().now_ms(),
       row.i64("version")});
  if (changed != 1) throw ApiError::precondition_failed();
  return lot_response(ctx, id);
}

Response ledger(RouteContext& ctx) {
  const std::int64_t id = ctx.id_param("id");
  storage::Row lot = load_lot(ctx.tx(), id);
  double balance = 0;
  json rows = json::array();
  for (const storage::Row& m : ctx.tx().query(
           "SELECT id, kind, mg, ml, session_id, witness_user_id, reason, recorded_by, at_ms "
           "FROM stock_movements WHERE lot_id = $1 ORDER BY id",
           {id})) {
    const std::string kind = m.text("kind");
    const double mg = m.f64("mg");
    const double delta = kind == "draw" ? -mg : kind == "waste" ? 0.0 : mg;
    balance = round6(balance + delta);
    rows.push_back(
        {{"id", m.i64("id")},
         {"kind", kind},
         {"mg", mg},
         {"ml", m.f64("ml")},
         {"balance_change_mg", round6(delta)},
         {"balance_mg", balance},
         {"session_id", m.opt_i64("session_id") ? json(m.i64("session_id")) : json(nullptr)},
         {"witness_user_id",
          m.opt_i64("witness_user_id") ? json(m.i64("witness_user_id")) : json(nullptr)},
         {"reason", m.text("reason")},
         {"recorded_by", m.i64("recorded_by")},
         {"at", iso8601_ms(m.i64("at_ms"))}});
  }
  return json_response({{"lot", lot_json(ctx.tx(), lot, ctx.services().now_ms())},
                        {"movements", rows},
                        {"balance_mg", balance},
                        {"rule",
                         "balance = received + adjustments - draws; a waste disposes of part of "
                         "what a session drew and leaves the balance unchanged"}});
}

// mg or ml (exactly one) -> both, at the lot's concentration.
std::pair<double, double> amount(app::ObjectReader& r, double concentration) {
  auto mg = r.optional_number("mg");
  auto ml = r.optional_number("ml");
  if (mg.has_value() == ml.has_value()) throw kit::InputError("mg", "give exactly one of mg or ml");
  if (mg) {
    if (!(*mg > 0) || *mg > 100000) throw kit::InputError("mg", "must be > 0 and <= 100000");
    return {round6(*mg), round6(*mg / concentration)};
  }
  if (!(*ml > 0) || *ml > 100000) throw kit::InputError("ml", "must be > 0 and <= 100000");
  return {round6(*ml * concentration), round6(*ml)};
}

struct SessionRef {
  std::int64_t id;
  std::int64_t patient_id;
  std::optional<std::int64_t> lot_id;
  std::string state;
  double delivered_mg;
};

SessionRef load_session_ref(RouteContext& ctx, std::int64_t id) {
  storage::Rows rows = ctx.tx().query(
      "SELECT id, patient_id, lot_id, state, delivered_mg FROM infusion_sessions WHERE id = $1",
      {id});
  if (rows.empty()) throw ApiError::bad_request("session_id", "no such session");
  const storage::Row& r = rows.front();
  SessionRef s{r.i64("id"), r.i64("patient_id"), r.opt_i64("lot_id"), r.text("state"),
               r.f64("delivered_mg")};
  ctx.set_patient(s.patient_id);
  return s;
}

Response draw(RouteContext& ctx) {
  const json body = parse_body(ctx.request());
  app::ObjectReader r(body, "");
  const std::int64_t session_id = r.integer("session_id");
  const auto lot_given = r.optional_integer("lot_id");
  SessionRef s = load_session_ref(ctx, session_id);
  if (s.state == "stopped" || s.state == "completed") {
    throw ApiError::rule_refused(
        "the session's infusion has ended (" + s.state + "); no more draws", "session_id");
  }
  if (!lot_given && !s.lot_id)
    throw kit::InputError("lot_id", "is required (the session has no lot yet)");
  const std::int64_t lot_id = lot_given ? static_cast<std::int64_t>(*lot_given) : *s.lot_id;
  if (s.lot_id && *s.lot_id != lot_id) {
    throw ApiError::rule_refused(
        "the session uses lot " + std::to_string(*s.lot_id) + "; one session draws from one lot",
        "lot_id");
  }
  storage::Transaction& tx = ctx.tx();
  storage::Row lot = load_lot(tx, lot_id, "lot_id");
  const auto [mg, ml] = amount(r, lot.f64("concentration_mg_per_ml"));
  const auto at_ms = r.optional_integer("at_ms");
  r.finish();
  const std::int64_t now = ctx.services().now_ms();
  const std::int64_t at = chair::event_time(at_ms, "at_ms", now);
  if (lot.i64("active") != 1) throw ApiError::rule_refused("the lot is retired", "lot_id");
  if (lot.text("expiry_date") < chair::iso_date(at)) {
    throw ApiError::rule_refused(
        "lot " + lot.text("lot_number") + " expired on " + lot.text("expiry_date"), "lot_id");
  }
  const double balance = lot_balance(tx, lot_id);
  if (mg > balance + kTolMg) {
    throw ApiError::rule_refused(
        "the lot holds " + json(balance).dump() + " mg; cannot draw " + json(mg).dump() + " mg",
        r.has("mg") ? "mg" : "ml");
  }
  // Set once, from NULL: the lot the session's drug came from.
  tx.exec("UPDATE infusion_sessions SET lot_id = $2 WHERE id = $1 AND lot_id IS NULL",
          {s.id, lot_id});
  const std::int64_t id =
      tx.query(
            "INSERT INTO stock_movements (lot_id, kind, mg, ml, session_id, recorded_by, at_ms) "
            "VALUES ($1, 'draw', $2, $3, $4, $5, $6) RETURNING id",
            {lot_id, mg, ml, s.id, ctx.user().user_id, at})
          .front()
          .i64("id");
  return json_response({{"id", id},
                        {"kind", "draw"},
                        {"lot_id", lot_id},
                        {"session_id", s.id},
                        {"mg", mg},
                        {"ml", ml},
                        {"lot_balance_mg", lot_balance(tx, lot_id)},
                        {"at", iso8601_ms(at)}},
                       201);
}

Response waste(RouteContext& ctx) {
  const json body = parse_body(ctx.request());
  app::ObjectReader r(body, "");
  const std::int64_t session_id = r.integer("session_id");
  const std::int64_t witness_id = r.integer("witness_user_id");
  const std::string witness_password = r.string("witness_password");
  const std::string reason =
      chair::optional_text(r.optional_string("reason"), "reason").value_or("unused remainder");
  SessionRef s = load_session_ref(ctx, session_id);
  if (!s.lot_id)
    throw ApiError::rule_refused("the session has drawn nothing to waste", "session_id");
  storage::Transaction& tx = ctx.tx();
  storage::Row lot = load_lot(tx, *s.lot_id);
  const auto [mg, ml] = amount(r, lot.f64("concentration_mg_per_ml"));
  const auto at_ms = r.optional_integer("at_ms");
  r.finish();

  // The witness: a different, active physician or nurse, proving presence with their password.
  if (witness_id == ctx.user().user_id) {
    throw ApiError::rule_refused("the witness must be a second staff member", "witness_user_id");
  }
  storage::Rows w =
      tx.query("SELECT password_hash, role, disabled FROM users WHERE id = $1", {witness_id});
  if (w.empty() || w.front().i64("disabled") != 0 ||
      (w.front().text("role") != "physician" && w.front().text("role") != "nurse")) {
    throw ApiError::rule_refused("the witness must be an active physician or nurse",
                                 "witness_user_id");
  }
  if (!verify_password(w.front().text("password_hash"), witness_password)) {
    throw ApiError::rule_refused("the witness's password does not match", "witness_password");
  }

  const auto sums = tx.query(
      "SELECT COALESCE(SUM(CASE kind WHEN 'draw' THEN mg ELSE 0 END), 0) AS drawn, "
      "COALESCE(SUM(CASE kind WHEN 'waste' THEN mg ELSE 0 END), 0) AS wasted "
      "FROM stock_movements WHERE session_id = $1",
      {s.id});
  const double drawn = sums.front().f64("drawn");
  const double wasted = sums.front().f64("wasted");
  const bool ended = s.state == "stopped" || s.state == "completed";
  const double available = round6(drawn - wasted - (ended ? s.delivered_mg : 0.0));
  if (mg > available + kTolMg) {
    throw ApiError::rule_refused(
        "only " + json(available).dump() + " mg of what the session drew is unaccounted (drawn " +
            json(round6(drawn)).dump() + ", wasted " + json(round6(wasted)).dump() +
            (ended ? ", delivered " + json(s.delivered_mg).dump() : std::string()) + ")",
        r.has("mg") ? "mg" : "ml");
  }
  const std::int64_t now = ctx.services().now_ms();
  const std::int64_t at = chair::event_time(at_ms, "at_ms", now);
  const std::int64_t id =
      tx.query(
            "INSERT INTO stock_movements (lot_id, kind, mg, ml, session_id, witness_user_id, "
            "reason, recorded_by, at_ms) VALUES ($1, 'waste', $2, $3, $4, $5, $6, $7, $8) "
            "RETURNING id",
            {*s.lot_id, mg, ml, s.id, witness_id, reason, ctx.user().user_id, at})
          .front()
          .i64("id");
  return json_response({{"id", id},
                        {"kind", "waste"},
                        {"lot_id", *s.lot_id},
                        {"session_id", s.id},
                        {"mg", mg},
                        {"ml", ml},
                        {"witness_user_id", witness_id},
                        {"reason", reason},
                        {"at", iso8601_ms(at)}},
                       201);
}

Response adjust(RouteContext& ctx) {
  const json body = parse_body(ctx.request());
  app::ObjectReader r(body, "");
  const std::int64_t lot_id = r.integer("lot_id");
  const double mg = r.number("mg");
  const std::string reason = required_text(r, "reason", 2000);
  r.finish();
  if (mg == 0 || std::fabs(mg) > 100000)
    throw kit::InputError("mg", "must be non-zero, |mg| <= 100000");
  storage::Transaction& tx = ctx.tx();
  storage::Row lot = load_lot(tx, lot_id, "lot_id");
  const double balance = lot_balance(tx, lot_id);
  if (balance + mg < -kTolMg) {
    throw ApiError::rule_refused(
        "the lot holds " + json(balance).dump() + " mg; an adjustment cannot make it negative",
        "mg");
  }
  const std::int64_t now = ctx.services().now_ms();
  const std::int64_t id =
      tx.query(
            "INSERT INTO stock_movements (lot_id, kind, mg, ml, reason, recorded_by, at_ms) "
            "VALUES ($1, 'adjust', $2, $3, $4, $5, $6) RETURNING id",
            {lot_id, round6(mg), round6(mg / lot.f64("concentration_mg_per_ml")), reason,
             ctx.user().user_id, now})
          .front()
          .i64("id");
  return json_response({{"id", id},
                        {"kind", "adjust"},
                        {"lot_id", lot_id},
                        {"mg", round6(mg)},
                        {"reason", reason},
                        {"lot_balance_mg", lot_balance(tx, lot_id)},
                        {"at", iso8601_ms(now)}},
                       201);
}

Response reconciliation(RouteContext& ctx) {
  storage::Transaction& tx = ctx.tx();
  const std::int64_t now = ctx.services().now_ms();
  struct Totals {
    double received = 0, adjusted = 0, drawn = 0, wasted = 0;
    double delivered = 0, finished_drawn = 0, finished_wasted = 0, in_progress_drawn = 0;
  };
  std::map<std::int64_t, Totals> lots;
  for (const storage::Row& r : tx.query("SELECT lot_id, kind, COALESCE(SUM(mg), 0) AS mg FROM "
                                        "stock_movements GROUP BY lot_id, kind")) {
    Totals& t = lots[r.i64("lot_id")];
    const std::string k = r.text("kind");
    const double mg = r.f64("mg");
    (k == "receive"  ? t.received
     : k == "adjust" ? t.adjusted
     : k == "draw"   ? t.drawn
                     : t.wasted) += mg;
  }
  // Per session: drawn = delivered + wasted once the infusion has ended.
  json sessions = json::array();
  json discrepancies = json::array();
  for (const storage::Row& r :
       tx.query("SELECT s.id, s.patient_id, s.lot_id, s.state, s.delivered_mg, "
                "COALESCE(SUM(CASE m.kind WHEN 'draw' THEN m.mg ELSE 0 END), 0) AS drawn, "
                "COALESCE(SUM(CASE m.kind WHEN 'waste' THEN m.mg ELSE 0 END), 0) AS wasted "
                "FROM infusion_sessions s LEFT JOIN stock_movements m ON m.session_id = s.id "
                "GROUP BY s.id, s.patient_id, s.lot_id, s.state, s.delivered_mg "
                "HAVING COUNT(m.id) > 0 OR s.delivered_mg > 0 ORDER BY s.id")) {
    const std::string state = r.text("state");
    const bool ended = state == "stopped" || state == "completed";
    const double drawn = round6(r.f64("drawn"));
    const double wasted = round6(r.f64("wasted"));
    const double delivered = round6(r.f64("delivered_mg"));
    const double difference = round6(drawn - delivered - wasted);
    std::string status = "in_progress";
    if (ended) {
      status = std::fabs(difference) <= kTolMg ? "balanced"
               : difference > 0                ? "unaccounted"
                                               : "delivered_more_than_drawn";
    }
    if (auto lot = r.opt_i64("lot_id")) {
      Totals& t = lots[*lot];
      if (ended) {
        t.delivered += delivered;
        t.finished_drawn += drawn;
        t.finished_wasted += wasted;
      } else {
        t.in_progress_drawn += drawn;
      }
    }
    json row = {{"session_id", r.i64("id")},
                {"patient_id", r.i64("patient_id")},
                {"lot_id", r.opt_i64("lot_id") ? json(r.i64("lot_id")) : json(nullptr)},
                {"state", state},
                {"drawn_mg", drawn},
                {"delivered_mg", delivered},
                {"wasted_mg", wasted},
                {"difference_mg", difference},
                {"status", status}};
    sessions.push_back(row);
    if (ended && status != "balanced") {
      json d = row;
      d["message"] = status == "unaccounted"
                         ? json(difference).dump() +
                               " mg drawn for the session is neither "
                               "delivered nor wasted"
                         : json(-difference).dump() + " mg delivered or wasted was never drawn";
      discrepancies.push_back(d);
    }
  }
  json lot_rows = json::array();
  for (const storage::Row& l :
       tx.query(std::string("SELECT ") + kLotColumns + " FROM stock_lots ORDER BY id")) {
    const Totals& t = lots[l.i64("id")];
    const double on_hand = round6(t.received + t.adjusted - t.drawn);
    const double expected =
        round6(t.received + t.adjusted - t.delivered - t.finished_wasted - t.in_progress_drawn);
    const double difference = round6(on_hand - expected);
    json row = {{"lot_id", l.i64("id")},
                {"lot_number", l.text("lot_number")},
                {"drug", l.text("drug")},
                {"expiry_date", l.text("expiry_date")},
                {"expired", l.text("expiry_date") < chair::iso_date(now)},
                {"received_mg", round6(t.received)},
                {"adjusted_mg", round6(t.adjusted)},
                {"drawn_mg", round6(t.drawn)},
                {"wasted_mg", round6(t.wasted)},
                {"delivered_mg", round6(t.delivered)},
                {"in_progress_drawn_mg", round6(t.in_progress_drawn)},
                {"on_hand_mg", on_hand},
                {"expected_on_hand_mg", expected},
                {"difference_mg", difference},
                {"balanced", std::fabs(difference) <= kTolMg}};
    lot_rows.push_back(row);
  }
  return json_response(
      {{"as_of", iso8601_ms(now)},
       {"lots", lot_rows},
       {"sessions", sessions},
       {"discrepancies", discrepancies},
       {"balanced", discrepancies.empty()},
       {"rules",
        {"per lot: on_hand = received + adjusted - drawn; expected_on_hand = received + adjusted "
         "- delivered - wasted (ended sessions) - drawn (sessions still running)",
         "per ended session: drawn = delivered + wasted; any difference is a discrepancy"}}});
}

}  // namespace

void register_stock_routes(Router& router) {
  const Access stock = access_roles({Role::admin, Role::physician, Role::nurse});
  const Access handling = access_roles({Role::physician, Role::nurse});
  router.add({"GET", "/api/v1/stock/lots", "Controlled-substance lots with balances (?active=)",
              "stock", stock, false, list_lots, 200});
  router.add({"POST", "/api/v1/stock/lots", "Receive a lot (records the receive movement)", "stock",
              stock, false, create_lot, 201});
  router.add({"GET", "/api/v1/stock/lots/{id}", "One lot with its balance (ETag)", "stock", stock,
              false, get_lot, 200});
  router.add({"PATCH", "/api/v1/stock/lots/{id}",
              "Edit a lot's notes, supplier or active flag (If-Match); amounts change only "
              "through movements",
              "stock", stock, false, update_lot, 200});
  router.add({"GET", "/api/v1/stock/lots/{id}/ledger",
              "Every movement of a lot with the running balance", "stock", stock, true, ledger,
              200});
  router.add(
      {"POST", "/api/v1/stock/draws",
       "Draw from a lot for a session (422: more than the lot holds, expired or retired lot)",
       "stock", handling, true, draw, 201});
  router.add({"POST", "/api/v1/stock/wastes",
              "Waste a session's unused remainder with a second staff member as witness "
              "(witness_user_id + witness_password)",
              "stock", handling, true, waste, 201});
  router.add({"POST", "/api/v1/stock/adjustments",
              "Correct a lot's balance with a reason (count, breakage, return)", "stock",
              access_roles({Role::admin, Role::physician}), false, adjust, 201});
  router.add({"GET", "/api/v1/stock/reconciliation",
              "Per lot and per session balances and the list of discrepancies", "stock", stock,
              true, reconciliation, 200});
}

}  // namespace kit::server
