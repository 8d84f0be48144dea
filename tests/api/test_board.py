"""The day's chair board (GET /api/v1/board?date=) for every staff role, the front desk included:
per appointment of the day its infusion session's state and clock, per patient the number of open
alerts and their highest severity, and nothing clinical (no dose, rate, vital or alert text).
Also the audit log's `action` filter (GET /api/v1/audit?action=), which the admin screen uses."""

import unittest

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
