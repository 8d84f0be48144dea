#include "server/reports/pdf.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "core/common/error.h"

extern char** environ;

namespace kit::reports {

namespace {

namespace fs = std::filesystem;

std::atomic<int> g_rendering{0};

struct Slot {
  explicit Slot(int max) {
    if (g_rendering.fetch_add(1) >= max) {
      g_rendering.fetch_sub(1);
      throw Error(ErrorKind::unavailable,
                  "chromium is busy printing " + std::to_string(max) +
                      " other reports; try again in a few seconds",
                  "chromium");
    }
  }
  ~Slot() { g_rendering.fetch_sub(1); }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;
};

// A private folder (0700) removed with everything in it when the render ends.
struct TempDir {
  fs::path path;
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern =
        std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/kit-report-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data()) == nullptr) {
      throw Error(ErrorKind::unavailable, "cannot create a temporary folder for chromium",
                  "chromium");
    }
    path = buf.data();
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string tail(const std::string& text, std::size_t n) {
  return text.size() <= n ? text : text.substr(text.size() - n);
}

}  // namespace

std::optional<std::string> find_chromium() {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return std::nullopt;
  for (const char* name : {"chromium", "chromium-browser"}) {
    std::stringstream dirs(path);
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
      if (dir.empty()) continue;
      const fs::path candidate = fs::path(dir) / name;
      if (access(candidate.c_str(), X_OK) == 0 && fs::is_regular_file(candidate)) {
        return candidate.string();
      }
    }
  }
  return std::nullopt;
}

std::string html_to_pdf(const std::string& html, const PdfOptions& options) {
  const std::optional<std::string> chromium = find_chromium();
  if (!chromium) {
    throw Error(ErrorKind::unavailable,
                "chromium is not installed (no chromium or chromium-browser on PATH): PDF reports "
                "need it (Debian: apt-get install chromium); the HTML report works without it",
                "chromium");
  }
  Slot slot(options.max_parallel);
  TempDir dir;
  const fs::path page = dir.path / "report.html";
  const fs::path pdf = dir.path / "report.pdf";
  const fs::path log = dir.path / "chromium.log";
  {
    std::ofstream out(page, std::ios::binary);
    out << html;
    if (!out)
      throw Error(ErrorKind::unavailable, "cannot write the report for chromium", "chromium");
  }
  std::vector<std::string> args = {
      *chromium,
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--no-first-run",
      "--no-default-browser-check",
      "--disable-extensions",
      "--disable-background-networking",
      "--disable-sync",
      "--disable-default-apps",
      "--disable-component-update",
      "--mute-audio",
      "--no-pdf-header-footer",
      "--user-data-dir=" + (dir.path / "profile").string(),
      "--print-to-pdf=" + pdf.string(),
      "file://" + page.string(),
  };
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // The child's environment: the server's, with HOME in the private folder (the browser writes
  // its caches there, not in the service account's home).
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string_view(*e).rfind("HOME=", 0) != 0) env_strings.emplace_back(*e);
  }
  env_strings.push_back("HOME=" + dir.path.string());
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  // Nothing of the server's (database files, sockets) reaches the browser.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setpgroup(&attr, 0);  // its own process group: killed as one on timeout
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  sigset_t defaults;
  sigfillset(&defaults);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, chromium->c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    throw Error(ErrorKind::unavailable,
                "chromium could not be started: " + std::string(strerror(rc)), "chromium");
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(options.timeout_s);
  int status = 0;
  bool exited = false;
  while (true) {
    const pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) {
      exited = true;
      break;
    }
    if (w < 0 && errno != EINTR) break;
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  // The browser's helpers (renderer, zygote) share its process group: none outlives the render.
  kill(-pid, SIGKILL);
  if (!exited) {
    waitpid(pid, &status, 0);
    throw Error(ErrorKind::unavailable,
                "chromium did not finish the PDF within " + std::to_string(options.timeout_s) +
                    " s and was stopped",
                "chromium");
  }
  std::string bytes = fs::exists(pdf) ? read_file(pdf) : std::string();
  if (bytes.rfind("%PDF-", 0) != 0) {
    throw Error(ErrorKind::unavailable,
                "chromium wrote no PDF (exit " +
                    std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
                    "): " + tail(read_file(log), 300),
                "chromium");
  }
  return bytes;
}

}  // namespace kit::reports
