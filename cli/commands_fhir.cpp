// `kit export fhir`, `kit import fhir` and `kit export research`: the clinic's records as FHIR R4
// Bundles and back, and the de-identified research CSV (docs/fhir.md, docs/research-export.md).
// The database is taken as kit serve takes it (--data DIR, --database URL, KIT_DATA,
// KIT_DATABASE) and the commands work while a server runs (SQLite WAL; the data folder's lock is
// shared). Every patient read or written gets an audit row, as through the API.
//
// Exit codes: 0 done; 2 bad input (the message names the field: for a Bundle, the entry, the
// resource and the element); 3 refused (an import into a clinic that already has patients);
// 70 internal.
#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "cli/command_registry.h"
#include "cli/json_command.h"
#include "core/common/error.h"
#include "fhir/clinic_records.h"
#include "fhir/mapping.h"
#include "fhir/research_export.h"
#include "server/api/audit.h"
#include "storage/serve_lock.h"
#include "storage/stores/account_store.h"

namespace {

namespace fs = std::filesystem;
using kit::cli::kBadInput;
using kit::cli::kRefused;
constexpr int kFailed = 70;

struct ClinicOptions {
  std::string data = "./kit-data";
  std::string database;
};

[[noreturn]] void fail(int code, const std::string& message) {
  std::cerr << "kit: " << message << "\n";
  throw CLI::RuntimeError(code);
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

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void add_clinic_options(CLI::App* cmd, ClinicOptions& o) {
  cmd->add_option("--data", o.data, "Data folder (default ./kit-data; env KIT_DATA)")
      ->envname("KIT_DATA");
  cmd->add_option("--database-url,--database", o.database,
                  "Database URL (postgresql://...; default: SQLite kit.db in --data; env "
                  "KIT_DATABASE)")
      ->envname("KIT_DATABASE");
}

// The clinic's database, opened beside a running server (the data folder's lock is shared; it is
// refused only while kit restore holds the folder). A SQLite clinic must exist already.
struct OpenClinic {
  std::unique_ptr<kit::storage::ServeLock> lock;
  std::unique_ptr<kit::storage::Database> db;
};

OpenClinic open_clinic(const ClinicOptions& o) {
  if (o.data.empty()) fail(kBadInput, "--data must name a folder (it is empty)");
  OpenClinic c;
  try {
    if (!is_postgres(o.database)) {
      if (o.database.empty() && !fs::is_regular_file(fs::path(o.data) / "kit.db")) {
        fail(kBadInput, "--data: no clinic database at " + (fs::path(o.data) / "kit.db").string());
      }
      c.lock =
          std::make_unique<kit::storage::ServeLock>(o.data, kit::storage::ServeLock::Mode::shared);
      if (!c.lock->held()) fail(kRefused, "the data folder is being restored; try again after it");
    }
    c.db = kit::storage::open_database(o.database, o.data);
  } catch (const CLI::RuntimeError&) {
    throw;
  } catch (const std::exception& e) {
    fail(kBadInput, std::string("cannot open the database: ") + e.what());
  }
  return c;
}

kit::server::AuditEntry cli_audit(const std::string& action, std::int64_t at_ms) {
  kit::server::AuditEntry a;
  a.at_ms = at_ms;
  a.username = "cli:" + os_user();
  a.role = "system";
  a.action = action;
  a.remote_address = "local";
  a.outcome = "allowed";
  a.status = 200;
  return a;
}

void write_text(const std::string& out, const std::string& text) {
  if (out.empty() || out == "-") {
    std::cout << text;
    return;
  }
  std::ofstream f(out, std::ios::binary | std::ios::trunc);
  if (!f) fail(kBadInput, "--out: cannot write " + out);
  f << text;
  if (!f.flush()) fail(kFailed, "--out: writing " + out + " failed");
}

struct ExportOptions : ClinicOptions {
  std::int64_t patient = 0;
  bool all = false;
  std::string out;
};

void export_fhir(const ExportOptions& o) {
  if ((o.patient > 0) == o.all) fail(kBadInput, "give exactly one of --patient ID and --all");
  OpenClinic c = open_clinic(o);
  const std::int64_t now = now_ms();
  std::vector<kit::fhir::PatientRecord> records;
  try {
    // The reads and their audit rows in one transaction: no read without its row.
    kit::storage::with_transaction(*c.db, [&](kit::storage::Transaction& tx) {
      records.clear();
      const std::vector<std::int64_t> ids =
          o.all ? kit::fhir::all_patient_ids(tx) : std::vector<std::int64_t>{o.patient};
      std::vector<kit::server::AuditEntry> audit;
      for (std::int64_t id : ids) {
        auto r = kit::fhir::load_patient_record(tx, id);
        if (!r) fail(kBadInput, "--patient: no patient " + std::to_string(id));
        records.push_back(std::move(*r));
        kit::server::AuditEntry a = cli_audit(
            o.all ? "kit export fhir --all" : "kit export fhir --patient " + std::to_string(id),
            now);
        a.patient_id = id;
        audit.push_back(a);
      }
      if (audit.empty()) audit.push_back(cli_audit("kit export fhir --all", now));
      kit::server::append_audit_rows(tx, audit);
    });
  } catch (const CLI::RuntimeError&) {
    throw;
  } catch (const std::exception& e) {
    fail(kFailed, std::string("the export failed: ") + e.what());
  }
  write_text(o.out, kit::fhir::to_bundle(records, now).dump(2) + "\n");
  if (!o.out.empty() && o.out != "-") {
    std::cerr << "kit: wrote " << records.size() << " patient(s) to " << o.out
              << "; the reads are recorded in the audit log\n";
  }
}

struct ImportOptions : ClinicOptions {
  std::string file;
  std::string as_user;
};

void import_fhir(const ImportOptions& o) {
  nlohmann::json bundle;
  {
    std::ifstream f(o.file, std::ios::binary);
    if (!f) fail(kBadInput, "FILE: cannot read " + o.file);
    std::stringstream ss;
    ss << f.rdbuf();
    bundle = nlohmann::json::parse(ss.str(), nullptr, false);
    if (bundle.is_discarded()) fail(kBadInput, "FILE: " + o.file + " is not JSON");
  }
  std::vector<kit::fhir::PatientRecord> records;
  try {
    records = kit::fhir::records_from_bundle(bundle);
  } catch (const kit::InputError& e) {
    fail(kBadInput, "nothing was imported: " + e.field() + ": " + e.reason());
  }
  OpenClinic c = open_clinic(o);
  const std::int64_t now = now_ms();
  kit::fhir::ImportSummary summary;
  try {
    kit::storage::with_transaction(*c.db, [&](kit::storage::Transaction& tx) {
      kit::storage::AccountStore accounts(tx);
      std::optional<kit::storage::User> user;
      for (auto& u : accounts.users()) {
        if (u.username == o.as_user) user = u;
      }
      if (!user || (user->role != "admin" && user->role != "physician")) {
        throw kit::InputError("--as", "must name an admin or physician account of this clinic (" +
                                          o.as_user + " is not one)");
      }
      summary = kit::fhir::import_records(tx, records, user->id, now);
      std::vector<kit::server::AuditEntry> audit;
      for (std::int64_t id : summary.patient_ids) {
        kit::server::AuditEntry a = cli_audit("kit import fhir --as " + o.as_user, now);
        a.user_id = user->id;
        a.patient_id = id;
        a.status = 201;
        audit.push_back(a);
      }
      if (!audit.empty()) kit::server::append_audit_rows(tx, audit);
    });
  } catch (const kit::RuleRefused& e) {
    fail(kRefused, e.field() + ": " + e.message());
  } catch (const kit::InputError& e) {
    fail(kBadInput, "nothing was imported: " + e.field() + ": " + e.reason());
  } catch (const kit::storage::ConstraintViolation& e) {
    fail(kBadInput, std::string("nothing was imported: the clinic's database refused a record (") +
                        e.what() + ")");
  } catch (const std::exception& e) {
    fail(kFailed, std::string("nothing was imported: ") + e.what());
  }
  nlohmann::json ids = summary.patient_ids;
  std::cout << nlohmann::json{{"imported_patients", ids}, {"records", summary.records}}.dump(2)
            << "\n";
}

struct ResearchOptions : ClinicOptions {
  std::string out;
};

void export_research(const ResearchOptions& o) {
  if (o.out.empty()) fail(kBadInput, "--out must name a folder");
  OpenClinic c = open_clinic(o);
  const std::int64_t now = now_ms();
  kit::fhir::ResearchTables tables;
  try {
    kit::storage::with_transaction(*c.db, [&](kit::storage::Transaction& tx) {
      std::vector<kit::fhir::PatientRecord> records;
      std::vector<kit::server::AuditEntry> audit;
      for (std::int64_t id : kit::fhir::all_patient_ids(tx)) {
        records.push_back(*kit::fhir::load_patient_record(tx, id));
        kit::server::AuditEntry a = cli_audit("kit export research", now);
        a.patient_id = id;
        audit.push_back(a);
      }
      if (audit.empty()) audit.push_back(cli_audit("kit export research", now));
      kit::server::append_audit_rows(tx, audit);
      tables = kit::fhir::research_tables(records, kit::fhir::random_research_key(), now);
    });
  } catch (const std::exception& e) {
    fail(kFailed, std::string("the export failed: ") + e.what());
  }
  std::error_code ec;
  fs::create_directories(o.out, ec);
  if (ec) fail(kBadInput, "--out: cannot create " + o.out + " (" + ec.message() + ")");
  write_text((fs::path(o.out) / "infusions.csv").string(), tables.infusions_csv);
  write_text((fs::path(o.out) / "assessments.csv").string(), tables.assessments_csv);
  std::cout << nlohmann::json{{"out", o.out},
                              {"patients", tables.patients},
                              {"infusion_rows", tables.infusion_rows},
                              {"assessment_rows", tables.assessment_rows}}
                   .dump(2)
            << "\n";
}

kit::cli::Registration reg([](CLI::App& root) {
  CLI::App* exp =
      root.add_subcommand("export", "The clinic's records out: FHIR R4, de-identified CSV");
  exp->require_subcommand(1);
  auto eo = std::make_shared<ExportOptions>();
  CLI::App* ef = exp->add_subcommand(
      "fhir", "Write patients' records as one FHIR R4 Bundle (JSON) (docs/fhir.md)");
  add_clinic_options(ef, *eo);
  ef->add_option("--patient", eo->patient, "The patient's id")->check(CLI::PositiveNumber);
  ef->add_flag("--all", eo->all, "Every patient of the clinic");
  ef->add_option("--out", eo->out, "Bundle file (default: standard output)");
  ef->callback([eo] { export_fhir(*eo); });

  auto ro = std::make_shared<ResearchOptions>();
  CLI::App* er =
      exp->add_subcommand("research",
                          "Write de-identified CSV (infusions.csv, assessments.csv) for research "
                          "(docs/research-export.md)");
  add_clinic_options(er, *ro);
  er->add_option("--out", ro->out, "Folder for the CSV files")->required();
  er->callback([ro] { export_research(*ro); });

  CLI::App* imp = root.add_subcommand("import", "Records into the clinic: FHIR R4");
  imp->require_subcommand(1);
  auto io = std::make_shared<ImportOptions>();
  CLI::App* fi = imp->add_subcommand(
      "fhir",
      "Read a Bundle written by kit export fhir into an empty clinic, in one transaction "
      "(docs/fhir.md)");
  add_clinic_options(fi, *io);
  fi->add_option("FILE", io->file, "The Bundle (JSON)")->required();
  fi->add_option("--as", io->as_user,
                 "The admin or physician account recorded as recorder of every imported row")
      ->required();
  fi->callback([io] { import_fhir(*io); });
});

}  // namespace
