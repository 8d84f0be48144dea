"""GET /api/v1/patients/{id}/measurements: the questionnaires a course asks for and where each
stands (core/measurement/schedule.h, docs/clinical-rules/measurement-schedule.md), through a real
`kit serve`: a depression course booked over the coming days asks for a PHQ-9 and a GAD-7 at
baseline and a PHQ-9 before each later infusion; a cancelled infusion asks for nothing; a PHQ-9
recorded now satisfies the baseline; a paper sheet typed in later counts for the clinic-local day
written on it (`taken_on`), not for when it was typed in; a patient reads only their own
schedule."""
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

    def sheet(self, pid, taken_on, instrument="phq9"):
        """A paper sheet typed in now by the nurse, dated `taken_on` (a date)."""
        answers = [1] * 8 + [0] if instrument == "phq9" else [1] * 7
        r = self.nurse.post("/api/v1/patients/%d/assessments" % pid,
                            {"instrument": instrument, "answers": answers, "taken_on": taken_on.isoformat()})
        self.assertStatus(r, 201)
        return r.json["id"]

    def occasion(self, pid, instrument, moment, number=None):
        s = self.schedule(self.nurse, pid)
        hits = [o for o in s["occasions"]
                if (o["instrument"], o["moment"], o["infusion_number"]) == (instrument, moment, number)]
        self.assertEqual(len(hits), 1, s["occasions"])
        return hits[0]

    def test_a_sheet_dated_before_the_baseline_window_does_not_satisfy_it(self):
        # The referral letter's PHQ-9, dated two months ago, typed in today, while the baseline
        # window is open (the first infusion is tomorrow): it says nothing about the patient's
        # state before the course.
        pid, _, days, _ = self.booked_course()
        today = datetime.datetime.now(datetime.timezone.utc).date()
        self.sheet(pid, today - datetime.timedelta(days=60))
        base = self.occasion(pid, "phq9", "baseline")
        self.assertEqual(base["status"], "due", base)
        self.assertIsNone(base["assessment_id"], base)
        # A sheet answered three days ago (inside the 14-day window), typed in now, satisfies it.
        inside = self.sheet(pid, today - datetime.timedelta(days=3))
        base = self.occasion(pid, "phq9", "baseline")
        self.assertEqual((base["status"], base["assessment_id"]), ("done", inside), base)

    def past_course_in(self, timezone):
        """A course in a clinic of `timezone` whose infusions 1 and 2 were three days ago and
        yesterday at 08:00 clinic time (booked by a nurse correcting the record), and a third in
        two days; returns (pid, the clinic's today)."""
        staff = Staff(self.admin, self.desk, self.nurse, self.physician)
        pid, _ = approved_patient(staff, "Paper")
        course = new_course(self.physician, pid)
        transition(self.physician, course, "induction", "series starts")
        chair = make_chair(self.admin, make_clinic(self.admin, timezone))
        offset = {"Asia/Tokyo": 9}[timezone]  # no daylight saving time
        today = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=offset)).date()
        for d in (-3, -1, 2):
            body = {"patient_id": pid, "course_id": course, "chair_id": chair,
                    "start": "%sT08:00" % (today + datetime.timedelta(days=d)).isoformat()}
            if d < 0:
                body["reason"] = "booked on paper during the network outage"
            expect(self.nurse.post("/api/v1/appointments", body), 201, "book %r" % body)
        return pid, today

    def test_a_sheet_dated_the_day_before_an_infusion_counts_for_it_when_typed_in_after(self):
        # Before infusion 2 (yesterday 08:00 in Tokyo) was answerable from 08:00 the day before.
        # The patient filled in the PHQ-9 on paper that day; it is typed in today, after the infusion.
        pid, today = self.past_course_in("Asia/Tokyo")
        before2 = self.occasion(pid, "phq9", "before_infusion", 2)
        self.assertEqual(before2["status"], "missed", before2)
        self.assertEqual(before2["opens_at"], "%sT23:00:00.000Z" % (today - datetime.timedelta(days=3)).isoformat())
        paper = self.sheet(pid, today - datetime.timedelta(days=2))
        before2 = self.occasion(pid, "phq9", "before_infusion", 2)
        self.assertEqual((before2["status"], before2["assessment_id"]), ("done", paper), before2)
        # It says nothing about today: the next infusion's occasion (from tomorrow 08:00) stays
        # upcoming, and nothing else took the sheet.
        before3 = self.occasion(pid, "phq9", "before_infusion", 3)
        self.assertEqual((before3["status"], before3["assessment_id"]), ("upcoming", None), before3)

    def test_the_day_on_the_sheet_is_the_clinics_day(self):
        # A PHQ-9 answered early on the morning of infusion 2, before 08:00 in Tokyo (23:00 UTC
        # the evening before), dated that day and typed in today: it can have been taken inside the
        # window (which closes at 08:00 Tokyo time), so it satisfies it. Read as a UTC day (from
        # 09:00 Tokyo time on) it could not.
        pid, today = self.past_course_in("Asia/Tokyo")
        paper = self.sheet(pid, today - datetime.timedelta(days=1))
        before2 = self.occasion(pid, "phq9", "before_infusion", 2)
        self.assertEqual((before2["status"], before2["assessment_id"]), ("done", paper), before2)
        # Dated three days ago (the day of infusion 1; that day ended at midnight Tokyo time, before
        # the window opened at 08:00 two days ago), it could not: before infusion 2 stays missed.
        # Read as a UTC day (until 09:00 Tokyo time two days ago) it would have counted.
        pid, today = self.past_course_in("Asia/Tokyo")
        self.sheet(pid, today - datetime.timedelta(days=3))
        before2 = self.occasion(pid, "phq9", "before_infusion", 2)
        self.assertEqual((before2["status"], before2["assessment_id"]), ("missed", None), before2)

    def test_a_sheet_is_dated_on_the_clinics_calendar(self):
        # A clinic whose date differs from the UTC date now: 11 hours behind UTC before 11:00 UTC,
        # 14 hours ahead from 11:00 (neither zone has daylight saving time).
        now = datetime.datetime.now(datetime.timezone.utc)
        timezone, offset = ("Pacific/Pago_Pago", -11) if now.hour < 11 else ("Pacific/Kiritimati", 14)
        today = (now + datetime.timedelta(hours=offset)).date()
        self.assertNotEqual(today, now.date())
        staff = Staff(self.admin, self.desk, self.nurse, self.physician)
        pid, _ = approved_patient(staff, "Dated")
        course = new_course(self.physician, pid)
        transition(self.physician, course, "induction", "series starts")
        book(self.desk, pid, course, make_chair(self.admin, make_clinic(self.admin, timezone)),
             today + datetime.timedelta(days=1))
        # Without a date: the clinic's today, and it counts at its recording (the baseline).
        r = self.nurse.post("/api/v1/patients/%d/assessments" % pid, {"instrument": "phq9", "answers": [1] * 8 + [0]})
        self.assertStatus(r, 201)
        self.assertEqual(r.json["taken_on"], today.isoformat(), timezone)
        base = self.occasion(pid, "phq9", "baseline")
        self.assertEqual((base["status"], base["assessment_id"]), ("done", r.json["id"]), base)
        # The clinic's today may be written on a sheet; its tomorrow may not.
        self.sheet(pid, today, "gad7")
        tomorrow = (today + datetime.timedelta(days=1)).isoformat()
        self.assertError(self.nurse.post("/api/v1/patients/%d/assessments" % pid,
                                         {"instrument": "phq9", "answers": [1] * 8 + [0], "taken_on": tomorrow}),
                         400, field="taken_on")

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
