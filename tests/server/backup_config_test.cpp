// The backup settings of `kit serve` (server/serve/config.h): each refused with an error naming
// the setting and where it came from (TOML file and key, or the environment variable).
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "server/serve/config.h"

namespace kit::server::testing {
namespace {

EnvLookup env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string error_of(std::map<std::string, std::string> vars) {
  try {
    resolve_serve_options({}, env(std::move(vars)));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(accepted)";
}

std::string toml_error(const std::string& text) {
  ServeOptions o;
  try {
    apply_toml(o, text, "clinic.toml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(accepted)";
}

bool has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

TEST(BackupConfig, DefaultsAreOffDailyAtTwoKeepingFourteen) {
  const ServeOptions o = resolve_serve_options({}, env({}));
  EXPECT_EQ(o.backup_folder, "");
  EXPECT_EQ(o.backup_every, "daily at 02:00");
  EXPECT_EQ(o.backup_keep, 14);
  EXPECT_EQ(o.backup_timezone, "");
}

TEST(BackupConfig, AcceptsAFullSchedule) {
  ServeOptions o;
  apply_toml(o,
             "backup_folder = \"/mnt/backups/kit\"\nbackup_every = \"daily at 03:30\"\n"
             "backup_keep = 30\nbackup_timezone = \"Europe/Berlin\"\n",
             "clinic.toml");
  EXPECT_EQ(o.backup_folder, "/mnt/backups/kit");
  EXPECT_EQ(o.backup_every, "daily at 03:30");
  EXPECT_EQ(o.backup_keep, 30);
  EXPECT_EQ(o.backup_timezone, "Europe/Berlin");
  const ServeOptions e = resolve_serve_options(
      {}, env({{"KIT_BACKUP_FOLDER", "/srv/b"}, {"KIT_BACKUP_EVERY", "every 6 hours"}}));
  EXPECT_EQ(e.backup_folder, "/srv/b");
  EXPECT_EQ(e.backup_every, "every 6 hours");
}

TEST(BackupConfig, RefusesBadValuesNamingTheSetting) {
  std::string e = toml_error("backup_every = \"hourly\"\n");
  EXPECT_TRUE(has(e, "clinic.toml: backup_every") && has(e, "daily at HH:MM")) << e;
  e = toml_error("backup_every = \"daily at 25:00\"\n");
  EXPECT_TRUE(has(e, "clinic.toml: backup_every") && has(e, "25:00")) << e;
  e = toml_error("backup_keep = 0\n");
  EXPECT_TRUE(has(e, "clinic.toml: backup_keep")) << e;
  e = toml_error("backup_keep = \"14\"\n");
  EXPECT_TRUE(has(e, "clinic.toml: backup_keep") && has(e, "integer")) << e;
  e = toml_error("backup_timezone = \"Mars/Olympus_Mons\"\n");
  EXPECT_TRUE(has(e, "clinic.toml: backup_timezone") && has(e, "IANA")) << e;
  e = toml_error("[backup]\nfolder = \"/x\"\n");
  EXPECT_TRUE(has(e, "backup") && has(e, "unknown setting")) << e;

  e = error_of({{"KIT_BACKUP_EVERY", "every 1 second"}});
  EXPECT_TRUE(has(e, "KIT_BACKUP_EVERY") && has(e, "at least 2 seconds")) << e;
  e = error_of({{"KIT_BACKUP_KEEP", "1001"}});
  EXPECT_TRUE(has(e, "KIT_BACKUP_KEEP")) << e;
  e = error_of({{"KIT_BACKUP_TIMEZONE", "EST5EDT-nope"}});
  EXPECT_TRUE(has(e, "KIT_BACKUP_TIMEZONE")) << e;
}

}  // namespace
}  // namespace kit::server::testing
