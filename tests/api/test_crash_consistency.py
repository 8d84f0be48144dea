"""Crash consistency: `kit serve` killed with SIGKILL in the middle of a load of clinic writes loses
no acknowledged write, leaves nothing half-written, keeps its audit chain (and anchors) verifiable,
and a write whose answer was lost is stored at most once when it is retried with its
Idempotency-Key after the restart (docs/reliability.md, "Crash consistency"; ADR 0015).

Each cycle, on one data folder / database that lives for the whole run:

  1. a fresh patient made ready for an infusion today (screening, consent, approval, course,
     appointment, day-of check) and a planned session on the run's stock lot (acknowledged set-up);
  2. five writers at once, every request with its own Idempotency-Key: new patients (front desk),
     PHQ-9 assessments, vital signs, pump events (start, then pause / resume with If-Match) and
     stock draws of 0.1 mg for the session;
  3. SIGKILL at a random moment 0.2-1.5 s into the load; every request in flight is "unknown";
  4. restart, then: every acknowledged (2xx) write is read back by id; every unknown write is sent
     again with the same key, body and If-Match and must succeed (the first answer replayed, or
     the write done now); then the stored counts equal the number of intents exactly (nothing
     twice, nothing lost), the lot's balance equals what was received minus the stored draws, every
     stored write has its audit row, GET /api/v1/audit/verify and `kit audit verify` (the chain and
     the signed anchors) are ok, and on SQLite PRAGMA integrity_check is "ok" (read-only
     connection beside the running server).

KIT_CRASH_CYCLES (default 8) sets the number of cycles, KIT_CRASH_SEED the random seed (printed, so
a failing run can be repeated). scripts/crash-test.sh runs the long version (100 cycles) on either
back end and prints the totals as one JSON line."""

import datetime
import http.client
import json
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
import unittest
import uuid

from kit_server import Client, Store, backend, kit_binary, unique
from test_infusion_gates import (NORMAL_VITALS, PREP, Staff, make_clinic, plan_body,
                                 ready_patient)

CYCLES = int(os.environ.get("KIT_CRASH_CYCLES", "8"))
SEED = int(os.environ.get("KIT_CRASH_SEED", str(int(time.time()))))
KILL_AFTER_S = (0.2, 1.5)
DRAW_MG = 0.1
LOT_VIALS = 40
LOT_MG_PER_VIAL = 50.0  # 10 mg/mL x 5 mL
WRITE_TIMEOUT_S = 10.0

USERS = ("admin", "frontdesk", "nurse", "physician")


class Intent:
    """One write the client meant to make: its request, key and what it learned."""

    def __init__(self, kind, method, path, body, headers):
        self.kind = kind
        self.method = method
        self.path = path
        self.body = body
        self.headers = dict(headers, **{"Idempotency-Key": str(uuid.uuid4())})
        self.status = None  # the HTTP status seen, None while unknown (no answer)
        self.json = None
        self.error = None
        self.retried = False

    @property
    def acked(self):
        return self.status is not None and 200 <= self.status < 300


def send(client, intent, timeout=WRITE_TIMEOUT_S):
    """Sends the intent; records the answer, or leaves it unknown when the connection failed."""
    try:
        r = client.request(intent.method, intent.path, body=intent.body, headers=intent.headers,
                           timeout=timeout)
    except (OSError, http.client.HTTPException) as e:
        intent.error = repr(e)
        return None
    intent.status = r.status
    intent.json = r.json if r.body else None
    return r


class Load:
    """The writers of one cycle. Each writer stops at its first request without an answer."""

    def __init__(self, clients, cycle, rng):
        self.c = clients
        self.cy = cycle
        self.rng = rng
        self.stop = threading.Event()
        self.intents = []
        self.lock = threading.Lock()
        self.unexpected = []
        self.etag = cycle["etag"]  # the session's ETag as the pump writer last saw it

    def record(self, intent):
        with self.lock:
            self.intents.append(intent)

    def run_writer(self, make, client_name, on_answer=None):
        while not self.stop.is_set():
            intent = make()
            self.record(intent)
            r = send(self.c[client_name], intent)
            if r is None:
                return
            if not intent.acked:
                with self.lock:
                    self.unexpected.append("%s %s -> %r" % (intent.method, intent.path, r))
                return
            if on_answer:
                on_answer(intent, r)

    def new_patient(self):
        return Intent("patient", "POST", "/api/v1/patients", {
            "given_name": "Crash", "family_name": unique("Crash"), "date_of_birth": "1980-01-02",
            "sex": "female", "indication": "depression"}, {})

    def new_assessment(self):
        return Intent("assessment", "POST", "/api/v1/patients/%d/assessments" % self.cy["pid"],
                      {"instrument": "phq9", "answers": [self.rng.randint(0, 3) for _ in range(9)]},
                      {})

    def new_vitals(self):
        reading = dict(NORMAL_VITALS, point="interval", hr_bpm=self.rng.randint(60, 90))
        return Intent("vitals", "POST", "/api/v1/sessions/%d/vitals" % self.cy["sid"], reading, {})

    def new_draw(self):
        return Intent("draw", "POST", "/api/v1/stock/draws",
                      {"session_id": self.cy["sid"], "lot_id": self.cy["lot"], "mg": DRAW_MG}, {})

    def new_event(self):
        with self.lock:
            n = sum(1 for i in self.intents if i.kind == "event")
        kind = "start" if n == 0 else ("pause" if n % 2 == 1 else "resume")
        return Intent("event", "POST", "/api/v1/sessions/%d/events" % self.cy["sid"],
                      {"kind": kind}, {"If-Match": self.etag})

    def event_answered(self, intent, r):
        self.etag = r.etag

    def threads(self):
        return [
            threading.Thread(target=self.run_writer, args=(self.new_patient, "frontdesk")),
            threading.Thread(target=self.run_writer, args=(self.new_assessment, "physician")),
            threading.Thread(target=self.run_writer, args=(self.new_vitals, "nurse")),
            threading.Thread(target=self.run_writer, args=(self.new_draw, "nurse")),
            threading.Thread(target=self.run_writer,
                             args=(self.new_event, "nurse", self.event_answered)),
        ]


def sqlite_integrity(db_file):
    """PRAGMA integrity_check on a read-only connection (beside the running server: WAL)."""
    conn = sqlite3.connect("file:%s?mode=ro" % db_file, uri=True, timeout=30)
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    finally:
        conn.close()
    return "; ".join(str(r[0]) for r in rows)


class CrashConsistencyTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.store = Store(prefix="kit-crash-")
        try:
            cls.server = cls.store.server().start()
        except BaseException:
            cls.store.cleanup()
            raise
        cls.tokens = {u: cls.server.login(u).token for u in USERS}

    @classmethod
    def tearDownClass(cls):
        try:
            if cls.server is not None:
                cls.server.stop()
        finally:
            cls.store.cleanup()

    def clients(self):
        # Sessions are rows in the database: the tokens outlive every restart.
        return {u: Client(self.server.port, token=t) for u, t in self.tokens.items()}

    def expect(self, r, status, what):
        if r.status != status:
            self.fail("%s: expected %d, got %r\n%s" % (what, status, r, self.server.log_tail(20)))
        return r.json

    def prepare_cycle(self, c, clinic, lot):
        staff = Staff(c["admin"], c["frontdesk"], c["nurse"], c["physician"])
        ready = ready_patient(staff, clinic, given="Crash")
        s = self.expect(c["nurse"].post(ready.sessions_path, plan_body(ready, lot_id=lot)), 201,
                        "plan a session")
        etag = c["nurse"].current_etag("/api/v1/sessions/%d" % s["id"])
        return {"pid": ready.pid, "sid": s["id"], "lot": lot, "etag": etag}

    def audit_verify_cli(self):
        argv = [kit_binary(), "audit", "verify", "--data", self.store.data_dir]
        if self.store.database_url:
            argv += ["--database", self.store.database_url]
        p = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        return p.returncode, p.stdout + p.stderr

    def test_sigkill_under_load_loses_no_acknowledged_write(self):
        rng = random.Random(SEED)
        print("\ncrash consistency: backend %s, %d cycles, seed %d" % (backend(), CYCLES, SEED),
              file=sys.stderr)
        c = self.clients()
        clinic = make_clinic(c["admin"])
        lot = self.expect(c["nurse"].post("/api/v1/stock/lots", {
            "concentration_mg_per_ml": 10, "vial_volume_ml": 5, "lot_number": unique("CRASH"),
            "expiry_date": (datetime.date.today() + datetime.timedelta(days=400)).isoformat(),
            "vials_received": LOT_VIALS}), 201, "receive a lot")["id"]
        totals = {"cycles": 0, "acknowledged": 0, "unknown": 0, "retried_replayed": 0,
                  "retried_done_now": 0, "lost": 0, "duplicated": 0, "audit_rows_missing": 0,
                  "integrity_checks": 0, "audit_verifications": 0}
        all_draws_mg = 0.0
        started = time.monotonic()
        for cycle_no in range(1, CYCLES + 1):
            c = self.clients()
            cy = self.prepare_cycle(c, clinic, lot)
            load = Load(c, cy, rng)
            threads = load.threads()
            for t in threads:
                t.start()
            time.sleep(rng.uniform(*KILL_AFTER_S))
            self.server.kill9()
            load.stop.set()
            for t in threads:
                t.join(WRITE_TIMEOUT_S + 5)
                self.assertFalse(t.is_alive(), "a writer did not stop")
            self.assertEqual(load.unexpected, [], "cycle %d: refused writes" % cycle_no)
            self.server.start()
            c = self.clients()
            what = "cycle %d (seed %d)" % (cycle_no, SEED)
            acked = [i for i in load.intents if i.acked]
            unknown = [i for i in load.intents if i.status is None]
            totals["acknowledged"] += len(acked)
            totals["unknown"] += len(unknown)

            # Every acknowledged write is there, read back by its id.
            session = self.expect(c["nurse"].get("/api/v1/sessions/%d" % cy["sid"]), 200, what)
            vitals_ids = {v["id"] for v in session["vitals"]}
            assessments = self.expect(
                c["physician"].get("/api/v1/patients/%d/assessments" % cy["pid"]), 200, what)
            assessments = assessments if isinstance(assessments, list) else (
                assessments.get("assessments") or assessments.get("items") or [])
            assessment_ids = {a["id"] for a in assessments}
            ledger = self.expect(c["nurse"].get("/api/v1/stock/lots/%d/ledger" % lot), 200, what)
            movement_ids = {m["id"] for m in ledger["movements"]}
            lost = []
            for i in acked:
                if i.kind == "patient":
                    r = c["frontdesk"].get("/api/v1/patients/%d" % i.json["id"])
                    if r.status != 200 or r.json["family_name"] != i.body["family_name"]:
                        lost.append((i.kind, i.json, r))
                elif i.kind == "assessment" and i.json["id"] not in assessment_ids:
                    lost.append((i.kind, i.json["id"]))
                elif i.kind == "vitals" and i.json["id"] not in vitals_ids:
                    lost.append((i.kind, i.json["id"]))
                elif i.kind == "draw" and i.json["id"] not in movement_ids:
                    lost.append((i.kind, i.json["id"]))
            acked_events = [i for i in acked if i.kind == "event"]
            if len(session["events"]) < len(acked_events):
                lost.append(("event", len(session["events"]), len(acked_events)))
            totals["lost"] += len(lost)
            self.assertEqual(lost, [], "%s: acknowledged writes missing after the restart" % what)

            # An unanswered write sent again with its key is done once: replayed or done now.
            for i in unknown:
                i.retried = True
                r = send(c[{"patient": "frontdesk", "assessment": "physician"}.get(i.kind, "nurse")],
                         i)
                self.assertIsNotNone(r, "%s: retry of %s %s failed: %s" % (what, i.method, i.path,
                                                                           i.error))
                self.assertTrue(i.acked, "%s: retry of %s %s %r: %r" % (what, i.method, i.path,
                                                                        i.body, r))
                if r.header("Idempotent-Replayed") == "true":
                    totals["retried_replayed"] += 1
                else:
                    totals["retried_done_now"] += 1

            # Stored exactly once each: the counts equal the intents, which all ended 2xx now.
            def count(kind):
                return sum(1 for i in load.intents if i.kind == kind)

            session = self.expect(c["nurse"].get("/api/v1/sessions/%d" % cy["sid"]), 200, what)
            assessments = self.expect(
                c["physician"].get("/api/v1/patients/%d/assessments" % cy["pid"]), 200, what)
            assessments = assessments if isinstance(assessments, list) else (
                assessments.get("assessments") or assessments.get("items") or [])
            ledger = self.expect(c["nurse"].get("/api/v1/stock/lots/%d/ledger" % lot), 200, what)
            draws = [m for m in ledger["movements"]
                     if m.get("session_id") == cy["sid"] and m.get("kind") == "draw"]
            stored = {"vitals": len(session["vitals"]), "event": len(session["events"]),
                      "assessment": len(assessments), "draw": len(draws)}
            patients_twice = []
            for i in load.intents:
                if i.kind == "patient":
                    r = self.expect(c["frontdesk"].get("/api/v1/patients",
                                                       query={"q": i.body["family_name"]}), 200, what)
                    n = sum(1 for p in r["patients"] if p["family_name"] == i.body["family_name"])
                    if n != 1:
                        patients_twice.append((i.body["family_name"], n))
            wanted = {k: count(k) for k in stored}
            totals["duplicated"] += sum(max(0, stored[k] - wanted[k]) for k in stored) + len(
                [p for p in patients_twice if p[1] > 1])
            self.assertEqual(stored, wanted, "%s: stored records against intents" % what)
            self.assertEqual(patients_twice, [], "%s: patients stored not exactly once" % what)

            # The lot's balance is what was received minus every stored draw (no draw without
            # its movement, no movement twice).
            all_draws_mg += DRAW_MG * len(draws)
            lot_now = self.expect(c["nurse"].get("/api/v1/stock/lots/%d" % lot), 200, what)
            self.assertAlmostEqual(lot_now["balance_mg"],
                                   LOT_VIALS * LOT_MG_PER_VIAL - all_draws_mg, places=6,
                                   msg="%s: lot balance" % what)
            ledger_sum = sum(m["balance_change_mg"] for m in ledger["movements"])
            self.assertAlmostEqual(ledger_sum, lot_now["balance_mg"], places=6,
                                   msg="%s: ledger movements against the balance" % what)

            # Every stored write of the cycle's patient has its audit row (same transaction).
            rows = self.expect(c["admin"].get("/api/v1/audit", query={
                "patient_id": cy["pid"], "limit": 1000}), 200, what)
            rows = rows if isinstance(rows, list) else (rows.get("items") or rows.get("entries"))
            allowed = {}
            for row in rows:
                if row.get("outcome") == "allowed" and row["action"].startswith("POST "):
                    allowed[row["action"]] = allowed.get(row["action"], 0) + 1
            for kind, action in (("vitals", "POST /api/v1/sessions/{id}/vitals"),
                                 ("event", "POST /api/v1/sessions/{id}/events"),
                                 ("draw", "POST /api/v1/stock/draws"),
                                 ("assessment", "POST /api/v1/patients/{id}/assessments")):
                missing = max(0, stored[kind] - allowed.get(action, 0))
                totals["audit_rows_missing"] += missing
                self.assertEqual(missing, 0, "%s: %s stored without its audit row (%r)" %
                                 (what, kind, allowed))

            # The chain and its anchors verify, through the server and through `kit audit verify`.
            v = self.expect(c["admin"].get("/api/v1/audit/verify"), 200, what)
            self.assertTrue(v.get("ok"), "%s: /audit/verify: %r" % (what, v))
            code, out = self.audit_verify_cli()
            self.assertEqual(code, 0, "%s: kit audit verify: %s" % (what, out))
            totals["audit_verifications"] += 2
            if backend() == "sqlite":
                check = sqlite_integrity(os.path.join(self.store.data_dir, "kit.db"))
                self.assertEqual(check, "ok", "%s: integrity_check" % what)
                totals["integrity_checks"] += 1
            totals["cycles"] += 1
        totals["seconds"] = round(time.monotonic() - started, 1)
        totals["backend"] = backend()
        totals["seed"] = SEED
        print("crash consistency totals: " + json.dumps(totals, sort_keys=True), file=sys.stderr)
        self.assertEqual(totals["lost"], 0)
        self.assertEqual(totals["duplicated"], 0)


if __name__ == "__main__":
    unittest.main()
