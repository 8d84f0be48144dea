// `kit admin create`: the first admin account (or another one) of a clinic, without the demo.
// The password comes from standard input (asked for twice, without echo, on a terminal) or from
// --password-file, never from the command line (every local user can read a process's
// arguments), and follows the password rules of every account. The creation (and a refusal) is
// recorded in the audit chain as the command-line actor. Safe while `kit serve` runs on the same
// database: the account is written in one transaction, which the database serialises with the
// server's, and the server reads accounts from the database on every request; only a `kit
// restore` in progress holds the folder and is waited for by nobody (the command is refused).
// Exit codes: 0 created; 1 failed; 2 bad input; 3 refused (the username exists, or a restore runs).
#include <pwd.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli/command_registry.h"
#include "cli/json_command.h"
#include "core/common/error.h"
#include "server/api/audit.h"
#include "server/api/auth.h"
#include "server/api/principal.h"
#include "server/serve/config.h"
#include "storage/database.h"
#include "storage/postgres_database.h"
#include "storage/serve_lock.h"
#include "storage/stores/account_store.h"

namespace {

namespace fs = std::filesystem;
using kit::cli::kBadInput;
using kit::cli::kRefused;
constexpr int kFailed = 1;

struct AdminOptions {
  std::string data = "./kit-data";
  std::string database;
  std::string username;
  std::string password_file;
  std::string password_on_argv;  // refused
};

[[noreturn]] void fail(int code, const std::string& message) {
  std::cerr << "kit admin create: " << message << "\n";
  throw CLI::RuntimeError(code);
}

std::string drop_line_end(std::string text) {
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (!text.empty() && text.back() == '\r') text.pop_back();
  return text;
}

// One line from a terminal without echo.
std::string ask_hidden(const std::string& prompt) {
  std::cerr << prompt << std::flush;
  termios old{};
  const bool tty = tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
  std::cerr << "\n";
  return drop_line_end(line + "\n");
}

std::string read_password(const AdminOptions& o) {
  if (!o.password_file.empty()) {
    try {
      return drop_line_end(kit::server::read_small_file(o.password_file, "--password-file",
                                                        kit::server::kMaxPasswordFileBytes));
    } catch (const kit::server::ConfigError& e) {
      fail(kBadInput, e.what());
    }
  }
  if (isatty(STDIN_FILENO)) {
    const std::string first = ask_hidden("Password for the new admin: ");
    if (ask_hidden("The same password again: ") != first) fail(kBadInput, "the passwords differ");
    return first;
  }
  // Standard input: the whole of it, one trailing line end dropped.
  std::string text;
  char buf[512];
  while (std::cin.read(buf, sizeof buf) || std::cin.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(std::cin.gcount()));
    if (text.size() > kit::server::kMaxPasswordFileBytes) {
      fail(kBadInput, "the password on standard input is longer than 4096 bytes");
    }
  }
  return drop_line_end(text);
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

void create_admin(const AdminOptions& o, bool password_on_argv) {
  if (password_on_argv) {
    fail(kBadInput,
         "--password is refused: a password on the command line is visible to every local user "
         "(ps); give it on standard input or in --password-file FILE");
  }
  try {
    kit::server::check_username("username", o.username);
  } catch (const kit::InputError& e) {
    fail(kBadInput, "--username " + e.message());
  }
  if (o.data.empty()) fail(kBadInput, "--data must name a folder (it is empty)");
  const std::string password = read_password(o);
  if (password.empty()) {
    fail(kBadInput,
         "no password: give it on standard input or in --password-file (never on the command "
         "line)");
  }
  try {
    kit::server::check_new_password("password", password);
  } catch (const kit::InputError& e) {
    fail(kBadInput, "the password " + e.message());
  }

  std::unique_ptr<kit::storage::ServeLock> lock;
  std::unique_ptr<kit::storage::Database> db;
  try {
    if (!is_postgres(o.database)) {
      fs::create_directories(o.data);
      // Shared, like kit serve: refused only while kit restore holds the folder.
      lock =
          std::make_unique<kit::storage::ServeLock>(o.data, kit::storage::ServeLock::Mode::shared);
      if (!lock->held()) fail(kRefused, "the data folder is being restored; try again after it");
    }
    db = kit::storage::open_database(o.database, o.data);
  } catch (const CLI::RuntimeError&) {
    throw;
  } catch (const std::exception& e) {
    fail(kFailed, std::string("cannot open the database: ") + e.what());
  }

  const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  kit::server::AuditEntry audit;
  audit.at_ms = now;
  audit.username = "cli:" + os_user();
  audit.role = "system";
  audit.action = "kit admin create --username " + o.username;
  audit.remote_address = "local";
  std::optional<std::int64_t> id;
  try {
    // The hash is computed before the write transaction opens (Argon2id takes a while).
    const std::string hash = kit::server::hash_password(password);
    kit::storage::with_transaction(*db, [&](kit::storage::Transaction& tx) {
      kit::storage::AccountStore accounts(tx);
      if (accounts.username_taken(o.username)) {
        id.reset();
        return;
      }
      id = accounts.create_user({.username = o.username,
                                 .password_hash = hash,
                                 .role = std::string(role_name(kit::server::Role::admin)),
                                 .patient_id = std::nullopt,
                                 .at_ms = now});
      audit.outcome = "allowed";
      audit.status = 201;
      kit::server::append_audit(tx, audit);
    });
    if (!id) {
      // Refused: nothing changed but the audit chain, which records the attempt.
      audit.outcome = "denied";
      audit.status = 409;
      kit::storage::with_transaction(
          *db, [&](kit::storage::Transaction& tx) { kit::server::append_audit(tx, audit); });
    }
  } catch (const std::exception& e) {
    fail(kFailed, std::string("the account could not be created: ") + e.what());
  }
  if (!id) fail(kRefused, "the username '" + o.username + "' is taken; nothing was changed");
  std::cout << "created admin account " << o.username << " (id " << *id
            << "); the creation is recorded in the audit log\n";
}

kit::cli::Registration reg([](CLI::App& root) {
  auto o = std::make_shared<AdminOptions>();
  CLI::App* admin = root.add_subcommand("admin", "Accounts administration from the command line");
  admin->require_subcommand(1);
  CLI::App* c = admin->add_subcommand(
      "create",
      "Create an admin account (the first one of a clinic); the password is read from standard "
      "input or --password-file, never from the command line");
  c->add_option("--username", o->username, "The new admin's username (3-64 of a-z 0-9 . _ - @)")
      ->required();
  c->add_option("--data", o->data, "Data folder holding kit.db (default ./kit-data)");
  c->add_option("--database", o->database,
                "Database URL: postgresql://... (default: SQLite in the data folder)");
  c->add_option("--password-file", o->password_file,
                "File holding the password (first line end dropped); default: standard input");
  c->add_option("--password", o->password_on_argv,
                "Refused: a password on the command line is visible to every local user");
  c->callback([o, c] { create_admin(*o, c->count("--password") > 0); });
});

}  // namespace
