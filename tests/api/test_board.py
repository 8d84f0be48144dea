"""The day's chair board (GET /api/v1/board?date=) for every staff role, the front desk included:
per appointment of the day its infusion session's state and clock, per patient the number of open
alerts and their highest severity, and nothing clinical (no dose, rate, vital or alert text).
Also the audit log's `action` filter (GET /api/v1/audit?action=), which the admin screen uses."""

import re
import time
import unittest

from kit_server import backend
from test_infusion_gates import GateCase


class BoardTest(GateCase):

    def test_board_gives_session_state_and_clock_without_clinical_values(self):
        ready = self.ready(given="Board")
        planned = self.planned(ready)
        sid = planned["id"]
        path = "/api/v1/board"
        # Before the pump starts: the session is on the board as planned, nothing infused.
        r = self.desk.get(path, query={"date": ready.today})
        self.assertStatus(r, 200, "front desk reads the board")
        rows = [s for s in r.json["sessions"] if s["appointment_id"] == ready.appointment]
        self.assertEqual(len(rows), 1, r.json)
        self.assertEqual(rows[0]["state"], "planned")
        self.assertEqual(rows[0]["infused_minutes"], 0)
        self.assertIsNone(rows[0]["started_at"])
        self.assertGreater(rows[0]["planned_duration_min"], 0)

        self.started(sid)
        r = self.desk.get(path, query={"date": ready.today})
        self.assertStatus(r, 200, "board after start")
        row = [s for s in r.json["sessions"] if s["session_id"] == sid][0]
        self.assertEqual(row["state"], "running")
        self.assertIsNotNone(row["started_at"])
        self.assertEqual(row["patient_id"], ready.pid)
        self.assertEqual(row["chair_id"], ready.chair)
        text = r.body.decode("utf-8")
        for clinical in ("dose", "rate", "mg", "message", "vital"):
            self.assertNotIn('"%s' % clinical, text, clinical)

        # An open alert counts for the patient (a PHQ-9 with item 9 raises one).
        a = self.physician.post("/api/v1/patients/%d/assessments" % ready.pid,
                                {"instrument": "phq9", "answers": [2, 2, 2, 1, 1, 2, 1, 1, 2]})
        self.assertStatus(a, 201, "PHQ-9 with item 9")
        r = self.desk.get(path, query={"date": ready.today})
        mine = [x for x in r.json["open_alerts"] if x["patient_id"] == ready.pid]
        self.assertEqual(len(mine), 1, r.json)
        self.assertGreaterEqual(mine[0]["open"], 1)
        self.assertIn(mine[0]["highest_severity"], ("moderate", "high", "critical"))

        # The board is patient data: its reads are in the audit log.
        log = self.admin.get("/api/v1/audit", query={"action": "GET /api/v1/board", "user": "frontdesk"})
        self.assertStatus(log, 200, "audit filtered by action")
        self.assertGreaterEqual(len(log.json), 3, log.json)
        self.assertTrue(all(x["action"] == "GET /api/v1/board" for x in log.json), log.json)

    def cache_lookups(self):
        """The snapshot cache's lookups from /metrics: {"hit": n, "miss": n} (zeros where the back
        end keeps no data generation, PostgreSQL)."""
        r = self.anon.get("/metrics")
        if r.status in (401, 403):
            r = self.admin.get("/metrics")
        self.assertStatus(r, 200, "metrics")
        out = {"hit": 0, "miss": 0}
        for line in r.body.decode("utf-8").splitlines():
            m = re.match(r'^kit_snapshot_cache_lookups_total\{result="(hit|miss)"\} (\S+)$', line)
            if m:
                out[m.group(1)] = float(m.group(2))
        return out

    def test_every_write_shows_on_the_next_board_and_unchanged_data_is_read_once(self):
        """The board is kept between refreshes while the data is unchanged (ADR 0030): on SQLite a
        repeated read is a cache hit; after each write of any kind the very next read shows it."""
        ready = self.ready(given="Cached")
        sid = self.planned(ready)["id"]
        path = "/api/v1/board"
        q = {"date": ready.today}

        def mine():
            r = self.desk.get(path, query=q)
            self.assertStatus(r, 200, "board")
            rows = [s for s in r.json["sessions"] if s["session_id"] == sid]
            self.assertEqual(len(rows), 1, r.json)
            alerts = [a for a in r.json["open_alerts"] if a["patient_id"] == ready.pid]
            return rows[0], (alerts[0]["open"] if alerts else 0)

        self.assertEqual(mine()[0]["state"], "planned")
        before = self.cache_lookups()
        for _ in range(5):
            self.assertEqual(mine()[0]["state"], "planned")
        after = self.cache_lookups()
        if backend() == "sqlite":
            # Other tests' servers are separate processes: every hit here is this test's reads.
            self.assertGreaterEqual(after["hit"] - before["hit"], 4, (before, after))
        else:
            self.assertEqual(after, before, "PostgreSQL keeps no data generation: no caching")

        # Each write, then at once the board: the cached answer must never outlive the data.
        self.started(sid)
        self.assertEqual(mine()[0]["state"], "running")
        self.assertStatus(self.event(sid, {"kind": "pause"}), 201, "pause")
        self.assertEqual(mine()[0]["state"], "paused")
        self.assertStatus(self.event(sid, {"kind": "resume"}), 201, "resume")
        self.assertEqual(mine()[0]["state"], "running")
        _, open_before = mine()
        a = self.physician.post("/api/v1/patients/%d/assessments" % ready.pid,
                                {"instrument": "phq9", "answers": [2, 2, 2, 1, 1, 2, 1, 1, 3]})
        self.assertStatus(a, 201, "PHQ-9 with item 9")
        self.assertEqual(mine()[1], open_before + 1)
        # The clock still runs between writes: infused time is computed at each read.
        first = mine()[0]["infused_minutes"]
        time.sleep(0.3)
        self.assertGreater(mine()[0]["infused_minutes"], first)

    def test_clinicians_lists_active_physicians_and_nurses_for_booking(self):
        r = self.desk.get("/api/v1/clinicians")
        self.assertStatus(r, 200, "front desk lists clinicians")
        roles = {c["username"]: c["role"] for c in r.json["clinicians"]}
        self.assertEqual(roles.get("nurse"), "nurse", r.json)
        self.assertEqual(roles.get("physician"), "physician", r.json)
        self.assertNotIn("frontdesk", roles)
        self.assertNotIn("admin", roles)
        self.assertNotIn("patient", roles)
        self.assertEqual(set(r.json["clinicians"][0]), {"id", "username", "role"})
        self.assertStatus(self.patient.get("/api/v1/clinicians"), 403, "not for patients")

    def test_board_needs_a_date_and_a_staff_login(self):
        r = self.desk.get("/api/v1/board")
        self.assertStatus(r, 400, "no date")
        self.assertEqual(r.error()["field"], "date")
        r = self.desk.get("/api/v1/board", query={"date": "2026-13-40"})
        self.assertStatus(r, 400, "bad date")
        r = self.patient.get("/api/v1/board", query={"date": "2026-11-26"})
        self.assertStatus(r, 403, "patients do not read the board")


if __name__ == "__main__":
    unittest.main()
