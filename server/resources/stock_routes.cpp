// Controlled-substance stock (ketamine, Schedule III): lots by lot number and expiry, draws tied
// to an infusion session, witnessed wastes, a running balance per lot and the reconciliation
// report. Rules: docs/api-chair.md. Each route parses the request, asks the stock store
// (storage/stores/stock_store.h) and shapes the answer. The store counts whole micrograms; this
// file converts at the edge, because the API speaks mg (up to 3 decimals).
#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "contract/json_reader.h"
#include "core/common/error.h"
#include "server/api/api_error.h"
#include "server/api/auth.h"
#include "server/api/services.h"
#include "server/resources/chair_common.h"
#include "server/resources/infusion_common.h"
#include "server/resources/journey_common.h"
#include "server/resources/modules.h"
#include "storage/stores/stock_store.h"

namespace kit::server {

namespace {

using nlohmann::json;
using storage::StockStore;

constexpr double kMcgPerMg = 1000.0;
constexpr double kMaxAmountMg = 100000;
// A JSON number is a double (35.7 arrives as 35.700000000000003), so an amount within this many
// micrograms of a whole number is that whole number. Far above double rounding (about 1e-8 mcg at
// the largest amount), far below the 1 mcg the ledger counts.
constexpr double kWholeMcgTolerance = 1e-6;

double round6(double v) { return std::round(v * 1e6) / 1e6; }

double mg_of(std::int64_t mcg) { return static_cast<double>(mcg) / kMcgPerMg; }

// A non-zero amount in micrograms as a whole number, or InputError naming `field`.
std::int64_t whole_mcg(const std::string& field, double mcg, const std::string& what) {
  if (std::fabs(mcg) < 1.0 - kWholeMcgTolerance) {
    throw kit::InputError(field, what + " is less than 1 microgram (0.001 mg), the ledger's unit");
  }
  const double whole = std::round(mcg);
  if (std::fabs(mcg - whole) > kWholeMcgTolerance) {
    throw kit::InputError(field, what +
                                     " is not a whole number of micrograms (give mg with at "
                                     "most 3 decimals)");
  }
  return static_cast<std::int64_t>(whole);
}

std::string required_text(contract::ObjectReader& r, const char* key, std::size_t max) {
  auto t = chair::optional_text(r.optional_string(key), key, max);
  if (!t) throw kit::InputError(key, "is required");
  return *t;
}

json opt_json(const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); }

// `today`: the clinic-local date; a lot is usable through its expiry date.
json lot_json(const storage::StockLot& lot, std::int64_t balance_mcg, const std::string& today) {
  return {{"id", lot.id},
          {"drug", lot.drug},
          {"concentration_mg_per_ml", lot.concentration_mg_per_ml},
          {"vial_volume_ml", lot.vial_volume_ml},
          {"vial_mg", mg_of(lot.vial_mcg)},
          {"lot_number", lot.lot_number},
          {"expiry_date", lot.expiry_date},
          {"expired", lot.expiry_date < today},
          {"vials_received", lot.vials_received},
          {"received_mg", mg_of(lot.received_mcg())},
          {"balance_mg", mg_of(balance_mcg)},
          {"balance_ml", round6(mg_of(balance_mcg) / lot.concentration_mg_per_ml)},
          {"supplier", lot.supplier},
          {"notes", lot.notes},
          {"active", lot.active},
          {"created_by", lot.created_by},
          {"created_at", iso8601_ms(lot.created_at_ms)},
          {"updated_at", iso8601_ms(lot.updated_at_ms)},
          {"version", lot.version}};
}

// The lot, or 404; with `field`, a missing lot is the request's fault (400 naming it).
storage::StockLot lot_or_error(StockStore& store, std::int64_t id, const std::string& field = "") {
  auto lot = store.find_lot(id);
  if (!lot) {
    if (!field.empty()) throw ApiError::bad_request(field, "no such lot");
    throw ApiError::not_found("lot");
  }
  return *lot;
}

Response lot_response(RouteContext& ctx, std::int64_t id, int status = 200) {
  StockStore store(ctx.tx());
  const storage::StockLot lot = lot_or_error(store, id);
  return json_response_with_etag(
      lot_json(lot, store.lot_balance_mcg(id),
               infusion_routes::local_date(ctx.tx(), std::nullopt, ctx.services().now_ms())),
      lot.version, status);
}

// The session a draw or waste names (400 if none), recorded as the request's patient.
storage::SessionForDraw session_or_error(RouteContext& ctx, StockStore& store, std::int64_t id) {
  auto s = store.session_for_draw(id);
  if (!s) throw ApiError::bad_request("session_id", "no such session");
  ctx.set_patient(s->patient_id);
  return *s;
}

struct Amount {
  std::int64_t mcg = 0;
  double volume_ml = 0;
  std::string field;  // "mg" or "ml": the one given, named when a rule refuses the amount
};

// Exactly one of mg or ml, as whole micrograms and the volume at the lot's concentration.
Amount amount(contract::ObjectReader& r, double concentration_mg_per_ml) {
  auto mg = r.optional_number("mg");
  auto ml = r.optional_number("ml");
  if (mg.has_value() == ml.has_value()) throw kit::InputError("mg", "give exactly one of mg or ml");
  if (mg) {
    if (!(*mg > 0) || *mg > kMaxAmountMg) throw kit::InputError("mg", "must be > 0 and <= 100000");
    const std::int64_t mcg = whole_mcg("mg", *mg * kMcgPerMg, "the amount");
    return {mcg, round6(mg_of(mcg) / concentration_mg_per_ml), "mg"};
  }
  if (!(*ml > 0) || *ml > kMaxAmountMg) throw kit::InputError("ml", "must be > 0 and <= 100000");
  const std::int64_t mcg = whole_mcg(
      "ml", *ml * concentration_mg_per_ml * kMcgPerMg,
      json(*ml).dump() + " mL at the lot's " + json(concentration_mg_per_ml).dump() + " mg/mL");
  return {mcg, *ml, "ml"};
}

Response list_lots(RouteContext& ctx) {
  std::optional<bool> active;
  if (auto it = ctx.request().query.find("active"); it != ctx.request().query.end()) {
    if (it->second != "true" && it->second != "false") {
      throw kit::InputError("active", "must be true or false");
    }
    active = it->second == "true";
  }
  StockStore store(ctx.tx());
  json out = json::array();
  const std::string today =
      infusion_routes::local_date(ctx.tx(), std::nullopt, ctx.services().now_ms());
  for (const storage::StockLot& lot : store.list_lots(active)) {
    out.push_back(lot_json(lot, store.lot_balance_mcg(lot.id), today));
  }
  return json_response(out);
}

Response create_lot(RouteContext& ctx) {
  const json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  storage::NewStockLot lot;
  lot.drug = chair::optional_text(r.optional_string("drug"), "drug", 64).value_or("ketamine");
  lot.concentration_mg_per_ml = r.number("concentration_mg_per_ml");
  lot.vial_volume_ml = r.number("vial_volume_ml");
  lot.lot_number = journey::require_one_line(required_text(r, "lot_number", 64), "lot_number");
  lot.expiry_date = chair::require_date("expiry_date", r.string("expiry_date"));
  const long long vials = r.integer("vials_received");
  lot.supplier = chair::optional_text(r.optional_string("supplier"), "supplier", 200).value_or("");
  lot.notes = chair::optional_text(r.optional_string("notes"), "notes").value_or("");
  r.finish();
  // Vial strengths: ketamine is sold as 10, 50 and 100 mg/mL (openFDA,
  // docs/clinical-rules/dosing.md).
  if (!(lot.concentration_mg_per_ml > 0 && lot.concentration_mg_per_ml <= 100)) {
    throw kit::InputError("concentration_mg_per_ml", "must be > 0 and <= 100");
  }
  if (!(lot.vial_volume_ml > 0 && lot.vial_volume_ml <= 1000)) {
    throw kit::InputError("vial_volume_ml", "must be > 0 and <= 1000");
  }
  if (vials < 1 || vials > 100000) throw kit::InputError("vials_received", "must be 1 to 100000");
  lot.vials_received = vials;
  lot.vial_mcg =
      whole_mcg("vial_volume_ml", lot.concentration_mg_per_ml * lot.vial_volume_ml * kMcgPerMg,
                "a vial's content (concentration_mg_per_ml x vial_volume_ml)");
  lot.received_by = ctx.user().user_id;
  lot.at_ms = ctx.services().now_ms();
  StockStore store(ctx.tx());
  if (store.lot_number_taken(lot.drug, lot.lot_number)) {
    throw ApiError::conflict("lot " + lot.lot_number + " of " + lot.drug + " is already recorded",
                             "lot_number");
  }
  return lot_response(ctx, store.receive_lot(lot), 201);
}

Response get_lot(RouteContext& ctx) { return lot_response(ctx, ctx.id_param("id")); }

Response update_lot(RouteContext& ctx) {
  const std::int64_t id = ctx.id_param("id");
  StockStore store(ctx.tx());
  const storage::StockLot lot = lot_or_error(store, id);
  ctx.require_if_match(lot.version);
  const json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  storage::StockLotEdit edit;
  edit.active = r.optional_boolean("active").value_or(lot.active);
  edit.notes = r.has("notes")
                   ? chair::optional_text(r.optional_string("notes"), "notes").value_or("")
                   : lot.notes;
  edit.supplier =
      r.has("supplier")
          ? chair::optional_text(r.optional_string("supplier"), "supplier", 200).value_or("")
          : lot.supplier;
  r.finish();
  if (!store.edit_lot(id, lot.version, edit, ctx.services().now_ms())) {
    throw ApiError::precondition_failed();
  }
  return lot_response(ctx, id);
}

Response ledger(RouteContext& ctx) {
  const std::int64_t id = ctx.id_param("id");
  StockStore store(ctx.tx());
  const storage::StockLot lot = lot_or_error(store, id);
  std::int64_t balance_mcg = 0;
  json rows = json::array();
  std::set<std::int64_t> sessions;
  for (const storage::StockMovement& m : store.ledger(id)) {
    if (m.session_id) sessions.insert(*m.session_id);
    balance_mcg += m.balance_change_mcg();
    rows.push_back({{"id", m.id},
                    {"kind", storage::movement_kind_name(m.kind)},
                    {"mg", mg_of(m.amount_mcg)},
                    {"ml", m.volume_ml},
                    {"balance_change_mg", mg_of(m.balance_change_mcg())},
                    {"balance_mg", mg_of(balance_mcg)},
                    {"session_id", opt_json(m.session_id)},
                    {"witness_user_id", opt_json(m.witness_user_id)},
                    {"reason", m.reason},
                    {"recorded_by", m.recorded_by},
                    {"at", iso8601_ms(m.at_ms)}});
  }
  // A draw or waste names its session: the ledger is in the access log of each session's patient.
  for (const std::int64_t session_id : sessions) {
    if (const auto s = store.session_for_draw(session_id)) ctx.add_listed_patient(s->patient_id);
  }
  return json_response({{"lot", lot_json(lot, balance_mcg,
                                         infusion_routes::local_date(ctx.tx(), std::nullopt,
                                                                     ctx.services().now_ms()))},
                        {"movements", rows},
                        {"balance_mg", mg_of(balance_mcg)},
                        {"rule",
                         "balance = received + adjustments - draws; a waste disposes of part of "
                         "what a session drew and leaves the balance unchanged"}});
}

Response draw(RouteContext& ctx) {
  const json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  const std::int64_t session_id = r.integer("session_id");
  const auto lot_given = r.optional_integer("lot_id");
  StockStore store(ctx.tx());
  const storage::SessionForDraw s = session_or_error(ctx, store, session_id);
  if (s.ended()) {
    throw ApiError::rule_refused(
        "the session's infusion has ended (" + s.state + "); no more draws", "session_id");
  }
  // The session's lot: that of its draws, else the one named when it was planned.
  const storage::SessionStock drawn = store.session_stock(s.id);
  const std::optional<std::int64_t> session_lot = drawn.lot_id ? drawn.lot_id : s.planned_lot_id;
  if (!lot_given && !session_lot) {
    throw kit::InputError("lot_id", "is required (the session has no lot yet)");
  }
  const std::int64_t lot_id = lot_given ? static_cast<std::int64_t>(*lot_given) : *session_lot;
  if (session_lot && *session_lot != lot_id) {
    throw ApiError::rule_refused(
        "the session uses lot " + std::to_string(*session_lot) + "; one session draws from one lot",
        "lot_id");
  }
  const storage::StockLot lot = lot_or_error(store, lot_id, "lot_id");
  const Amount a = amount(r, lot.concentration_mg_per_ml);
  const auto at_ms = r.optional_integer("at_ms");
  r.finish();
  const std::int64_t at = chair::event_time(at_ms, "at_ms", ctx.services().now_ms());
  if (!lot.active) throw ApiError::rule_refused("the lot is retired", "lot_id");
  if (lot.expiry_date < infusion_routes::local_date(ctx.tx(), std::nullopt, at)) {
    throw ApiError::rule_refused("lot " + lot.lot_number + " expired on " + lot.expiry_date,
                                 "lot_id");
  }
  // Only ketamine goes into a ketamine session: a lot of another drug is not this session's.
  std::string drug = lot.drug;
  std::transform(drug.begin(), drug.end(), drug.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (drug.find("ketamine") == std::string::npos) {
    throw ApiError::rule_refused("lot " + lot.lot_number + " is " + lot.drug +
                                     ", not ketamine: it cannot be drawn for an "
                                     "infusion session",
                                 "lot_id");
  }
  // A session draws what its plan needs: the planned dose plus at most one vial (whole vials are
  // drawn and the rest is wasted with a witness). More is not a dose, and would leave the
  // controlled-substance count looking balanced while drug left the cabinet (clinic policy).
  const std::int64_t limit_mcg = s.planned_dose_mcg + lot.vial_mcg;
  if (drawn.drawn_mcg + a.mcg > limit_mcg) {
    throw ApiError::rule_refused("the session's plan is " + json(mg_of(s.planned_dose_mcg)).dump() +
                                     " mg: at most " + json(mg_of(limit_mcg)).dump() +
                                     " mg may be drawn for it (the plan plus one vial); " +
                                     json(mg_of(drawn.drawn_mcg)).dump() + " mg drawn already",
                                 a.field);
  }
  const std::int64_t balance_mcg = store.lot_balance_mcg(lot_id);
  if (a.mcg > balance_mcg) {
    throw ApiError::rule_refused("the lot holds " + json(mg_of(balance_mcg)).dump() +
                                     " mg; cannot draw " + json(mg_of(a.mcg)).dump() + " mg",
                                 a.field);
  }
  store.assign_session_lot(s.id, lot_id);
  const std::int64_t id = store.record_draw(
      {lot_id, a.mcg, a.volume_ml, s.id, std::nullopt, "", ctx.user().user_id, at});
  return json_response({{"id", id},
                        {"kind", "draw"},
                        {"lot_id", lot_id},
                        {"session_id", s.id},
                        {"mg", mg_of(a.mcg)},
                        {"ml", a.volume_ml},
                        {"lot_balance_mg", mg_of(store.lot_balance_mcg(lot_id))},
                        {"at", iso8601_ms(at)}},
                       201);
}

Response waste(RouteContext& ctx) {
  const json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  const std::int64_t session_id = r.integer("session_id");
  const std::int64_t witness_id = r.integer("witness_user_id");
  const std::string witness_password = r.string("witness_password");
  const std::string reason =
      chair::optional_text(r.optional_string("reason"), "reason").value_or("unused remainder");
  // The witness first, before this request's transaction opens: the password hash must never be
  // computed while holding the database's write lock (it stalled every other user).
  verify_witness(ctx.services(), witness_id, ctx.user().user_id, witness_password);
  StockStore store(ctx.tx());
  const storage::SessionForDraw s = session_or_error(ctx, store, session_id);
  const storage::SessionStock stock = store.session_stock(s.id);
  if (!stock.lot_id) {
    throw ApiError::rule_refused("the session has drawn nothing to waste", "session_id");
  }
  const storage::StockLot lot = lot_or_error(store, *stock.lot_id);
  const Amount a = amount(r, lot.concentration_mg_per_ml);
  const auto at_ms = r.optional_integer("at_ms");
  r.finish();

  const std::int64_t delivered_mcg = s.ended() ? s.delivered_mcg : 0;
  const std::int64_t available_mcg = stock.drawn_mcg - stock.wasted_mcg - delivered_mcg;
  if (a.mcg > available_mcg) {
    throw ApiError::rule_refused(
        "only " + json(mg_of(available_mcg)).dump() +
            " mg of what the session drew is unaccounted (drawn " +
            json(mg_of(stock.drawn_mcg)).dump() + ", wasted " +
            json(mg_of(stock.wasted_mcg)).dump() +
            (s.ended() ? ", delivered " + json(mg_of(delivered_mcg)).dump() : std::string()) + ")",
        a.field);
  }
  const std::int64_t at = chair::event_time(at_ms, "at_ms", ctx.services().now_ms());
  const std::int64_t id = store.record_waste(
      {*stock.lot_id, a.mcg, a.volume_ml, s.id, witness_id, reason, ctx.user().user_id, at});
  return json_response({{"id", id},
                        {"kind", "waste"},
                        {"lot_id", *stock.lot_id},
                        {"session_id", s.id},
                        {"mg", mg_of(a.mcg)},
                        {"ml", a.volume_ml},
                        {"witness_user_id", witness_id},
                        {"reason", reason},
                        {"at", iso8601_ms(at)}},
                       201);
}

Response adjust(RouteContext& ctx) {
  const json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  const std::int64_t lot_id = r.integer("lot_id");
  const double mg = r.number("mg");
  const std::string reason = required_text(r, "reason", 2000);
  r.finish();
  if (mg == 0 || !(std::fabs(mg) <= kMaxAmountMg)) {
    throw kit::InputError("mg", "must be non-zero, |mg| <= 100000");
  }
  const std::int64_t mcg = whole_mcg("mg", mg * kMcgPerMg, "the adjustment");
  StockStore store(ctx.tx());
  const storage::StockLot lot = lot_or_error(store, lot_id, "lot_id");
  const std::int64_t balance_mcg = store.lot_balance_mcg(lot_id);
  if (balance_mcg + mcg < 0) {
    throw ApiError::rule_refused("the lot holds " + json(mg_of(balance_mcg)).dump() +
                                     " mg; an adjustment cannot make it negative",
                                 "mg");
  }
  const std::int64_t now = ctx.services().now_ms();
  const std::int64_t id =
      store.record_adjustment({lot_id, mcg, round6(mg_of(mcg) / lot.concentration_mg_per_ml),
                               std::nullopt, std::nullopt, reason, ctx.user().user_id, now});
  return json_response({{"id", id},
                        {"kind", "adjust"},
                        {"lot_id", lot_id},
                        {"mg", mg_of(mcg)},
                        {"reason", reason},
                        {"lot_balance_mg", mg_of(store.lot_balance_mcg(lot_id))},
                        {"at", iso8601_ms(now)}},
                       201);
}

Response reconciliation(RouteContext& ctx) {
  StockStore store(ctx.tx());
  const std::int64_t now = ctx.services().now_ms();
  struct Totals {
    storage::LotTotals ledger;
    std::int64_t delivered_mcg = 0, finished_wasted_mcg = 0, in_progress_drawn_mcg = 0;
  };
  std::map<std::int64_t, Totals> lots;
  for (const storage::LotTotals& t : store.lot_totals()) lots[t.lot_id].ledger = t;

  // Per session: drawn = delivered + wasted once the infusion has ended.
  json sessions = json::array();
  json discrepancies = json::array();
  for (const storage::SessionReconciliationRow& r : store.session_reconciliation_rows()) {
    const bool ended = r.session.ended();
    const std::int64_t delivered_mcg = r.session.delivered_mcg;
    const std::int64_t difference_mcg = r.drawn_mcg - delivered_mcg - r.wasted_mcg;
    std::string status = "in_progress";
    // Drug drawn for a session that never started, hours after it was planned, is a discrepancy
    // now, not only once the session ends (which it may never do): clinic policy, 4 hours.
    constexpr std::int64_t kUnstartedDrawMs = 4 * 3'600'000;
    const bool stale = r.session.state == "planned" && r.drawn_mcg > r.wasted_mcg &&
                       now - r.session.created_at_ms > kUnstartedDrawMs;
    if (stale) status = "drawn_for_an_unstarted_session";
    if (ended) {
      status = difference_mcg == 0  ? "balanced"
               : difference_mcg > 0 ? "unaccounted"
                                    : "delivered_more_than_drawn";
    }
    if (r.lot_id) {
      Totals& t = lots[*r.lot_id];
      if (ended) {
        t.delivered_mcg += delivered_mcg;
        t.finished_wasted_mcg += r.wasted_mcg;
      } else {
        t.in_progress_drawn_mcg += r.drawn_mcg;
      }
    }
    ctx.add_listed_patient(r.session.patient_id);  // in each listed patient's access log
    json row = {{"session_id", r.session.id},
                {"patient_id", r.session.patient_id},
                {"lot_id", opt_json(r.lot_id)},
                {"state", r.session.state},
                {"drawn_mg", mg_of(r.drawn_mcg)},
                {"delivered_mg", mg_of(delivered_mcg)},
                {"wasted_mg", mg_of(r.wasted_mcg)},
                {"difference_mg", mg_of(difference_mcg)},
                {"status", status}};
    sessions.push_back(row);
    if (stale) {
      json d = row;
      d["message"] = json(mg_of(r.drawn_mcg - r.wasted_mcg)).dump() +
                     " mg drawn for a session planned more than 4 hours ago that never started: "
                     "give it, or waste it with a witness and void the plan";
      discrepancies.push_back(d);
    }
    if (ended && status != "balanced") {
      json d = row;
      d["message"] =
          status == "unaccounted"
              ? json(mg_of(difference_mcg)).dump() +
                    " mg drawn for the session is neither delivered nor wasted"
              : json(mg_of(-difference_mcg)).dump() + " mg delivered or wasted was never drawn";
      discrepancies.push_back(d);
    }
  }
  json lot_rows = json::array();
  for (const storage::StockLot& lot : store.list_lots()) {
    const Totals& t = lots[lot.id];
    const storage::LotTotals& l = t.ledger;
    const std::int64_t on_hand_mcg = l.received_mcg + l.adjusted_mcg - l.drawn_mcg;
    const std::int64_t expected_mcg = l.received_mcg + l.adjusted_mcg - t.delivered_mcg -
                                      t.finished_wasted_mcg - t.in_progress_drawn_mcg;
    lot_rows.push_back(
        {{"lot_id", lot.id},
         {"lot_number", lot.lot_number},
         {"drug", lot.drug},
         {"expiry_date", lot.expiry_date},
         {"expired", lot.expiry_date < infusion_routes::local_date(ctx.tx(), std::nullopt, now)},
         {"received_mg", mg_of(l.received_mcg)},
         {"adjusted_mg", mg_of(l.adjusted_mcg)},
         {"drawn_mg", mg_of(l.drawn_mcg)},
         {"wasted_mg", mg_of(l.wasted_mcg)},
         {"delivered_mg", mg_of(t.delivered_mcg)},
         {"in_progress_drawn_mg", mg_of(t.in_progress_drawn_mcg)},
         {"on_hand_mg", mg_of(on_hand_mcg)},
         {"expected_on_hand_mg", mg_of(expected_mcg)},
         {"difference_mg", mg_of(on_hand_mcg - expected_mcg)},
         {"balanced", on_hand_mcg == expected_mcg}});
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
         "per ended session: drawn = delivered + wasted; any difference is a discrepancy",
         "a session still planned 4 hours after planning, with drug drawn and not wasted, is a "
         "discrepancy (policy)",
         "a session draws at most its planned dose plus one vial, of a ketamine lot",
         "amounts are whole micrograms, compared exactly; the pump's delivered dose is counted "
         "to the nearest microgram"}}});
}

}  // namespace

void register_stock_routes(Router& router) {
  const Access stock = access_roles({Role::admin, Role::physician, Role::nurse});
  const Access handling = access_roles({Role::physician, Role::nurse});
  router.add({"GET", "/api/v1/stock/lots", "Controlled-substance lots with balances (?active=)",
              "stock", stock, false, list_lots, 200});
  router.add({"POST", "/api/v1/stock/lots", "Receive a lot (records the receive movement)", "stock",
              stock, false, create_lot, 201, /*audited=*/true});
  router.add({"GET", "/api/v1/stock/lots/{id}", "One lot with its balance (ETag)", "stock", stock,
              false, get_lot, 200});
  router.add({"PATCH", "/api/v1/stock/lots/{id}",
              "Edit a lot's notes, supplier or active flag (If-Match); amounts change only "
              "through movements",
              "stock", stock, false, update_lot, 200, /*audited=*/true});
  router.add({"GET", "/api/v1/stock/lots/{id}/ledger",
              "Every movement of a lot with the running balance", "stock", stock, true, ledger,
              200});
  router.add(
      {"POST", "/api/v1/stock/draws",
       "Draw from a lot for a session, in mg (up to 3 decimals) or mL (422: more than the lot "
       "holds, expired or retired lot)",
       "stock", handling, true, draw, 201});
  router.add({"POST", "/api/v1/stock/wastes",
              "Waste a session's unused remainder with a second staff member as witness "
              "(witness_user_id + witness_password)",
              "stock", handling, true, waste, 201});
  router.add({"POST", "/api/v1/stock/adjustments",
              "Correct a lot's balance with a reason (count, breakage, return)", "stock",
              access_roles({Role::admin, Role::physician}), false, adjust, 201,
              /*audited=*/true});
  router.add({"GET", "/api/v1/stock/reconciliation",
              "Per lot and per session balances and the list of discrepancies", "stock", stock,
              true, reconciliation, 200});
}

}  // namespace kit::server
