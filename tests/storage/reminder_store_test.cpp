// The reminders' outbox (storage/stores/reminder_store.h) on both back ends: a reminder is planned
// once (a second enqueue of the same kind, patient, key and number is refused quietly); a claim is
// exclusive; a retry goes back to queued and the last try fails the message; a claim left by a
// dead process is recovered as interrupted (at-least-once) and a fresh one is not; a cancel only
// touches queued messages; every attempt is kept. Nothing is deleted.
#include "storage/stores/reminder_store.h"

#include <gtest/gtest.h>

#include "storage/migration_runner.h"
#include "storage/migrations.h"
#include "tests/storage/storage_fixture.h"

namespace kit::storage::test {
namespace {

constexpr std::int64_t kNowMs = 1'800'000'000'000;

class ReminderStoreTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped()) return;  // no PostgreSQL
    apply_migrations(*db, embedded_migrations());
    with_transaction(*db, [&](Transaction& tx) {
      patient_ = tx.query(
                       "INSERT INTO patients (mrn, given_name, family_name, date_of_birth, sex, "
                       "indication, email, created_at_ms, updated_at_ms) VALUES ('MRN-R1', 'Ada', "
                       "'Test', '1980-01-01', 'female', 'depression', 'ada@example.net', $1, $1) "
                       "RETURNING id",
                       {kNowMs})
                     .front()
                     .i64("id");
    });
  }

  OutboxMessage message(const std::string& key, std::int64_t number = 1) const {
    OutboxMessage m;
    m.kind = "questionnaire_due";
    m.patient_id = patient_;
    m.due_key = key;
    m.reminder_number = number;
    m.local_day = 20'833;
    m.recipient = "ada@example.net";
    m.language = "en";
    m.subject = "s";
    m.body = "b";
    m.message_id = "<id-" + key + "@x>";
    m.next_attempt_at_ms = kNowMs;
    m.planned_at_ms = kNowMs;
    return m;
  }

  std::int64_t patient_ = 0;
};

TEST_P(ReminderStoreTest, PlannedOnceClaimedOnceRetriedThenFailed) {
  with_transaction(*db, [&](Transaction& tx) {
    ReminderStore s(tx);
    const auto id = s.enqueue(message("course:1:baseline:0:0"));
    ASSERT_TRUE(id.has_value());
    EXPECT_FALSE(s.enqueue(message("course:1:baseline:0:0")).has_value());    // the same reminder
    EXPECT_TRUE(s.enqueue(message("course:1:baseline:0:0", 2)).has_value());  // the next one
    ASSERT_EQ(s.planned().size(), 2u);
    ASSERT_EQ(s.contacts().size(), 1u);
    EXPECT_EQ(s.contacts().front().language, "en");  // no preference: English

    EXPECT_EQ(s.due(kNowMs - 1, 10).size(), 0u);
    ASSERT_EQ(s.due(kNowMs, 10).size(), 2u);
    EXPECT_TRUE(s.claim(*id, "a", kNowMs));
    EXPECT_FALSE(s.claim(*id, "b", kNowMs));  // taken
    s.finish_failed(*id, 1, 550, "550 no", kNowMs + 1000, kNowMs);
    auto m = s.find(*id);
    EXPECT_EQ((std::pair{m->state, m->attempts}),
              (std::pair{std::string("queued"), std::int64_t{1}}));
    EXPECT_EQ(m->next_attempt_at_ms, kNowMs + 1000);
    EXPECT_TRUE(s.claim(*id, "a", kNowMs + 1000));
    s.finish_failed(*id, 2, 550, "550 no", std::nullopt, kNowMs + 1000);
    m = s.find(*id);
    EXPECT_EQ(m->state, "failed");
    EXPECT_EQ(m->last_error, "550 no");
    const auto log = s.attempts(*id);
    ASSERT_EQ(log.size(), 2u);
    EXPECT_EQ(log[0].outcome, "failed");
    EXPECT_EQ(log[1].smtp_code, 550);
    EXPECT_FALSE(s.claim(*id, "a", kNowMs + 2000));  // failed stays failed
  });
}

// The language a patient chose for the portal (patient_preferences, migration 0014) is the
// language of their reminders.
TEST_P(ReminderStoreTest, ThePatientsPortalLanguageIsTheirRemindersLanguage) {
  with_transaction(*db, [&](Transaction& tx) {
    const std::int64_t staff =
        tx.query(
              "INSERT INTO users (username, role, password_hash, created_at_ms, updated_at_ms) "
              "VALUES ('desk-r', 'front_desk', 'x', $1, $1) RETURNING id",
              {kNowMs})
            .front()
            .i64("id");
    tx.exec(
        "INSERT INTO patient_preferences (patient_id, language, updated_by, updated_at_ms) VALUES "
        "($1, 'es', $2, $3)",
        {patient_, staff, kNowMs});
    ReminderStore s(tx);
    ASSERT_EQ(s.contacts().size(), 1u);
    EXPECT_EQ(s.contacts().front().language, "es");
  });
}

TEST_P(ReminderStoreTest, DeadClaimsAreRecoveredAsInterruptedLiveOnesAreNot) {
  with_transaction(*db, [&](Transaction& tx) {
    ReminderStore s(tx);
    const auto dead = *s.enqueue(message("k1"));
    const auto mine = *s.enqueue(message("k2"));
    const auto fresh = *s.enqueue(message("k3"));
    ASSERT_TRUE(s.claim(dead, "old-process", kNowMs));
    ASSERT_TRUE(s.claim(mine, "me", kNowMs));
    ASSERT_TRUE(s.claim(fresh, "other-live", kNowMs + 50'000));
    const auto got = s.recover_interrupted("me", kNowMs + 10'000, 5, kNowMs + 60'000);
    ASSERT_EQ(got, std::vector<std::int64_t>{dead});
    const auto m = s.find(dead);
    EXPECT_EQ(m->state, "queued");
    EXPECT_EQ(m->next_attempt_at_ms, kNowMs + 60'000);
    EXPECT_EQ(s.attempts(dead).front().outcome, "interrupted");
    EXPECT_EQ(s.find(mine)->state, "sending");
    EXPECT_EQ(s.find(fresh)->state, "sending");
    // Sent after the retry: sent, with both attempts kept.
    ASSERT_TRUE(s.claim(dead, "me", kNowMs + 60'000));
    s.finish_sent(dead, 2, 250, "250 ok", kNowMs + 61'000);
    EXPECT_EQ(s.find(dead)->state, "sent");
    EXPECT_EQ(s.attempts(dead).size(), 2u);
    // The last try used up: failed.
    EXPECT_EQ(s.recover_interrupted("me", kNowMs + 100'000, 1, kNowMs + 100'000).size(), 1u);
    EXPECT_EQ(s.find(fresh)->state, "failed");
  });
}

TEST_P(ReminderStoreTest, CancelTouchesOnlyQueuedAndSearchFilters) {
  with_transaction(*db, [&](Transaction& tx) {
    ReminderStore s(tx);
    const auto a = *s.enqueue(message("a"));
    const auto b = *s.enqueue(message("b"));
    ASSERT_TRUE(s.claim(b, "me", kNowMs));
    s.cancel(a, "closed", kNowMs);
    s.cancel(b, "closed", kNowMs);  // sending: untouched
    EXPECT_EQ(s.find(a)->state, "cancelled");
    EXPECT_EQ(s.find(a)->cancel_reason, "closed");
    EXPECT_EQ(s.find(b)->state, "sending");
    EXPECT_EQ(s.planned().size(), 1u);  // a cancelled reminder does not count
    OutboxSearch q;
    q.state = "cancelled";
    EXPECT_EQ(s.count(q), 1);
    EXPECT_EQ(s.search(q).front().id, a);
    q.state.reset();
    q.patient_id = patient_;
    EXPECT_EQ(s.count(q), 2);
    EXPECT_EQ(tx.query("SELECT COUNT(*) AS n FROM reminder_outbox").front().i64("n"), 2);
  });
}

INSTANTIATE_TEST_SUITE_P(Backends, ReminderStoreTest, ::testing::Values("sqlite", "postgresql"),
                         backend_name);

}  // namespace
}  // namespace kit::storage::test
