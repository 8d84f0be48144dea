"""GET /api/v1/patients/{id}/measurements: the questionnaires a course asks for and where each
stands (core/measurement/schedule.h, docs/clinical-rules/measurement-schedule.md), through a real
`kit serve`: a depression course booked over the coming days asks for a PHQ-9 and a GAD-7 at
baseline and a PHQ-9 before each later infusion; a cancelled infusion asks for nothing; a PHQ-9
recorded now satisfies the baseline; a patient reads only their own schedule."""
import datetime
import unittest

from kit_server import KitTestCase
from test_infusion_gates import Staff, approved_patient, book, expect, make_chair, make_clinic, new_course, transition


class MeasurementScheduleTest(KitTestCase):

    def booked_course(self):
        staff = Staff(self.admin, self.desk, self.nurse, self.physician)
        pid, _ = approved_patient(staff, "Measured")
        course = new_course(self.physician, pid)
        transition(self.physician, course, "induction", "series starts")
        chair = make_chair(self.admin, make_clinic(self.admin))
        today = datetime.datetime.now(datetime.timezone.utc).date()
        days = [today + datetime.timedelta(days=d) for d in (1, 3, 5)]
        appointments = [book(self.desk, pid, course, chair, d) for d in days]
        return pid, course, days, appointments

    def schedule(self, client, pid, **query):
        r = client.get("/api/v1/patients/%d/measurements" % pid, query=query or None)
        self.assertStatus(r, 200)
        return r.json

    def test_a_booked_course_asks_at_baseline_and_before_each_later_infusion(self):
        pid, course, days, appointments = self.booked_course()
        s = self.schedule(self.nurse, pid)
        self.assertEqual((s["patient_id"], s["course_id"], s["policy"]), (pid, course, "default:depression"))
        got = sorted((o["instrument"], o["moment"], o["infusion_number"]) for o in s["occasions"])
        self.assertEqual(got, [("gad7", "baseline", None), ("phq9", "baseline", None),
                               ("phq9", "before_infusion", 2), ("phq9", "before_infusion", 3)])
        base = [o for o in s["occasions"] if o["moment"] == "baseline"]
        for o in base:
            self.assertEqual(o["status"], "due", o)  # open now: the first infusion is tomorrow
            self.assertEqual(o["closes_at"], "%sT08:00:00.000Z" % days[0].isoformat())
        before3 = [o for o in s["occasions"] if o["infusion_number"] == 3][0]
        self.assertEqual(before3["status"], "upcoming")
        self.assertEqual(before3["opens_at"], "%sT08:00:00.000Z" % (days[2] - datetime.timedelta(days=1)).isoformat())

        # A PHQ-9 now satisfies the PHQ-9 baseline, and only it.
        a = self.nurse.post("/api/v1/patients/%d/assessments" % pid, {"instrument": "phq9", "answers": [2] * 8 + [0]})
        self.assertStatus(a, 201)
        s = self.schedule(self.physician, pid, course_id=str(course))
        by = {(o["instrument"], o["moment"], o["infusion_number"]): o for o in s["occasions"]}
        self.assertEqual(by[("phq9", "baseline", None)]["status"], "done")
        self.assertEqual(by[("phq9", "baseline", None)]["assessment_id"], a.json["id"])
        self.assertEqual(by[("gad7", "baseline", None)]["status"], "due")
        self.assertIsNone(by[("gad7", "baseline", None)]["assessment_id"])

        # The last infusion cancelled: it asks for nothing; the infusions keep their numbers.
        ap = "/api/v1/appointments/%d" % appointments[2]
        self.assertStatus(self.desk.patch(ap, {"status": "cancelled", "status_reason": "patient travelling"},
                                          etag=self.desk.current_etag(ap)), 200)
        s = self.schedule(self.nurse, pid)
        self.assertEqual(sorted(o["infusion_number"] for o in s["occasions"] if o["moment"] == "before_infusion"), [2])

    def test_who_may_read_it(self):
        pid, course, _, _ = self.booked_course()
        path = "/api/v1/patients/%d/measurements" % pid
        self.assertError(self.desk.get(path), 403)
        self.assertError(self.admin.get(path), 403)
        self.assertError(self.patient.get(path), 403)  # another patient's schedule
        # A course of another patient is not found through this one.
        other, other_course, _, _ = self.booked_course()
        self.assertError(self.nurse.get(path, query={"course_id": str(other_course)}), 404)
        self.assertError(self.nurse.get(path, query={"course_id": "x"}), 400, field="course_id")


if __name__ == "__main__":
    unittest.main()
