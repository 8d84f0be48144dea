"""Scheduled backups and the restore drill (docs/adr/0020-scheduled-backups.md, docs/reliability.md
"Backups and the restore drill").

A real `kit serve` with a short schedule (every 3 s, keep 2) writes records; the test waits for a
backup taken after the writes, restores it with `kit restore` into a fresh folder, starts a server
on it and compares the rows of every table and the audit chain head with the source at backup
time. Then: pruning keeps the newest verified backups and touches no other file; a missing folder
(an unmounted disk) fails loudly, is shown to the admin and deletes nothing.

SQLite only: for PostgreSQL the operator runs pg_dump or WAL archiving (docs/deploy.md, Backups).
Run alone: cd tests/api && KIT_BINARY=../../build/release/cli/kit python3 -m unittest test_backup_drill -v
"""

import datetime
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
import unittest

from kit_server import KitServer, Store, backend, kit_binary

PATIENT = {"given_name": "Drill", "family_name": "Backup", "date_of_birth": "1980-05-01",
           "sex": "female", "indication": "depression"}
EVERY_S = 3
KEEP = 2


def table_rows(db_file):
    """Rows per table of a SQLite file, read-only (the server may be running on it)."""
    con = sqlite3.connect("file:%s?mode=ro" % db_file, uri=True, timeout=30)
    try:
        names = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {n: con.execute('SELECT count(*) FROM "%s"' % n).fetchone()[0] for n in names}
    finally:
        con.close()


def audit_row(db_file, seq):
    con = sqlite3.connect("file:%s?mode=ro" % db_file, uri=True, timeout=30)
    try:
        return con.execute("SELECT seq, hash, action FROM audit_log WHERE seq = ?", (seq,)).fetchone()
    finally:
        con.close()


class BackupDrillTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if backend() == "postgresql":
            raise unittest.SkipTest(
                "the restore drill copies the SQLite database; with PostgreSQL kit serve runs no "
                "scheduled backups and the operator uses pg_dump or WAL archiving "
                "(docs/deploy.md, Backups)")
        cls.tmp = tempfile.mkdtemp(prefix="kit-backup-drill-")
        cls.data = os.path.join(cls.tmp, "data")
        cls.folder = os.path.join(cls.tmp, "backups")
        os.makedirs(cls.data)
        os.makedirs(cls.folder)
        # Files the scheduler did not write, one of them with a name like its own: never touched.
        for name, text in (("notes.txt", "the operator's notes"),
                           ("kit-backup-19990101T000000Z.db", "not written by this server")):
            with open(os.path.join(cls.folder, name), "w") as f:
                f.write(text)
        cls.config = os.path.join(cls.tmp, "kit.toml")
        with open(cls.config, "w") as f:
            f.write('backup_folder = "%s"\nbackup_every = "every %d seconds"\nbackup_keep = %d\n'
                    % (cls.folder, EVERY_S, KEEP))
        cls.server = KitServer(cls.data, extra_args=["--config", cls.config]).start()
        cls.admin = cls.server.login("admin")
        cls.desk = cls.server.login("frontdesk")
        cls.restored = None

    @classmethod
    def tearDownClass(cls):
        for s in (cls.restored, cls.server):
            if s is not None:
                s.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # -- helpers ---------------------------------------------------------------------------------

    def backups(self):
        r = self.admin.get("/api/v1/backups", query={"limit": "200"})
        self.assertEqual(r.status, 200, r.body)
        return r.json

    def wait_run(self, after_id, status=None, timeout=6 * EVERY_S):
        """The first run with an id above after_id (of the given status)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for run in reversed(self.backups()["runs"]):
                if run["id"] > after_id and (status is None or run["status"] == status):
                    return run
            time.sleep(0.1)
        self.fail("no backup run after id %d within %d s:\n%s" % (after_id, timeout,
                                                                   self.server.log_tail(20)))

    def wait_run_started_after(self, t, timeout=6 * EVERY_S):
        """The first verified run whose copy started after the wall-clock time t (epoch s)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for run in reversed(self.backups()["runs"]):
                started = datetime.datetime.strptime(run["started_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
                started = started.replace(tzinfo=datetime.timezone.utc).timestamp()
                if run["status"] == "ok" and started > t:
                    return run
            time.sleep(0.1)
        self.fail("no backup started after the writes within %d s:\n%s" %
                  (timeout, self.server.log_tail(20)))

    def last_id(self):
        runs = self.backups()["runs"]
        return runs[0]["id"] if runs else 0

    # -- the drill -------------------------------------------------------------------------------

    def test_1_restore_drill(self):
        source_db = os.path.join(self.data, "kit.db")
        for i in range(5):
            r = self.desk.post("/api/v1/patients", dict(PATIENT, given_name="Drill%d" % i))
            self.assertEqual(r.status, 201, r.body)
        writes_done = time.time() + 0.05  # a run that started before this may not hold them all

        # The first backup taken after the writes; the source is read right after it is recorded,
        # before the next run (nothing else writes meanwhile: no requests but this read-only one).
        for _attempt in range(5):
            run = self.wait_run_started_after(writes_done)
            source = table_rows(source_db)
            if self.last_id() == run["id"]:
                break
            writes_done = time.time()  # another run slipped in between: take a later one
        else:
            self.fail("could not read the source between two backups")
        self.assertTrue(run["audit_chain_ok"])
        self.assertEqual(run["integrity"], "ok")
        backup_file = os.path.join(self.folder, run["file"])
        self.assertTrue(os.path.isfile(backup_file))
        self.assertFalse([n for n in os.listdir(self.folder) if ".partial" in n or ".tmp-" in n])

        # The source at backup time: the copy has every row but the run's own record (its row in
        # backup_runs and its audit row, written after the copy).
        copy = table_rows(backup_file)
        self.assertEqual(copy, run["table_rows"])
        expected = dict(source)
        expected["backup_runs"] -= 1
        expected["audit_log"] -= 1
        self.assertEqual(copy, expected)
        self.assertEqual(run["audit_head_seq"], copy["audit_log"])
        # The audit chain head of the copy is the source's row at that seq, with the same hash;
        # the next source row is this run's record.
        self.assertEqual(audit_row(source_db, run["audit_head_seq"])[1], run["audit_head_hash"])
        self.assertIn("scheduled backup %s" % run["file"],
                      audit_row(source_db, run["audit_head_seq"] + 1)[2])

        # kit backup --verify: the same checks from the command line.
        v = subprocess.run([kit_binary(), "backup", "--verify", backup_file],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(v.returncode, 0, v.stderr)
        report = json.loads(v.stdout)
        self.assertTrue(report["ok"])
        self.assertEqual(report["audit_chain"]["head_hash"], run["audit_head_hash"])

        # The verification has teeth: an edited audit row, a file that is not SQLite, no file.
        tampered = os.path.join(self.tmp, "tampered.db")
        shutil.copyfile(backup_file, tampered)
        con = sqlite3.connect(tampered)
        con.execute("UPDATE audit_log SET action = 'nothing to see' WHERE seq = 1")
        con.commit()
        con.close()
        v = subprocess.run([kit_binary(), "backup", "--verify", tampered],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(v.returncode, 1, v.stdout + v.stderr)
        self.assertEqual(json.loads(v.stdout)["problem_code"], "chain")
        v = subprocess.run([kit_binary(), "backup", "--verify", self.config],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(v.returncode, 1, v.stdout + v.stderr)
        self.assertEqual(json.loads(v.stdout)["problem_code"], "not_sqlite")
        v = subprocess.run([kit_binary(), "backup", "--verify", tampered + ".missing"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(v.returncode, 2, v.stdout + v.stderr)

        # Restore into a fresh folder, as an operator would on a new machine.
        fresh = os.path.join(self.tmp, "restored")
        r = subprocess.run([kit_binary(), "restore", "--data", fresh, "--from", backup_file],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        restored_db = os.path.join(fresh, "kit.db")
        restored = table_rows(restored_db)
        want = dict(copy)
        want["audit_log"] += 1  # kit restore records itself in the chain
        want["logins"] = 0      # and ends every login
        self.assertEqual(restored, want)
        self.assertEqual(audit_row(restored_db, run["audit_head_seq"])[1], run["audit_head_hash"])
        self.assertIn("kit restore", audit_row(restored_db, run["audit_head_seq"] + 1)[2])

        # A server on the restored folder: the chain verifies and the records are there.
        type(self).restored = KitServer(fresh).start()
        admin = self.restored.login("admin")
        verify = admin.get("/api/v1/audit/verify")
        self.assertEqual(verify.status, 200, verify.body)
        self.assertTrue(verify.json["ok"], verify.json)
        self.assertGreaterEqual(verify.json["head_seq"], run["audit_head_seq"] + 1)
        desk = self.restored.login("frontdesk")
        names = {p["given_name"] for p in
                 desk.get("/api/v1/patients", query={"q": "Backup"}).json["patients"]}
        self.assertTrue({"Drill%d" % i for i in range(5)} <= names, names)
        self.restored.stop()
        type(self).restored = None

    def test_2_pruning_keeps_the_newest_verified_and_no_other_file(self):
        start = self.last_id()
        self.wait_run(start + KEEP + 1, status="ok")
        status = self.backups()
        self.assertTrue(status["enabled"])
        self.assertEqual(status["schedule"]["keep"], KEEP)
        self.assertEqual(status["schedule"]["every"], "every %d seconds" % EVERY_S)
        self.assertIsNotNone(status["schedule"]["next_run_at"])
        ok = [r for r in status["runs"] if r["status"] == "ok"]
        live = [r for r in ok if r["pruned_at"] is None]
        self.assertEqual(len(live), KEEP)
        self.assertEqual(live, ok[:KEEP])  # the newest ones
        names = set(os.listdir(self.folder))
        for r in ok:
            self.assertEqual(r["file"] in names, r["pruned_at"] is None, r)
        self.assertIn("notes.txt", names)
        self.assertIn("kit-backup-19990101T000000Z.db", names)

    def test_3_a_missing_folder_fails_loudly_and_deletes_nothing(self):
        good = self.wait_run(self.last_id(), status="ok")
        away = self.folder + ".unmounted"
        os.rename(self.folder, away)
        try:
            failed = self.wait_run(good["id"], status="failed")
            second = self.wait_run(failed["id"], status="failed")
        finally:
            os.rename(away, self.folder)
        self.assertIn("does not exist", failed["error"])
        self.assertIsNone(failed["file"])
        status = self.backups()
        self.assertEqual(status["last_ok"]["id"], good["id"])
        # Nothing was pruned while the runs failed: the kept backups are the ones kept before.
        live = [r for r in status["runs"] if r["status"] == "ok" and r["pruned_at"] is None]
        self.assertIn(good["id"], [r["id"] for r in live])
        self.assertTrue(os.path.isfile(os.path.join(self.folder, good["file"])))
        self.assertGreater(second["id"], failed["id"])
        # Loud: an error line in the JSON log naming the folder.
        with open(self.server.log_path, encoding="utf-8", errors="replace") as f:
            errors = [json.loads(l) for l in f if l.startswith("{") and '"BACKUP FAILED' in l]
        self.assertTrue(errors)
        self.assertEqual(errors[-1]["level"], "error")
        self.assertIn(self.folder, errors[-1]["error"])
        # And the audit log has the failed run (status 500) for the admin to see.
        rows = self.admin.get("/api/v1/audit", query={"action": "scheduled backup failed (backup run %d)"
                                                      % failed["id"]})
        self.assertEqual(rows.status, 200, rows.body)
        self.assertEqual([r["status"] for r in rows.json], [500])
        # The next run after the folder is back succeeds.
        self.wait_run(second["id"], status="ok")


class BackupsOffTest(unittest.TestCase):
    """Without backup_folder: no schedule, no runs, and the admin is told so."""

    def test_the_admin_sees_that_no_backups_are_scheduled(self):
        store = Store()
        server = None
        try:
            server = store.server().start()
            r = server.login("admin").get("/api/v1/backups")
            self.assertEqual(r.status, 200, r.body)
            self.assertFalse(r.json["enabled"])
            self.assertIsNone(r.json["schedule"])
            self.assertIsNone(r.json["last_ok"])
            self.assertEqual(r.json["runs"], [])
            self.assertEqual(r.json["backend"], backend())
            self.assertEqual(server.login("physician").get("/api/v1/backups").status, 403)
        finally:
            if server is not None:
                server.stop()
            store.cleanup()


class BackupOnPostgresqlTest(unittest.TestCase):
    """With PostgreSQL, kit serve refuses backup_folder (pg_dump and WAL archiving are the tools)."""

    def test_backup_folder_is_refused_naming_the_setting(self):
        if backend() != "postgresql":
            self.skipTest("PostgreSQL only (KIT_TEST_BACKEND=postgresql)")
        store = Store()
        try:
            folder = os.path.join(store.tmp, "backups")
            os.makedirs(folder)
            env = dict(os.environ, KIT_BACKUP_FOLDER=folder, KIT_DEMO_SEED="accounts")
            p = subprocess.run([kit_binary(), "serve", "--data", store.data_dir, "--database",
                                store.database_url, "--listen", "127.0.0.1:0"],
                               capture_output=True, text=True, timeout=60, env=env)
            self.assertEqual(p.returncode, 1, p.stderr[-2000:])
            self.assertIn("backup_folder", p.stderr)
            self.assertIn("pg_dump", p.stderr)
            self.assertEqual(os.listdir(folder), [])
        finally:
            store.cleanup()


if __name__ == "__main__":
    unittest.main()
