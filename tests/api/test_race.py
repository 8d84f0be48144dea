"""Two `kit serve` processes on one PostgreSQL database, many concurrent requests through both that
only one may win: bookings of the same chair slot (409 for the others), sessions planned against
one appointment (422 one_session_per_appointment), starts of several sessions of one patient
(422 one_active_session) and intake decisions on one patient (409). The database, not one process's memory, must settle each."""

import datetime
import os
import threading
import unittest

from kit_server import KitServer, Store, backend, login, today, unique
from test_journey import screening_request
from test_infusion_gates import OTHER_PROTOCOL, PREP, Staff, make_clinic, plan_body, ready_patient

REQUESTS_PER_ROUND = 24
ROUNDS = 3
THREAD_JOIN_S = 120.0
SESSIONS_PER_PATIENT = 8


class TwoProcessRaceTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if backend() != "postgresql":
            raise unittest.SkipTest("two kit serve processes on one database need PostgreSQL "
                                    "(KIT_TEST_BACKEND=%s; SQLite is one process's file)" % backend())
        cls.store = Store()  # skips when KIT_TEST_POSTGRES_URL is absent
        cls.servers = []
        try:
            cls.servers.append(cls.store.server().start())
            other_dir = os.path.join(cls.store.tmp, "data-b")
            os.makedirs(other_dir)
            cls.servers.append(KitServer(other_dir, database_url=cls.store.database_url).start())
        except BaseException:
            for s in cls.servers:
                s.stop()
            cls.store.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        codes = [(s.stop(), s.log_tail()) for s in cls.servers]
        cls.store.cleanup()
        for code, log in codes:
            if code != 0:
                raise AssertionError("kit serve did not exit cleanly on SIGTERM (exit %r):\n%s" % (code, log))

    def test_one_chair_slot_one_winner(self):
        a, b = self.servers
        admin = login(a.port, "admin")
        desks = [login(a.port, "frontdesk"), login(b.port, "frontdesk")]
        clinic = admin.post("/api/v1/clinics", {"name": unique("Race clinic"), "open_weekdays": "1234567"})
        self.assertEqual(clinic.status, 201, clinic)
        chair = admin.post("/api/v1/chairs", {"clinic_id": clinic.json["id"], "name": "Only"})
        self.assertEqual(chair.status, 201, chair)
        chair_id = chair.json["id"]
        # Different patients, so the only thing they fight over is the chair.
        patients = []
        for i in range(REQUESTS_PER_ROUND):
            r = desks[i % 2].post("/api/v1/patients", {
                "given_name": "Racer%d" % i, "family_name": unique("Race"), "date_of_birth": "1970-01-01",
                "sex": "male" if i % 2 else "female", "indication": "depression"})
            self.assertEqual(r.status, 201, r)
            patients.append(r.json["id"])
        # Both processes see the other's writes.
        seen = desks[1].get("/api/v1/patients/%d" % patients[0])
        self.assertEqual(seen.status, 200, seen)

        for rnd in range(ROUNDS):
            day = (today() + datetime.timedelta(days=14 + rnd)).isoformat()
            start = "%sT10:00" % day
            results = [None] * REQUESTS_PER_ROUND
            barrier = threading.Barrier(REQUESTS_PER_ROUND, timeout=60)

            def book(i):
                try:
                    barrier.wait()
                    r = desks[i % 2].post("/api/v1/appointments", {
                        "patient_id": patients[i], "chair_id": chair_id, "start": start,
                        "end": "%sT11:00" % day})
                    results[i] = r
                except Exception as e:  # recorded, reported below
                    results[i] = e

            threads = [threading.Thread(target=book, args=(i,), daemon=True) for i in range(REQUESTS_PER_ROUND)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(THREAD_JOIN_S)
                self.assertFalse(t.is_alive(), "a booking request hung")
            errors = [r for r in results if isinstance(r, Exception)]
            self.assertEqual(errors, [], "requests failed: %r" % errors)
            statuses = sorted(r.status for r in results)
            won = [r for r in results if r.status == 201]
            lost = [r for r in results if r.status == 409]
            self.assertEqual(len(won), 1, "round %d: %r" % (rnd, statuses))
            self.assertEqual(len(lost), REQUESTS_PER_ROUND - 1, "round %d: %r" % (rnd, statuses))
            for r in lost:
                self.assertEqual(r.error()["field"], "chair_id", r)
            # Through either process, exactly one appointment holds the chair.
            for desk in desks:
                listed = desk.get("/api/v1/appointments", query={"date": day, "chair_id": chair_id})
                self.assertEqual(listed.status, 200, listed)
                held = [x for x in listed.json["appointments"] if x["status"] == "booked"]
                self.assertEqual([x["id"] for x in held], [won[0].json["id"]])


    # --- the infusion gates under a race -----------------------------------------------------------

    def staff_on(self, server):
        return Staff(login(server.port, "admin"), login(server.port, "frontdesk"), login(server.port, "nurse"),
                     login(server.port, "physician"))

    def race(self, calls):
        """Runs the calls at once (a barrier releases them together); returns the responses."""
        results = [None] * len(calls)
        barrier = threading.Barrier(len(calls), timeout=60)

        def run(i):
            try:
                barrier.wait()
                results[i] = calls[i]()
            except Exception as e:  # recorded, reported below
                results[i] = e

        threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(calls))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(THREAD_JOIN_S)
            self.assertFalse(t.is_alive(), "a request hung")
        errors = [r for r in results if isinstance(r, Exception)]
        self.assertEqual(errors, [], "requests failed: %r" % errors)
        return results

    def test_one_session_per_appointment_one_winner(self):
        staffs = [self.staff_on(s) for s in self.servers]
        clinic = make_clinic(staffs[0].admin)
        for rnd in range(ROUNDS):
            ready = ready_patient(staffs[0], clinic, given="PlanRace%d" % rnd)
            body = plan_body(ready)
            results = self.race([lambda i=i: staffs[i % 2].nurse.post(ready.sessions_path, body)
                                 for i in range(REQUESTS_PER_ROUND)])
            statuses = sorted(r.status for r in results)
            won = [r for r in results if r.status == 201]
            lost = [r for r in results if r.status == 422]
            self.assertEqual(len(won), 1, "round %d: %r" % (rnd, statuses))
            self.assertEqual(len(lost), REQUESTS_PER_ROUND - 1, "round %d: %r" % (rnd, statuses))
            for r in lost:
                self.assertEqual(r.error()["field"], "one_session_per_appointment", r)
            for st in staffs:
                listed = st.nurse.get(ready.sessions_path)
                self.assertEqual(listed.status, 200, listed)
                self.assertEqual([x["id"] for x in listed.json], [won[0].json["id"]])

    def test_one_active_session_one_winner(self):
        staffs = [self.staff_on(s) for s in self.servers]
        clinic = make_clinic(staffs[0].admin)
        for rnd in range(ROUNDS):
            ready = ready_patient(staffs[0], clinic, given="StartRace%d" % rnd)
            sids = []
            for i in range(SESSIONS_PER_PATIENT):
                r = staffs[i % 2].physician.post(ready.sessions_path, {
                    "protocol": OTHER_PROTOCOL, "preparation": PREP, "unscheduled_reason": "race %d" % i})
                self.assertEqual(r.status, 201, r)
                sids.append(r.json["id"])
            etags = [staffs[0].physician.current_etag("/api/v1/sessions/%d" % sid) for sid in sids]
            results = self.race([
                lambda i=i: staffs[i % 2].physician.post_if_match("/api/v1/sessions/%d/events" % sids[i],
                                                                  {"kind": "start"}, etags[i])
                for i in range(SESSIONS_PER_PATIENT)])
            statuses = sorted(r.status for r in results)
            won = [r for r in results if r.status == 201]
            lost = [r for r in results if r.status == 422]
            self.assertEqual(len(won), 1, "round %d: %r" % (rnd, statuses))
            self.assertEqual(len(lost), SESSIONS_PER_PATIENT - 1, "round %d: %r" % (rnd, statuses))
            for r in lost:
                self.assertEqual(r.error()["field"], "one_active_session", r)
            for st in staffs:
                listed = st.nurse.get(ready.sessions_path)
                self.assertEqual(listed.status, 200, listed)
                active = [x["id"] for x in listed.json if x["state"] in ("running", "paused")]
                self.assertEqual(active, [won[0].json["id"]])


    def test_one_intake_decision_one_winner(self):
        """Approvals and declines of one patient sent at once through both servers, each with the
        If-Match of the record the physician was shown: one decision is recorded and becomes the
        status; the others are 412 and leave no approval row (the version is checked by the UPDATE
        that sets the status, not only by a read before it)."""
        staffs = [self.staff_on(s) for s in self.servers]
        for rnd in range(ROUNDS):
            r = staffs[0].desk.post("/api/v1/patients", {
                "given_name": "Decide%d" % rnd, "family_name": unique("Race"), "date_of_birth": "1984-12-10",
                "sex": "female", "indication": "depression", "weight_kg": 70, "height_cm": 170})
            self.assertEqual(r.status, 201, r)
            p = "/api/v1/patients/%d" % r.json["id"]
            self.assertEqual(staffs[0].nurse.post(p + "/screening", screening_request(True)).status, 201)
            self.assertEqual(staffs[0].nurse.post(p + "/consents", {"type": "treatment", "version": "2026-01"}).status,
                             201)
            bodies = [{"decision": "approved"} if i % 2 == 0 else {"decision": "declined", "reason": "race %d" % i}
                      for i in range(REQUESTS_PER_ROUND)]
            shown = staffs[0].physician.current_etag(p)
            results = self.race([lambda i=i: staffs[i % 2].physician.post_if_match(p + "/approval", bodies[i], shown)
                                 for i in range(REQUESTS_PER_ROUND)])
            statuses = sorted(r.status for r in results)
            won = [r for r in results if r.status == 201]
            self.assertEqual(len(won), 1, "round %d: %r" % (rnd, statuses))
            self.assertEqual(statuses.count(412), REQUESTS_PER_ROUND - 1, "round %d: %r" % (rnd, statuses))
            for st in staffs:
                approvals = st.physician.get(p + "/approvals").json["approvals"]
                self.assertEqual([a["id"] for a in approvals], [won[0].json["id"]])
                self.assertEqual(st.physician.get(p).json["status"], won[0].json["decision"])


if __name__ == "__main__":
    unittest.main()
