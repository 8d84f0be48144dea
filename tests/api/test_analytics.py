"""The clinic's outcome analytics through the real server: GET /api/v1/analytics/outcomes and
/api/v1/analytics/outcomes.csv (docs/clinical-rules/outcome-analytics.md §5-§6, ADR 0026), and the
`director` role.

The clinic is built through the API (patients, screening, consent, approval, courses, sessions,
vitals, adverse events, CADSS, questionnaires, corrections), so every number below is worked out by
hand from what this file does. The server's clock is real: every session is planned, started and
stopped today within seconds, so each is given but stopped before its planned dose (stopped early),
and no course has a reading after its first infusion (responder and durability figures need days
between readings; they are checked on a seeded database with hand-computed expectations in
tests/server/analytics_loader_test.cpp and on the demo clinic by web/e2e/specs/director.test.mjs).

Clinic A (UTC), depression-induction-series, six patients P1..P6, one course each:
  P1..P5: one session each, started and stopped today: 5 infusions, all stopped early.
  P6: a session planned then voided: not an infusion. So treated = 5 of 6 courses, completed
      induction = 0 of 5 (6 planned), infusions = 5, stopped early = 5 of 5.
  Adverse events: P1 nausea (mild), P2 headache (moderate), P3 dizziness (mild) entered in error:
      2 in force -> 40 per 100 infusions; mild 1, moderate 1.
  Blood pressure: P4 SBP 185 (pause: an alert) -> 1 alert; P5 SBP 190 marked entered in error -> none.
      bp_alerts = 1 (20 per 100), infusions with a BP alert = 1 of 5.
  CADSS: P1 23; P2 23 entered in error -> n = 1, median 23.
  PHQ-9 dated yesterday (no course named: the baseline of the course): P1 20, P2 18 amended to 16,
      P3 22, P4 19 entered in error -> with a baseline: P1, P2, P3 = 3; evaluable 0 (no later reading).
Clinic B (UTC), ptsd-induction-series, one patient P7 with one session: a group of 1 patient,
  suppressed for the director and the admin (fewer than 5 patients), shown to physicians.
"""

import datetime
import unittest

from kit_server import Client, KitTestCase, unique
from test_infusion_gates import (CADSS, PREP, expect, make_chair, make_clinic, pre_infusion, screening_request)

BASE = "/api/v1/analytics/outcomes"
DEPRESSION = ("depression", "depression-induction-series")
PTSD = ("ptsd", "ptsd-induction-series")


def today():
    return datetime.datetime.now(datetime.timezone.utc).date()


class AnalyticsTest(KitTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        admin, desk, nurse, physician = (cls.as_user(u) for u in ("admin", "frontdesk", "nurse", "physician"))
        cls.clinic_a = make_clinic(admin)
        cls.clinic_b = make_clinic(admin)
        yesterday = (today() - datetime.timedelta(days=1)).isoformat()
        cls.pids = []

        def patient(indication, clinic, protocol):
            pid = expect(desk.post("/api/v1/patients", {
                "given_name": "Outcome", "family_name": unique("Patient"), "date_of_birth": "1985-03-14",
                "sex": "female", "indication": indication, "weight_kg": 70, "height_cm": 175}),
                201, "patient").json["id"]
            expect(nurse.post("/api/v1/patients/%d/screening" % pid, dict(screening_request(True),
                                                                          indication=indication)), 201, "screening")
            expect(nurse.post("/api/v1/patients/%d/consents" % pid, {"type": "treatment", "version": "2026-01"}),
                   201, "consent")
            expect(physician.post("/api/v1/patients/%d/approval" % pid, {"decision": "approved"}), 201, "approval")
            course = expect(physician.post("/api/v1/patients/%d/courses" % pid, {"protocol_id": protocol}),
                            201, "course").json["id"]
            expect(physician.post("/api/v1/courses/%d/transitions" % course,
                                  {"to": "induction", "reason": "series starts"}), 200, "induction")
            chair = make_chair(admin, clinic)
            appt = expect(desk.post("/api/v1/appointments", {
                "patient_id": pid, "course_id": course, "chair_id": chair,
                "start": "%sT08:00" % today().isoformat()}), 201, "appointment").json["id"]
            body = dict(screening_request(True, pre_infusion(True)), indication=indication)
            expect(nurse.post("/api/v1/patients/%d/screening" % pid, body), 201, "day-of check")
            sid = expect(nurse.post("/api/v1/patients/%d/sessions" % pid, {
                "course_id": course, "appointment_id": appt, "preparation": dict(PREP)}), 201, "plan").json["id"]
            cls.pids.append(pid)
            return pid, sid

        def spath(sid):
            return "/api/v1/sessions/%d" % sid

        def event(sid, kind):
            expect(nurse.post_if_match(spath(sid) + "/events", {"kind": kind}, nurse.current_etag(spath(sid))),
                   201, kind)

        def correct(sid, what, entry_id):
            expect(nurse.post_if_match("%s/%s/%d/corrections" % (spath(sid), what, entry_id),
                                       {"action": "entered_in_error", "reason": "charted in error"},
                                       nurse.current_etag(spath(sid))), 201, "correct " + what)

        def phq9(pid, total):
            answers = [min(3, max(0, total - 3 * k)) for k in range(8)] + [0]
            return expect(nurse.post("/api/v1/patients/%d/assessments" % pid, {
                "instrument": "phq9", "answers": answers, "taken_on": yesterday}), 201, "phq9").json

        given = []
        for n in range(1, 6):
            pid, sid = patient("depression", cls.clinic_a, DEPRESSION[1])
            event(sid, "start")
            given.append((pid, sid))
        (p1, s1), (p2, s2), (p3, s3), (p4, s4), (p5, s5) = given
        expect(nurse.post(spath(s1) + "/adverse-events", {"kind": "nausea", "severity": "mild"}), 201, "ae")
        expect(nurse.post(spath(s2) + "/adverse-events", {"kind": "headache", "severity": "moderate"}), 201, "ae")
        ae3 = expect(nurse.post(spath(s3) + "/adverse-events", {"kind": "dizziness", "severity": "mild"}), 201, "ae")
        correct(s3, "adverse-events", ae3.json["id"])
        vitals = {"point": "interval", "dbp_mmhg": 80, "hr_bpm": 72, "spo2_percent": 98, "rr_per_min": 14}
        v4 = expect(nurse.post(spath(s4) + "/vitals", dict(vitals, sbp_mmhg=185)), 201, "vitals")
        assert v4.json["alert"] is not None, v4
        v5 = expect(nurse.post(spath(s5) + "/vitals", dict(vitals, sbp_mmhg=190)), 201, "vitals")
        assert v5.json["alert"] is not None, v5
        correct(s5, "vitals", v5.json["id"])
        expect(nurse.post(spath(s1) + "/dissociation", {"answers": CADSS}), 201, "cadss")
        c2 = expect(nurse.post(spath(s2) + "/dissociation", {"answers": CADSS}), 201, "cadss")
        correct(s2, "dissociation", c2.json["id"])
        for _, sid in given:
            event(sid, "stop")
        phq9(p1, 20)
        sheet2 = phq9(p2, 18)
        expect(nurse.post("/api/v1/assessments/%d/corrections" % sheet2["id"], {
            "action": "amend", "reason": "item 3 misread",
            "values": {"instrument": "phq9", "answers": [3, 3, 3, 3, 3, 1, 0, 0, 0], "taken_on": yesterday}}),
            201, "amend phq9")
        phq9(p3, 22)
        sheet4 = phq9(p4, 19)
        expect(nurse.post("/api/v1/assessments/%d/corrections" % sheet4["id"], {
            "action": "entered_in_error", "reason": "another patient's sheet"}), 201, "phq9 in error")
        # P6: planned, then voided.
        _, s6 = patient("depression", cls.clinic_a, DEPRESSION[1])
        expect(nurse.post_if_match(spath(s6) + "/void", {"reason": "patient unwell, not given"},
                                   nurse.current_etag(spath(s6))), 200, "void")
        # P7: PTSD in clinic B.
        _, s7 = patient("ptsd", cls.clinic_b, PTSD[1])
        event(s7, "start")
        event(s7, "stop")

    @property
    def director(self):
        return self.as_user("director")

    def outcomes(self, who, **query):
        r = who.get(BASE, query={k: str(v) for k, v in query.items()})
        self.assertStatus(r, 200, "GET %s %r" % (BASE, query))
        return r.json

    @staticmethod
    def group(answer, key):
        for g in answer["groups"]:
            if (g["indication"], g["protocol"]) == key:
                return g
        return None

    def test_numbers_match_the_hand_computed_clinic(self):
        a = self.outcomes(self.physician)
        self.assertEqual(a["as_of"], today().isoformat())
        self.assertEqual(a["cohort"], {"courses": 7, "patients": 7})
        g = self.group(a, DEPRESSION)
        self.assertIsNotNone(g, a)
        self.assertFalse(g["suppressed"])
        self.assertEqual(g["patients"], 6)
        self.assertEqual(g["courses"], 6)
        self.assertEqual((g["treated"]["count"], g["treated"]["n"]), (5, 6))
        self.assertEqual((g["completed_induction"]["count"], g["completed_induction"]["n"]), (0, 5))
        # Wilson 5/6: centre (5/6 + z^2/12) / (1 + z^2/6), half-width by the formula of §1.1.
        self.assertAlmostEqual(g["treated"]["lower"], 0.4365, places=4)
        self.assertAlmostEqual(g["treated"]["upper"], 0.9699, places=4)
        s = g["safety"]
        self.assertEqual(s["infusions"], 5)
        self.assertEqual(s["adverse_events"], 2)
        self.assertEqual(s["adverse_events_per_100_infusions"], 40.0)
        self.assertEqual(s["by_severity"], {"mild": {"count": 1, "per_100_infusions": 20.0},
                                            "moderate": {"count": 1, "per_100_infusions": 20.0}})
        self.assertEqual(set(s["by_kind"]), {"nausea", "headache"})
        self.assertEqual(s["bp_alerts"], 1)
        self.assertEqual(s["bp_alerts_per_100_infusions"], 20.0)
        self.assertEqual((s["infusions_with_bp_alert"]["count"], s["infusions_with_bp_alert"]["n"]), (1, 5))
        self.assertEqual((s["stopped_early"]["count"], s["stopped_early"]["n"]), (5, 5))
        self.assertEqual(s["cadss"]["n"], 1)
        self.assertEqual(s["cadss"]["median"], 23)
        phq9 = [i for i in g["instruments"] if i["instrument"] == "phq9"]
        self.assertEqual(len(phq9), 1, g["instruments"])
        self.assertEqual(phq9[0]["with_baseline"], 3)
        self.assertEqual(phq9[0]["evaluable"], 0)
        self.assertEqual(g["boosters"]["boosters"], 0)
        ptsd = self.group(a, PTSD)
        self.assertFalse(ptsd["suppressed"], "physicians see every group")
        self.assertEqual((ptsd["patients"], ptsd["safety"]["infusions"]), (1, 1))
        self.assertFalse(a["small_cells"]["applied"])

    def test_filters_select_the_cohort_and_are_echoed(self):
        t = today()
        a = self.outcomes(self.physician)
        self.assertEqual(a["filters"], {"from": (t - datetime.timedelta(days=365)).isoformat(),
                                        "to": t.isoformat(), "indication": None, "protocol": None,
                                        "clinic_id": None})
        only = lambda ans: sorted((g["indication"], g["protocol"]) for g in ans["groups"])
        self.assertEqual(only(self.outcomes(self.physician, indication="ptsd")), [PTSD])
        self.assertEqual(only(self.outcomes(self.physician, protocol=DEPRESSION[1])), [DEPRESSION])
        self.assertEqual(only(self.outcomes(self.physician, clinic_id=self.clinic_b)), [PTSD])
        a = self.outcomes(self.physician, clinic_id=self.clinic_a, indication="depression")
        self.assertEqual(only(a), [DEPRESSION])
        self.assertEqual(a["filters"]["clinic_id"], self.clinic_a)
        self.assertEqual(a["filters"]["indication"], "depression")
        tomorrow = (t + datetime.timedelta(days=1)).isoformat()
        yesterday = (t - datetime.timedelta(days=1)).isoformat()
        self.assertEqual(self.outcomes(self.physician, **{"from": tomorrow, "to": tomorrow})["groups"], [])
        empty = self.outcomes(self.physician, to=yesterday)
        self.assertEqual((empty["groups"], empty["cohort"]["courses"]), ([], 0))
        # Observation ends today even when `to` is later.
        self.assertEqual(self.outcomes(self.physician, to=tomorrow)["as_of"], t.isoformat())

    def test_bad_filters_name_the_field(self):
        for query, field in (({"from": "2026-02-30"}, "from"),
                             ({"to": "tomorrow"}, "to"),
                             ({"from": "2026-02-01", "to": "2026-01-01"}, "to"),
                             ({"indication": "flu"}, "indication"),
                             ({"protocol": "no-such-protocol"}, "protocol"),
                             ({"clinic_id": "abc"}, "clinic_id"),
                             ({"clinic_id": "999999"}, "clinic_id"),
                             ({"indicaton": "ptsd"}, "indicaton")):
            with self.subTest(query=query):
                self.assertError(self.director.get(BASE, query=query), 400, field=field)
                self.assertError(self.director.get(BASE + ".csv", query=query), 400, field=field)

    def test_small_groups_are_suppressed_for_directors_and_admins(self):
        for who in (self.director, self.admin):
            a = self.outcomes(who)
            self.assertTrue(a["small_cells"]["applied"])
            self.assertEqual(a["small_cells"]["min_patients"], 5)
            self.assertEqual(self.group(a, PTSD), {"indication": "ptsd", "protocol": PTSD[1],
                                                   "suppressed": True, "patients": None})
            dep = self.group(a, DEPRESSION)
            self.assertFalse(dep["suppressed"])
            self.assertEqual(dep["safety"]["infusions"], 5)
            # Aggregates only: no patient id anywhere in the answer.
            text = str(a)
            self.assertNotIn("patient_id", text)
            # Clinic names for the filter, nothing else about them.
            self.assertEqual({tuple(sorted(c)) for c in a["options"]["clinics"]}, {("id", "name")})

    def test_roles(self):
        for user in ("nurse", "frontdesk", "patient"):
            with self.subTest(user=user):
                self.assertError(self.as_user(user).get(BASE), 403, code="forbidden")
                self.assertError(self.as_user(user).get(BASE + ".csv"), 403, code="forbidden")
        self.assertStatus(Client(self.port).get(BASE), 401)
        # The director reads no patient's record, list or alert, nor the clinic setup.
        pid = self.pids[0]
        for path in ("/api/v1/patients", "/api/v1/patients/%d" % pid, "/api/v1/alerts",
                     "/api/v1/patients/%d/assessments" % pid, "/api/v1/appointments", "/api/v1/clinics",
                     "/api/v1/audit", "/api/v1/users"):
            with self.subTest(path=path):
                self.assertError(self.director.get(path), 403, code="forbidden")
        me = self.director.get("/api/v1/auth/me")
        self.assertStatus(me, 200)
        self.assertEqual(me.json["user"]["role"], "director")

    def test_an_admin_creates_director_accounts(self):
        name = unique("director")
        r = self.admin.post("/api/v1/users", {"username": name, "password": "director-password-1",
                                              "role": "director"})
        self.assertStatus(r, 201)
        self.assertEqual(r.json["role"], "director")
        d = self.server.login(name, "director-password-1")
        self.assertStatus(d.get(BASE), 200)
        self.assertError(d.post("/api/v1/users", {"username": unique("x"), "password": "another-password-1",
                                                  "role": "director"}), 403, code="forbidden")
        self.assertError(self.admin.post("/api/v1/users", {"username": unique("y"), "password": "another-password-1",
                                                           "role": "director", "patient_id": self.pids[0]}),
                         400, field="patient_id")

    def test_reads_are_audited_as_aggregates(self):
        self.outcomes(self.director, indication="depression")
        self.assertStatus(self.director.get(BASE + ".csv"), 200)
        rows = self.admin.get("/api/v1/audit", query={"user": "director"})
        self.assertStatus(rows, 200)
        actions = [(r["action"], r["patient_id"], r["outcome"]) for r in rows.json]
        self.assertIn(("GET /api/v1/analytics/outcomes", None, "allowed"), actions)
        self.assertIn(("GET /api/v1/analytics/outcomes.csv", None, "allowed"), actions)
        denied = self.nurse.get(BASE)
        self.assertStatus(denied, 403)
        rows = self.admin.get("/api/v1/audit", query={"user": "nurse", "action": "GET /api/v1/analytics/outcomes"})
        self.assertTrue(any(r["outcome"] == "denied" for r in rows.json), rows.json[:3])

    def test_csv_carries_the_same_numbers(self):
        r = self.director.get(BASE + ".csv", query={"indication": "depression"})
        self.assertStatus(r, 200)
        self.assertTrue(r.header("Content-Type").startswith("text/csv"), r.header("Content-Type"))
        self.assertIn("attachment", r.header("Content-Disposition"))
        lines = r.body.decode("utf-8").split("\r\n")
        self.assertEqual(lines[0], "section,indication,protocol,instrument,measure,key,count,n,share,lower,upper,value")
        rows = [line.split(",") for line in lines[1:] if line]
        self.assertTrue(all(len(x) == 12 for x in rows), [x for x in rows if len(x) != 12][:3])

        def find(section, measure, key=""):
            hits = [x for x in rows if x[0] == section and x[4] == measure and x[5] == key]
            self.assertEqual(len(hits), 1, (section, measure, key))
            return hits[0]
        self.assertEqual(find("group", "courses")[1:3] + find("group", "courses")[11:], 
                         ["depression", DEPRESSION[1], "6"])
        self.assertEqual(find("group", "treated")[6:8], ["5", "6"])
        self.assertEqual(find("safety", "adverse_events_per_100_infusions")[11], "40.0")
        self.assertEqual(find("safety", "stopped_early")[6:8], ["5", "5"])
        self.assertEqual(find("safety", "adverse_events_by_severity", "mild")[6], "1")
        # The director's CSV of every group shows the PTSD group only as suppressed.
        all_rows = self.director.get(BASE + ".csv").body.decode("utf-8").split("\r\n")
        ptsd = [x for x in all_rows if ",ptsd," in x]
        self.assertEqual(ptsd, ["group,ptsd,ptsd-induction-series,,suppressed,,,,,,,fewer than 5 patients"])


if __name__ == "__main__":
    unittest.main()
