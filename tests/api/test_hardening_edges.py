"""Edge cases of the hostile probe (findings 11 and 19), each reproduced through the real server
first:

- /healthz answered 200 while the database was broken;
- an internal error and a failed audit write were logged as plain text among the JSON log lines;
- staff deleted time off an admin had set for them, and no create or delete of time off was
  audited (and a delete removed the row for good);
- GET /courses/{id}/proposed-dates?start=9999-12-20 read an unset optional (span_days -2932882);
- a pump rate of 52.50000000001 mL/h must be stored at the pump's 0.1 mL/h step.
"""

import datetime
import json
import os
import sqlite3
import time
import unittest

from kit_server import Client, KitTestCase, Store, backend, today
from test_infusion_gates import GateCase, PLANNED_RATE, approved_patient, new_course, Staff


def sqlite_only(test):
    return unittest.skipUnless(backend() == "sqlite", "breaks the SQLite file under the server")(test)


def log_lines(server):
    with open(server.log_path, "rb") as f:
        return [line for line in f.read().decode("utf-8", "replace").splitlines() if line.strip()]


class BrokenDatabaseTest(unittest.TestCase):
    """One server whose SQLite database is broken under it (a table renamed by another process)."""

    def setUp(self):
        self.store = Store()
        self.server = self.store.server().start()
        self.db_path = os.path.join(self.store.data_dir, "kit.db")

    def tearDown(self):
        self.server.stop()
        self.store.cleanup()

    def sql(self, statement):
        con = sqlite3.connect(self.db_path, timeout=10)
        try:
            con.execute(statement)
            con.commit()
        finally:
            con.close()

    def healthz(self):
        return Client(self.server.port).request("GET", "/healthz", auth=False)

    @sqlite_only
    def test_healthz_answers_503_with_a_reason_when_the_database_is_broken(self):
        r = self.healthz()
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "ok")

        # The schema version table is gone: the database cannot be trusted.
        self.sql("ALTER TABLE schema_migrations RENAME TO schema_migrations_gone")
        r = self.healthz()
        self.assertEqual(r.status, 503, r)
        self.assertEqual(r.json["status"], "database_unavailable", r.json)
        self.assertTrue(r.json.get("reason"), r.json)
        self.sql("ALTER TABLE schema_migrations_gone RENAME TO schema_migrations")
        self.assertEqual(self.healthz().status, 200)

        # A schema this kit does not know (written by a newer kit).
        self.sql("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'x', 0)")
        r = self.healthz()
        self.assertEqual(r.status, 503, r)
        self.assertEqual(r.json["status"], "database_unavailable", r.json)
        self.assertIn("9999", r.json["reason"])
        self.sql("DELETE FROM schema_migrations WHERE version = 9999")
        self.assertEqual(self.healthz().status, 200)

    @sqlite_only
    def test_every_log_line_is_one_json_object_even_for_internal_errors(self):
        admin = self.server.login("admin")
        nurse = self.server.login("nurse")
        pid = admin.get("/api/v1/patients").json["patients"][0]["id"]
        # The audit log cannot be written: the request fails (500) and so does its denial row.
        self.sql("ALTER TABLE audit_log RENAME TO audit_log_gone")
        r = nurse.get("/api/v1/patients/%d" % pid)
        self.assertEqual(r.status, 500, r)
        self.assertEqual(r.error()["code"], "internal")
        self.sql("ALTER TABLE audit_log_gone RENAME TO audit_log")
        time.sleep(0.2)
        lines = log_lines(self.server)
        parsed = []
        for line in lines:
            try:
                obj = json.loads(line)
            except ValueError:
                self.fail("a log line is not JSON: %r\n(all lines: %s)" % (line, "\n".join(lines)))
            self.assertIsInstance(obj, dict, line)
            for key in ("ts", "level", "msg"):
                self.assertIn(key, obj, line)
            parsed.append(obj)
        msgs = [p["msg"] for p in parsed]
        self.assertIn("internal error", msgs)
        self.assertIn("could not record audit row", msgs)
        internal = next(p for p in parsed if p["msg"] == "internal error")
        self.assertEqual(internal["level"], "error")
        self.assertEqual(internal["route"], "GET /api/v1/patients/{id}")
        # The demo banner (accounts and password) is a JSON line too.
        banner = [p for p in parsed if p.get("demo_password")]
        self.assertEqual(len(banner), 1, msgs)
        self.assertEqual(banner[0]["demo_accounts"], ["admin", "physician", "nurse", "frontdesk", "patient", "director"])


class TimeOffTest(KitTestCase):

    def nurse_id(self):
        return self.nurse.user["id"]

    def time_off(self, who, user_id, day):
        return who.post("/api/v1/staff-availability", {
            "user_id": user_id, "date": day, "from": "08:00", "to": "17:00", "available": False})

    def audit_actions(self, action):
        r = self.admin.get("/api/v1/audit", query={"limit": 1000})
        self.assertEqual(r.status, 200, r)
        return [row for row in r.json if row["action"] == action]

    def test_staff_cannot_remove_time_off_an_admin_set_and_every_change_is_audited(self):
        day = today().toordinal() + 20
        d1 = datetime.date.fromordinal(day).isoformat()
        d2 = datetime.date.fromordinal(day + 1).isoformat()
        posts_before = len(self.audit_actions("POST /api/v1/staff-availability"))
        deletes_before = len(self.audit_actions("DELETE /api/v1/staff-availability/{id}"))

        by_admin = self.time_off(self.admin, self.nurse_id(), d1)
        self.assertEqual(by_admin.status, 201, by_admin)
        self.assertEqual(by_admin.json["set_by"], self.admin.user["id"])
        own = self.time_off(self.nurse, self.nurse_id(), d2)
        self.assertEqual(own.status, 201, own)
        self.assertEqual(own.json["set_by"], self.nurse_id())

        # The nurse may not remove what the admin set; nothing changes.
        r = self.nurse.delete("/api/v1/staff-availability/%d" % by_admin.json["id"])
        self.assertEqual(r.status, 403, r)
        listed = self.nurse.get("/api/v1/staff-availability", query={"user_id": self.nurse_id()}).json
        self.assertIn(by_admin.json["id"], [a["id"] for a in listed["availability"]])

        # Their own time off they may remove; the admin may remove what the admin set.
        self.assertEqual(self.nurse.delete("/api/v1/staff-availability/%d" % own.json["id"]).status, 200)
        self.assertEqual(self.admin.delete("/api/v1/staff-availability/%d" % by_admin.json["id"]).status, 200)
        listed = self.nurse.get("/api/v1/staff-availability", query={"user_id": self.nurse_id()}).json
        ids = [a["id"] for a in listed["availability"]]
        self.assertNotIn(own.json["id"], ids)
        self.assertNotIn(by_admin.json["id"], ids)

        # Removed, not deleted: who removed it and when stays on the row.
        kept = self.admin.get("/api/v1/staff-availability",
                              query={"user_id": self.nurse_id(), "include_removed": "true"}).json
        rows = {a["id"]: a for a in kept["availability"]}
        self.assertEqual(rows[own.json["id"]]["removed_by"], self.nurse_id())
        self.assertEqual(rows[by_admin.json["id"]]["removed_by"], self.admin.user["id"])
        self.assertIsInstance(rows[by_admin.json["id"]]["removed_at"], str)
        # A second removal is 404: it is gone from the schedule.
        self.assertEqual(self.admin.delete("/api/v1/staff-availability/%d" % own.json["id"]).status, 404)

        # Every create and delete, allowed or refused, is in the audit log.
        self.assertEqual(len(self.audit_actions("POST /api/v1/staff-availability")), posts_before + 2)
        deletes = self.audit_actions("DELETE /api/v1/staff-availability/{id}")
        self.assertEqual(len(deletes), deletes_before + 4)
        self.assertIn("denied", [d["outcome"] for d in deletes])


class DateBoundsTest(GateCase):

    def test_proposed_dates_start_is_bounded(self):
        staff = Staff(self.admin, self.desk, self.nurse, self.physician)
        self.clinic()
        pid, _ = approved_patient(staff, "Bounds")
        course = new_course(self.physician, pid)
        path = "/api/v1/courses/%d/proposed-dates" % course
        for start in ("9999-12-20", "9999-12-31", "5000-01-01"):
            r = self.physician.get(path, query={"start": start})
            self.assertError(r, 400, field="start", code="invalid_input", msg="start=%s" % start)
        ok = self.physician.get(path, query={"start": today().isoformat()})
        self.assertEqual(ok.status, 200, ok)
        self.assertGreaterEqual(ok.json["span_days"], 0, ok.json)
        # The other date query parameters at the calendar's ends answer, never fail inside.
        for query in ({"date": "9999-12-31"}, {"from": "0001-01-01", "to": "9999-12-31"}):
            r = self.desk.get("/api/v1/appointments", query=query)
            self.assertIn(r.status, (200, 400), "%r: %r" % (query, r))
            if r.status == 400:
                self.assertIn(r.error()["field"], query)
        for query in ({"from": "9999-12-31T23:59:59Z"}, {"to": "0001-01-01T00:00:00Z"}):
            r = self.admin.get("/api/v1/audit", query=query)
            self.assertIn(r.status, (200, 400), "%r: %r" % (query, r))
            if r.status == 400:
                self.assertIn(r.error()["field"], query)

    def test_pump_rates_are_stored_at_the_pumps_step(self):
        ready = self.ready(given="RateStep")
        sid = self.planned(ready)["id"]
        self.started(sid)
        r = self.event(sid, {"kind": "rate_change", "rate_ml_per_h": PLANNED_RATE - 1 + 1e-11})
        self.assertEqual(r.status, 201, r)
        events = [e for e in self.session(sid)["events"] if e["kind"] == "rate_change"]
        self.assertEqual(events[-1]["rate_ml_per_h"], PLANNED_RATE - 1)  # 51.5 exactly
        r = self.event(sid, {"kind": "rate_change", "rate_ml_per_h": PLANNED_RATE - 1.05})
        self.assertError(r, 400, field="rate_ml_per_h", code="invalid_input")


if __name__ == "__main__":
    unittest.main()
