// The patient portal's server side (server/resources/portal_routes.cpp, questionnaire_text.cpp),
// in process with a controlled clock: invitations expire at invitation_ttl_hours; every shipped
// wording matches the instrument catalogue (item count, answer values); the clinic's texts file is
// checked the same way; the access log never holds an invitation token.
#include "server/resources/portal.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/instruments/instrument.h"
#include "server/resources/questionnaire_text.h"
#include "server/serve/config.h"
#include "tests/server/api_fixture.h"

namespace kit::server {
namespace {

using nlohmann::json;
using testing::ApiFixture;
using testing::kPassword;

class PortalTest : public ApiFixture {};

TEST_F(PortalTest, AnInvitationIsUsableUntilItsExpiryAndNotAfter) {
  const std::int64_t pid = add_patient("PORTAL-1");
  const auto desk = make_caller(Role::front_desk);
  const Response made = call("POST", "/api/v1/patients/" + std::to_string(pid) + "/invitations",
                             desk, json::object());
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string token = body(made).at("token").get<std::string>();
  const std::int64_t ttl_ms = 72LL * 3'600'000;  // ServerConfig default (policy)
  // One millisecond before the expiry instant: usable.
  now_ms_ += ttl_ms - 1;
  EXPECT_EQ(anon("GET", "/api/v1/invitations/" + token).status, 200);
  // At the expiry instant: not usable, with the one answer every unusable link gets.
  now_ms_ += 1;
  const Response late = anon("GET", "/api/v1/invitations/" + token);
  EXPECT_EQ(late.status, 404);
  EXPECT_EQ(error_code(late), "invitation_invalid");
  const Response accept = anon("POST", "/api/v1/invitations/" + token + "/accept",
                               {{"username", "late.patient"}, {"password", kPassword}});
  EXPECT_EQ(accept.status, 404) << accept.body;
  // Nothing was created: no account for the patient, the invitation still pending (and expired).
  storage::with_transaction(*db_, [&](storage::Transaction& tx) {
    EXPECT_TRUE(tx.query("SELECT id FROM users WHERE patient_id = $1", {pid}).empty());
    EXPECT_EQ(tx.query("SELECT status FROM portal_invitations").front().text("status"), "pending");
  });
  // The staff list calls it expired (a new login: the first one ended long ago).
  const auto desk_later = make_caller(Role::front_desk);
  const Response list =
      call("GET", "/api/v1/patients/" + std::to_string(pid) + "/invitations", desk_later);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(body(list).at(0).at("status"), "expired");
}

TEST_F(PortalTest, TheTokenIsStoredOnlyAsItsHash) {
  const std::int64_t pid = add_patient("PORTAL-2");
  const auto admin = make_caller(Role::admin);
  const Response made = call("POST", "/api/v1/patients/" + std::to_string(pid) + "/invitations",
                             admin, json::object());
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string token = body(made).at("token").get<std::string>();
  EXPECT_GE(token.size(), 40u);  // 32 random bytes, URL-safe base64
  storage::with_transaction(*db_, [&](storage::Transaction& tx) {
    const auto rows = tx.query("SELECT token_hash FROM portal_invitations");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows.front().text("token_hash"), sha256_hex(token));
    EXPECT_EQ(tx.query("SELECT id FROM audit_log WHERE action LIKE $1", {"%" + token + "%"}).size(),
              0u);
  });
}

TEST_F(PortalTest, OnlyAUsableLinkCostsAPasswordHash) {
  const std::int64_t pid = add_patient("PORTAL-3");
  const auto desk = make_caller(Role::front_desk);
  const Response made = call("POST", "/api/v1/patients/" + std::to_string(pid) + "/invitations",
                             desk, json::object());
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string token = body(made).at("token").get<std::string>();
  const std::int64_t before = password_hash_operations();
  // A made-up token: refused without computing Argon2id (a flood of them costs no memory).
  const Response guess = anon("POST", "/api/v1/invitations/" + std::string(43, 'A') + "/accept",
                              {{"username", "guess.er"}, {"password", kPassword}});
  EXPECT_EQ(guess.status, 404) << guess.body;
  EXPECT_EQ(password_hash_operations(), before);
  // The real link: one hash, and the account.
  const Response ok = anon("POST", "/api/v1/invitations/" + token + "/accept",
                           {{"username", "portal.three"}, {"password", kPassword}});
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(password_hash_operations(), before + 1);
  // Used: refused again without hashing.
  const Response again = anon("POST", "/api/v1/invitations/" + token + "/accept",
                              {{"username", "portal.three"}, {"password", kPassword}});
  EXPECT_EQ(again.status, 404);
  EXPECT_EQ(password_hash_operations(), before + 1);
}

TEST(PortalLogTest, TheAccessLogNeverWritesAnInvitationToken) {
  EXPECT_EQ(loggable_path("/api/v1/invitations/abcDEF123"), "/api/v1/invitations/{token}");
  EXPECT_EQ(loggable_path("/api/v1/invitations/abcDEF123/accept"),
            "/api/v1/invitations/{token}/accept");
  EXPECT_EQ(loggable_path("/api/v1/patients/7/invitations"), "/api/v1/patients/7/invitations");
  EXPECT_EQ(loggable_path("/invite"), "/invite");
}

TEST(QuestionnaireTextTest, EveryShippedWordingMatchesTheCatalogue) {
  const auto& texts = shipped_questionnaire_texts();  // checked on load: throws otherwise
  std::set<std::string> have;
  for (const json& t : texts) {
    const std::string id = t.at("instrument").get<std::string>();
    const auto* def = instruments::find_instrument(id);
    ASSERT_NE(def, nullptr) << id;
    EXPECT_EQ(t.at("items").size(), static_cast<std::size_t>(def->item_count)) << id;
    EXPECT_EQ(t.at("options").size(), static_cast<std::size_t>(def->item_max - def->item_min + 1))
        << id;
    have.insert(id + "." + t.at("language").get<std::string>());
  }
  // What docs/clinical-rules/instrument-licenses.md says KIT ships, and nothing licensed.
  EXPECT_EQ(have, (std::set<std::string>{"gad7.en", "gad7.es", "nrs.en", "nrs.es", "pcl5.en",
                                         "phq9.en", "phq9.es"}));
}

TEST(QuestionnaireTextTest, AWrongItemCountOrAnswerValueIsRefused) {
  json doc = shipped_questionnaire_texts().front();
  EXPECT_EQ(check_questionnaire_text(doc), "");
  json fewer = doc;
  fewer["items"].erase(fewer["items"].begin());
  EXPECT_NE(check_questionnaire_text(fewer).find("items:"), std::string::npos);
  json shifted = doc;
  shifted["options"][0]["value"] = 1;
  EXPECT_NE(check_questionnaire_text(shifted).find("options[0].value"), std::string::npos);
  json unknown = doc;
  unknown["instrument"] = "hamd";
  EXPECT_NE(check_questionnaire_text(unknown).find("not in the catalogue"), std::string::npos);
}

std::string write_temp(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path) << text;
  return path.string();
}

// A test-made stand-in for a clinic's licensed BPI text (not the BPI's wording: KIT has none).
json clinic_bpi() {
  json items = json::array();
  for (int i = 1; i <= 11; ++i)
    items.push_back({{"text", "Licensed BPI item " + std::to_string(i)}});
  json options = json::array();
  for (int v = 0; v <= 10; ++v) options.push_back({{"value", v}, {"label", std::to_string(v)}});
  return {{"instrument", "bpi"},          {"language", "en"},
          {"title", "Clinic BPI (test)"}, {"instructions", "Test instructions"},
          {"options", options},           {"items", items},
          {"attribution", "test"},        {"source", "tests/server/portal_test.cpp"}};
}

TEST(QuestionnaireTextTest, TheClinicSuppliesItsLicensedTextThroughConfiguration) {
  const std::string good = write_temp("kit-portal-bpi.json", json::array({clinic_bpi()}).dump());
  ServerConfig cfg;
  cfg.clinic_questionnaire_texts = load_clinic_questionnaire_texts(good);
  const auto text = questionnaire_text(cfg, "bpi", "es");
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(text->at("language"), "en");  // no Spanish: the caller says so
  EXPECT_FALSE(questionnaire_text(ServerConfig{}, "bpi", "en").has_value());

  // Through the configuration loader: a bad file is refused naming the key and the entry.
  json wrong = clinic_bpi();
  wrong["items"].erase(wrong["items"].begin());
  const std::string bad = write_temp("kit-portal-bpi-bad.json", json::array({wrong}).dump());
  EXPECT_THROW(load_clinic_questionnaire_texts(bad), std::runtime_error);
  try {
    load_clinic_questionnaire_texts(bad);
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("questionnaire_texts_file"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("[0]: items"), std::string::npos) << e.what();
  }
  // KIT's own published texts cannot be replaced by the clinic's.
  json phq = shipped_questionnaire_texts().front();
  const std::string dup = write_temp("kit-portal-dup.json", json::array({phq}).dump());
  EXPECT_THROW(load_clinic_questionnaire_texts(dup), std::runtime_error);
}

}  // namespace
}  // namespace kit::server
