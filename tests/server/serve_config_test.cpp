// `kit serve` settings: flags > environment > TOML file > defaults, and their validation.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "server/app/config.h"

namespace kit::server {
namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string write_temp(const std::string& text) {
  const auto path =
      std::filesystem::temp_directory_path() /
      ("kit-config-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
       ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".toml");
  std::ofstream(path) << text;
  return path.string();
}

TEST(ServeConfigTest, DefaultsMatchTheFixedInterface) {
  const ServeOptions o = resolve_serve_options({}, env_of({}));
  EXPECT_EQ(o.data_dir, "./kit-data");
  EXPECT_EQ(o.listen, "127.0.0.1:8080");
  EXPECT_EQ(o.database, "");
  EXPECT_FALSE(o.demo);
  EXPECT_EQ(o.body_limit_bytes, 1024u * 1024u);
  EXPECT_EQ(o.log_level, "info");
}

TEST(ServeConfigTest, FlagsBeatEnvironmentBeatsFileBeatsDefaults) {
  const std::string file = write_temp(
      "data = \"/from/file\"\nlisten = \"0.0.0.0:9000\"\ndatabase = \"sqlite:/x.db\"\n"
      "demo = true\nbody_limit_bytes = 2048\nidle_timeout_s = 5\nlog_level = \"debug\"\n"
      "workers = 3\n");
  ServeFlags flags;
  flags.config_file = file;
  flags.listen = "127.0.0.1:7000";
  const ServeOptions o = resolve_serve_options(
      flags,
      env_of({{"KIT_DATA", "/from/env"}, {"KIT_LISTEN", "127.0.0.1:8000"}, {"KIT_DEMO", "0"}}));
  EXPECT_EQ(o.listen, "127.0.0.1:7000");  // flag
  EXPECT_EQ(o.data_dir, "/from/env");     // environment over file
  EXPECT_FALSE(o.demo);                   // environment over file
  EXPECT_EQ(o.database, "sqlite:/x.db");  // file
  EXPECT_EQ(o.body_limit_bytes, 2048u);
  EXPECT_EQ(o.idle_timeout_s, 5);
  EXPECT_EQ(o.log_level, "debug");
  EXPECT_EQ(o.workers, 3);
  EXPECT_EQ(o.config_file, file);
  std::filesystem::remove(file);
}

TEST(ServeConfigTest, ConfigFileFromTheEnvironment) {
  const std::string file = write_temp("demo = true\ndemo_password = \"from-the-file-1\"\n");
  const ServeOptions o = resolve_serve_options({}, env_of({{"KIT_CONFIG", file}}));
  EXPECT_TRUE(o.demo);
  EXPECT_EQ(o.demo_password, "from-the-file-1");
  std::filesystem::remove(file);
}

TEST(ServeConfigTest, BadSettingsAreRefusedByName) {
  auto refused = [](const ServeFlags& f, std::map<std::string, std::string> env,
                    const std::string& needle) {
    try {
      resolve_serve_options(f, env_of(std::move(env)));
    } catch (const ConfigError& e) {
      return std::string(e.what()).find(needle) != std::string::npos;
    }
    return false;
  };
  ServeFlags f;
  f.listen = "localhost";
  EXPECT_TRUE(refused(f, {}, "listen"));
  f.listen = "127.0.0.1:70000";
  EXPECT_TRUE(refused(f, {}, "listen"));
  EXPECT_TRUE(refused({}, {{"KIT_DEMO", "maybe"}}, "KIT_DEMO"));
  EXPECT_TRUE(refused({}, {{"KIT_WORKERS", "0"}}, "KIT_WORKERS"));
  EXPECT_TRUE(refused({}, {{"KIT_LOG_LEVEL", "loud"}}, "log_level"));
  ServeFlags missing;
  missing.config_file = "/nonexistent/kit.toml";
  EXPECT_TRUE(refused(missing, {}, "cannot be read"));

  ServeOptions o;
  EXPECT_THROW(apply_toml(o, "listen = 8080\n", "f.toml"), ConfigError);         // wrong type
  EXPECT_THROW(apply_toml(o, "lisen = \"x:1\"\n", "f.toml"), ConfigError);       // typo
  EXPECT_THROW(apply_toml(o, "body_limit_bytes = 1\n", "f.toml"), ConfigError);  // range
  try {
    apply_toml(o, "data = \n", "f.toml");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("f.toml:1:"), std::string::npos) << e.what();
  }
}

TEST(ServeConfigTest, ParsesListenAddresses) {
  EXPECT_EQ(parse_listen("127.0.0.1:8080").host, "127.0.0.1");
  EXPECT_EQ(parse_listen("127.0.0.1:8080").port, 8080);
  EXPECT_EQ(parse_listen("0.0.0.0:0").port, 0);
  EXPECT_EQ(parse_listen("[::1]:9000").host, "::1");
  EXPECT_EQ(parse_listen("[::1]:9000").port, 9000);
  EXPECT_EQ(parse_listen("clinic.local:80").host, "clinic.local");
  EXPECT_THROW(parse_listen(":80"), ConfigError);
  EXPECT_THROW(parse_listen("::1:80"), ConfigError);
  EXPECT_THROW(parse_listen("host:port"), ConfigError);
}

}  // namespace
}  // namespace kit::server
