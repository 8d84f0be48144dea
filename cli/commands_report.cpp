// `kit report patient ID --out FILE.pdf|.html` (the letter for the referring clinician) and
// `kit report clinic --from DATE --to DATE --out FILE.pdf|.html` (the clinic's outcomes): the
// printed reports of server/reports (docs/reports.md). The database is taken as `kit serve`
// takes it (--data DIR, --database URL, --config FILE, and the same KIT_DATA, KIT_DATABASE and
// KIT_CONFIG environment variables) and the command works while a server runs on it: the record
// is read in one transaction, which also appends the audit row (actor "cli:report"), so every
// read of a patient's record is in the audit chain, as through the API. A PDF is printed by
// headless Chromium (server/reports/pdf.h). The file is written next to its final name and
// renamed into place, readable by its owner only (it holds patient data).
// Prints one JSON line on success. Exit codes: the error table (core/common/error_kinds.h):
// 2 bad input, 4 no such patient, 8 unavailable (no chromium, the data folder being restored), 1
// the file cannot be written or the database opened.
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli/command_registry.h"
#include "cli/json_command.h"
#include "core/common/error.h"
#include "core/common/error_kinds.h"
#include "server/api/audit.h"
#include "server/reports/clinic_report.h"
#include "server/reports/html.h"
#include "server/reports/patient_report.h"
#include "server/reports/pdf.h"
#include "server/serve/config.h"
#include "storage/database.h"
#include "storage/serve_lock.h"

namespace {

namespace fs = std::filesystem;
constexpr int kFailed = 1;

struct ReportOptions {
  std::string data;
  std::string database;
  std::string config;
  std::string out;
  std::string paper = "a4";
  std::int64_t patient_id = 0;
  std::string from;
  std::string to;
  bool all_groups = false;
};

[[noreturn]] void fail(int code, const std::string& message) {
  std::cerr << "kit report: " << message << "\n";
  throw CLI::RuntimeError(code);
}

[[noreturn]] void fail(const kit::Error& e) {
  const std::string where = e.field().empty() ? "" : e.field() + ": ";
  fail(kit::info(e.kind()).exit_code, where + e.message());
}

std::string os_user() {
  if (const passwd* pw = getpwuid(geteuid()); pw != nullptr && pw->pw_name != nullptr) {
    return pw->pw_name;
  }
  return "uid " + std::to_string(geteuid());
}

bool is_postgres(const std::string& url) {
  return url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
}

enum class Format { html, pdf };

Format format_of_out(const std::string& out) {
  const std::string ext = fs::path(out).extension().string();
  if (ext == ".pdf") return Format::pdf;
  if (ext == ".html" || ext == ".htm") return Format::html;
  fail(kit::cli::kBadInput, "--out must name a .pdf or .html file (got '" + out + "')");
}

// The database as `kit serve` resolves it: flags > KIT_* environment > --config TOML > defaults.
struct OpenDatabase {
  std::unique_ptr<kit::storage::ServeLock> lock;
  std::unique_ptr<kit::storage::Database> db;
};

OpenDatabase open_clinic_database(const ReportOptions& o, CLI::App* cmd) {
  kit::server::ServeFlags flags;
  if (cmd->count("--data")) flags.data_dir = o.data;
  if (cmd->count("--database")) flags.database = o.database;
  if (cmd->count("--config")) flags.config_file = o.config;
  kit::server::ServeOptions options;
  try {
    options = kit::server::resolve_serve_options(flags);
  } catch (const kit::server::ConfigError& e) {
    fail(kit::cli::kBadInput, e.what());
  }
  OpenDatabase out;
  try {
    if (!is_postgres(options.database)) {
      if (!fs::is_regular_file(fs::path(options.data_dir) / "kit.db") &&
          (options.database.empty() || options.database == "sqlite")) {
        fail(kit::cli::kBadInput, "no clinic database at " +
                                      (fs::path(options.data_dir) / "kit.db").string() +
                                      " (--data DIR, --database URL or KIT_DATA / KIT_DATABASE)");
      }
      // Shared, like kit serve: refused only while kit restore holds the folder.
      out.lock = std::make_unique<kit::storage::ServeLock>(options.data_dir,
                                                           kit::storage::ServeLock::Mode::shared);
      if (!out.lock->held()) {
        fail(kit::info(kit::ErrorKind::unavailable).exit_code,
             "the data folder is being restored; try again after it");
      }
    }
    out.db = kit::storage::open_database(options.database, options.data_dir);
  } catch (const CLI::RuntimeError&) {
    throw;
  } catch (const kit::Error& e) {
    fail(e);
  } catch (const std::exception& e) {
    fail(kFailed, std::string("cannot open the database: ") + e.what());
  }
  return out;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

kit::server::AuditEntry audit_entry(const std::string& action) {
  kit::server::AuditEntry a;
  a.at_ms = now_ms();
  a.username = "cli:report";
  a.role = "system";
  a.action = action + " (OS user " + os_user() + ")";
  a.remote_address = "local";
  return a;
}

// Writes `bytes` to `out` through a temporary file in the same folder, mode 0600, renamed into
// place: a reader never sees half a report, and no other local user can read it.
void write_private_file(const std::string& out, const std::string& bytes) {
  const fs::path target(out);
  const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const fs::path tmp = folder / (".kit-report-" + std::to_string(getpid()) + ".tmp");
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) fail(kFailed, "cannot write " + tmp.string() + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      fs::remove(tmp);
      fail(kFailed, "cannot write " + tmp.string() + ": " + std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    fs::remove(tmp);
    fail(kFailed, "cannot write " + tmp.string() + ": " + std::strerror(errno));
  }
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) {
    fs::remove(tmp);
    fail(kFailed, "cannot write " + out + ": " + ec.message());
  }
}

std::string render(const std::string& html, Format format) {
  if (format == Format::html) return html;
  try {
    return kit::reports::html_to_pdf(html);
  } catch (const kit::Error& e) {
    fail(e);
  }
}

void print_done(const std::string& report, const ReportOptions& o, Format format, std::size_t bytes,
                nlohmann::json extra) {
  extra["report"] = report;
  extra["out"] = o.out;
  extra["format"] = format == Format::pdf ? "pdf" : "html";
  extra["bytes"] = bytes;
  std::cout << extra.dump() << "\n";
}

void patient_report(const ReportOptions& o, CLI::App* cmd) {
  const Format format = format_of_out(o.out);
  kit::reports::Paper paper = kit::reports::Paper::a4;
  try {
    paper = kit::reports::parse_paper(o.paper, "--paper");
  } catch (const kit::Error& e) {
    fail(e);
  }
  OpenDatabase open = open_clinic_database(o, cmd);
  kit::server::AuditEntry audit = audit_entry("kit report patient");
  audit.patient_id = o.patient_id;
  std::optional<kit::reports::PatientReport> report;
  try {
    kit::storage::with_transaction(*open.db, [&](kit::storage::Transaction& tx) {
      try {
        report = kit::reports::load_patient_report(tx, o.patient_id, now_ms());
      } catch (const kit::Error& e) {
        if (e.kind() != kit::ErrorKind::not_found) throw;
        report.reset();
      }
      audit.outcome = report ? "allowed" : "denied";
      audit.status = report ? 200 : 404;
      kit::server::append_audit(tx, audit);
    });
  } catch (const kit::Error& e) {
    fail(e);
  } catch (const std::exception& e) {
    fail(kFailed, std::string("the record could not be read: ") + e.what());
  }
  if (!report)
    fail(kit::info(kit::ErrorKind::not_found).exit_code,
         "patient " + std::to_string(o.patient_id) + " not found");
  const std::string bytes =
      render(kit::reports::render_patient_report_html(*report, paper), format);
  write_private_file(o.out, bytes);
  print_done("patient", o, format, bytes.size(), {{"patient_id", o.patient_id}});
}

void clinic_report(const ReportOptions& o, CLI::App* cmd) {
  const Format format = format_of_out(o.out);
  kit::reports::Paper paper = kit::reports::Paper::a4;
  try {
    paper = kit::reports::parse_paper(o.paper, "--paper");
  } catch (const kit::Error& e) {
    fail(e);
  }
  OpenDatabase open = open_clinic_database(o, cmd);
  kit::server::AuditEntry audit =
      audit_entry("kit report clinic --from " + o.from + " --to " + o.to);
  std::optional<kit::reports::ClinicReport> report;
  try {
    kit::storage::with_transaction(*open.db, [&](kit::storage::Transaction& tx) {
      report = kit::reports::load_clinic_report(tx, o.from, o.to, !o.all_groups, now_ms());
      // Aggregates only: one row, no patient (as GET /api/v1/analytics/outcomes).
      audit.outcome = "allowed";
      audit.status = 200;
      kit::server::append_audit(tx, audit);
    });
  } catch (const kit::InputError& e) {
    fail(kit::cli::kBadInput, "--" + e.field() + ": " + e.reason());
  } catch (const kit::Error& e) {
    fail(e);
  } catch (const std::exception& e) {
    fail(kFailed, std::string("the clinic's records could not be read: ") + e.what());
  }
  const std::string bytes = render(kit::reports::render_clinic_report_html(*report, paper), format);
  write_private_file(o.out, bytes);
  print_done("clinic", o, format, bytes.size(),
             {{"from", o.from},
              {"to", o.to},
              {"courses", report->courses},
              {"groups", report->groups.size()}});
}

void add_database_options(CLI::App* c, ReportOptions& o) {
  c->add_option("--data", o.data, "Data folder holding kit.db (default ./kit-data; env KIT_DATA)");
  c->add_option("--database", o.database,
                "Database URL: postgresql://... (default: SQLite in the data folder; env "
                "KIT_DATABASE)");
  c->add_option("--config", o.config, "TOML settings file, as kit serve reads it (env KIT_CONFIG)");
  c->add_option("--out", o.out, "The report file: FILE.pdf (printed by chromium) or FILE.html")
      ->required();
  c->add_option("--paper", o.paper, "Page size: a4 (default) or letter");
}

kit::cli::Registration reg([](CLI::App& root) {
  CLI::App* report = root.add_subcommand(
      "report", "Printed reports (PDF or HTML): a patient's summary letter, the clinic's outcomes");
  report->require_subcommand(1);

  auto po = std::make_shared<ReportOptions>();
  CLI::App* p = report->add_subcommand(
      "patient", "The treatment summary of one patient for the referring clinician");
  p->add_option("id", po->patient_id, "The patient's id")->required()->check(CLI::PositiveNumber);
  add_database_options(p, *po);
  p->callback([po, p] { patient_report(*po, p); });

  auto co = std::make_shared<ReportOptions>();
  CLI::App* c = report->add_subcommand(
      "clinic", "The clinic's outcomes for the courses started in a date range (aggregates only)");
  c->add_option("--from", co->from, "First day of the range, YYYY-MM-DD (courses started)")
      ->required();
  c->add_option("--to", co->to, "Last day of the range, YYYY-MM-DD; the end of observation")
      ->required();
  c->add_flag("--all-groups", co->all_groups,
              "Show groups of fewer than 5 patients too (default: suppressed, ADR 0026); for a "
              "physician's own use");
  add_database_options(c, *co);
  c->callback([co, c] { clinic_report(*co, c); });
});

}  // namespace
