// The account store (storage/stores/account_store.h) on both back ends: users and their
// credentials, the version compare-and-set on access changes, logins (found by token hash with
// their account, expiring at their instant, ended one, all or all but one) and the failed-login
// counter.
#include "storage/stores/account_store.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/migration_runner.h"
#include "storage/stores/patient_store.h"
#include "tests/storage/storage_fixture.h"

namespace kit::storage::test {
namespace {

constexpr std::int64_t kNowMs = 1'800'000'000'000;
constexpr std::int64_t kHourMs = 3'600'000;

class AccountStoreTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped()) return;  // no PostgreSQL
    apply_migrations(*db, embedded_migrations());
  }

  static NewUser user(const std::string& name, const std::string& role,
                      std::optional<std::int64_t> patient_id = std::nullopt) {
    return {.username = name,
            .password_hash = "argon2-of-" + name,
            .role = role,
            .patient_id = patient_id,
            .at_ms = kNowMs};
  }

  std::int64_t create_user(const NewUser& u) {
    return with_transaction(*db, [&](Transaction& tx) { return AccountStore(tx).create_user(u); });
  }

  std::int64_t add_patient() {
    return with_transaction(*db, [&](Transaction& tx) {
      NewPatient p;
      p.given_name = "Ada";
      p.family_name = "Test";
      p.date_of_birth = "1980-01-01";
      p.sex = "female";
      p.indication = "depression";
      p.at_ms = kNowMs;
      return PatientStore(tx).create(p);
    });
  }

  std::int64_t add_login(std::int64_t user_id, const std::string& token_hash,
                         std::int64_t expires_at_ms) {
    return with_transaction(*db, [&](Transaction& tx) {
      return AccountStore(tx).add_login({.token_hash = token_hash,
                                         .user_id = user_id,
                                         .csrf_token = "csrf-" + token_hash,
                                         .at_ms = kNowMs,
                                         .expires_at_ms = expires_at_ms,
                                         .remote_address = "192.0.2.7"});
    });
  }

  std::vector<std::int64_t> login_ids_of(std::int64_t user_id) {
    std::vector<std::int64_t> ids;
    with_transaction(*db, [&](Transaction& tx) {
      for (const Row& r :
           tx.query("SELECT id FROM logins WHERE user_id = $1 ORDER BY id", {user_id})) {
        ids.push_back(r.i64("id"));
      }
    });
    return ids;
  }
};

TEST_P(AccountStoreTest, UsersRoundTripWithoutAndWithTheirCredentials) {
  const std::int64_t patient = add_patient();
  const std::int64_t nurse = create_user(user("nurse1", "nurse"));
  const std::int64_t own = create_user(user("ada@example.org", "patient", patient));
  const std::int64_t admin = create_user(user("admin", "admin"));

  with_transaction(*db, [&](Transaction& tx) {
    AccountStore store(tx);
    const std::optional<User> got = store.find_user(own);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->id, own);
    EXPECT_EQ(got->username, "ada@example.org");
    EXPECT_EQ(got->role, "patient");
    EXPECT_EQ(got->patient_id, patient);
    EXPECT_FALSE(got->disabled);
    EXPECT_EQ(got->created_at_ms, kNowMs);
    EXPECT_EQ(got->updated_at_ms, kNowMs);
    EXPECT_EQ(got->version, 1);
    EXPECT_EQ(store.find_user(nurse)->patient_id, std::nullopt);
    EXPECT_EQ(store.find_user(admin + own + nurse), std::nullopt);

    const std::optional<UserCredentials> c = store.credentials(nurse);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->user.id, nurse);
    EXPECT_EQ(c->user.role, "nurse");
    EXPECT_EQ(c->password_hash, "argon2-of-nurse1");
    const std::optional<UserCredentials> by_name = store.credentials_by_username("admin");
    ASSERT_TRUE(by_name.has_value());
    EXPECT_EQ(by_name->user.id, admin);
    EXPECT_EQ(by_name->password_hash, "argon2-of-admin");
    EXPECT_EQ(store.credentials_by_username("nobody"), std::nullopt);
    EXPECT_EQ(store.credentials(admin + own + nurse), std::nullopt);

    // Ordered by username.
    const std::vector<User> all = store.users();
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].id, own);
    EXPECT_EQ(all[1].id, admin);
    EXPECT_EQ(all[2].id, nurse);

    EXPECT_TRUE(store.username_taken("nurse1"));
    EXPECT_FALSE(store.username_taken("nurse2"));
    EXPECT_TRUE(store.patient_has_account(patient));
    EXPECT_FALSE(store.patient_has_account(patient + 1));
  });

  // The schema refuses a taken username, a second account for a patient, and a patient account
  // without its patient.
  EXPECT_THROW(create_user(user("nurse1", "physician")), ConstraintViolation);
  EXPECT_THROW(create_user(user("ada2", "patient", patient)), ConstraintViolation);
  EXPECT_THROW(create_user(user("ada3", "patient")), ConstraintViolation);
}

TEST_P(AccountStoreTest, AccessChangesNeedTheVersionTheyWereMadeOn) {
  const std::int64_t id = create_user(user("nurse1", "nurse"));
  with_transaction(*db, [&](Transaction& tx) {
    AccountStore store(tx);
    EXPECT_FALSE(store.update_access(id, 2, true, "nurse", kNowMs + 1));  // stale
    EXPECT_FALSE(store.find_user(id)->disabled);
    EXPECT_TRUE(store.update_access(id, 1, true, "physician", kNowMs + 1));
    EXPECT_FALSE(store.update_access(id, 1, false, "nurse", kNowMs + 2));  // the loser
    const User u = *store.find_user(id);
    EXPECT_TRUE(u.disabled);
    EXPECT_EQ(u.role, "physician");
    EXPECT_EQ(u.version, 2);
    EXPECT_EQ(u.updated_at_ms, kNowMs + 1);
  });
}

TEST_P(AccountStoreTest, ANewPasswordHashBumpsTheVersion) {
  const std::int64_t id = create_user(user("nurse1", "nurse"));
  with_transaction(*db, [&](Transaction& tx) {
    AccountStore store(tx);
    store.set_password_hash(id, "argon2-new", kNowMs + 3);
    const UserCredentials c = *store.credentials(id);
    EXPECT_EQ(c.password_hash, "argon2-new");
    EXPECT_EQ(c.user.version, 2);
    EXPECT_EQ(c.user.updated_at_ms, kNowMs + 3);
  });
}

TEST_P(AccountStoreTest, ADisabledAccountIsEnabledAgainWithANewHash) {
  const std::int64_t id = create_user(user("nurse1", "nurse"));
  with_transaction(*db, [&](Transaction& tx) {
    AccountStore store(tx);
    ASSERT_TRUE(store.update_access(id, 1, true, "nurse", kNowMs + 1));
    store.enable_with_password_hash(id, "argon2-demo", kNowMs + 2);
    const UserCredentials c = *store.credentials(id);
    EXPECT_FALSE(c.user.disabled);
    EXPECT_EQ(c.password_hash, "argon2-demo");
    EXPECT_EQ(c.user.role, "nurse");
    EXPECT_EQ(c.user.version, 3);
    EXPECT_EQ(c.user.updated_at_ms, kNowMs + 2);
  });
}

TEST_P(AccountStoreTest, ALoginIsFoundByItsTokenHashWithItsAccount) {
  const std::int64_t nurse = create_user(user("nurse1", "nurse"));
  const std::int64_t id = add_login(nurse, "hash-a", kNowMs + kHourMs);
  with_transaction(*db, [&](Transaction& tx) {
    AccountStore store(tx);
    const std::optional<Login> got = store.find_login(id);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->id, id);
    EXPECT_EQ(got->token_hash, "hash-a");
    EXPECT_EQ(got->user_id, nurse);
    EXPECT_EQ(got->csrf_token, "csrf-hash-a");
    EXPECT_EQ(got->created_at_ms, kNowMs);
    EXPECT_EQ(got->last_seen_ms, kNowMs);
    EXPECT_EQ(got->expires_at_ms, kNowMs + kHourMs);
    EXPECT_EQ(got->remote_address, "192.0.2.7");
    EXPECT_EQ(store.find_login(id + 100), std::nullopt);

    const std::optional<LoginOfUser> both = store.login_by_token_hash("hash-a");
    ASSERT_TRUE(both.has_value());
    EXPECT_EQ(both->login.id, id);
    EXPECT_EQ(both->login.csrf_token, "csrf-hash-a");
    EXPECT_EQ(both->login.created_at_ms, kNowMs);
    EXPECT_EQ(both->user.id, nurse);
    EXPECT_EQ(both->user.username, "nurse1");
    EXPECT_EQ(both->user.role, "nurse");
    EXPECT_EQ(both->user.created_at_ms, kNowMs);
    EXPECT_EQ(store.login_by_token_hash("hash-b"), std::nullopt);

    store.touch_login(id, kNowMs + 61'000);
    EXPECT_EQ(store.find_login(id)->last_seen_ms, kNowMs + 61'000);
  });
  // Token hashes are unique.
  EXPECT_THROW(add_login(nurse, "hash-a", kNowMs + kHourMs), ConstraintViolation);
}

TEST_P(AccountStoreTest, ALoginExpiresAtItsInstantAndExpiredLoginsAreCleanedUp) {
  const std::int64_t nurse = create_user(user("nurse1", "nurse"));
  const std::int64_t admin = create_user(user("admin", "admin"));
  const std::int64_t expired = add_login(nurse, "hash-old", kNowMs);
  const std::int64_t live = add_login(nurse, "hash-new", kNowMs + kHourMs);
  const std::int64_t others = add_login(admin, "hash-admin", kNowMs - kHourMs);

  with_transaction(*db, [&](Transaction& tx) {
    AccountStore store(tx);
    // A login is good up to, not including, its expiry instant; the store still finds it, so the
    // caller can end it.
    const Login old = store.login_by_token_hash("hash-old")->login;
    EXPECT_FALSE(old.expired_at(kNowMs - 1));
    EXPECT_TRUE(old.expired_at(kNowMs));
    EXPECT_FALSE(store.find_login(live)->expired_at(kNowMs));

    store.end_expired_logins(nurse, kNowMs);
  });
  EXPECT_EQ(login_ids_of(nurse), (std::vector<std::int64_t>{live}));
  EXPECT_EQ(login_ids_of(admin), (std::vector<std::int64_t>{others}));  // only the user's own
  with_transaction(
      *db, [&](Transaction& tx) { EXPECT_EQ(AccountStore(tx).find_login(expired), std::nullopt); });
}

TEST_P(AccountStoreTest, LoginsEndOneAllOrAllButTheCallers) {
  const std::int64_t nurse = create_user(user("nurse1", "nurse"));
  const std::int64_t admin = create_user(user("admin", "admin"));
  const std::int64_t a = add_login(nurse, "a", kNowMs + kHourMs);
  const std::int64_t b = add_login(nurse, "b", kNowMs + kHourMs);
  const std::int64_t c = add_login(nurse, "c", kNowMs + kHourMs);
  const std::int64_t d = add_login(admin, "d", kNowMs + kHourMs);

  with_transaction(*db, [&](Transaction& tx) { AccountStore(tx).end_login(a); });
  EXPECT_EQ(login_ids_of(nurse), (std::vector<std::int64_t>{b, c}));
  with_transaction(*db, [&](Transaction& tx) { AccountStore(tx).end_user_logins(nurse, c); });
  EXPECT_EQ(login_ids_of(nurse), (std::vector<std::int64_t>{c}));
  with_transaction(*db, [&](Transaction& tx) { AccountStore(tx).end_user_logins(nurse); });
  EXPECT_EQ(login_ids_of(nurse), (std::vector<std::int64_t>{}));
  EXPECT_EQ(login_ids_of(admin), (std::vector<std::int64_t>{d}));
}

TEST_P(AccountStoreTest, FailedLoginsAreCountedLockedAndCleared) {
  with_transaction(*db, [&](Transaction& tx) {
    AccountStore store(tx);
    EXPECT_EQ(store.throttle("ghost"), std::nullopt);
    // Unknown usernames are counted too.
    EXPECT_EQ(store.count_failed_login("ghost", kNowMs, 0), 1);
    EXPECT_EQ(store.count_failed_login("ghost", kNowMs + 1, 0), 2);
    EXPECT_EQ(store.count_failed_login("other", kNowMs + 1, 0), 1);
    LoginThrottle t = *store.throttle("ghost");
    EXPECT_EQ(t.username, "ghost");
    EXPECT_EQ(t.failures, 2);
    EXPECT_EQ(t.locked_until_ms, 0);
    EXPECT_EQ(t.updated_at_ms, kNowMs + 1);
    EXPECT_FALSE(t.locked_at(kNowMs));

    store.lock_username("ghost", kNowMs + 15 * 60'000, kNowMs + 2);
    t = *store.throttle("ghost");
    EXPECT_EQ(t.failures, 0);  // the count starts again
    EXPECT_EQ(t.locked_until_ms, kNowMs + 15 * 60'000);
    EXPECT_EQ(t.updated_at_ms, kNowMs + 2);
    EXPECT_TRUE(t.locked_at(kNowMs + 15 * 60'000 - 1));
    EXPECT_FALSE(t.locked_at(kNowMs + 15 * 60'000));
    // An attempt during the lock is refused by the counting statement itself (nullopt), counts
    // nothing and neither shortens nor extends the lock: before, it answered 1, so an attempt
    // that raced the lock on PostgreSQL was checked as the first of a fresh budget.
    EXPECT_EQ(store.count_failed_login("ghost", kNowMs + 3, 0), std::nullopt);
    EXPECT_EQ(store.throttle("ghost")->failures, 0);
    EXPECT_EQ(store.throttle("ghost")->locked_until_ms, kNowMs + 15 * 60'000);
    // When the lock has run out, the count starts again at 1.
    EXPECT_EQ(store.count_failed_login("ghost", kNowMs + 15 * 60'000, 0), 1);

    store.clear_throttle("ghost");
    EXPECT_EQ(store.throttle("ghost"), std::nullopt);
    EXPECT_EQ(store.throttle("other")->failures, 1);
  });
}

TEST_P(AccountStoreTest, ASecondFactorStepIsAcceptedOnceAndRecoveryCodesOnce) {
  const std::int64_t id = create_user(user("tess", "nurse"));
  const std::int64_t admin = create_user(user("ada", "admin"));
  with_transaction(*db, [&](Transaction& tx) {
    AccountStore store(tx);
    EXPECT_EQ(store.totp_factor(id), std::nullopt);
    EXPECT_FALSE(store.accept_totp_step(id, 5));  // no factor: nothing to accept
    store.start_totp(id, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", kNowMs);
    TotpFactor f = *store.totp_factor(id);
    EXPECT_FALSE(f.confirmed());
    EXPECT_EQ(f.last_step, -1);
    // Starting again replaces a pending secret.
    store.start_totp(id, "MZXW6YTBOIMZXW6YTBOIMZXW6YTBOIAA", kNowMs + 1);
    EXPECT_EQ(store.totp_factor(id)->secret_base32, "MZXW6YTBOIMZXW6YTBOIMZXW6YTBOIAA");
    // A step is accepted once; an earlier one never; a later one is.
    EXPECT_TRUE(store.accept_totp_step(id, 5));
    EXPECT_FALSE(store.accept_totp_step(id, 5));
    EXPECT_FALSE(store.accept_totp_step(id, 4));
    EXPECT_TRUE(store.accept_totp_step(id, 6));
    store.confirm_totp(id, kNowMs + 2);
    f = *store.totp_factor(id);
    EXPECT_TRUE(f.confirmed());
    EXPECT_EQ(*f.confirmed_at_ms, kNowMs + 2);
    EXPECT_EQ(f.last_step, 6);

    store.replace_recovery_codes(id, {"hash-a", "hash-b"}, kNowMs);
    EXPECT_EQ(store.recovery_codes_left(id), 2);
    EXPECT_FALSE(store.use_recovery_code(admin, "hash-a", kNowMs));  // another account's
    EXPECT_TRUE(store.use_recovery_code(id, "hash-a", kNowMs));
    EXPECT_FALSE(store.use_recovery_code(id, "hash-a", kNowMs));  // once only
    EXPECT_EQ(store.recovery_codes_left(id), 1);

    EXPECT_EQ(store.last_totp_clear(id), std::nullopt);
    store.remove_totp(id);
    store.record_totp_clear(id, admin, kNowMs + 3);
    EXPECT_EQ(store.totp_factor(id), std::nullopt);
    EXPECT_EQ(store.recovery_codes_left(id), 0);
    EXPECT_EQ(store.last_totp_clear(id)->by_user_id, admin);
    EXPECT_EQ(store.last_totp_clear(id)->at_ms, kNowMs + 3);
  });
}

INSTANTIATE_TEST_SUITE_P(Backends, AccountStoreTest, ::testing::Values("sqlite", "postgresql"),
                         backend_name);

}  // namespace
}  // namespace kit::storage::test
