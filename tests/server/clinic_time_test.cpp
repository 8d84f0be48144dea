// The clinic's time zone (server/resources/clinic_time.h) on its own and through the scheduling
// routes: DST gaps refused, overlaps taken at their first occurrence, a 09:00 appointment that
// stays 09:00 on the wall clock while its UTC instant moves an hour across a DST change, the
// clinic's "today" around local midnight, and proposed induction dates that never lie in the past.
#include "server/resources/clinic_time.h"

#include <functional>
#include <string>

#include "core/common/calendar.h"
#include "core/common/error.h"
#include "server/resources/modules.h"
#include "tests/server/api_fixture.h"

namespace kit::server::testing {
namespace {

using nlohmann::json;

// A UTC instant written as ISO 8601 (only "...Z" or "...+HH:MM" forms are used here).
std::int64_t utc(const std::string& text) {
  const auto t = calendar::parse_datetime(text);
  EXPECT_TRUE(t && t->offset_min) << text;
  return t->wall_ms - *t->offset_min * calendar::kMinuteMs;
}
std::int64_t wall(const std::string& text) { return calendar::parse_datetime(text)->wall_ms; }

std::string refused_field(const std::function<void()>& f) {
  try {
    f();
  } catch (const kit::Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid_input) << e.what();
    return e.field();
  }
  return "(not refused)";
}

// ---- Conversions -------------------------------------------------------------------------------

TEST(ClinicZone, NewYorkSpringForward2026) {
  // 2026-03-08: at 02:00 EST the clocks go to 03:00 EDT.
  const ClinicZone ny = zone_named("America/New_York");
  EXPECT_EQ(ny.to_utc_ms(wall("2026-03-08T01:59"), "start"), utc("2026-03-08T06:59Z"));
  EXPECT_EQ(ny.to_utc_ms(wall("2026-03-08T03:00"), "start"), utc("2026-03-08T07:00Z"));
  EXPECT_EQ(refused_field([&] { ny.to_utc_ms(wall("2026-03-08T02:30"), "start"); }), "start");
  try {
    ny.parse_instant("2026-03-08T02:00", "start");
    ADD_FAILURE() << "02:00 does not exist that night";
  } catch (const kit::Error& e) {
    EXPECT_NE(std::string(e.what()).find("02:00 straight to 03:00"), std::string::npos) << e.what();
  }
  // Scanning reads a skipped time as the instant of the jump.
  EXPECT_EQ(ny.to_utc_ms_lenient(wall("2026-03-08T02:30")), utc("2026-03-08T07:00Z"));
  EXPECT_EQ(ny.iso(utc("2026-03-08T06:59Z")), "2026-03-08T01:59:00-05:00");
  EXPECT_EQ(ny.iso(utc("2026-03-08T07:00Z")), "2026-03-08T03:00:00-04:00");
  EXPECT_EQ(ny.offset_min(utc("2026-03-09T13:00Z")), -240);
}

TEST(ClinicZone, NewYorkFallBack2026OverlapTakesTheFirstOccurrence) {
  // 2026-11-01: at 02:00 EDT the clocks go back to 01:00 EST; 01:00-01:59 happens twice.
  const ClinicZone ny = zone_named("America/New_York");
  EXPECT_EQ(ny.to_utc_ms(wall("2026-11-01T01:30"), "start"), utc("2026-11-01T05:30Z"));
  EXPECT_EQ(ny.iso(utc("2026-11-01T05:30Z")), "2026-11-01T01:30:00-04:00");
  EXPECT_EQ(ny.iso(utc("2026-11-01T06:30Z")), "2026-11-01T01:30:00-05:00");
  // The second 01:30 is reachable with an explicit offset.
  EXPECT_EQ(ny.parse_instant("2026-11-01T01:30:00-05:00", "start"), utc("2026-11-01T06:30Z"));
  EXPECT_EQ(ny.local_minutes(utc("2026-11-01T06:30Z")), "2026-11-01T01:30");
}

TEST(ClinicZone, BerlinSpringForward2026) {
  // 2026-03-29: at 02:00 CET the clocks go to 03:00 CEST.
  const ClinicZone berlin = zone_named("Europe/Berlin");
  EXPECT_EQ(berlin.to_utc_ms(wall("2026-03-28T08:00"), "start"), utc("2026-03-28T07:00Z"));
  EXPECT_EQ(berlin.to_utc_ms(wall("2026-03-29T08:00"), "start"), utc("2026-03-29T06:00Z"));
  EXPECT_EQ(berlin.iso(utc("2026-03-29T06:00Z")), "2026-03-29T08:00:00+02:00");
  EXPECT_EQ(refused_field([&] { berlin.parse_instant("2026-03-29T02:15", "end"); }), "end");
}

TEST(ClinicZone, ParseInstantForms) {
  const ClinicZone berlin = zone_named("Europe/Berlin");
  EXPECT_EQ(berlin.parse_instant("2026-11-26T09:00", "start"), utc("2026-11-26T08:00Z"));
  EXPECT_EQ(berlin.parse_instant("2026-11-26T09:00:00+01:00", "start"), utc("2026-11-26T08:00Z"));
  EXPECT_EQ(berlin.parse_instant("2026-11-26T08:00:00Z", "start"), utc("2026-11-26T08:00Z"));
  // An offset other than the clinic's names the same instant all the same.
  EXPECT_EQ(berlin.parse_instant("2026-11-26T03:00:00-05:00", "start"), utc("2026-11-26T08:00Z"));
  EXPECT_EQ(refused_field([&] { berlin.parse_instant("26.11.2026 09:00", "start"); }), "start");
  const ClinicZone kathmandu = zone_named("Asia/Kathmandu");  // +05:45
  EXPECT_EQ(kathmandu.iso(utc("2026-11-26T03:15Z")), "2026-11-26T09:00:00+05:45");
}

TEST(ClinicZone, UnknownNamesAreInvalidInputNamingTheField) {
  EXPECT_EQ(refused_field([] { zone_named("Mars/Olympus_Mons"); }), "timezone");
  EXPECT_EQ(refused_field([] { zone_named("+02:00"); }), "timezone");
  EXPECT_EQ(refused_field([] { zone_named(""); }), "timezone");
  EXPECT_EQ(refused_field([] { zone_named("america/new_york", "clinic.timezone"); }),
            "clinic.timezone");
  EXPECT_EQ(zone_named("UTC").iso(0), "1970-01-01T00:00:00+00:00");
}

// ---- The clinic's today ------------------------------------------------------------------------

class ClinicTodayTest : public ApiFixture {
 protected:
  std::int64_t add_clinic(const std::string& name, const std::string& zone) {
    return storage::with_transaction(*db_, [&](storage::Transaction& tx) {
      return tx
          .query(
              "INSERT INTO clinics (name, timezone, created_at_ms, updated_at_ms) VALUES ($1, $2, "
              "0, 0) RETURNING id",
              {name, zone})
          .front()
          .i64("id");
    });
  }
  std::string today(std::int64_t clinic, const std::string& at) {
    return storage::with_transaction(
        *db_, [&](storage::Transaction& tx) { return clinic_today(tx, clinic, utc(at)); });
  }
};

TEST_F(ClinicTodayTest, AroundLocalMidnight) {
  const std::int64_t ny = add_clinic("New York", "America/New_York");
  EXPECT_EQ(today(ny, "2026-11-26T03:30Z"), "2026-11-25");  // 22:30 EST the evening before
  EXPECT_EQ(today(ny, "2026-11-26T04:59:59.999Z"), "2026-11-25");
  EXPECT_EQ(today(ny, "2026-11-26T05:00Z"), "2026-11-26");  // local midnight
  const std::int64_t berlin = add_clinic("Berlin", "Europe/Berlin");
  EXPECT_EQ(today(berlin, "2026-11-25T23:00Z"), "2026-11-26");  // already tomorrow there
  EXPECT_EQ(today(berlin, "2026-11-25T22:59Z"), "2026-11-25");
  // During summer time midnight moves by an hour.
  EXPECT_EQ(today(berlin, "2026-07-01T22:00Z"), "2026-07-02");
}

TEST_F(ClinicTodayTest, MissingClinicAndAStoredUnknownZone) {
  try {
    today(999, "2026-11-26T03:30Z");
    ADD_FAILURE() << "no clinic 999";
  } catch (const kit::Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::not_found);
  }
  // The routes refuse unknown zones, so one in the table is a fault of ours: internal, not input.
  const std::int64_t bad = add_clinic("Broken", "Mars/Olympus_Mons");
  try {
    today(bad, "2026-11-26T03:30Z");
    ADD_FAILURE() << "unknown stored zone";
  } catch (const kit::Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::internal);
  }
}

// ---- Through the routes
// --------------------------------------------------------------------------

class ZonedSchedulingTest : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    admin_ = make_caller(Role::admin);
    physician_ = make_caller(Role::physician);
    nurse_ = make_caller(Role::nurse);
    desk_ = make_caller(Role::front_desk);
  }

  // A clinic in `zone` open every day `opens`-`closes` with two chairs.
  void clinic(const std::string& zone, const std::string& opens, const std::string& closes) {
    Response c = call("POST", "/api/v1/clinics", admin_,
                      {{"name", "Clinic " + zone},
                       {"timezone", zone},
                       {"opens_at", opens},
                       {"closes_at", closes},
                       {"open_weekdays", "1234567"}});
    ASSERT_EQ(c.status, 201) << c.body;
    EXPECT_EQ(body(c)["timezone"], zone);
    for (const char* name : {"A", "B"}) {
      Response ch =
          call("POST", "/api/v1/chairs", admin_, {{"clinic_id", body(c)["id"]}, {"name", name}});
      ASSERT_EQ(ch.status, 201) << ch.body;
      chairs_.push_back(body(ch)["id"].get<std::int64_t>());
    }
  }

  std::int64_t patient(const std::string& given) {
    Response r = call("POST", "/api/v1/patients", desk_,
                      {{"given_name", given},
                       {"family_name", "Zone"},
                       {"date_of_birth", "1984-12-10"},
                       {"sex", "female"},
                       {"indication", "depression"},
                       {"weight_kg", 70}});
    EXPECT_EQ(r.status, 201) << r.body;
    return body(r)["id"].get<std::int64_t>();
  }

  // An approved patient's planned course of the 40-minute depression series.
  std::int64_t planned_course(const std::string& given) {
    const std::int64_t p = patient(given);
    const std::string path = "/api/v1/patients/" + std::to_string(p);
    json conditions = json::object();
    for (const char* key :
         {"schizophrenia", "current_psychosis_or_mania", "pregnant", "breastfeeding",
          "uncontrolled_hypertension", "poorly_controlled_cardiovascular_disease",
          "significant_arrhythmia", "unstable_cerebrovascular_disease", "coronary_artery_disease",
          "heart_failure", "hypertension", "elevated_intracranial_pressure",
          "cns_mass_or_hydrocephalus", "glaucoma_or_elevated_intraocular_pressure",
          "acute_globe_injury", "airway_instability_or_tracheal_disease",
          "active_pulmonary_infection", "thyroid_disorder_or_medication",
          "active_substance_use_disorder"}) {
      conditions[key] = false;
    }
    conditions["hepatic_impairment"] = "none";
    EXPECT_EQ(call("POST", path + "/screening", nurse_,
                   {{"indication", "depression"},
                    {"age_years", 41},
                    {"conditions", conditions},
                    {"medications", {{"benzodiazepine_lorazepam_eq_mg_per_day", 0}}}})
                  .status,
              201);
    EXPECT_EQ(
        call("POST", path + "/consents", nurse_, {{"type", "treatment"}, {"version", "2026-01"}})
            .status,
        201);
    EXPECT_EQ(call("POST", path + "/approval", physician_, {{"decision", "approved"}}).status, 201);
    Response c = call("POST", path + "/courses", physician_,
                      {{"protocol_id", "depression-induction-series"}});
    EXPECT_EQ(c.status, 201) << c.body;
    return body(c)["id"].get<std::int64_t>();
  }

  Response book(std::int64_t patient_id, std::size_t chair, const std::string& start) {
    return call("POST", "/api/v1/appointments", desk_,
                {{"patient_id", patient_id}, {"chair_id", chairs_.at(chair)}, {"start", start}});
  }

  std::int64_t stored_start(const json& appointment) {
    return storage::with_transaction(*db_, [&](storage::Transaction& tx) {
      return tx
          .query("SELECT starts_ms FROM appointments WHERE id = $1",
                 {appointment["id"].get<std::int64_t>()})
          .front()
          .i64("starts_ms");
    });
  }

  json proposed(std::int64_t course, const std::string& start) {
    Request q = request("GET", "/api/v1/courses/" + std::to_string(course) + "/proposed-dates");
    q.query["start"] = start;
    Response r = call(q, &desk_);
    EXPECT_EQ(r.status, 200) << r.body;
    return body(r);
  }

  Caller admin_, physician_, nurse_, desk_;
  std::vector<std::int64_t> chairs_;
};

TEST_F(ZonedSchedulingTest, NineOClockStaysNineAcrossTheSpringForward) {
  now_ms_ = utc("2026-03-01T12:00Z");
  clinic("America/New_York", "08:00", "17:00");
  const std::int64_t p = patient("Spring");
  // Saturday before the change (EST) and Monday after it (EDT): both 09:00 on the wall clock.
  Response before = book(p, 0, "2026-03-07T09:00");
  ASSERT_EQ(before.status, 201) << before.body;
  Response after = book(p, 0, "2026-03-09T09:00");
  ASSERT_EQ(after.status, 201) << after.body;
  EXPECT_EQ(body(before)["start"], "2026-03-07T09:00");
  EXPECT_EQ(body(before)["starts_at"], "2026-03-07T09:00:00-05:00");
  EXPECT_EQ(body(before)["ends_at"], "2026-03-07T10:00:00-05:00");
  EXPECT_EQ(body(after)["start"], "2026-03-09T09:00");
  EXPECT_EQ(body(after)["starts_at"], "2026-03-09T09:00:00-04:00");
  EXPECT_EQ(body(after)["date"], "2026-03-09");
  EXPECT_EQ(body(after)["timezone"], "America/New_York");
  // Stored as UTC instants: 14:00Z, then 13:00Z (one hour earlier in UTC, same on the wall).
  EXPECT_EQ(stored_start(body(before)), utc("2026-03-07T14:00Z"));
  EXPECT_EQ(stored_start(body(after)), utc("2026-03-09T13:00Z"));
  // The same instant written with Z is the same chair slot: 409.
  Response again = book(patient("Other"), 0, "2026-03-09T13:00:00Z");
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(error_field(again), "chair_id");
}

TEST_F(ZonedSchedulingTest, GapRefusedOverlapBookedTwiceOnOneChair) {
  now_ms_ = utc("2026-03-01T12:00Z");
  clinic("America/New_York", "00:00", "24:00");
  const std::int64_t p = patient("Night");
  Response gap = book(p, 0, "2026-03-08T02:30");
  EXPECT_EQ(gap.status, 400) << gap.body;
  EXPECT_EQ(error_field(gap), "start");
  // 01:30 on the night the clocks go back: the first 01:30 (EDT), then, with its offset written,
  // the second (EST). One hour apart, so the same chair holds both.
  Response first = book(p, 0, "2026-11-01T01:30");
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(body(first)["starts_at"], "2026-11-01T01:30:00-04:00");
  Response second = book(patient("Second"), 0, "2026-11-01T01:30:00-05:00");
  ASSERT_EQ(second.status, 201) << second.body;
  EXPECT_EQ(body(second)["start"], "2026-11-01T01:30");
  EXPECT_EQ(body(second)["starts_at"], "2026-11-01T01:30:00-05:00");
  EXPECT_EQ(body(second)["date"], "2026-11-01");
  EXPECT_EQ(stored_start(body(second)) - stored_start(body(first)), 3'600'000);
}

TEST_F(ZonedSchedulingTest, OpeningHoursAndDayViewAreLocal) {
  now_ms_ = utc("2026-11-20T12:00Z");
  clinic("America/New_York", "08:00", "17:00");
  const std::int64_t p = patient("Late");
  // 16:00-17:00 New York is 21:00-22:00Z: inside the clinic's hours although past 17:00 UTC.
  Response late = book(p, 0, "2026-11-25T16:00");
  ASSERT_EQ(late.status, 201) << late.body;
  // 07:00 New York is 12:00Z: before opening although within 08:00-17:00 UTC.
  Response early = book(p, 1, "2026-11-26T07:00");
  EXPECT_EQ(early.status, 422) << early.body;
  EXPECT_EQ(error_field(early), "start");
  // An evening appointment lies on the clinic's date, not on the UTC one (already the 26th).
  Response evening = book(patient("Evening"), 1, "2026-11-25T16:00:00-05:00");
  ASSERT_EQ(evening.status, 201) << evening.body;
  Request day = request("GET", "/api/v1/appointments");
  day.query["date"] = "2026-11-25";
  EXPECT_EQ(body(call(day, &desk_))["appointments"].size(), 2U);
  // A clinic with a zone the tz database does not know is refused naming the field.
  Response bad = call("POST", "/api/v1/clinics", admin_,
                      {{"name", "Nowhere"}, {"timezone", "Europe/Atlantis"}});
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(error_field(bad), "timezone");
}

TEST_F(ZonedSchedulingTest, ProposedDatesNeverOfferAPastTime) {
  now_ms_ = utc("2026-11-25T07:00Z");
  clinic("Europe/Berlin", "08:00", "20:00");
  const std::int64_t course = planned_course("Proposal");
  // 18:48 in Berlin: no 1 h 45 min chair block fits before 20:00 any more, so today is not offered
  // (08:00 today was offered before the clinic's zone and clock were used).
  now_ms_ = utc("2026-11-25T17:48Z");
  json prop = proposed(course, "2026-11-25");
  ASSERT_FALSE(prop["dates"].empty()) << prop.dump();
  EXPECT_EQ(prop["dates"][0]["date"], "2026-11-26");
  EXPECT_EQ(prop["dates"][0]["start"], "2026-11-26T08:00");
  EXPECT_EQ(prop["dates"][0]["starts_at"], "2026-11-26T08:00:00+01:00");
  for (const json& d : prop["dates"]) {
    EXPECT_GE(utc(d["starts_at"].get<std::string>()), now_ms_.load()) << d.dump();
  }
  // 10:05 in Berlin: today is offered from the next slot on, not from opening.
  now_ms_ = utc("2026-11-25T09:05Z");
  prop = proposed(course, "2026-11-25");
  ASSERT_FALSE(prop["dates"].empty()) << prop.dump();
  EXPECT_EQ(prop["dates"][0]["start"], "2026-11-25T10:15");
  // 00:30 on the 26th in Berlin while UTC still reads the 25th: the 25th is past there.
  now_ms_ = utc("2026-11-25T23:30Z");
  prop = proposed(course, "2026-11-25");
  ASSERT_FALSE(prop["dates"].empty()) << prop.dump();
  EXPECT_EQ(prop["dates"][0]["start"], "2026-11-26T08:00");
}

}  // namespace
}  // namespace kit::server::testing
