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

TEST(ServeProcessTest, DemoModePrintsTheBannerAndTheAccountsLogIn) {
  // Accounts only: the whole demo clinic is covered by demo_seed_test, in-process.
  setenv("KIT_DEMO_SEED", "accounts", 1);
  const auto dir = make_temp_dir();
  ServeProcess p({"serve", "--data", dir.string(), "--listen", "127.0.0.1:0", "--demo",
                  "--demo-password", "demo-password-42"});
  ASSERT_TRUE(p.started());
  const int port = p.wait_listening(30s);
  ASSERT_GT(port, 0) << p.err();
  const std::string err = p.err();
  // The banner names the address to open in a browser, the accounts and the password.
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
  EXPECT_NE(err.find("KIT demo clinic \u2014 DEMO MODE \u2014 open " + url + " in a browser"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("as admin, physician, nurse, frontdesk or patient with password "
                     "demo-password-42"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("API: " + url + "api/v1/openapi.json"), std::string::npos) << err;
  for (const char* user : {"admin", "physician", "nurse", "frontdesk", "patient"}) {
    auto login =
        http_request("127.0.0.1", port, "POST", "/api/v1/auth/login",
                     nlohmann::json{{"username", user}, {"password", "demo-password-42"}}.dump(),
                     {{"Content-Type", "application/json"}});
    EXPECT_EQ(login.status, 200) << user << ": " << login.body;
  }
  EXPECT_EQ(p.signal_and_wait(SIGINT, 5s), 0) << p.err();
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
