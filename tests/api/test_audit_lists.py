"""List reads are attributed to every patient they return (docs/security.md, "Audit log").

A search, the alert queue, the stock reconciliation, a lot's ledger, the appointment lists and the
account list each answer with several patients' data. Each patient whose data an answer carries
gets an audit row of its own (who, role, route, when, from where), so their access log
(GET /api/v1/patients/{id}/access-log) shows who listed them; a patient the answer did not carry
gets none."""

import datetime

from kit_server import DEMO_PASSWORD, KitTestCase, unique
from test_infusion_gates import (OTHER_PROTOCOL, PREP, Staff, approved_patient, book, make_chair,
                                 make_clinic, new_patient)
from test_stock import expect, receive_lot

ITEM9 = [3, 3, 3, 3, 3, 3, 3, 3, 3]  # PHQ-9 with item 9 = 3: a safety alert
QUIET = [0, 0, 0, 0, 0, 0, 0, 0, 0]


class AuditListsTest(KitTestCase):

    @property
    def staff(self):
        return Staff(self.admin, self.desk, self.nurse, self.physician)

    def high_water(self):
        r = self.admin.get("/api/v1/audit", query={"limit": 1})
        self.assertStatus(r, 200)
        return r.json[0]["id"] if r.json else 0

    def listings(self, pid, action, since_id, username):
        """The rows of the patient's access log for `action` by `username` after `since_id`."""
        r = self.physician.get("/api/v1/patients/%d/access-log" % pid, query={"limit": 200})
        self.assertStatus(r, 200, "access log of %d" % pid)
        return [row for row in r.json
                if row["id"] > since_id and row["action"] == action and row["username"] == username]

    def assertListed(self, pid, action, since_id, username, role, times=1):
        rows = self.listings(pid, action, since_id, username)
        self.assertEqual(len(rows), times, "patient %d listed through %s by %s: %r" %
                         (pid, action, username, rows))
        for row in rows:
            self.assertEqual(row["role"], role, row)
            self.assertEqual(row["outcome"], "allowed", row)
            self.assertEqual(row["remote_address"], "127.0.0.1", row)
            self.assertTrue(row["at"].endswith("Z"), row)

    def assertNotListed(self, pid, action, since_id, username):
        self.assertEqual(self.listings(pid, action, since_id, username), [],
                         "patient %d must not be listed through %s" % (pid, action))

    def assertChainOk(self):
        v = self.admin.get("/api/v1/audit/verify")
        self.assertStatus(v, 200)
        self.assertIs(v.json["ok"], True, v.json)

    # --- GET /api/v1/patients ---------------------------------------------------------------------

    def test_a_search_is_in_the_access_log_of_each_patient_it_returns_and_no_other(self):
        family = unique("Listed")
        shown = [new_patient(self.desk, "Shown%d" % i) for i in range(3)]
        for pid in shown:
            r = self.desk.patch("/api/v1/patients/%d" % pid, {"family_name": family},
                                etag=self.desk.current_etag("/api/v1/patients/%d" % pid))
            self.assertStatus(r, 200, "rename")
        hidden = new_patient(self.desk, "Hidden")
        start = self.high_water()
        r = self.nurse.get("/api/v1/patients", query={"q": family})
        self.assertStatus(r, 200)
        self.assertEqual(sorted(p["id"] for p in r.json["patients"]), sorted(shown))
        for pid in shown:
            self.assertListed(pid, "GET /api/v1/patients", start, "nurse", "nurse")
        self.assertNotListed(hidden, "GET /api/v1/patients", start, "nurse")

        # A page is attributed to the patients on it only: limit 2 of 3.
        start = self.high_water()
        r = self.nurse.get("/api/v1/patients", query={"q": family, "limit": 2})
        self.assertStatus(r, 200)
        page = [p["id"] for p in r.json["patients"]]
        self.assertEqual(len(page), 2, r.json)
        for pid in shown:
            if pid in page:
                self.assertListed(pid, "GET /api/v1/patients", start, "nurse", "nurse")
            else:
                self.assertNotListed(pid, "GET /api/v1/patients", start, "nurse")

        # A search that finds no one is still recorded, once, without a patient.
        start = self.high_water()
        r = self.nurse.get("/api/v1/patients", query={"q": unique("Nobody")})
        self.assertStatus(r, 200)
        self.assertEqual(r.json["patients"], [])
        rows = [row for row in self.admin.get("/api/v1/audit", query={"user": "nurse"}).json
                if row["id"] > start and row["action"] == "GET /api/v1/patients"]
        self.assertEqual([row["patient_id"] for row in rows], [None], rows)
        self.assertChainOk()

    # --- GET /api/v1/alerts -------------------------------------------------------------------------

    def test_the_alert_queue_is_in_the_access_log_of_each_patient_with_an_alert_listed(self):
        flagged = new_patient(self.desk, "Flagged")
        quiet = new_patient(self.desk, "Quiet")
        today = datetime.date.today().isoformat()
        for pid, answers in ((flagged, ITEM9), (quiet, QUIET)):
            r = self.nurse.post("/api/v1/patients/%d/assessments" % pid,
                                {"instrument": "phq9", "answers": answers, "taken_on": today})
            self.assertStatus(r, 201, "PHQ-9")
        start = self.high_water()
        r = self.physician.get("/api/v1/alerts")
        self.assertStatus(r, 200)
        self.assertIn(flagged, [a["patient_id"] for a in r.json])
        self.assertNotIn(quiet, [a["patient_id"] for a in r.json])
        self.assertListed(flagged, "GET /api/v1/alerts", start, "physician", "physician")
        self.assertNotListed(quiet, "GET /api/v1/alerts", start, "physician")
        # Filtered to one patient: that patient only, once.
        start = self.high_water()
        r = self.nurse.get("/api/v1/alerts", query={"patient_id": flagged, "all": "true"})
        self.assertStatus(r, 200)
        self.assertListed(flagged, "GET /api/v1/alerts", start, "nurse", "nurse")
        self.assertChainOk()

    # --- GET /api/v1/stock/reconciliation and a lot's ledger ---------------------------------------

    def test_the_reconciliation_and_a_ledger_are_in_the_access_log_of_each_patient_listed(self):
        lot = expect(receive_lot(self.nurse), 201, "receive a lot")["id"]
        drawn, _ = approved_patient(self.staff, "Drawn")
        r = self.physician.post("/api/v1/patients/%d/sessions" % drawn, {
            "protocol": OTHER_PROTOCOL, "preparation": dict(PREP), "lot_id": lot,
            "unscheduled_reason": "audit of list reads"})
        sid = expect(r, 201, "plan a session")["id"]
        expect(self.nurse.post("/api/v1/stock/draws", {"session_id": sid, "mg": 10}), 201, "draw")
        undrawn, _ = approved_patient(self.staff, "Undrawn")

        start = self.high_water()
        rec = expect(self.physician.get("/api/v1/stock/reconciliation"), 200, "reconciliation")
        self.assertIn(drawn, [s["patient_id"] for s in rec["sessions"]])
        self.assertNotIn(undrawn, [s["patient_id"] for s in rec["sessions"]])
        self.assertListed(drawn, "GET /api/v1/stock/reconciliation", start, "physician",
                          "physician")
        self.assertNotListed(undrawn, "GET /api/v1/stock/reconciliation", start, "physician")

        start = self.high_water()
        ledger = expect(self.nurse.get("/api/v1/stock/lots/%d/ledger" % lot), 200, "ledger")
        self.assertIn(sid, [m["session_id"] for m in ledger["movements"]])
        self.assertListed(drawn, "GET /api/v1/stock/lots/{id}/ledger", start, "nurse", "nurse")
        self.assertNotListed(undrawn, "GET /api/v1/stock/lots/{id}/ledger", start, "nurse")
        self.assertChainOk()

    # --- GET /api/v1/appointments (the day list) ---------------------------------------------------

    def test_a_day_list_is_in_the_access_log_of_each_patient_booked_that_day(self):
        clinic = make_clinic(self.admin)
        chair = make_chair(self.admin, clinic)
        day = datetime.date.today() + datetime.timedelta(days=3)
        booked = new_patient(self.desk, "Booked")
        later = new_patient(self.desk, "Later")
        book(self.desk, booked, None, chair, day, "09:00")
        book(self.desk, later, None, chair, day + datetime.timedelta(days=1), "09:00")
        start = self.high_water()
        r = self.desk.get("/api/v1/appointments", query={"date": day.isoformat(), "chair_id": chair})
        self.assertStatus(r, 200)
        self.assertEqual([a["patient_id"] for a in r.json["appointments"]], [booked])
        self.assertListed(booked, "GET /api/v1/appointments", start, "frontdesk", "front_desk")
        self.assertNotListed(later, "GET /api/v1/appointments", start, "frontdesk")
        self.assertChainOk()

    # --- GET /api/v1/users (patient accounts name their patient) -----------------------------------

    def test_the_account_list_is_in_the_access_log_of_each_patient_with_an_account(self):
        with_account = new_patient(self.desk, "Account")
        r = self.admin.post("/api/v1/users", {"username": unique("pat").lower(),
                                              "password": DEMO_PASSWORD + "-account",
                                              "role": "patient", "patient_id": with_account})
        self.assertStatus(r, 201, "patient account")
        without = new_patient(self.desk, "NoAccount")
        start = self.high_water()
        r = self.admin.get("/api/v1/users")
        self.assertStatus(r, 200)
        self.assertIn(with_account, [u.get("patient_id") for u in r.json])
        self.assertListed(with_account, "GET /api/v1/users", start, "admin", "admin")
        self.assertNotListed(without, "GET /api/v1/users", start, "admin")
        self.assertChainOk()
