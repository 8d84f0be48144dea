// The real `kit serve` as a process: starts on a free port, answers /healthz and /metrics, logs
// JSON lines, prints the demo banner, and exits 0 soon after SIGTERM.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/http_client.h"
#include "tests/support/run_process.h"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using kit::test::http_request;

std::filesystem::path make_temp_dir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "kit-serve-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) return {};
  return tmpl;
}

// `kit serve ...` with stderr read on a thread (the JSON log and the banner).
class ServeProcess {
 public:
  explicit ServeProcess(const std::vector<std::string>& args) {
    int fds[2];
    if (pipe(fds) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], STDERR_FILENO);
      const int devnull = open("/dev/null", O_RDWR);
      dup2(devnull, STDIN_FILENO);
      dup2(devnull, STDOUT_FILENO);
      close(fds[0]);
      close(fds[1]);
      std::vector<char*> argv;
      std::string program = KIT_BINARY;
      argv.push_back(program.data());
      std::vector<std::string> copy = args;
      for (auto& a : copy) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(program.c_str(), argv.data());
      _exit(127);
    }
    close(fds[1]);
    fd_ = fds[0];
    reader_ = std::thread([this] {
      char buf[4096];
      for (;;) {
        const ssize_t n = read(fd_, buf, sizeof buf);
        if (n <= 0) break;
        std::lock_guard lock(mutex_);
        err_.append(buf, static_cast<std::size_t>(n));
      }
    });
  }

  ~ServeProcess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (reader_.joinable()) reader_.join();
    if (fd_ >= 0) close(fd_);
  }

  std::string err() {
    std::lock_guard lock(mutex_);
    return err_;
  }

  // The port from the "listening" log line, or 0 if it did not appear in time.
  int wait_listening(std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      std::istringstream lines(err());
      std::string line;
      while (std::getline(lines, line)) {
        if (line.find("\"msg\":\"listening\"") == std::string::npos) continue;
        const auto j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_object() && j.contains("port")) return j["port"].get<int>();
      }
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return 0;
      }
      std::this_thread::sleep_for(20ms);
    }
    return 0;
  }

  // Sends `sig` and waits for the exit; returns the exit status, or -1 on a timeout or a signal.
  int signal_and_wait(int sig, std::chrono::milliseconds limit) {
    kill(pid_, sig);
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(10ms);
    }
    return -1;
  }

  bool started() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  bool exited_ = false;
  std::thread reader_;
  std::mutex mutex_;
  std::string err_;
};

TEST(ServeProcessTest, ServesHealthAndMetricsAndStopsOnSigterm) {
  const auto dir = make_temp_dir();
  ServeProcess p({"serve", "--data", dir.string(), "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(p.started());
  const int port = p.wait_listening(30s);
  ASSERT_GT(port, 0) << p.err();

  auto health = http_request("127.0.0.1", port, "GET", "/healthz");
  EXPECT_EQ(health.status, 200) << health.error;
  EXPECT_EQ(health.body, "{\"status\":\"ok\"}");
  // A request is counted once its answer is written, which may be just after the client read it.
  kit::test::HttpResult metrics;
  for (int i = 0; i < 50; ++i) {
    metrics = http_request("127.0.0.1", port, "GET", "/metrics");
    if (metrics.body.find("class=\"2xx\"}") != std::string::npos) break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(metrics.body.find("kit_http_requests_total{method=\"GET\",class=\"2xx\"}"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("kit_info{backend=\"sqlite\",demo=\"false\"} 1"), std::string::npos);
  EXPECT_NE(metrics.body.find("process_resident_memory_bytes"), std::string::npos);
  auto openapi = http_request("127.0.0.1", port, "GET", "/api/v1/openapi.json");
  EXPECT_EQ(openapi.status, 200);
  auto missing = http_request("127.0.0.1", port, "GET", "/api/v1/nothing-here");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("\"error\""), std::string::npos);

  EXPECT_EQ(p.signal_and_wait(SIGTERM, 5s), 0) << p.err();
  EXPECT_TRUE(std::filesystem::exists(dir / "kit.db"));

  // Every line is one JSON object; requests are logged without bodies.
  std::istringstream lines(p.err());
  std::string line;
  int requests = 0;
  bool stopped = false;
  while (std::getline(lines, line)) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << line;
    EXPECT_TRUE(j.contains("ts") && j.contains("level") && j.contains("msg")) << line;
    if (j["msg"] == "request") {
      ++requests;
      for (const char* key : {"method", "path", "status", "duration_ms", "remote"}) {
        EXPECT_TRUE(j.contains(key)) << key << " in " << line;
      }
    }
    stopped = stopped || j["msg"] == "stopped";
  }
  EXPECT_GE(requests, 4);
  EXPECT_TRUE(stopped);
  std::filesystem::remove_all(dir);
}

// Sets an environment variable for the scope of a test (the server inherits it).
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() { unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
};

// The demo banner: the one log line carrying the demo password (a JSON object like every line).
nlohmann::json demo_banner(const std::string& err) {
  std::istringstream lines(err);
  std::string line;
  while (std::getline(lines, line)) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.contains("demo_password")) return j;
  }
  return nullptr;
}

int login_status(int port, const std::string& user, const std::string& password) {
  return http_request("127.0.0.1", port, "POST", "/api/v1/auth/login",
                      nlohmann::json{{"username", user}, {"password", password}}.dump(),
                      {{"Content-Type", "application/json"}})
      .status;
}

void write_file(const std::filesystem::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary);
  out << text;
}

// `kit ...` ended after 10 s (exit 124) if it does not return by itself: a server that should have
// refused its settings would otherwise run on.
kit::test::ProcessResult run_kit_bounded(const std::vector<std::string>& args) {
  std::vector<std::string> all = {"10", KIT_BINARY};
  all.insert(all.end(), args.begin(), args.end());
  return kit::test::run_process("/usr/bin/timeout", all);
}

TEST(ServeProcessTest, DemoModePrintsTheBannerAndTheAccountsLogIn) {
  // Accounts only: the whole demo clinic is covered by demo_seed_test, in-process.
  setenv("KIT_DEMO_SEED", "accounts", 1);
  const ScopedEnv password("KIT_DEMO_PASSWORD", "demo-password-42");
  const auto dir = make_temp_dir();
  ServeProcess p({"serve", "--data", dir.string(), "--listen", "127.0.0.1:0", "--demo"});
  ASSERT_TRUE(p.started());
  const int port = p.wait_listening(30s);
  ASSERT_GT(port, 0) << p.err();
  const nlohmann::json banner = demo_banner(p.err());
  ASSERT_TRUE(banner.is_object()) << p.err();
  EXPECT_EQ(banner["openapi"], "http://127.0.0.1:" + std::to_string(port) + "/api/v1/openapi.json");
  EXPECT_EQ(banner["demo_password"], "demo-password-42");
  EXPECT_EQ(banner["demo_accounts"],
            nlohmann::json({"admin", "physician", "nurse", "frontdesk", "patient", "director"}));
  EXPECT_EQ(banner["url"], "http://127.0.0.1:" + std::to_string(port) + "/");
  EXPECT_NE(banner["msg"].dump().find(" in a browser and sign in"), std::string::npos) << banner;
  for (const char* user : {"admin", "physician", "nurse", "frontdesk", "patient", "director"}) {
    EXPECT_EQ(login_status(port, user, "demo-password-42"), 200) << user;
  }
  EXPECT_EQ(p.signal_and_wait(SIGINT, 5s), 0) << p.err();
  std::filesystem::remove_all(dir);
}

// Finding 11: the demo password was taken from argv (visible to every local user in the process
// list) and "a" was accepted.
TEST(ServeProcessTest, TheDemoPasswordIsNeverTakenFromArgvAndFollowsThePasswordRules) {
  setenv("KIT_DEMO_SEED", "accounts", 1);
  const auto dir = make_temp_dir();
  auto r = run_kit_bounded({"serve", "--data", dir.string(), "--listen", "127.0.0.1:0", "--demo",
                            "--demo-password", "a-long-enough-password"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--demo-password is refused"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("KIT_DEMO_PASSWORD"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "kit.db"));
  {
    const ScopedEnv weak("KIT_DEMO_PASSWORD", "a");
    r = run_kit_bounded({"serve", "--data", dir.string(), "--listen", "127.0.0.1:0", "--demo"});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("at least 12 characters"), std::string::npos) << r.err;
  }
  write_file(dir / "pw", "aaaaaaaaaaaaaaaaaaaa\n");
  r = run_kit_bounded({"serve", "--data", dir.string(), "--listen", "127.0.0.1:0", "--demo",
                       "--demo-password-file", (dir / "pw").string()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("5 different characters"), std::string::npos) << r.err;
  r = run_kit_bounded({"serve", "--data", dir.string(), "--listen", "127.0.0.1:0", "--demo",
                       "--demo-password-file", dir.string()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--demo-password-file"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "kit.db"));
  std::filesystem::remove_all(dir);
}

// Without a password a strong one is generated, printed and kept (0600) for the next start; a
// demo account whose password was changed since is never reset, by any later start.
TEST(ServeProcessTest, AGeneratedDemoPasswordIsPrintedAndKeptAndAChangedOneIsNeverReset) {
  setenv("KIT_DEMO_SEED", "accounts", 1);
  const auto dir = make_temp_dir();
  std::string generated;
  {
    ServeProcess p({"serve", "--data", dir.string(), "--listen", "127.0.0.1:0", "--demo"});
    const int port = p.wait_listening(30s);
    ASSERT_GT(port, 0) << p.err();
    const nlohmann::json banner = demo_banner(p.err());
    ASSERT_TRUE(banner.is_object()) << p.err();
    generated = banner["demo_password"].get<std::string>();
    EXPECT_GE(generated.size(), 16u);
    EXPECT_EQ(banner["demo_password_source"], "generated");
    EXPECT_EQ(login_status(port, "admin", generated), 200);
    // The physician chooses their own password.
    auto login =
        http_request("127.0.0.1", port, "POST", "/api/v1/auth/login",
                     nlohmann::json{{"username", "physician"}, {"password", generated}}.dump(),
                     {{"Content-Type", "application/json"}});
    ASSERT_EQ(login.status, 200) << login.body;
    const std::string token = nlohmann::json::parse(login.body)["token"];
    auto change = http_request(
        "127.0.0.1", port, "POST", "/api/v1/auth/password",
        nlohmann::json{{"current_password", generated}, {"new_password", "my-own-phys-pw-77"}}
            .dump(),
        {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}});
    ASSERT_EQ(change.status, 200) << change.body;
    EXPECT_EQ(p.signal_and_wait(SIGTERM, 5s), 0) << p.err();
  }
  const auto mode = std::filesystem::status(dir / "demo-password").permissions();
  EXPECT_EQ(mode & (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
            std::filesystem::perms::none);
  {
    // The second start prints the same password; the physician keeps theirs, and the log says so.
    ServeProcess p({"serve", "--data", dir.string(), "--listen", "127.0.0.1:0", "--demo"});
    const int port = p.wait_listening(30s);
    ASSERT_GT(port, 0) << p.err();
    const nlohmann::json banner = demo_banner(p.err());
    ASSERT_TRUE(banner.is_object()) << p.err();
    EXPECT_EQ(banner["demo_password"], generated);
    EXPECT_EQ(login_status(port, "physician", "my-own-phys-pw-77"), 200);
    EXPECT_EQ(login_status(port, "nurse", generated), 200);
    EXPECT_NE(p.err().find("\"accounts\":[\"physician\"]"), std::string::npos) << p.err();
    EXPECT_EQ(p.signal_and_wait(SIGTERM, 5s), 0) << p.err();
  }
  {
    // A new demo password from the environment moves the demo accounts still on the old one, and
    // still not the physician.
    const ScopedEnv env("KIT_DEMO_PASSWORD", "another-demo-pw-5");
    ServeProcess p({"serve", "--data", dir.string(), "--listen", "127.0.0.1:0", "--demo"});
    const int port = p.wait_listening(30s);
    ASSERT_GT(port, 0) << p.err();
    EXPECT_EQ(login_status(port, "nurse", "another-demo-pw-5"), 200);
    EXPECT_EQ(login_status(port, "nurse", generated), 401);
    EXPECT_EQ(login_status(port, "physician", "another-demo-pw-5"), 401);
    EXPECT_EQ(login_status(port, "physician", "my-own-phys-pw-77"), 200);
    EXPECT_EQ(p.signal_and_wait(SIGTERM, 5s), 0) << p.err();
  }
  std::filesystem::remove_all(dir);
}

// Finding 19: --config on a folder started with the defaults, and on /dev/zero never returned.
TEST(ServeProcessTest, ConfigMustBeARegularFileOfAtMostOneMebibyte) {
  const auto dir = make_temp_dir();
  write_file(dir / "big.toml", std::string(1024 * 1024 + 1, '#'));
  for (const std::string& config :
       {dir.string(), std::string("/dev/zero"), (dir / "big.toml").string()}) {
    // `timeout` ends a kit that never returns (exit 124).
    auto r = kit::test::run_process(
        "/usr/bin/timeout", {"10", KIT_BINARY, "serve", "--data", (dir / "d").string(), "--listen",
                             "127.0.0.1:0", "--config", config});
    EXPECT_EQ(r.exit_code, 2) << config << ": " << r.err;
    EXPECT_NE(r.err.find("--config"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir / "d" / "kit.db")) << config;
  }
  std::filesystem::remove_all(dir);
}

// Finding 11: there was no way to create the first admin but --demo. `kit admin create` reads the
// password from stdin or a file (never argv), applies the password rules, refuses a taken
// username, is recorded in the audit chain, and works while kit serve runs on the folder.
TEST(ServeProcessTest, AdminCreateMakesTheFirstAdminWithoutTheDemo) {
  unsetenv("KIT_DEMO_SEED");
  const auto dir = make_temp_dir();
  const std::string data = (dir / "data").string();
  auto r = kit::test::run_kit({"admin", "create", "--username", "boss", "--data", data},
                              "first-admin-pw-9\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("created admin account boss"), std::string::npos) << r.out;

  // Refusals change nothing: argv, weak passwords, a taken username.
  r = kit::test::run_kit(
      {"admin", "create", "--username", "boss2", "--data", data, "--password", "first-admin-pw-9"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--password is refused"), std::string::npos) << r.err;
  r = kit::test::run_kit({"admin", "create", "--username", "boss2", "--data", data}, "a\n");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("at least 12 characters"), std::string::npos) << r.err;
  r = kit::test::run_kit({"admin", "create", "--username", "boss", "--data", data},
                         "another-admin-pw-1\n");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("taken"), std::string::npos) << r.err;

  ServeProcess p({"serve", "--data", data, "--listen", "127.0.0.1:0"});
  const int port = p.wait_listening(30s);
  ASSERT_GT(port, 0) << p.err();
  EXPECT_EQ(login_status(port, "boss", "first-admin-pw-9"), 200);
  EXPECT_EQ(login_status(port, "boss2", "a"), 401);
  EXPECT_EQ(login_status(port, "boss", "another-admin-pw-1"), 401);

  // While the server runs: a second admin, its password in a file.
  write_file(dir / "pw", "second-admin-pw-3\n");
  r = kit::test::run_kit({"admin", "create", "--username", "deputy", "--data", data,
                          "--password-file", (dir / "pw").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(login_status(port, "deputy", "second-admin-pw-3"), 200);

  // In the audit chain, as the command-line actor, and the chain holds.
  auto login =
      http_request("127.0.0.1", port, "POST", "/api/v1/auth/login",
                   nlohmann::json{{"username", "boss"}, {"password", "first-admin-pw-9"}}.dump(),
                   {{"Content-Type", "application/json"}});
  const std::string token = nlohmann::json::parse(login.body)["token"];
  auto audit = http_request("127.0.0.1", port, "GET", "/api/v1/audit?limit=1000", "",
                            {{"Authorization", "Bearer " + token}});
  ASSERT_EQ(audit.status, 200) << audit.body;
  int allowed = 0;
  int denied = 0;
  for (const auto& row : nlohmann::json::parse(audit.body)) {
    if (row["action"].get<std::string>().rfind("kit admin create --username ", 0) != 0) continue;
    EXPECT_EQ(row["role"], "system");
    EXPECT_EQ(row["username"].get<std::string>().rfind("cli:", 0), 0u) << row;
    (row["outcome"] == "allowed" ? allowed : denied)++;
  }
  EXPECT_EQ(allowed, 2);
  EXPECT_EQ(denied, 1);
  auto verify = http_request("127.0.0.1", port, "GET", "/api/v1/audit/verify", "",
                             {{"Authorization", "Bearer " + token}});
  EXPECT_NE(verify.body.find("\"ok\":true"), std::string::npos) << verify.body;
  EXPECT_EQ(p.signal_and_wait(SIGTERM, 5s), 0) << p.err();
  std::filesystem::remove_all(dir);
}

TEST(ServeProcessTest, BadSettingsExitWithStatus2) {
  auto r = kit::test::run_kit({"serve", "--listen", "nonsense"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("listen"), std::string::npos) << r.err;
}

TEST(ServeProcessTest, ATakenPortExitsWithStatus1) {
  const auto dir = make_temp_dir();
  ServeProcess first({"serve", "--data", dir.string(), "--listen", "127.0.0.1:0"});
  const int port = first.wait_listening(30s);
  ASSERT_GT(port, 0) << first.err();
  const auto dir2 = make_temp_dir();
  auto r = kit::test::run_kit(
      {"serve", "--data", dir2.string(), "--listen", "127.0.0.1:" + std::to_string(port)});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot listen"), std::string::npos) << r.err;
  EXPECT_EQ(first.signal_and_wait(SIGTERM, 5s), 0);
  std::filesystem::remove_all(dir);
  std::filesystem::remove_all(dir2);
}

}  // namespace
