// The scheduled backup's pure logic (server/backup/backup_schedule.h): the schedule's grammar and
// its errors, the next run on the clinic's wall clock across DST changes in both hemispheres, the
// interval's epoch alignment, file names, and which backups are pruned.
#include "server/backup/backup_schedule.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "core/common/calendar.h"
#include "core/common/error.h"

namespace kit::server::testing {
namespace {

// A UTC instant written as ISO 8601 with "Z" or an offset.
std::int64_t utc(const std::string& text) {
  const auto t = calendar::parse_datetime(text);
  EXPECT_TRUE(t && t->offset_min) << text;
  return t->wall_ms - *t->offset_min * calendar::kMinuteMs;
}

std::string refused(const std::string& text) {
  try {
    parse_backup_schedule(text);
  } catch (const kit::Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid_input) << e.what();
    EXPECT_EQ(e.field(), "backup_every") << e.what();
    return e.message();
  }
  return "(accepted)";
}

// ---- Grammar -----------------------------------------------------------------------------------

TEST(BackupSchedule, ParsesDailyAndIntervals) {
  BackupSchedule s = parse_backup_schedule("daily at 02:00");
  EXPECT_EQ(s.kind, BackupSchedule::Kind::daily);
  EXPECT_EQ(s.minute_of_day, 120);
  EXPECT_EQ(s.text(), "daily at 02:00");
  EXPECT_EQ(parse_backup_schedule("  Daily at 23:59 ").minute_of_day, 23 * 60 + 59);
  EXPECT_EQ(parse_backup_schedule("daily at 00:00").minute_of_day, 0);

  s = parse_backup_schedule("every 6 hours");
  EXPECT_EQ(s.kind, BackupSchedule::Kind::interval);
  EXPECT_EQ(s.interval_s, 6 * 3600);
  EXPECT_EQ(parse_backup_schedule("every 1 hour").interval_s, 3600);
  EXPECT_EQ(parse_backup_schedule("every 15 minutes").interval_s, 900);
  EXPECT_EQ(parse_backup_schedule("every 1 minute").interval_s, 60);
  EXPECT_EQ(parse_backup_schedule("every 3 seconds").interval_s, 3);
  EXPECT_EQ(parse_backup_schedule("every 168 hours").interval_s, 7 * 24 * 3600);
  EXPECT_EQ(parse_backup_schedule("every 900 seconds").text(), "every 900 seconds");
}

TEST(BackupSchedule, RefusesAnythingElseNamingTheField) {
  EXPECT_NE(refused(""), "(accepted)");
  EXPECT_NE(refused("hourly"), "(accepted)");
  EXPECT_NE(refused("daily"), "(accepted)");
  EXPECT_NE(refused("daily at 2am"), "(accepted)");
  EXPECT_NE(refused("daily at 24:00"), "(accepted)");
  EXPECT_NE(refused("daily at 02:60"), "(accepted)");
  EXPECT_NE(refused("daily at 2:00"), "(accepted)");
  EXPECT_NE(refused("daily at 02:00 extra"), "(accepted)");
  EXPECT_NE(refused("every hours"), "(accepted)");
  EXPECT_NE(refused("every 0 hours"), "(accepted)");
  EXPECT_NE(refused("every -1 hours"), "(accepted)");
  EXPECT_NE(refused("every 6 fortnights"), "(accepted)");
  EXPECT_NE(refused("every 99999999999999999999 seconds"), "(accepted)");
  // Below the shortest and above the longest interval, with the limits in the message.
  EXPECT_NE(refused("every 1 second").find("at least 2 seconds"), std::string::npos);
  EXPECT_NE(refused("every 169 hours").find("at most"), std::string::npos);
}

// ---- Next run: daily on the clinic's wall clock ------------------------------------------------

TEST(BackupSchedule, DailyInUtcIsTodayOrTomorrow) {
  const ClinicZone z = zone_named("UTC");
  const BackupSchedule s = parse_backup_schedule("daily at 02:00");
  EXPECT_EQ(next_backup_ms(s, z, utc("2026-11-26T01:59:59Z")), utc("2026-11-26T02:00:00Z"));
  // Strictly after now: a run that has just happened is not repeated.
  EXPECT_EQ(next_backup_ms(s, z, utc("2026-11-26T02:00:00Z")), utc("2026-11-27T02:00:00Z"));
  EXPECT_EQ(next_backup_ms(s, z, utc("2026-12-31T03:00:00Z")), utc("2027-01-01T02:00:00Z"));
}

TEST(BackupSchedule, DailyFollowsTheClinicsZone) {
  const ClinicZone ny = zone_named("America/New_York");
  const BackupSchedule s = parse_backup_schedule("daily at 02:00");
  // 02:00 EST is 07:00 UTC in winter, 02:00 EDT 06:00 UTC in summer.
  EXPECT_EQ(next_backup_ms(s, ny, utc("2026-01-15T12:00:00Z")), utc("2026-01-16T07:00:00Z"));
  EXPECT_EQ(next_backup_ms(s, ny, utc("2026-07-15T12:00:00Z")), utc("2026-07-16T06:00:00Z"));
  // 23:30 local on the 15th is already the 16th in UTC: the run is the local 16th's 02:00.
  EXPECT_EQ(next_backup_ms(s, ny, utc("2026-01-15T23:30:00-05:00")), utc("2026-01-16T07:00:00Z"));
}

TEST(BackupSchedule, SpringForwardRunsAtTheJumpWhenTheTimeDoesNotExist) {
  // America/New_York, 2026-03-08: at 02:00 EST (07:00Z) the clocks go to 03:00 EDT.
  const ClinicZone ny = zone_named("America/New_York");
  const BackupSchedule at0230 = parse_backup_schedule("daily at 02:30");
  EXPECT_EQ(next_backup_ms(at0230, ny, utc("2026-03-07T12:00:00-05:00")),
            utc("2026-03-08T07:00:00Z"));  // 03:00 EDT, the instant 02:30 would have been passed
  // The day after, 02:30 exists again (EDT).
  EXPECT_EQ(next_backup_ms(at0230, ny, utc("2026-03-08T07:00:00Z")), utc("2026-03-09T06:30:00Z"));
  // 02:00 itself is skipped too (the clocks show 01:59:59 then 03:00:00).
  const BackupSchedule at0200 = parse_backup_schedule("daily at 02:00");
  EXPECT_EQ(next_backup_ms(at0200, ny, utc("2026-03-07T03:00:00-05:00")),
            utc("2026-03-08T07:00:00Z"));
  // 01:30 exists that night, under EST.
  const BackupSchedule at0130 = parse_backup_schedule("daily at 01:30");
  EXPECT_EQ(next_backup_ms(at0130, ny, utc("2026-03-07T12:00:00-05:00")),
            utc("2026-03-08T06:30:00Z"));
}

TEST(BackupSchedule, FallBackRunsOnceAtTheFirstOccurrence) {
  // America/New_York, 2026-11-01: at 02:00 EDT (06:00Z) the clocks go back to 01:00 EST; every
  // time from 01:00 to 01:59 happens twice.
  const ClinicZone ny = zone_named("America/New_York");
  const BackupSchedule at0130 = parse_backup_schedule("daily at 01:30");
  const std::int64_t first = utc("2026-11-01T01:30:00-04:00");  // 05:30Z
  EXPECT_EQ(next_backup_ms(at0130, ny, utc("2026-10-31T12:00:00-04:00")), first);
  // After the first 01:30 the next run is the next day's, not the second 01:30 (06:30Z).
  EXPECT_EQ(next_backup_ms(at0130, ny, first), utc("2026-11-02T01:30:00-05:00"));
  EXPECT_EQ(next_backup_ms(at0130, ny, utc("2026-11-01T06:29:59Z")),
            utc("2026-11-02T01:30:00-05:00"));
  // 02:00 on either side of the change: 25 hours apart that day.
  const BackupSchedule at0200 = parse_backup_schedule("daily at 02:00");
  const std::int64_t before = next_backup_ms(at0200, ny, utc("2026-10-30T12:00:00-04:00"));
  EXPECT_EQ(before, utc("2026-10-31T06:00:00Z"));
  const std::int64_t after = next_backup_ms(at0200, ny, before);
  EXPECT_EQ(after, utc("2026-11-01T07:00:00Z"));
  EXPECT_EQ(after - before, 25 * 60 * calendar::kMinuteMs);
}

TEST(BackupSchedule, SouthernHemisphereAndEurope) {
  // Europe/Berlin, 2026-03-29: at 02:00 CET (01:00Z) the clocks go to 03:00 CEST.
  const ClinicZone berlin = zone_named("Europe/Berlin");
  const BackupSchedule at0215 = parse_backup_schedule("daily at 02:15");
  EXPECT_EQ(next_backup_ms(at0215, berlin, utc("2026-03-28T12:00:00+01:00")),
            utc("2026-03-29T01:00:00Z"));
  // Australia/Sydney, 2026-04-05: at 03:00 AEDT (16:00Z on the 4th) the clocks go back to 02:00
  // AEST; 02:30 happens twice and the run takes the first (AEDT, +11:00).
  const ClinicZone sydney = zone_named("Australia/Sydney");
  const BackupSchedule at0230 = parse_backup_schedule("daily at 02:30");
  const std::int64_t first = utc("2026-04-05T02:30:00+11:00");
  EXPECT_EQ(next_backup_ms(at0230, sydney, utc("2026-04-04T12:00:00+11:00")), first);
  EXPECT_EQ(next_backup_ms(at0230, sydney, first), utc("2026-04-06T02:30:00+10:00"));
  // 2026-10-04: at 02:00 AEST the clocks go to 03:00 AEDT; 02:30 runs at the jump (16:00Z).
  EXPECT_EQ(next_backup_ms(at0230, sydney, utc("2026-10-03T12:00:00+10:00")),
            utc("2026-10-03T16:00:00Z"));
}

// ---- Next run: intervals -----------------------------------------------------------------------

TEST(BackupSchedule, IntervalsAreMultiplesFromTheEpochWhateverTheZone) {
  const BackupSchedule six = parse_backup_schedule("every 6 hours");
  const ClinicZone ny = zone_named("America/New_York");
  EXPECT_EQ(next_backup_ms(six, ny, utc("2026-11-26T02:42:19Z")), utc("2026-11-26T06:00:00Z"));
  EXPECT_EQ(next_backup_ms(six, ny, utc("2026-11-26T06:00:00Z")), utc("2026-11-26T12:00:00Z"));
  // A DST change moves nothing: the interval is in UTC.
  EXPECT_EQ(next_backup_ms(six, ny, utc("2026-11-01T05:59:59Z")), utc("2026-11-01T06:00:00Z"));
  const BackupSchedule three = parse_backup_schedule("every 3 seconds");
  EXPECT_EQ(next_backup_ms(three, ny, 1000), 3000);
  EXPECT_EQ(next_backup_ms(three, ny, 2999), 3000);
  EXPECT_EQ(next_backup_ms(three, ny, 3000), 6000);
}

// ---- File names and pruning --------------------------------------------------------------------

TEST(BackupSchedule, FileNames) {
  EXPECT_EQ(backup_file_name(utc("2026-11-26T02:00:00Z") + 750), "kit-backup-20261126T020000Z.db");
  EXPECT_EQ(backup_file_name(utc("2026-11-26T02:00:00Z"), 2), "kit-backup-20261126T020000Z-2.db");
  EXPECT_TRUE(is_backup_file_name("kit-backup-20261126T020000Z.db"));
  EXPECT_TRUE(is_backup_file_name("kit-backup-20261126T020000Z-2.db"));
  EXPECT_FALSE(is_backup_file_name("kit.db"));
  EXPECT_FALSE(is_backup_file_name("kit-backup-20261126T020000Z.db.partial"));
  EXPECT_FALSE(is_backup_file_name("kit-backup-20261126T020000Z.db.tmp-123"));
  EXPECT_FALSE(is_backup_file_name("../kit-backup-20261126T020000Z.db"));
  EXPECT_FALSE(is_backup_file_name("x/kit-backup-20261126T020000Z.db"));
  EXPECT_FALSE(is_backup_file_name("kit-backup-2026112T020000Z.db"));
  EXPECT_FALSE(is_backup_file_name("kit-backup-20261126T020000Z-.db"));
  EXPECT_FALSE(is_backup_file_name("kit-backup-20261126T020000Z-0.db"));
  EXPECT_FALSE(is_backup_file_name("my-notes.db"));
}

RecordedBackup run(std::int64_t id, std::int64_t started, bool verified, bool pruned = false,
                   std::string file = "") {
  RecordedBackup r;
  r.id = id;
  r.started_ms = started;
  r.file = file.empty() && verified ? backup_file_name(started) : file;
  r.verified = verified;
  r.pruned = pruned;
  return r;
}

TEST(BackupSchedule, PrunesTheOldestVerifiedBeyondKeep) {
  const std::int64_t d = calendar::kDayMs;
  std::vector<RecordedBackup> runs = {
      run(1, 1 * d, true, true),  // pruned long ago: neither kept nor pruned again
      run(2, 2 * d, true),        // oldest live one
      run(3, 3 * d, false),       // a failed run: no file, never counted, never pruned
      run(4, 4 * d, true),
      run(5, 5 * d, true, false, "my-own-copy.db"),  // not a name the scheduler writes
      run(6, 6 * d, true),
      run(7, 7 * d, false),  // the newest run failed: it must not push a good one out
      run(8, 8 * d, true),
  };
  // Verified, live, scheduler-named: 2, 4, 6, 8. Keep 3: delete 2.
  EXPECT_EQ(backups_to_prune(runs, 3), (std::vector<std::int64_t>{2}));
  EXPECT_EQ(backups_to_prune(runs, 2), (std::vector<std::int64_t>{2, 4}));
  EXPECT_EQ(backups_to_prune(runs, 1), (std::vector<std::int64_t>{2, 4, 6}));
  EXPECT_TRUE(backups_to_prune(runs, 4).empty());
  EXPECT_TRUE(backups_to_prune(runs, 14).empty());
  // The order of the input does not matter; the newest by start time are kept.
  std::reverse(runs.begin(), runs.end());
  EXPECT_EQ(backups_to_prune(runs, 2), (std::vector<std::int64_t>{2, 4}));
  // Only failures: nothing to delete, whatever keep says.
  EXPECT_TRUE(backups_to_prune({run(1, d, false), run(2, 2 * d, false)}, 1).empty());
}

}  // namespace
}  // namespace kit::server::testing
