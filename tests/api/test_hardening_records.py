"""Findings of the hostile probes about the record itself, each reproduced through the real server:

- the front desk recorded infusions that never happened: an appointment booked in the past (or in
  9999) was PATCHed to `completed` and the course counted it;
- an admin became a clinician unseen: they reset a physician's password, signed in as them and
  read records, with nothing tying the reset to what followed.
"""

import datetime
import unittest

from kit_server import Client, KitTestCase, unique
from test_infusion_gates import (Staff, approved_patient, book, make_chair, make_clinic, new_course,
                                 transition, utc_today)


class RecordsHardeningTest(KitTestCase):

    def course_ready_to_book(self):
        staff = Staff(self.admin, self.desk, self.nurse, self.physician)
        pid, _ = approved_patient(staff, "Record")
        course = new_course(self.physician, pid)
        transition(self.physician, course, "induction", "series starts")
        chair = make_chair(self.admin, make_clinic(self.admin))  # UTC, open every day 06:00-22:00
        return pid, course, chair

    def test_front_desk_cannot_record_infusions_that_never_happened(self):
        pid, course, chair = self.course_ready_to_book()

        def body(day, **extra):
            b = {"patient_id": pid, "course_id": course, "chair_id": chair,
                 "start": "%sT10:00" % day}
            b.update(extra)
            return b

        yesterday = (utc_today() - datetime.timedelta(days=1)).isoformat()
        # Booked on a day already past, or absurdly far ahead: refused.
        self.assertError(self.desk.post("/api/v1/appointments", body(yesterday)), 422, field="start")
        self.assertError(self.desk.post("/api/v1/appointments", body("9999-12-31")), 422,
                         field="start")
        far = (utc_today() + datetime.timedelta(days=800)).isoformat()
        self.assertError(self.desk.post("/api/v1/appointments", body(far)), 422, field="start")
        # A reason does not make the front desk a clinician.
        self.assertError(self.desk.post("/api/v1/appointments", body(yesterday, reason="paper")),
                         422, field="start")

        # Booked today or ahead, but no infusion was given: completing it is refused, for anyone.
        for day in (utc_today(), utc_today() + datetime.timedelta(days=2)):
            aid = book(self.desk, pid, course, chair, day, "08:00")
            path = "/api/v1/appointments/%d" % aid
            for who in (self.desk, self.physician):
                with self.subTest(day=day.isoformat(), who=who.user.get("role")):
                    r = who.patch(path, {"status": "completed"}, etag=who.current_etag(path))
                    self.assertError(r, 422, field="status")
            # Nor can it be moved into the past by the front desk.
            moved = self.desk.patch(path, {"start": yesterday + "T12:00"},
                                    etag=self.desk.current_etag(path))
            self.assertError(moved, 422, field="start")
        counts = self.physician.get("/api/v1/courses/%d" % course).json["infusion_appointments"]
        self.assertEqual(counts["completed"], 0, counts)
        self.assertEqual(counts["booked"], 2, counts)

        # A nurse correcting the record may book a past day, with the reason (kept).
        self.assertError(self.nurse.post("/api/v1/appointments", body(yesterday)), 422,
                         field="reason")
        reason = "chair booked on paper during the network outage"
        ok = self.nurse.post("/api/v1/appointments", body(yesterday, reason=reason))
        self.assertStatus(ok, 201)
        self.assertEqual(ok.json["booking_reason"], reason)
        # ... and it still is not completed without a discharged session.
        path = "/api/v1/appointments/%d" % ok.json["id"]
        self.assertError(self.nurse.patch(path, {"status": "completed"},
                                          etag=self.nurse.current_etag(path)), 422, field="status")

    def new_user(self, role):
        name = unique("u")
        password = "correct-horse-" + name
        r = self.admin.post("/api/v1/users", {"username": name, "password": password, "role": role})
        self.assertStatus(r, 201)
        return name, password, r.json["id"]

    def test_an_admin_reset_needs_the_admins_password_and_the_owner_is_told(self):
        admin_name, admin_password, _ = self.new_user("admin")
        admin = self.server.login(admin_name, admin_password)
        doc_name, doc_password, doc_id = self.new_user("physician")
        doc = self.server.login(doc_name, doc_password)
        me = doc.get("/api/v1/auth/me")
        self.assertStatus(me, 200)
        self.assertIs(me.json.get("password_reset_by_admin"), False, me.json)
        path = "/api/v1/users/%d/password" % doc_id
        taken_over = "admin-knows-this-" + doc_name

        # Without the admin's own password, or with a wrong one: refused, nothing changes.
        self.assertError(admin.post(path, {"password": taken_over}), 400, field="admin_password")
        wrong = admin.post(path, {"password": taken_over, "admin_password": "not-my-password-1"})
        self.assertError(wrong, 403, field="admin_password")
        self.assertStatus(doc.get("/api/v1/auth/me"), 200)  # the physician is still signed in

        # The right one: the physician's logins end, and the reset is on the account.
        done = admin.post(path, {"password": taken_over, "admin_password": admin_password})
        self.assertStatus(done, 200)
        self.assertError(doc.get("/api/v1/auth/me"), 401)
        account = self.admin.get("/api/v1/users/%d" % doc_id).json
        admin_id = admin.user["id"]
        self.assertEqual(account["password_reset_by"], admin_id, account)
        self.assertTrue(account["password_reset_at"], account)
        self.assertIs(account["password_reset_by_admin"], True, account)
        # Whoever signs in with the admin's password is shown that an admin set it.
        as_doc = self.server.login(doc_name, taken_over)
        self.assertIs(as_doc.get("/api/v1/auth/me").json["password_reset_by_admin"], True)
        # Once the owner chooses their own password, the notice ends; the record stays.
        mine = "my-own-again-" + doc_name
        self.assertStatus(as_doc.post("/api/v1/auth/password", {"current_password": taken_over,
                                                                "new_password": mine}), 200)
        self.assertIs(as_doc.get("/api/v1/auth/me").json["password_reset_by_admin"], False)
        account = self.admin.get("/api/v1/users/%d" % doc_id).json
        self.assertEqual(account["password_reset_by"], admin_id, account)
        self.assertIs(account["password_reset_by_admin"], False, account)

        # Wrong admin passwords count toward the admin's own lock-out, like logins (5 by default).
        codes = []
        for i in range(7):
            r = admin.post(path, {"password": taken_over, "admin_password": "guess-guess-%d" % i})
            codes.append(r.error().get("code"))
        self.assertEqual(codes[-1], "locked", codes)
        self.assertLessEqual(codes.count("invalid_credentials"), 5, codes)
        locked = Client(self.port).post("/api/v1/auth/login",
                                        {"username": admin_name, "password": admin_password})
        self.assertError(locked, 429, code="locked")


if __name__ == "__main__":
    unittest.main()
