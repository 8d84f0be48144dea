#pragma once
// Whether a file is a sound kit backup: PRAGMA integrity_check "ok", a kit schema version, and its
// audit chain verifying with the code `kit audit verify` and GET /api/v1/audit/verify use
// (server/api/audit.h verify_chain), read from the copy opened read-only (the file is left exactly
// as it is). Used by the backup schedule after each copy and by `kit backup --verify FILE`.
#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "server/api/audit.h"

namespace kit::server {

struct BackupCheck {
  bool ok = false;
  std::string problem_code;  // "" when ok: not_a_file, not_sqlite, integrity, not_kit, chain
  std::string problem;       // one line for an operator
  std::uintmax_t bytes = 0;
  std::string integrity;  // "ok" or what PRAGMA integrity_check found
  std::int64_t schema_version = 0;
  ChainCheck chain;
  std::map<std::string, std::int64_t> table_rows;  // rows per table of the copy
  nlohmann::json to_json() const;
};

// Never throws for a bad file: the answer says what is wrong with it.
BackupCheck verify_backup_file(const std::filesystem::path& file);

}  // namespace kit::server
