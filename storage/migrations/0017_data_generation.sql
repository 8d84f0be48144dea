-- The data generation (docs/adr/0030-snapshot-cache.md): one row whose number the SQLite writer
-- raises in the same transaction as any commit that changed a row of any other table than the
-- audit log (storage/sqlite_database.cpp). A read transaction reads it in its own snapshot; two
-- snapshots with the same number hold the same clinical data, so an answer read in one may be
-- served again for the other (the chair board, refreshed by every chair-side screen).
-- Every writer of the file raises it (`kit serve`, several servers on one folder, the CLI), so
-- it stays exact across processes. PostgreSQL keeps the table but does not use it.
CREATE TABLE data_generation (
  singleton BIGINT PRIMARY KEY CHECK (singleton = 1),
  n BIGINT NOT NULL
);
INSERT INTO data_generation (singleton, n) VALUES (1, 0);
