// `kit serve` settings: flags > environment > TOML file > defaults, and their validation.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "server/serve/config.h"

namespace kit::server {
namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The shipped example configuration, read through the real loader below.
const std::string kExample = std::string(KIT_SOURCE_DIR) + "/docs/kit.example.toml";

// The keys the example sets ("key = value" lines that are not comments).
std::vector<std::string> example_keys() {
  std::vector<std::string> keys;
  std::istringstream lines(read_file(kExample));
  const std::regex assignment(R"(^([A-Za-z0-9_]+)\s*=)");
  std::smatch m;
  for (std::string line; std::getline(lines, line);) {
    if (std::regex_search(line, m, assignment)) keys.push_back(m[1]);
  }
  return keys;
}

// True if resolving throws ConfigError whose message contains every needle.
bool refused_naming(const ServeFlags& f, std::map<std::string, std::string> env,
                    std::initializer_list<std::string> needles) {
  try {
    resolve_serve_options(f, env_of(std::move(env)));
  } catch (const ConfigError& e) {
    for (const std::string& n : needles) {
      if (std::string(e.what()).find(n) == std::string::npos) {
        ADD_FAILURE() << "'" << e.what() << "' does not name " << n;
        return false;
      }
    }
    return true;
  }
  return false;
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

TEST(ServeConfigTest, ExampleFileIsReadByTheRealLoaderAndShowsTheDefaults) {
  ASSERT_TRUE(std::filesystem::exists(kExample)) << kExample;
  ServeFlags flags;
  flags.config_file = kExample;
  const ServeOptions o = resolve_serve_options(flags, env_of({}));  // throws on any unknown key
  const ServeOptions d = resolve_serve_options({}, env_of({}));
  EXPECT_EQ(o.config_file, kExample);
  // Every value in the example is the built-in default.
  EXPECT_EQ(o.data_dir, d.data_dir);
  EXPECT_EQ(o.listen, d.listen);
  EXPECT_EQ(o.database, d.database);
  EXPECT_EQ(o.demo, d.demo);
  EXPECT_EQ(o.demo_password, d.demo_password);
  EXPECT_EQ(o.log_level, d.log_level);
  EXPECT_EQ(o.workers, d.workers);
  EXPECT_EQ(o.io_threads, d.io_threads);
  EXPECT_EQ(o.body_limit_bytes, d.body_limit_bytes);
  EXPECT_EQ(o.header_timeout_s, d.header_timeout_s);
  EXPECT_EQ(o.idle_timeout_s, d.idle_timeout_s);
  EXPECT_EQ(o.request_timeout_s, d.request_timeout_s);
  EXPECT_EQ(o.drain_timeout_s, d.drain_timeout_s);
  EXPECT_EQ(o.tls, d.tls);
  EXPECT_EQ(o.trusted_proxies, d.trusted_proxies);
  EXPECT_EQ(o.login_ttl_minutes, d.login_ttl_minutes);
  EXPECT_EQ(o.login_max_failures, d.login_max_failures);
  EXPECT_EQ(o.login_lock_minutes, d.login_lock_minutes);
  EXPECT_EQ(o.inquiry_limit_per_hour, d.inquiry_limit_per_hour);
  EXPECT_EQ(o.totp_required_roles, d.totp_required_roles);
  // ... and the handlers' defaults are ServerConfig's own.
  const ServerConfig c = server_config(o);
  const ServerConfig defaults;
  EXPECT_EQ(c.tls, defaults.tls);
  EXPECT_EQ(c.login_ttl_minutes, defaults.login_ttl_minutes);
  EXPECT_EQ(c.login_max_failures, defaults.login_max_failures);
  EXPECT_EQ(c.login_lock_minutes, defaults.login_lock_minutes);
  EXPECT_EQ(c.inquiry_limit_per_hour, defaults.inquiry_limit_per_hour);
  EXPECT_EQ(c.totp_required_roles, defaults.totp_required_roles);
}

TEST(ServeConfigTest, ExampleFileListsEverySettingOnceWithItsEnvironmentVariable) {
  const std::vector<std::string> keys = example_keys();
  const std::set<std::string> in_example(keys.begin(), keys.end());
  EXPECT_EQ(in_example.size(), keys.size()) << "a key is set twice";
  std::set<std::string> known;
  for (const SettingInfo& s : settings()) known.insert(std::string(s.key));
  EXPECT_EQ(in_example, known);  // each key recognised, and none missing from the example
  const std::string text = read_file(kExample);
  for (const SettingInfo& s : settings()) {
    EXPECT_NE(text.find("Environment " + s.env), std::string::npos) << s.env;
    if (s.type == SettingInfo::Type::integer) {
      EXPECT_GE(s.max, s.min) << s.key;
    }
  }
  // Each key is recognised by the loader on its own, too.
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line.front() == '#') continue;
    ServeOptions o;
    EXPECT_NO_THROW(apply_toml(o, line + "\n", "kit.example.toml")) << line;
  }
}

TEST(ServeConfigTest, UnknownKeysAreRefusedNamingTheKeyAndTheFile) {
  const std::string example = read_file(kExample);
  const std::pair<std::string, std::string> cases[] = {
      {"login_ttl_minute = 60", "login_ttl_minute"},  // a typo
      {"session_ttl_minutes = 60", "session_ttl_minutes"},
      {"port = 8080", "port"},
      {"[server]\nlisten = \"127.0.0.1:1\"", "server"},  // no tables
  };
  for (const auto& [extra, key] : cases) {
    ServeOptions o;
    try {
      apply_toml(o, example + "\n" + extra + "\n", "kit.toml");
      ADD_FAILURE() << extra << " was accepted";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("kit.toml: " + key + ": unknown setting"),
                std::string::npos)
          << e.what();
    }
  }
}

TEST(ServeConfigTest, HandlerSettingsTakeEffectFromFileEnvironmentAndFlags) {
  const std::string file = write_temp(
      "tls = true\nlogin_ttl_minutes = 480\nlogin_max_failures = 7\nlogin_lock_minutes = 30\n"
      "inquiry_limit_per_hour = 25\n");
  ServeFlags flags;
  flags.config_file = file;
  ServeOptions o = resolve_serve_options(flags, env_of({}));
  ServerConfig c = server_config(o);
  EXPECT_TRUE(c.tls);
  EXPECT_EQ(c.login_ttl_minutes, 480);
  EXPECT_EQ(c.login_max_failures, 7);
  EXPECT_EQ(c.login_lock_minutes, 30);
  EXPECT_EQ(c.inquiry_limit_per_hour, 25);
  EXPECT_FALSE(c.demo);

  // The environment beats the file.
  const auto env = env_of({{"KIT_TLS", "off"},
                           {"KIT_LOGIN_TTL_MINUTES", "90"},
                           {"KIT_LOGIN_MAX_FAILURES", "4"},
                           {"KIT_LOGIN_LOCK_MINUTES", "45"},
                           {"KIT_INQUIRY_LIMIT_PER_HOUR", "50"},
                           {"KIT_DEMO", "yes"}});
  c = server_config(resolve_serve_options(flags, env));
  EXPECT_FALSE(c.tls);
  EXPECT_EQ(c.login_ttl_minutes, 90);
  EXPECT_EQ(c.login_max_failures, 4);
  EXPECT_EQ(c.login_lock_minutes, 45);
  EXPECT_EQ(c.inquiry_limit_per_hour, 50);
  EXPECT_TRUE(c.demo);

  // Flags beat the environment.
  flags.tls = true;
  flags.login_ttl_minutes = 60;
  flags.login_max_failures = 3;
  flags.login_lock_minutes = 5;
  flags.inquiry_limit_per_hour = 2;
  c = server_config(resolve_serve_options(flags, env));
  EXPECT_TRUE(c.tls);
  EXPECT_EQ(c.login_ttl_minutes, 60);
  EXPECT_EQ(c.login_max_failures, 3);
  EXPECT_EQ(c.login_lock_minutes, 5);
  EXPECT_EQ(c.inquiry_limit_per_hour, 2);
  std::filesystem::remove(file);
}

TEST(ServeConfigTest, EverySettingHasAnEnvironmentVariable) {
  // Integers: one past either end is refused naming the variable, so the variable is read.
  for (const SettingInfo& s : settings()) {
    if (s.type != SettingInfo::Type::integer) continue;
    EXPECT_NO_THROW(resolve_serve_options({}, env_of({{s.env, std::to_string(s.min)}}))) << s.env;
    EXPECT_TRUE(refused_naming({}, {{s.env, std::to_string(s.max + 1)}}, {s.env}));
    EXPECT_TRUE(refused_naming({}, {{s.env, std::to_string(s.min - 1)}}, {s.env}));
  }
  // Text and booleans.
  const ServeOptions o = resolve_serve_options({}, env_of({{"KIT_DATA", "/d"},
                                                           {"KIT_LISTEN", "0.0.0.0:1"},
                                                           {"KIT_DATABASE", "sqlite:/d/k.db"},
                                                           {"KIT_DEMO", "on"},
                                                           {"KIT_DEMO_PASSWORD", "pw-from-env-1"},
                                                           {"KIT_LOG_LEVEL", "WARN"},
                                                           {"KIT_TLS", "true"},
                                                           {"KIT_IO_THREADS", "2"},
                                                           {"KIT_BODY_LIMIT_BYTES", "4096"},
                                                           {"KIT_HEADER_TIMEOUT_S", "3"},
                                                           {"KIT_IDLE_TIMEOUT_S", "4"},
                                                           {"KIT_REQUEST_TIMEOUT_S", "5"},
                                                           {"KIT_DRAIN_TIMEOUT_S", "6"}}));
  EXPECT_EQ(o.data_dir, "/d");
  EXPECT_EQ(o.listen, "0.0.0.0:1");
  EXPECT_EQ(o.database, "sqlite:/d/k.db");
  EXPECT_TRUE(o.demo);
  EXPECT_EQ(o.demo_password, "pw-from-env-1");
  EXPECT_EQ(o.log_level, "warn");
  EXPECT_TRUE(o.tls);
  EXPECT_EQ(o.io_threads, 2);
  EXPECT_EQ(o.body_limit_bytes, 4096u);
  EXPECT_EQ(o.header_timeout_s, 3);
  EXPECT_EQ(o.idle_timeout_s, 4);
  EXPECT_EQ(o.request_timeout_s, 5);
  EXPECT_EQ(o.drain_timeout_s, 6);
}

TEST(ServeConfigTest, TotpRequiredRolesFromFileEnvironmentAndFlagsAndOnlyStaffRoles) {
  EXPECT_TRUE(server_config(resolve_serve_options({}, env_of({}))).totp_required_roles.empty());
  const std::string file = write_temp("totp_required_roles = \"admin, Physician\"\n");
  ServeFlags flags;
  flags.config_file = file;
  EXPECT_EQ(server_config(resolve_serve_options(flags, env_of({}))).totp_required_roles,
            (std::set<std::string>{"admin", "physician"}));
  const auto env = env_of({{"KIT_TOTP_REQUIRED_ROLES", "nurse"}});
  EXPECT_EQ(server_config(resolve_serve_options(flags, env)).totp_required_roles,
            (std::set<std::string>{"nurse"}));
  flags.totp_required_roles = "front_desk,admin";
  EXPECT_EQ(server_config(resolve_serve_options(flags, env)).totp_required_roles,
            (std::set<std::string>{"admin", "front_desk"}));
  std::filesystem::remove(file);
  // Patients have no second factor; a typo is refused naming where it came from.
  EXPECT_TRUE(refused_naming({}, {{"KIT_TOTP_REQUIRED_ROLES", "admin,patient"}},
                             {"KIT_TOTP_REQUIRED_ROLES", "patient"}));
  ServeFlags typo;
  typo.totp_required_roles = "admin,physican";
  EXPECT_TRUE(refused_naming(typo, {}, {"totp_required_roles", "physican"}));
  ServeOptions o;
  try {
    apply_toml(o, "totp_required_roles = \"doctor\"\n", "kit.toml");
    ADD_FAILURE() << "doctor was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("kit.toml: totp_required_roles"), std::string::npos)
        << e.what();
  }
}

TEST(ServeConfigTest, BadHandlerSettingsAreRefusedByName) {
  // Negative or zero minutes, from each source; the message names the key or variable.
  EXPECT_TRUE(refused_naming({}, {{"KIT_LOGIN_LOCK_MINUTES", "-5"}}, {"KIT_LOGIN_LOCK_MINUTES"}));
  EXPECT_TRUE(refused_naming({}, {{"KIT_LOGIN_TTL_MINUTES", "0"}}, {"KIT_LOGIN_TTL_MINUTES"}));
  EXPECT_TRUE(refused_naming({}, {{"KIT_LOGIN_TTL_MINUTES", "12h"}}, {"KIT_LOGIN_TTL_MINUTES"}));
  EXPECT_TRUE(refused_naming({}, {{"KIT_TLS", "maybe"}}, {"KIT_TLS"}));
  ServeFlags f;
  f.login_max_failures = 0;
  EXPECT_TRUE(refused_naming(f, {}, {"login_max_failures"}));
  f = {};
  f.inquiry_limit_per_hour = -1;
  EXPECT_TRUE(refused_naming(f, {}, {"inquiry_limit_per_hour"}));
  f = {};
  f.login_ttl_minutes = 7 * 24 * 60 + 1;
  EXPECT_TRUE(refused_naming(f, {}, {"login_ttl_minutes"}));

  ServeOptions o;
  for (const std::string bad :
       {"login_ttl_minutes = -1", "login_lock_minutes = 0", "login_max_failures = 101",
        "inquiry_limit_per_hour = 0", "login_ttl_minutes = \"720\"", "login_ttl_minutes = 1.5",
        "tls = \"yes\"", "tls = 1"}) {
    try {
      apply_toml(o, bad + "\n", "kit.toml");
      ADD_FAILURE() << bad << " was accepted";
    } catch (const ConfigError& e) {
      const std::string key = bad.substr(0, bad.find(' '));
      EXPECT_NE(std::string(e.what()).find("kit.toml: " + key), std::string::npos) << e.what();
    }
  }
}

TEST(ServeConfigTest, EdSedationIntervalsReachTheHandlersAndNeverGoBelowRcem) {
  ServeOptions o;
  apply_toml(o,
             "ed_sedation_min_after_iv_dose_minutes = 70\n"
             "ed_sedation_min_after_im_dose_minutes = 90\n"
             "ed_sedation_after_adverse_event_minutes = 40\n",
             "kit.toml");
  const ServerConfig c = server_config(o);
  EXPECT_EQ(c.ed_sedation_min_after_iv_dose_minutes, 70);
  EXPECT_EQ(c.ed_sedation_min_after_im_dose_minutes, 90);
  EXPECT_EQ(c.ed_sedation_after_adverse_event_minutes, 40);
  // RCEM: no primary adverse event after 25 min from the last IV dose (core/sedation/rules.h).
  try {
    apply_toml(o, "ed_sedation_min_after_iv_dose_minutes = 20\n", "kit.toml");
    ADD_FAILURE() << "an IV interval below RCEM's 25 min was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("kit.toml: ed_sedation_min_after_iv_dose_minutes"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
TEST(ServeConfigTest, TrustedProxiesFromFileAsArrayOrTextAndFromTheEnvironment) {
  EXPECT_TRUE(resolve_serve_options({}, env_of({})).trusted_proxies.empty());  // none by default
  ServeOptions o;
  apply_toml(o, "trusted_proxies = [\"127.0.0.1\", \"10.0.0.0/8\"]\n", "kit.toml");
  EXPECT_EQ(o.trusted_proxies, "127.0.0.1,10.0.0.0/8");
  const TrustedProxies t = parse_trusted_proxies(o.trusted_proxies, "trusted_proxies");
  EXPECT_TRUE(t.contains("127.0.0.1"));
  EXPECT_TRUE(t.contains("10.1.2.3"));
  EXPECT_FALSE(t.contains("127.0.0.2"));
  apply_toml(o, "trusted_proxies = \"::1\"\n", "kit.toml");
  EXPECT_EQ(o.trusted_proxies, "::1");
  const auto env = env_of({{"KIT_TRUSTED_PROXIES", "192.0.2.1, 192.0.2.2"}});
  EXPECT_EQ(resolve_serve_options({}, env).trusted_proxies, "192.0.2.1, 192.0.2.2");
  // Not an address, a hostname, a bad prefix, an array of numbers: refused naming the setting.
  EXPECT_TRUE(refused_naming({}, {{"KIT_TRUSTED_PROXIES", "127.0.0.1,proxy.local"}},
                             {"KIT_TRUSTED_PROXIES", "proxy.local"}));
  EXPECT_TRUE(refused_naming({}, {{"KIT_TRUSTED_PROXIES", "10.0.0.0/33"}},
                             {"KIT_TRUSTED_PROXIES", "10.0.0.0/33"}));
  for (const char* bad :
       {"trusted_proxies = [\"nginx\"]\n", "trusted_proxies = [1]\n", "trusted_proxies = 1\n"}) {
    ServeOptions p;
    try {
      apply_toml(p, bad, "kit.toml");
      ADD_FAILURE() << bad << " was accepted";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("kit.toml: trusted_proxies"), std::string::npos)
          << e.what();
    }
  }
}

}  // namespace kit::server

namespace kit::server {
namespace {

// The test clock (ADR 0029): the command line of a demo server only.
TEST(ServeConfigTestClock, AcceptedOnlyWithDemo) {
  ServeFlags f;
  f.test_clock_file = "/tmp/clock";
  EXPECT_TRUE(refused_naming(f, {}, {"--test-clock", "--demo"}));
  EXPECT_TRUE(refused_naming(f, {{"KIT_DEMO", "0"}}, {"--test-clock", "--demo"}));
  f.demo = true;
  EXPECT_EQ(resolve_serve_options(f, env_of({})).test_clock_file, "/tmp/clock");
  ServeFlags from_env;
  from_env.test_clock_file = "/tmp/clock";
  EXPECT_EQ(resolve_serve_options(from_env, env_of({{"KIT_DEMO", "1"}})).test_clock_file,
            "/tmp/clock");
  f.test_clock_file = "";
  EXPECT_TRUE(refused_naming(f, {}, {"--test-clock"}));
}

TEST(ServeConfigTestClock, NoSettingNorEnvironmentVariableTurnsItOn) {
  ServeFlags demo;
  demo.demo = true;
  EXPECT_EQ(resolve_serve_options(demo, env_of({{"KIT_TEST_CLOCK", "/tmp/clock"},
                                                {"KIT_TEST_CLOCK_FILE", "/tmp/clock"}}))
                .test_clock_file,
            "");
  for (const SettingInfo& s : settings()) {
    EXPECT_EQ(std::string(s.key).find("clock"), std::string::npos) << s.key;
  }
  ServeOptions o;
  EXPECT_THROW(apply_toml(o, "test_clock = \"/tmp/clock\"\n", "kit.toml"), ConfigError);
  EXPECT_THROW(apply_toml(o, "test_clock_file = \"/tmp/clock\"\n", "kit.toml"), ConfigError);
  EXPECT_EQ(o.test_clock_file, "");
}

}  // namespace
}  // namespace kit::server

namespace kit::server {
namespace {

// The escort's discharge instructions: the clinic's phone number and its own text.
TEST(ServeConfigDischarge, PhoneIsAPhoneNumberAndTheTextFileIsRead) {
  EXPECT_TRUE(refused_naming({}, {{"KIT_DISCHARGE_PHONE", "call us"}}, {"discharge_phone"}));
  EXPECT_TRUE(
      refused_naming({}, {{"KIT_DISCHARGE_PHONE", std::string(41, '1')}}, {"discharge_phone"}));
  const std::string text = write_temp("Call us the next morning.\n");
  const ServeOptions o =
      resolve_serve_options({}, env_of({{"KIT_DISCHARGE_PHONE", "+44 (0)20 7946-0000"},
                                        {"KIT_DISCHARGE_INSTRUCTIONS_FILE", text}}));
  EXPECT_EQ(o.discharge_phone, "+44 (0)20 7946-0000");
  EXPECT_EQ(o.discharge_instructions, "Call us the next morning.\n");
  const ServerConfig c = server_config(o);
  EXPECT_EQ(c.discharge_phone, "+44 (0)20 7946-0000");
  EXPECT_EQ(c.discharge_instructions, "Call us the next morning.\n");
  std::filesystem::remove(text);
  EXPECT_TRUE(refused_naming({}, {{"KIT_DISCHARGE_INSTRUCTIONS_FILE", "/nonexistent/escort.txt"}},
                             {"discharge_instructions_file"}));
}

// One phone number is enough: without discharge_phone the escort's sheet gives clinic_phone (the
// number patients already see in the portal); a separate discharge_phone wins.
TEST(ServeConfigDischarge, TheEscortSheetFallsBackToTheClinicPhone) {
  ServerConfig c =
      server_config(resolve_serve_options({}, env_of({{"KIT_CLINIC_PHONE", "555 0100"}})));
  EXPECT_EQ(c.discharge_phone, "555 0100");
  c = server_config(resolve_serve_options(
      {}, env_of({{"KIT_CLINIC_PHONE", "555 0100"}, {"KIT_DISCHARGE_PHONE", "555 0199"}})));
  EXPECT_EQ(c.discharge_phone, "555 0199");
  EXPECT_EQ(c.clinic_phone, "555 0100");
  c = server_config(resolve_serve_options({}, env_of({})));
  EXPECT_EQ(c.discharge_phone, "");
}

}  // namespace
}  // namespace kit::server
