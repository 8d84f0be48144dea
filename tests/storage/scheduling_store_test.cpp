// The scheduling store (storage/stores/scheduling_store.h) on both back ends: clinics, chairs,
// staff availability and appointments round-trip; the slot rows refuse a double-booked chair or
// staff member in the schema itself, also from a second connection (another server process);
// cancelling a course's bookings frees their slots.
#include "storage/stores/scheduling_store.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/migration_runner.h"
#include "storage/stores/account_store.h"
#include "storage/stores/course_store.h"
#include "storage/stores/patient_store.h"
#include "tests/storage/storage_fixture.h"

namespace kit::storage::test {
namespace {

constexpr std::int64_t kNowMs = 1'800'000'000'000;
constexpr std::int64_t kSlotMs = 15 * 60 * 1000;
// A slot boundary (a multiple of 15 minutes since the epoch) to book from.
constexpr std::int64_t kStartMs = kNowMs / kSlotMs * kSlotMs + 96 * kSlotMs;

class SchedulingStoreTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped()) return;  // no PostgreSQL
    apply_migrations(*db, embedded_migrations());
    with_transaction(*db, [&](Transaction& tx) {
      AccountStore accounts(tx);
      nurse_ = accounts.create_user({"nurse1", "hash", "nurse", {}, kNowMs});
      physician_ = accounts.create_user({"physician1", "hash", "physician", {}, kNowMs});
      NewPatient p;
      p.given_name = "Ada";
      p.family_name = "Test";
      p.date_of_birth = "1980-02-29";
      p.sex = "female";
      p.indication = "depression";
      p.at_ms = kNowMs;
      patient_ = PatientStore(tx).create(p);
      course_ =
          CourseStore(tx).create({patient_, "zarate_2006_depression", 6, "", physician_, kNowMs});
      SchedulingStore store(tx);
      clinic_ =
          store.create_clinic({"Main", "Europe/Berlin", "08:00", "17:00", "12345", 60, 30, kNowMs});
      chair_ = store.create_chair({clinic_, "Chair A", true, kNowMs});
    });
  }

  NewAppointment appointment(std::int64_t starts_ms, std::int64_t slots,
                             const std::string& kind = "infusion") const {
    NewAppointment a;
    a.patient_id = patient_;
    a.course_id = course_;
    a.chair_id = chair_;
    a.staff_user_id = nurse_;
    a.kind = kind;
    a.starts_ms = starts_ms;
    a.ends_ms = starts_ms + slots * kSlotMs;
    a.on_date = "2027-01-15";
    a.notes = "first";
    a.created_by = nurse_;
    a.at_ms = kNowMs;
    return a;
  }

  // Books the appointment and holds its chair and staff slots in one transaction, as the
  // scheduling routes do.
  std::int64_t book(Database& database, const NewAppointment& a) {
    return with_transaction(database, [&](Transaction& tx) {
      SchedulingStore store(tx);
      const std::int64_t id = store.create_appointment(a);
      for (std::int64_t s = a.starts_ms; s < a.ends_ms; s += kSlotMs) {
        store.hold_chair_slot(a.chair_id, s, id);
        if (a.staff_user_id) store.hold_staff_slot(*a.staff_user_id, s, id);
      }
      return id;
    });
  }

  std::int64_t nurse_ = 0;
  std::int64_t physician_ = 0;
  std::int64_t patient_ = 0;
  std::int64_t course_ = 0;
  std::int64_t clinic_ = 0;
  std::int64_t chair_ = 0;
};

TEST_P(SchedulingStoreTest, ClinicsRoundTrip) {
  with_transaction(*db, [&](Transaction& tx) {
    SchedulingStore store(tx);
    const Clinic c = *store.find_clinic(clinic_);
    EXPECT_EQ(c.name, "Main");
    EXPECT_EQ(c.timezone, "Europe/Berlin");
    EXPECT_EQ(c.opens_at, "08:00");
    EXPECT_EQ(c.closes_at, "17:00");
    EXPECT_EQ(c.open_weekdays, "12345");
    EXPECT_EQ(c.recovery_minutes, 60);
    EXPECT_EQ(c.observation_minutes, 30);
    EXPECT_EQ(c.created_at_ms, kNowMs);
    EXPECT_EQ(c.updated_at_ms, kNowMs);
    EXPECT_EQ(c.version, 1);
    EXPECT_TRUE(store.clinic_name_taken("Main"));
    EXPECT_FALSE(store.clinic_name_taken("main"));
    EXPECT_FALSE(store.find_clinic(clinic_ + 100).has_value());

    const std::int64_t second =
        store.create_clinic({"Annex", "UTC", "07:30", "19:00", "1234567", 0, 240, kNowMs + 1});
    const std::vector<Clinic> all = store.clinics();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].id, clinic_);
    EXPECT_EQ(all[1].id, second);
    EXPECT_EQ(all[1].observation_minutes, 240);
    EXPECT_EQ(all[1].recovery_minutes, 0);
    ASSERT_EQ(store.clinics(second).size(), 1u);
    EXPECT_TRUE(store.clinics(second + 100).empty());
  });
  // The name is UNIQUE in the schema too.
  EXPECT_THROW(with_transaction(*db,
                                [&](Transaction& tx) {
                                  SchedulingStore(tx).create_clinic(
                                      {"Main", "UTC", "08:00", "17:00", "12345", 60, 30, kNowMs});
                                }),
               ConstraintViolation);
}

TEST_P(SchedulingStoreTest, ChairsRoundTripAndUpdateByVersion) {
  with_transaction(*db, [&](Transaction& tx) {
    SchedulingStore store(tx);
    const std::int64_t b = store.create_chair({clinic_, "Chair B", false, kNowMs});
    const std::int64_t aa = store.create_chair({clinic_, "Chair AA", true, kNowMs});
    const Chair chair = *store.find_chair(b);
    EXPECT_EQ(chair.clinic_id, clinic_);
    EXPECT_EQ(chair.name, "Chair B");
    EXPECT_FALSE(chair.active);
    EXPECT_EQ(chair.version, 1);
    EXPECT_TRUE(store.chair_name_taken(clinic_, "Chair B"));
    EXPECT_FALSE(store.chair_name_taken(clinic_, "Chair C"));
    EXPECT_FALSE(store.find_chair(b + 100).has_value());

    std::vector<std::string> names;
    for (const Chair& c : store.chairs(clinic_)) names.push_back(c.name);
    EXPECT_EQ(names, (std::vector<std::string>{"Chair A", "Chair AA", "Chair B"}));
    EXPECT_EQ(store.chairs().size(), 3u);
    EXPECT_TRUE(store.chairs(clinic_ + 100).empty());
    EXPECT_EQ(store.active_chair_ids(clinic_), (std::vector<std::int64_t>{chair_, aa}));

    EXPECT_TRUE(store.update_chair(b, 1, "Chair C", true, kNowMs + 5));
    EXPECT_FALSE(store.update_chair(b, 1, "Chair D", false, kNowMs + 6));  // stale version
    const Chair changed = *store.find_chair(b);
    EXPECT_EQ(changed.name, "Chair C");
    EXPECT_TRUE(changed.active);
    EXPECT_EQ(changed.version, 2);
    EXPECT_EQ(changed.updated_at_ms, kNowMs + 5);
  });
}

TEST_P(SchedulingStoreTest, StaffAvailabilityRoundTrips) {
  with_transaction(*db, [&](Transaction& tx) {
    SchedulingStore store(tx);
    NewStaffAvailability weekly;
    weekly.user_id = nurse_;
    weekly.clinic_id = clinic_;
    weekly.weekday = 5;
    weekly.from_time = "08:00";
    weekly.to_time = "17:00";
    weekly.at_ms = kNowMs;
    const std::int64_t w = store.add_availability(weekly);
    NewStaffAvailability off;
    off.user_id = nurse_;
    off.on_date = "2027-01-15";
    off.from_time = "12:00";
    off.to_time = "13:00";
    off.available = false;
    off.at_ms = kNowMs;
    const std::int64_t o = store.add_availability(off);

    const StaffAvailability a = *store.find_availability(w);
    EXPECT_EQ(a.user_id, nurse_);
    EXPECT_EQ(a.clinic_id, clinic_);
    EXPECT_EQ(a.weekday, 5);
    EXPECT_FALSE(a.on_date.has_value());
    EXPECT_EQ(a.from_time, "08:00");
    EXPECT_EQ(a.to_time, "17:00");
    EXPECT_TRUE(a.available);
    EXPECT_EQ(a.created_at_ms, kNowMs);
    const StaffAvailability b = *store.find_availability(o);
    EXPECT_FALSE(b.clinic_id.has_value());
    EXPECT_FALSE(b.weekday.has_value());
    EXPECT_EQ(b.on_date, "2027-01-15");
    EXPECT_FALSE(b.available);

    EXPECT_EQ(store.availability(nurse_).size(), 2u);
    EXPECT_TRUE(store.availability(physician_).empty());
    // 2027-01-15 is a Friday (ISO weekday 5): both rows speak of that day.
    EXPECT_EQ(store.availability_for_day(nurse_, 5, "2027-01-15").size(), 2u);
    EXPECT_EQ(store.availability_for_day(nurse_, 4, "2027-01-14").size(), 0u);
    // Removed, never deleted: kept with who and when, and no longer listed or counted.
    EXPECT_TRUE(store.remove_availability(o, nurse_, 1234));
    EXPECT_FALSE(store.remove_availability(o, nurse_, 1235));
    ASSERT_TRUE(store.find_availability(o).has_value());
    EXPECT_EQ(store.find_availability(o)->removed_at_ms, 1234);
    EXPECT_EQ(store.find_availability(o)->removed_by, nurse_);
    EXPECT_EQ(store.availability().size(), 1u);
    EXPECT_EQ(store.availability(std::nullopt, true).size(), 2u);
  });
}

TEST_P(SchedulingStoreTest, AppointmentsRoundTripAndUpdateByVersion) {
  const std::int64_t id = book(*db, appointment(kStartMs, 4));
  with_transaction(*db, [&](Transaction& tx) {
    SchedulingStore store(tx);
    const Appointment a = *store.find_appointment(id);
    EXPECT_EQ(a.patient_id, patient_);
    EXPECT_EQ(a.course_id, course_);
    EXPECT_EQ(a.chair_id, chair_);
    EXPECT_EQ(a.staff_user_id, nurse_);
    EXPECT_EQ(a.kind, "infusion");
    EXPECT_EQ(a.starts_ms, kStartMs);
    EXPECT_EQ(a.ends_ms, kStartMs + 4 * kSlotMs);
    EXPECT_EQ(a.on_date, "2027-01-15");
    EXPECT_EQ(a.status, "booked");
    EXPECT_EQ(a.status_reason, "");
    EXPECT_EQ(a.notes, "first");
    EXPECT_EQ(a.created_by, nurse_);
    EXPECT_EQ(a.created_at_ms, kNowMs);
    EXPECT_EQ(a.version, 1);
    EXPECT_FALSE(store.find_appointment(id + 100).has_value());

    AppointmentSearch search;
    search.patient_id = patient_;
    search.on_date = "2027-01-15";
    search.status = "booked";
    EXPECT_EQ(store.appointments(search).size(), 1u);
    search.on_date.reset();
    search.from_date = "2027-01-16";
    EXPECT_TRUE(store.appointments(search).empty());

    EXPECT_EQ(store.patient_overlap(patient_, kStartMs + kSlotMs, kStartMs + 2 * kSlotMs, 0), id);
    EXPECT_FALSE(store.patient_overlap(patient_, kStartMs + kSlotMs, kStartMs + 2 * kSlotMs, id));
    EXPECT_FALSE(
        store.patient_overlap(patient_, kStartMs + 4 * kSlotMs, kStartMs + 5 * kSlotMs, 0));
    EXPECT_EQ(store.infusions_held(course_, 0), 1);
    EXPECT_EQ(store.infusions_held(course_, id), 0);
    EXPECT_EQ(store.held_appointments(patient_).size(), 1u);

    AppointmentUpdate done{"completed",  "given",     "notes after", chair_,
                           std::nullopt, a.starts_ms, a.ends_ms,     a.on_date};
    EXPECT_TRUE(store.update_appointment(id, 1, done, kNowMs + 9));
    EXPECT_FALSE(store.update_appointment(id, 1, done, kNowMs + 10));  // stale version
    const Appointment changed = *store.find_appointment(id);
    EXPECT_EQ(changed.status, "completed");
    EXPECT_EQ(changed.status_reason, "given");
    EXPECT_EQ(changed.notes, "notes after");
    EXPECT_FALSE(changed.staff_user_id.has_value());
    EXPECT_EQ(changed.updated_at_ms, kNowMs + 9);
    EXPECT_EQ(changed.version, 2);
    const InfusionCounts counts = store.infusion_counts(course_);
    EXPECT_EQ(counts.completed, 1);
    EXPECT_EQ(counts.booked, 0);
  });
}

TEST_P(SchedulingStoreTest, DoubleBookedChairSlotIsRefusedBySchema) {
  const std::int64_t first = book(*db, appointment(kStartMs, 4));
  // Another process on the same database, not asking first: the UNIQUE slot row refuses the write
  // and the whole booking (appointment and slots) rolls back.
  std::unique_ptr<Database> other = open();
  NewAppointment overlapping = appointment(kStartMs + 3 * kSlotMs, 2);
  overlapping.staff_user_id.reset();
  EXPECT_THROW(book(*other, overlapping), ConstraintViolation);
  // The staff member cannot be in two chairs either.
  const std::int64_t chair_b = with_transaction(*db, [&](Transaction& tx) {
    return SchedulingStore(tx).create_chair({clinic_, "Chair B", true, kNowMs});
  });
  NewAppointment other_chair = appointment(kStartMs + kSlotMs, 1);
  other_chair.chair_id = chair_b;
  EXPECT_THROW(book(*other, other_chair), ConstraintViolation);

  with_transaction(*db, [&](Transaction& tx) {
    SchedulingStore store(tx);
    EXPECT_EQ(store.appointments({}).size(), 1u);  // the refused bookings left nothing
    EXPECT_EQ(store.chair_slot_holder(chair_, kStartMs + 3 * kSlotMs), first);
    EXPECT_EQ(store.staff_slot_holder(nurse_, kStartMs), first);
    EXPECT_FALSE(store.chair_slot_holder(chair_, kStartMs + 4 * kSlotMs).has_value());
    EXPECT_FALSE(store.chair_slot_holder(chair_b, kStartMs + kSlotMs).has_value());
    const std::vector<ChairSlot> held =
        store.chair_slots_between(kStartMs + kSlotMs, kStartMs + 10 * kSlotMs);
    ASSERT_EQ(held.size(), 3u);
    for (const ChairSlot& s : held) EXPECT_EQ(s.chair_id, chair_);
  });
  // Once the first booking's slots are freed, the chair can be booked again.
  with_transaction(*db, [&](Transaction& tx) { SchedulingStore(tx).free_slots(first); });
  EXPECT_NO_THROW(book(*other, overlapping));
}

TEST_P(SchedulingStoreTest, CancellingACourseFreesItsSlots) {
  const std::int64_t a = book(*db, appointment(kStartMs, 2));
  const std::int64_t b = book(*db, appointment(kStartMs + 4 * kSlotMs, 2));
  const std::int64_t n = with_transaction(*db, [&](Transaction& tx) {
    return SchedulingStore(tx).cancel_booked_for_course(course_, "course stopped", kNowMs + 7);
  });
  EXPECT_EQ(n, 2);
  with_transaction(*db, [&](Transaction& tx) {
    SchedulingStore store(tx);
    for (std::int64_t id : {a, b}) {
      const Appointment x = *store.find_appointment(id);
      EXPECT_EQ(x.status, "cancelled");
      EXPECT_EQ(x.status_reason, "course stopped");
      EXPECT_EQ(x.version, 2);
    }
    EXPECT_TRUE(store.chair_slots_between(kStartMs, kStartMs + 10 * kSlotMs).empty());
    EXPECT_FALSE(store.staff_slot_holder(nurse_, kStartMs).has_value());
    EXPECT_EQ(store.infusion_counts(course_).cancelled, 2);
    EXPECT_TRUE(store.held_appointments(patient_).empty());
  });
}

INSTANTIATE_TEST_SUITE_P(Backends, SchedulingStoreTest, ::testing::Values("sqlite", "postgresql"),
                         backend_name);

}  // namespace
}  // namespace kit::storage::test
