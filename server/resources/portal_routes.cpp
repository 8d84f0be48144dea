// The patient portal (docs/web-portal.md, ADR 0024): invitations that open a patient's portal
// account, the questionnaire wording shown to patients, questionnaire drafts (save and resume),
// each patient's portal language, and what the portal shows of the clinic.
//
// Invitations. Staff (front desk, physician, admin) invite a patient: 32 random bytes, given to
// the staff member once in a link (/invite?token=...), stored only as their SHA-256, usable until
// invitation_ttl_hours (default 72 h, policy) and once; a new invitation revokes the patient's
// pending one. The link's holder sets the account's password (the server's password rules),
// which creates the patient's account or, if it exists, replaces its password and ends its
// logins. No password is ever sent to the patient. Acceptance is counted like a login (per remote
// address, login_max_failures then login_lock_minutes) before anything is checked. The token is in
// the URL path, so the access log writes these paths with the token replaced (loggable_path).
#include <nlohmann/json.hpp>

#include "contract/json_reader.h"
#include "core/common/error.h"
#include "core/instruments/instrument.h"
#include "server/api/api_error.h"
#include "server/api/auth.h"
#include "server/api/services.h"
#include "server/resources/modules.h"
#include "server/resources/portal.h"
#include "server/resources/questionnaire_text.h"
#include "storage/stores/account_store.h"
#include "storage/stores/patient_store.h"
#include "storage/stores/portal_store.h"

namespace kit::server {

namespace {

using nlohmann::json;
using storage::PortalStore;

constexpr const char* kInvitationsPrefix = "/api/v1/invitations/";
// Instruments a patient may fill in through the portal: the self-report ones whose wording KIT
// ships or the clinic configured (assessment_routes.cpp takes the same self-report set).
bool portal_instrument(std::string_view id) {
  return id == "phq9" || id == "gad7" || id == "pcl5" || id == "nrs" || id == "bpi" ||
         id == "qids_sr16";
}

const ApiError& invalid_invitation() {
  static const ApiError e(ErrorKind::not_found,
                          "this invitation link is not valid: it may have expired, been used or "
                          "been replaced by a newer one; ask the clinic for a new invitation",
                          "token", "invitation_invalid");
  return e;
}

std::string clinic_name(RouteContext& ctx) {
  const std::string& configured = ctx.services().config().clinic_name;
  if (!configured.empty()) return configured;
  const storage::Rows rows =
      ctx.tx().query("SELECT name FROM clinics ORDER BY id LIMIT 1", std::vector<storage::Value>{});
  return rows.empty() ? std::string("the clinic") : rows.front().text("name");
}

json invitation_json(const storage::Invitation& i, std::int64_t now_ms) {
  std::string state = i.status;
  if (i.status == "pending" && !i.usable_at(now_ms)) state = "expired";
  return {{"id", i.id},
          {"patient_id", i.patient_id},
          {"created_by", i.created_by},
          {"created_at", iso8601_ms(i.created_at_ms)},
          {"expires_at", iso8601_ms(i.expires_at_ms)},
          {"status", state},
          {"ended_at", i.ended_at_ms ? json(iso8601_ms(*i.ended_at_ms)) : json(nullptr)},
          {"user_id", i.user_id ? json(*i.user_id) : json(nullptr)}};
}

json optional_body(const Request& req) {
  if (req.body.empty()) return json::object();
  return parse_body(req);
}

// ---- Invitations (staff) ----------------------------------------------------------------------

Response create_invitation(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.set_patient(patient_id);
  const json body = optional_body(ctx.request());
  contract::ObjectReader r(body, "");
  r.finish();
  storage::Transaction& tx = ctx.tx();
  if (!storage::PatientStore(tx).find(patient_id)) throw ApiError::not_found("patient");
  PortalStore portal(tx);
  std::optional<storage::User> account;
  if (const auto user_id = portal.account_of_patient(patient_id)) {
    account = storage::AccountStore(tx).find_user(*user_id);
  }
  if (account && account->disabled) {
    throw ApiError::conflict(
        "this patient's portal account was disabled by an administrator: an administrator "
        "enables it again first (PATCH /api/v1/users/{id})",
        "id");
  }
  const std::int64_t now = ctx.services().now_ms();
  const std::string token = random_token(32);
  storage::NewInvitation n;
  n.patient_id = patient_id;
  n.token_hash = sha256_hex(token);
  n.created_by = ctx.user().user_id;
  n.at_ms = now;
  n.expires_at_ms =
      now + static_cast<std::int64_t>(ctx.services().config().invitation_ttl_hours) * 3'600'000;
  std::int64_t revoked = 0;
  const std::int64_t id = portal.create_invitation(n, &revoked);
  json out = invitation_json(*portal.find_invitation(id), now);
  out["token"] = token;
  out["link"] = "/invite?token=" + token;
  out["revoked_previous"] = revoked;
  out["account_exists"] = account.has_value();
  return json_response(out, 201);
}

Response list_invitations(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.set_patient(patient_id);
  if (!storage::PatientStore(ctx.tx()).find(patient_id)) throw ApiError::not_found("patient");
  const std::int64_t now = ctx.services().now_ms();
  const storage::Rows rows = ctx.tx().query(
      "SELECT id FROM portal_invitations WHERE patient_id = $1 ORDER BY id DESC", {patient_id});
  json out = json::array();
  PortalStore portal(ctx.tx());
  for (const storage::Row& row : rows) {
    out.push_back(invitation_json(*portal.find_invitation(row.i64("id")), now));
  }
  return json_response(out);
}

// ---- Invitations (the link's holder, anonymous) -------------------------------------------------

// The invitation a token names, usable now; the audit row names its patient.
storage::Invitation usable_invitation(RouteContext& ctx, const std::string& token) {
  if (token.empty() || token.size() > 128) throw invalid_invitation();
  const auto found = PortalStore(ctx.tx()).invitation_by_token_hash(sha256_hex(token));
  if (!found) throw invalid_invitation();
  ctx.set_patient(found->patient_id);
  if (!found->usable_at(ctx.services().now_ms())) throw invalid_invitation();
  return *found;
}

Response get_invitation(RouteContext& ctx) {
  const storage::Invitation inv = usable_invitation(ctx, ctx.param("token"));
  std::optional<std::string> username;
  if (const auto user_id = PortalStore(ctx.tx()).account_of_patient(inv.patient_id)) {
    if (const auto user = storage::AccountStore(ctx.tx()).find_user(*user_id)) {
      username = user->username;
    }
  }
  return json_response({{"valid", true},
                        {"clinic_name", clinic_name(ctx)},
                        {"expires_at", iso8601_ms(inv.expires_at_ms)},
                        {"username", username ? json(*username) : json(nullptr)}});
}

// Counted before anything is checked, under "invitation:<remote address>" (usernames never hold
// ':'), in a transaction of its own: parallel guesses each take a number. Throws 429 when locked.
void count_invitation_attempt(Services& services, const std::string& key) {
  const ServerConfig& cfg = services.config();
  const std::int64_t now = services.now_ms();
  const std::int64_t window = static_cast<std::int64_t>(cfg.login_lock_minutes) * 60'000;
  bool locked = false;
  storage::with_transaction(services.db(), [&](storage::Transaction& tx) {
    storage::AccountStore accounts(tx);
    accounts.forget_stale_throttles(now - window, now);
    const auto counted = accounts.count_failed_login(key, now, now - window);
    if (!counted) {
      locked = true;
    } else if (*counted > cfg.login_max_failures) {
      accounts.lock_username(key, now + window, now);
      locked = true;
    }
  });
  if (locked) {
    throw ApiError(ErrorKind::rate_limited,
                   "too many attempts with invitation links from this address: try again in " +
                       std::to_string(cfg.login_lock_minutes) + " minutes",
                   "token", "locked");
  }
}

Response accept_invitation(RouteContext& ctx) {
  const std::string token = ctx.param("token");
  const json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  const std::optional<std::string> username = r.optional_string("username");
  const std::string password = r.string("password");
  r.finish();
  // The caller's own input first: a too-short password costs no attempt.
  check_new_password("password", password);
  if (username) check_username("username", *username);
  Services& services = ctx.services();
  const std::string key = "invitation:" + ctx.request().remote_address;
  count_invitation_attempt(services, key);
  // Only a usable link may cost an Argon2id hash (tens of MB each): it is looked up first, in a
  // short transaction of its own. Hashing never holds the write lock; the request's transaction
  // opens after it and checks the link again (accept_invitation is conditional: one use wins).
  if (token.empty() || token.size() > 128) throw invalid_invitation();
  const auto early = storage::with_transaction(services.db(), [&](storage::Transaction& tx) {
    return PortalStore(tx).invitation_by_token_hash(sha256_hex(token));
  });
  if (early) ctx.set_patient(early->patient_id);
  if (!early || !early->usable_at(services.now_ms())) throw invalid_invitation();
  const std::string hash = hash_password(password);
  const storage::Invitation inv = usable_invitation(ctx, token);
  storage::Transaction& tx = ctx.tx();
  storage::AccountStore accounts(tx);
  PortalStore portal(tx);
  const std::int64_t now = services.now_ms();
  std::int64_t user_id = 0;
  std::string name;
  if (const auto existing = portal.account_of_patient(inv.patient_id)) {
    const auto user = accounts.find_user(*existing);
    if (!user) throw invalid_invitation();
    if (user->disabled) {
      throw ApiError::conflict(
          "this portal account was disabled by the clinic: ask the clinic to enable it");
    }
    if (username && *username != user->username) {
      throw kit::InputError("username", "this invitation is for the existing account '" +
                                            user->username +
                                            "': leave the username out or give that one");
    }
    user_id = user->id;
    name = user->username;
    accounts.set_password_hash(user_id, hash, now);
    accounts.end_user_logins(user_id);
    accounts.clear_throttle(name);
  } else {
    if (!username) {
      throw kit::InputError("username", "choose a username for your portal account");
    }
    if (accounts.username_taken(*username)) {
      throw ApiError::conflict("this username is taken: choose another", "username");
    }
    storage::NewUser u;
    u.username = *username;
    u.password_hash = hash;
    u.role = "patient";
    u.patient_id = inv.patient_id;
    u.at_ms = now;
    user_id = accounts.create_user(u);
    name = *username;
  }
  if (!portal.accept_invitation(inv.id, user_id, now)) throw invalid_invitation();
  accounts.clear_throttle(key);
  return json_response({{"accepted", true}, {"username", name}});
}

// ---- Questionnaire wording --------------------------------------------------------------------

Response list_questionnaires(RouteContext& ctx) {
  std::map<std::string, json> by_instrument;
  for (const json& t : questionnaire_texts(ctx.services().config())) {
    const std::string id = t.at("instrument").get<std::string>();
    json& entry = by_instrument[id];
    if (entry.is_null()) entry = {{"instrument", id}, {"languages", json::array()}};
    entry["languages"].push_back(t.at("language"));
    if (t.at("language") == "en" || !entry.contains("title")) entry["title"] = t.at("title");
  }
  json out = json::array();
  for (auto& [_, entry] : by_instrument) out.push_back(std::move(entry));
  return json_response(out);
}

Response get_questionnaire(RouteContext& ctx) {
  const std::string instrument = ctx.param("instrument");
  const std::optional<std::string> language =
      ctx.request().query.count("language")
          ? std::optional<std::string>(ctx.request().query.at("language"))
          : std::nullopt;
  const std::string wanted = language.value_or("en");
  if (!is_portal_language(wanted)) throw kit::InputError("language", "must be en or es");
  if (!instruments::find_instrument(instrument)) throw ApiError::not_found("instrument");
  std::optional<json> text = questionnaire_text(ctx.services().config(), instrument, wanted);
  if (!text) {
    throw ApiError(ErrorKind::not_found,
                   instrument +
                       ": KIT ships no wording it may show for this instrument and the clinic has "
                       "configured none (questionnaire_texts_file)",
                   "instrument", "no_wording");
  }
  json out = *text;
  out["requested_language"] = wanted;
  out["translated"] = out.at("language") == wanted;
  return json_response(out);
}

// ---- Drafts -----------------------------------------------------------------------------------

const instruments::InstrumentDefinition& draft_instrument(const std::string& id) {
  const instruments::InstrumentDefinition* def = instruments::find_instrument(id);
  if (!def || !portal_instrument(id)) {
    throw ApiError(ErrorKind::not_found,
                   "'" + id + "' is not a questionnaire a patient fills in through the portal",
                   "instrument", "not_found");
  }
  return *def;
}

json draft_json(const storage::QuestionnaireDraft& d) {
  return {{"patient_id", d.patient_id},
          {"instrument", d.instrument},
          {"answers", json::parse(d.answers_json)},
          {"position", d.position},
          {"language", d.language},
          {"updated_at", iso8601_ms(d.updated_at_ms)},
          {"version", d.version}};
}

Response get_draft(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  const std::string instrument = ctx.param("instrument");
  draft_instrument(instrument);
  const auto d = PortalStore(ctx.tx()).draft(patient_id, instrument);
  if (!d) throw ApiError::not_found("draft");
  return json_response_with_etag(draft_json(*d), d->version);
}

Response put_draft(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  const std::string instrument = ctx.param("instrument");
  const instruments::InstrumentDefinition& def = draft_instrument(instrument);
  const json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  const json& answers = r.array("answers");
  const long long position = r.integer("position");
  const std::string language = r.string("language");
  r.finish();
  if (answers.size() != static_cast<std::size_t>(def.item_count)) {
    throw kit::InputError("answers", instrument + " has " + std::to_string(def.item_count) +
                                         " items: send one answer (or null) per item");
  }
  for (std::size_t i = 0; i < answers.size(); ++i) {
    const json& a = answers[i];
    if (a.is_null()) continue;
    if (!a.is_number_integer() || a.get<long long>() < def.item_min ||
        a.get<long long>() > def.item_max) {
      throw kit::InputError(contract::element_path("answers", i),
                            "must be null or a whole number from " + std::to_string(def.item_min) +
                                " to " + std::to_string(def.item_max));
    }
  }
  if (position < 0 || position > def.item_count) {
    throw kit::InputError("position", "must be from 0 to " + std::to_string(def.item_count));
  }
  if (!is_portal_language(language)) throw kit::InputError("language", "must be en or es");
  storage::QuestionnaireDraft d;
  d.patient_id = patient_id;
  d.instrument = instrument;
  d.answers_json = answers.dump();
  d.position = position;
  d.language = language;
  d.updated_at_ms = ctx.services().now_ms();
  const storage::QuestionnaireDraft saved = PortalStore(ctx.tx()).save_draft(d);
  return json_response_with_etag(draft_json(saved), saved.version);
}

Response delete_draft(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  const std::string instrument = ctx.param("instrument");
  draft_instrument(instrument);
  if (!PortalStore(ctx.tx()).remove_draft(patient_id, instrument)) {
    throw ApiError::not_found("draft");
  }
  return json_response({{"removed", true}, {"instrument", instrument}});
}

// ---- Preferences and the clinic ---------------------------------------------------------------

json preferences_json(std::int64_t patient_id,
                      const std::optional<storage::PatientPreferences>& p) {
  return {{"patient_id", patient_id},
          {"language", p ? p->language : std::string("en")},
          {"updated_at", p ? json(iso8601_ms(p->updated_at_ms)) : json(nullptr)},
          {"updated_by", p ? json(p->updated_by) : json(nullptr)},
          {"version", p ? p->version : 0}};
}

Response get_preferences(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  if (!storage::PatientStore(ctx.tx()).find(patient_id)) throw ApiError::not_found("patient");
  const auto p = PortalStore(ctx.tx()).preferences(patient_id);
  return json_response(preferences_json(patient_id, p));
}

Response put_preferences(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  const json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  const std::string language = r.string("language");
  r.finish();
  if (!is_portal_language(language)) throw kit::InputError("language", "must be en or es");
  if (!storage::PatientStore(ctx.tx()).find(patient_id)) throw ApiError::not_found("patient");
  const auto p = PortalStore(ctx.tx()).set_language(patient_id, language, ctx.user().user_id,
                                                    ctx.services().now_ms());
  return json_response(preferences_json(patient_id, p));
}

Response portal_info(RouteContext& ctx) {
  const ServerConfig& cfg = ctx.services().config();
  return json_response(
      {{"clinic_name", clinic_name(ctx)},
       {"clinic_phone", cfg.clinic_phone.empty() ? json(nullptr) : json(cfg.clinic_phone)},
       {"monitored_around_the_clock", false},
       {"languages", json::array({"en", "es"})}});
}

}  // namespace

std::string loggable_path(const std::string& path) {
  const std::string prefix = kInvitationsPrefix;
  if (path.compare(0, prefix.size(), prefix) != 0) return path;
  const std::size_t end = path.find('/', prefix.size());
  return prefix + "{token}" + (end == std::string::npos ? std::string() : path.substr(end));
}

void register_portal_routes(Router& router) {
  const Access inviters = access_roles({Role::front_desk, Role::physician, Role::admin});
  router.add({"POST", "/api/v1/patients/{id}/invitations",
              "Invite a patient to the portal: a one-time link (token shown once, kept only as "
              "its SHA-256) that sets the account's password; revokes the patient's pending one",
              "portal", inviters, true, create_invitation, 201});
  router.add({"GET", "/api/v1/patients/{id}/invitations",
              "The patient's portal invitations (never their tokens): pending, expired, accepted "
              "or revoked",
              "portal", inviters, true, list_invitations, 200});
  router.add({"GET", "/api/v1/invitations/{token}",
              "Whether an invitation link is usable, and the clinic's name (anonymous)", "portal",
              access_public(), false, get_invitation, 200, /*audited=*/true});
  router.add({"POST", "/api/v1/invitations/{token}/accept",
              "Set the portal account's password with an invitation link (anonymous; counted "
              "and locked out like a login)",
              "portal", access_public(), false, accept_invitation, 200, /*audited=*/true});
  router.add({"GET", "/api/v1/questionnaires",
              "The questionnaires whose wording the portal may show, and in which languages",
              "portal", access_any_user(), false, list_questionnaires, 200});
  router.add({"GET", "/api/v1/questionnaires/{instrument}",
              "A questionnaire's wording in a language (?language=en|es), or in English when "
              "the translation is not available (translated: false)",
              "portal", access_any_user(), false, get_questionnaire, 200});
  const Access own_only = access_roles({}, /*patient_self=*/true);
  router.add({"GET", "/api/v1/patients/{id}/questionnaire-drafts/{instrument}",
              "The patient's saved, unsubmitted answers to a questionnaire (the patient only)",
              "portal", own_only, true, get_draft, 200});
  router.add({"PUT", "/api/v1/patients/{id}/questionnaire-drafts/{instrument}",
              "Save the patient's answers so far (not an assessment: no score, no alert)", "portal",
              own_only, true, put_draft, 200});
  router.add({"DELETE", "/api/v1/patients/{id}/questionnaire-drafts/{instrument}",
              "Discard a draft (after submitting the assessment, or to start again)", "portal",
              own_only, true, delete_draft, 200});
  const Access everyone_own = access_roles(
      {Role::front_desk, Role::nurse, Role::physician, Role::admin}, /*patient_self=*/true);
  router.add({"GET", "/api/v1/patients/{id}/preferences", "The patient's portal language", "portal",
              everyone_own, true, get_preferences, 200});
  router.add({"PUT", "/api/v1/patients/{id}/preferences",
              "Set the patient's portal language (en or es): the patient or the clinic's staff",
              "portal", everyone_own, true, put_preferences, 200});
  router.add({"GET", "/api/v1/portal/info",
              "What the portal shows of the clinic: its name, its phone number, and that the "
              "portal is not monitored around the clock",
              "portal", access_any_user(), false, portal_info, 200});
}

}  // namespace kit::server
