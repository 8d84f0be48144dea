#pragma once
// Versioned schema migrations, applied in order at start-up inside one transaction each and
// recorded in schema_migrations. SQL is portable between SQLite and PostgreSQL except for a few
// tokens the runner replaces per back end:
//   {{ID}}        -> "INTEGER PRIMARY KEY AUTOINCREMENT" | "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
//   {{BLOB}}      -> "BLOB" | "BYTEA"
//   {{DOUBLE}}    -> "REAL" | "DOUBLE PRECISION"   (8-byte IEEE double on both)
//   {{SQLITE}} ... {{END}}, {{POSTGRESQL}} ... {{END}}: SQL for that back end only (0016: a CHECK
//                 constraint changes by ALTER TABLE in PostgreSQL and by a table rebuild in SQLite)
// Every non-integer quantity is {{DOUBLE}}, never a bare REAL: PostgreSQL's REAL is float4 (about
// 7 significant digits), so the same value would read back differently on the two back ends.
// Amounts that must add up exactly (the controlled-substance ledger) are whole micrograms in
// BIGINT columns named *_mcg, not doubles.
// Numbering (one file per area, so parallel work never collides):
//   0001 accounts, sessions, audit     0002 inquiries                 0003 patients, intake, consent
//   0004 courses, chairs, staff, appointments                         0005 controlled-substance stock
//   0006 infusion sessions, vitals, events, adverse events            0007 assessments, alerts
//   0008 medications (opioids)                                        0009+ later (0016 director,
//   0017 the data generation of the snapshot cache)
#include <string>
#include <vector>

namespace kit::storage {

struct Migration {
  int version;
  std::string name;
  std::string sql;
};

const std::vector<Migration>& embedded_migrations();

// "sqlite" or "postgresql" dialect of a migration's SQL.
std::string render_migration(const std::string& sql, const std::string& backend);

}  // namespace kit::storage
