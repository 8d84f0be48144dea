"""The audit chain's head anchored outside the database (server/api/audit_anchor.h,
docs/security.md "Anchoring the chain head").

Cutting the end of the chain (deleting the last rows and rewriting audit_head) leaves a shorter
chain that verifies by itself; `kit serve` appends the head it reached, signed with an HMAC, to
<data>/audit-anchor.log, and `kit audit verify` (and GET /api/v1/audit/verify) finds the cut. A
chain rewritten by someone who recomputes every later hash and the head is found the same way, an
edited anchor line fails its signature, and a `kit restore` records itself so its older chain is
not mistaken for a cut.

The database is changed beside the stopped server: with the sqlite3 module (SQLite) or psql
(PostgreSQL)."""

import hashlib
import json
import os
import signal
import sqlite3
import stat
import subprocess
import time
import unittest

from kit_server import Store, _psql, backend, kit_binary, unique

GENESIS = "0" * 64
COLUMNS = ("seq", "at_ms", "user_id", "username", "role", "action", "patient_id",
           "remote_address", "outcome", "status")


def canonical(row):
    """The server's canonical row (server/api/audit.cpp): an ASCII JSON array, no spaces."""
    return json.dumps([row[c] for c in COLUMNS], separators=(",", ":"), ensure_ascii=True)


class Db:
    """The stopped server's database, read and written directly (the attacker's access)."""

    def __init__(self, store):
        self.store = store

    def query(self, sql):
        if backend() == "sqlite":
            db = sqlite3.connect(os.path.join(self.store.data_dir, "kit.db"), timeout=30)
            try:
                return [tuple(r) for r in db.execute(sql).fetchall()]
            finally:
                db.close()
        r = _psql(self.store.database_url, sql)
        if r.returncode != 0:
            raise AssertionError(r.stderr)
        return [tuple(line.split("|")) for line in r.stdout.splitlines() if line]

    def script(self, statements):
        if backend() == "sqlite":
            db = sqlite3.connect(os.path.join(self.store.data_dir, "kit.db"), timeout=30)
            try:
                for s in statements:
                    db.execute(s)
                db.commit()
            finally:
                db.close()
            return
        r = _psql(self.store.database_url, "BEGIN; " + "; ".join(statements) + "; COMMIT")
        if r.returncode != 0:
            raise AssertionError(r.stderr)

    def rows(self):
        got = self.query("SELECT seq, at_ms, user_id, username, role, action, patient_id, "
                         "remote_address, outcome, status, hash FROM audit_log ORDER BY seq")
        out = []
        for r in got:
            d = dict(zip(COLUMNS + ("hash",), r))
            for k in ("seq", "at_ms", "status"):
                d[k] = int(d[k])
            for k in ("user_id", "patient_id"):
                d[k] = None if d[k] in (None, "") else int(d[k])
            out.append(d)
        return out

    def cut_tail(self, n):
        """Deletes the last n rows and points audit_head at the row before them."""
        rows = self.rows()
        keep = rows[-n - 1]
        self.script(["DELETE FROM audit_log WHERE seq > %d" % keep["seq"],
                     "UPDATE audit_head SET seq = %d, last_hash = '%s' WHERE id = 1" %
                     (keep["seq"], keep["hash"])])
        return keep["seq"], rows[-1]["seq"]

    def rewrite_from(self, seq, username):
        """Changes the username of row `seq` and recomputes every later hash and the head: the
        chain verifies by itself afterwards."""
        rows = self.rows()
        prev = GENESIS
        statements = []
        for r in rows:
            if r["seq"] == seq:
                r["username"] = username
            if r["seq"] >= seq:
                h = hashlib.sha256((prev + "|" + canonical(r)).encode()).hexdigest()
                statements.append("UPDATE audit_log SET username = '%s', prev_hash = '%s', "
                                  "hash = '%s' WHERE seq = %d" % (r["username"], prev, h, r["seq"]))
                r["hash"] = h
            prev = r["hash"]
        statements.append("UPDATE audit_head SET last_hash = '%s' WHERE id = 1" % prev)
        self.script(statements)


class AuditAnchorTest(unittest.TestCase):

    def setUp(self):
        self.store = Store(prefix="kit-anchor-")
        self.addCleanup(self.store.cleanup)
        self.db = Db(self.store)
        self.server = None

    def start(self, env=None):
        saved = {k: os.environ.get(k) for k in (env or {})}
        os.environ.update(env or {})
        try:
            self.server = self.store.server().start()
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        self.addCleanup(self.server.stop)
        return self.server

    def stop(self):
        self.server_log = self.server.log_tail(400)
        self.assertEqual(self.server.stop(), 0, self.server_log)

    def busy(self, n=5):
        """Audited reads and writes: n patients created and opened by the front desk."""
        desk = self.server.login("frontdesk")
        for i in range(n):
            r = desk.post("/api/v1/patients", {
                "given_name": "Anchor%d" % i, "family_name": unique("Chain"),
                "date_of_birth": "1980-01-01", "sex": "male", "indication": "depression",
                "weight_kg": 80, "height_cm": 180})
            self.assertEqual(r.status, 201, r)
            self.assertEqual(desk.get("/api/v1/patients/%d" % r.json["id"]).status, 200)

    def kit_audit_verify(self):
        argv = [kit_binary(), "audit", "verify", "--data", self.store.data_dir]
        if self.store.database_url:
            argv += ["--database-url", self.store.database_url]
        p = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        try:
            report = json.loads(p.stdout)
        except ValueError:
            self.fail("kit audit verify printed no JSON report (exit %d): %s %s" %
                      (p.returncode, p.stdout, p.stderr))
        return p.returncode, report

    def anchor_file(self):
        return os.path.join(self.store.data_dir, "audit-anchor.log")

    def anchor_lines(self):
        with open(self.anchor_file()) as f:
            return [json.loads(line) for line in f if line.strip()]

    def http_verify(self):
        r = self.server.login("admin").get("/api/v1/audit/verify")
        self.assertEqual(r.status, 200, r)
        return r.json

    # ---------------------------------------------------------------------------------------------

    def test_an_untouched_chain_verifies_and_a_cut_tail_is_named(self):
        self.start()
        self.busy()
        v = self.http_verify()
        self.assertIs(v["ok"], True, v)
        self.assertIs(v["anchors"]["checked"], True, v)
        self.stop()
        # Private files, each line self-contained and signed.
        for name in ("audit-anchor.log", "audit-anchor.key"):
            mode = stat.S_IMODE(os.stat(os.path.join(self.store.data_dir, name)).st_mode)
            self.assertEqual(mode, 0o600, "%s mode %o" % (name, mode))
        lines = self.anchor_lines()
        self.assertEqual([l["reason"] for l in lines], ["start", "shutdown"], lines)
        head = self.db.rows()[-1]
        self.assertEqual((lines[-1]["seq"], lines[-1]["hash"]), (head["seq"], head["hash"]))

        code, report = self.kit_audit_verify()
        self.assertEqual(code, 0, report)
        self.assertIs(report["ok"], True, report)

        new_end, old_end = self.db.cut_tail(3)
        code, report = self.kit_audit_verify()
        self.assertEqual(code, 1, report)
        self.assertIs(report["chain"]["ok"], True, "the cut chain verifies by itself: %r" % report)
        self.assertEqual(report["problem"]["code"], "chain_cut", report)
        self.assertEqual(report["problem"]["seq"], old_end, report)
        self.assertIn("ends at seq %d" % new_end, report["problem"]["message"])
        self.assertIn("rows %d to %d" % (new_end + 1, old_end), report["problem"]["message"])

        # The server says so too, after a restart (which anchors the cut head: earlier anchors
        # still show the cut).
        self.start()
        v = self.http_verify()
        self.assertIs(v["chain_ok"], True, v)
        self.assertIs(v["ok"], False, v)
        self.assertEqual(v["anchors"]["problem"]["code"], "chain_cut", v)

    def test_a_recomputed_chain_and_an_edited_anchor_line_are_found(self):
        self.start()
        self.busy()
        self.stop()
        rows = self.db.rows()
        target = rows[len(rows) // 2]["seq"]
        self.db.rewrite_from(target, "nobody")
        code, report = self.kit_audit_verify()
        self.assertEqual(code, 1, report)
        self.assertIs(report["chain"]["ok"], True, "the rewritten chain verifies alone: %r" % report)
        self.assertEqual(report["problem"]["code"], "anchor_mismatch", report)
        self.assertEqual(report["problem"]["seq"], rows[-1]["seq"], report)

        # An attacker without the key edits the anchor line to the new hash: its HMAC fails.
        with open(self.anchor_file()) as f:
            text = f.read().splitlines()
        last = json.loads(text[-1])
        last["hash"] = self.db.rows()[-1]["hash"]
        text[-1] = json.dumps(last, separators=(",", ":"), sort_keys=True)
        with open(self.anchor_file(), "w") as f:
            f.write("\n".join(text) + "\n")
        code, report = self.kit_audit_verify()
        self.assertEqual(code, 1, report)
        self.assertEqual(report["problem"]["code"], "bad_signature", report)
        self.assertEqual(report["problem"]["line"], len(text), report)

    def test_heads_are_anchored_while_serving_so_a_killed_server_still_shows_a_cut(self):
        self.start({"KIT_AUDIT_ANCHOR_EVERY_ROWS": "4", "KIT_AUDIT_ANCHOR_EVERY_S": "1"})
        self.busy(6)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            seqs = [l["seq"] for l in self.anchor_lines()]
            if max(seqs) >= self.db.rows()[-1]["seq"]:
                break
            time.sleep(0.2)
        lines = self.anchor_lines()
        self.assertEqual(max(l["seq"] for l in lines), self.db.rows()[-1]["seq"], lines)
        self.assertTrue({"rows", "interval"} & {l["reason"] for l in lines}, lines)
        self.server.kill9()  # no shutdown anchor
        self.db.cut_tail(2)
        code, report = self.kit_audit_verify()
        self.assertEqual(code, 1, report)
        self.assertEqual(report["problem"]["code"], "chain_cut", report)

    def test_two_servers_on_one_database_and_folder_both_anchor(self):
        first = self.start()
        second = self.store.server().start()
        self.addCleanup(second.stop)
        for server in (first, second, first, second):
            self.server = server
            self.busy(2)
        self.assertEqual(second.stop(), 0, second.log_tail())
        self.server = first
        self.stop()
        lines = self.anchor_lines()
        self.assertEqual(len({l["by"] for l in lines}), 2, lines)
        self.assertEqual(max(l["seq"] for l in lines), self.db.rows()[-1]["seq"])
        code, report = self.kit_audit_verify()
        self.assertEqual(code, 0, report)
        self.db.cut_tail(1)
        code, report = self.kit_audit_verify()
        self.assertEqual(code, 1, report)
        self.assertEqual(report["problem"]["code"], "chain_cut", report)

    @unittest.skipUnless(backend() == "sqlite", "kit restore restores SQLite; PostgreSQL uses pg_restore")
    def test_a_restore_records_itself_and_is_not_a_cut(self):
        self.start()
        self.busy(2)
        backup = os.path.join(self.store.tmp, "backup.db")
        p = subprocess.run([kit_binary(), "backup", "--data", self.store.data_dir, "--to", backup],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.busy(3)
        self.stop()
        before = self.db.rows()[-1]

        # Copying the backup over the database by hand looks exactly like a cut.
        kit_db = os.path.join(self.store.data_dir, "kit.db")
        with open(kit_db, "rb") as f:
            current = f.read()
        with open(backup, "rb") as f, open(kit_db, "wb") as out:
            out.write(f.read())
        code, report = self.kit_audit_verify()
        self.assertEqual(code, 1, report)
        self.assertEqual(report["problem"]["code"], "chain_cut", report)
        with open(kit_db, "wb") as out:
            out.write(current)

        # kit restore records itself in the chain and in the anchor file.
        p = subprocess.run([kit_binary(), "restore", "--data", self.store.data_dir, "--from",
                            backup, "--force"], capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        restore = self.anchor_lines()[-1]
        self.assertEqual(restore["kind"], "restore", restore)
        self.assertEqual((restore["replaced_seq"], restore["replaced_hash"]),
                         (before["seq"], before["hash"]))
        self.assertEqual(restore["seq"], self.db.rows()[-1]["seq"])
        code, report = self.kit_audit_verify()
        self.assertEqual(code, 0, report)
        self.assertEqual(report["anchors"]["superseded_by_restore"], len(self.anchor_lines()) - 1)
        # The restored chain is then cut below the restore's anchor: found.
        self.db.cut_tail(1)
        code, report = self.kit_audit_verify()
        self.assertEqual(code, 1, report)
        self.assertEqual(report["problem"]["code"], "chain_cut", report)

    def test_no_anchor_file_is_a_problem(self):
        self.start()
        self.busy(1)
        self.stop()
        os.remove(self.anchor_file())
        code, report = self.kit_audit_verify()
        self.assertEqual(code, 1, report)
        self.assertEqual(report["problem"]["code"], "anchor_file_missing", report)
        # A server started on the folder says so in its log and in the new file's first line.
        self.start()
        self.stop()
        self.assertIn("audit anchor file", self.server_log)
        first = self.anchor_lines()[0]
        self.assertEqual(first["reason"], "start_anchor_file_missing", first)
        code, report = self.kit_audit_verify()
        self.assertEqual(len(report["anchors"]["warnings"]), 1, report)
        self.assertIn("anchors written before were removed", report["anchors"]["warnings"][0])


if __name__ == "__main__":
    unittest.main()
