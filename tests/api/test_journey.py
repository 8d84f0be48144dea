"""The patient's whole journey over HTTP, as the journey modules implement it (route files under
server/resources, docs/api-journey.md, docs/api-chair.md): inquiry -> front desk queue -> patient
-> screening -> consent -> approval -> course -> proposed dates -> six appointments (409, 412) ->
series under way + today's appointment + day-of check -> infusion session (hard limit 422, soft
limit override, one session per appointment, void) -> pump events -> delivered dose -> PK curve ->
vitals with a critical alert -> acknowledged -> discharge -> PHQ-9 series -> booster; item 9
alert; medications -> MME. A route missing from the server's route table skips the test naming
it (nothing passes without the real route)."""

import datetime
import unittest

from kit_server import (Client, KitTestCase, next_weekday, now_ms, today, unique)

MINUTE_MS = 60_000

SCREENING_CONDITIONS = [
    "schizophrenia", "current_psychosis_or_mania", "pregnant", "breastfeeding",
    "uncontrolled_hypertension", "poorly_controlled_cardiovascular_disease", "significant_arrhythmia",
    "unstable_cerebrovascular_disease", "coronary_artery_disease", "heart_failure", "hypertension",
    "elevated_intracranial_pressure", "cns_mass_or_hydrocephalus",
    "glaucoma_or_elevated_intraocular_pressure", "acute_globe_injury",
    "airway_instability_or_tracheal_disease", "active_pulmonary_infection",
    "thyroid_disorder_or_medication", "active_substance_use_disorder",
]


def age_on(date_of_birth, on):
    """Whole years from an ISO date of birth to a date (the screening checks the record)."""
    born = datetime.date.fromisoformat(date_of_birth)
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def screening_request(eligible=True, date_of_birth="1984-12-10"):
    conditions = {k: False for k in SCREENING_CONDITIONS}
    conditions["schizophrenia"] = not eligible
    conditions["hepatic_impairment"] = "none"
    return {"indication": "depression", "age_years": age_on(date_of_birth, today()),
            "conditions": conditions,
            "medications": {"benzodiazepine_lorazepam_eq_mg_per_day": 0}}


def days_ago(n):
    return (today() - datetime.timedelta(days=n)).isoformat()


class JourneyTest(KitTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        doc = Client(cls.server.port).get("/api/v1/openapi.json")
        assert doc.status == 200, doc
        cls.routes = set()
        for pattern, item in doc.json.get("paths", {}).items():
            for method in item:
                cls.routes.add("%s %s" % (method.upper(), pattern))
        cls._clinic = None
        cls._chair_today = None

    # --- helpers ------------------------------------------------------------------------------------

    def require_routes(self, *routes):
        missing = [r for r in routes if r not in self.routes]
        if missing:
            self.skipTest("route not implemented: " + ", ".join(missing))

    def new_patient(self, given="Ada", inquiry_id=None, weight_kg=70, height_cm=175):
        body = {"given_name": given, "family_name": unique("Lovelace"), "date_of_birth": "1984-12-10",
                "sex": "female", "indication": "depression"}
        if weight_kg is not None:
            body["weight_kg"] = weight_kg
        if height_cm is not None:
            body["height_cm"] = height_cm
        if inquiry_id is not None:
            body["inquiry_id"] = inquiry_id
        r = self.desk.post("/api/v1/patients", body)
        self.assertStatus(r, 201, "create patient")
        self.assertEqual(r.json["status"], "intake")
        self.assertEqual(r.etag, '"1"')
        return r.json["id"]

    def approved_patient(self, given="Approved"):
        pid = self.new_patient(given)
        p = "/api/v1/patients/%d" % pid
        self.assertStatus(self.nurse.post(p + "/screening", screening_request(True)), 201, "screening")
        self.assertStatus(self.nurse.post(p + "/consents", {"type": "treatment", "version": "2026-01"}),
                          201, "consent")
        self.assertStatus(self.physician.post(p + "/approval", {"decision": "approved"}), 201, "approval")
        return pid

    def new_course(self, pid):
        r = self.physician.post("/api/v1/patients/%d/courses" % pid,
                                {"protocol_id": "depression-induction-series"})
        self.assertStatus(r, 201, "course")
        return r.json["id"]

    def clinic(self):
        """(clinic_id, [chair ids]) of a clinic made for this class: 08:00-17:00, Mon-Fri."""
        if self.__class__._clinic is None:
            c = self.admin.post("/api/v1/clinics", {"name": unique("E2E clinic")})
            self.assertStatus(c, 201, "clinic")
            chairs = []
            for name in ("A", "B"):
                ch = self.admin.post("/api/v1/chairs", {"clinic_id": c.json["id"], "name": name})
                self.assertStatus(ch, 201, "chair")
                chairs.append(ch.json["id"])
            self.__class__._clinic = (c.json["id"], chairs)
        return self.__class__._clinic

    # --- 1. from the public inquiry to six booked infusions ----------------------------------------

    def test_1_inquiry_to_six_appointments(self):
        self.require_routes(
            "POST /api/v1/inquiries", "GET /api/v1/inquiries", "GET /api/v1/inquiries/{id}",
            "POST /api/v1/patients", "GET /api/v1/patients/{id}", "PATCH /api/v1/patients/{id}",
            "POST /api/v1/patients/{id}/screening", "POST /api/v1/patients/{id}/consents",
            "POST /api/v1/patients/{id}/approval", "POST /api/v1/patients/{id}/courses",
            "GET /api/v1/courses/{id}/proposed-dates", "POST /api/v1/clinics", "POST /api/v1/chairs",
            "POST /api/v1/appointments", "GET /api/v1/appointments", "PATCH /api/v1/appointments/{id}",
            "POST /api/v1/courses/{id}/transitions", "POST /api/v1/users")
        # Public inquiry form, no session.
        first = self.anon.post("/api/v1/inquiries", {"name": "Grace Hopper", "contact": "grace@example.org",
                                                     "reason": "depression", "message": "first"})
        self.assertStatus(first, 201)
        second = self.anon.post("/api/v1/inquiries", {"name": "Ada Lovelace", "contact": "+44 20 7946 0958",
                                                      "reason": "depression", "message": "second"})
        self.assertStatus(second, 201)
        self.assertEqual(second.json["status"], "new")
        self.assertNotIn("contact", second.json)  # the public gets a receipt, not the record

        # The front desk's queue, newest first.
        queue = self.desk.get("/api/v1/inquiries")
        self.assertStatus(queue, 200)
        self.assertIsInstance(queue.json, list)
        ids = [i["id"] for i in queue.json]
        self.assertIn(first.json["id"], ids)
        self.assertLess(ids.index(second.json["id"]), ids.index(first.json["id"]))
        stamps = [i["created_at"] for i in queue.json]
        self.assertEqual(stamps, sorted(stamps, reverse=True))
        self.assertError(self.nurse.get("/api/v1/inquiries"), 403)
        self.assertError(self.anon.get("/api/v1/inquiries"), 401)

        # A patient registered from the inquiry; the inquiry is marked scheduled.
        pid = self.new_patient("Ada", inquiry_id=second.json["id"])
        inq = self.desk.get("/api/v1/inquiries/%d" % second.json["id"])
        self.assertStatus(inq, 200)
        self.assertEqual(inq.json["status"], "scheduled")
        again = self.desk.post("/api/v1/patients", {
            "given_name": "Ada", "family_name": "Again", "date_of_birth": "1984-12-10", "sex": "female",
            "indication": "depression", "inquiry_id": second.json["id"]})
        self.assertError(again, 409, field="inquiry_id")
        bad_dob = self.desk.post("/api/v1/patients", {
            "given_name": "X", "family_name": "Y", "date_of_birth": "1984-02-30", "sex": "female",
            "indication": "depression"})
        self.assertError(bad_dob, 400, field="date_of_birth")
        self.assertError(self.nurse.get("/api/v1/patients/999999"), 404)
        p = "/api/v1/patients/%d" % pid

        # Screening, consent, approval (with the refusals on the way).
        self.assertError(self.physician.post(p + "/approval", {"decision": "approved"}), 422)
        self.assertError(self.desk.post(p + "/screening", screening_request(True)), 403)
        bad = screening_request(True)
        del bad["conditions"]["pregnant"]
        self.assertError(self.nurse.post(p + "/screening", bad), 400, field="conditions.pregnant")
        s = self.nurse.post(p + "/screening", screening_request(True))
        self.assertStatus(s, 201)
        self.assertIs(s.json["eligible"], True)
        self.assertError(self.physician.post(p + "/approval", {"decision": "approved"}), 422)  # no consent
        self.assertStatus(self.nurse.post(p + "/consents", {"type": "treatment", "version": "2026-01"}), 201)
        self.assertError(self.nurse.post(p + "/approval", {"decision": "approved"}), 403)
        a = self.physician.post(p + "/approval", {"decision": "approved"})
        self.assertStatus(a, 201)
        self.assertEqual(a.json["patient"]["status"], "approved")

        # Course and the proposed induction dates.
        self.assertError(self.nurse.post(p + "/courses", {"protocol_id": "depression-induction-series"}), 403)
        self.assertError(self.physician.post(p + "/courses", {"protocol_id": "depression-magic"}), 400,
                         field="protocol_id")
        course = self.new_course(pid)
        clinic_id, chairs = self.clinic()
        monday = next_weekday(1)
        prop = self.desk.get("/api/v1/courses/%d/proposed-dates" % course,
                             query={"start": monday.isoformat(), "clinic_id": clinic_id})
        self.assertStatus(prop, 200)
        dates = prop.json["dates"]
        self.assertEqual(len(dates), 6, prop.json)
        self.assertEqual(dates[0]["date"], monday.isoformat())
        days = [d["date"] for d in dates]
        self.assertEqual(days, sorted(set(days)))
        for d in dates:
            self.assertIn(d["chair_id"], chairs)
            self.assertTrue(d["start"].startswith(d["date"] + "T"), d)
        self.assertError(self.desk.get("/api/v1/courses/%d/proposed-dates" % course), 400, field="start")

        # Six appointments on the proposed dates.
        booked = []
        for d in dates:
            r = self.desk.post("/api/v1/appointments", {"patient_id": pid, "course_id": course,
                                                        "chair_id": d["chair_id"], "start": d["start"]})
            self.assertStatus(r, 201, "book %s" % d["start"])
            self.assertEqual(r.json["kind"], "infusion")
            self.assertEqual(r.json["end"], d["end"])
            booked.append(r.json)
        seventh_day = (datetime.date.fromisoformat(dates[-1]["date"]) + datetime.timedelta(days=3))
        while seventh_day.isoweekday() > 5:
            seventh_day += datetime.timedelta(days=1)
        seventh = self.desk.post("/api/v1/appointments", {"patient_id": pid, "course_id": course,
                                                          "chair_id": chairs[0],
                                                          "start": seventh_day.isoformat() + "T08:00"})
        self.assertError(seventh, 422, field="course_id")  # all six of the series are booked

        # A double booking of the chair: 409 naming the chair.
        other = self.new_patient("Other")
        first_appt = booked[0]
        dbl = self.desk.post("/api/v1/appointments", {"patient_id": other, "chair_id": first_appt["chair_id"],
                                                      "start": first_appt["start"]})
        self.assertError(dbl, 409, field="chair_id")
        listed = self.desk.get("/api/v1/appointments", query={"date": dates[0]["date"],
                                                              "chair_id": first_appt["chair_id"]})
        self.assertStatus(listed, 200)
        self.assertEqual([x["id"] for x in listed.json["appointments"]], [first_appt["id"]])

        # A stale PATCH: 412; without If-Match: 428.
        ap = "/api/v1/appointments/%d" % booked[5]["id"]
        etag = self.desk.current_etag(ap)
        moved_start = dates[5]["date"] + "T13:00"
        moved = self.nurse.patch(ap, {"start": moved_start}, etag=etag)
        self.assertStatus(moved, 200)
        self.assertEqual(moved.json["start"], moved_start)
        self.assertNotEqual(moved.etag, etag)
        stale = self.desk.patch(ap, {"status": "cancelled"}, etag=etag)
        self.assertError(stale, 412, code="stale_write")
        self.assertEqual(self.desk.get(ap).json["status"], "booked")  # nothing changed
        self.assertError(self.desk.patch(ap, {"status": "cancelled"}), 428)
        pe = self.desk.current_etag(p)
        self.assertStatus(self.nurse.patch(p, {"weight_kg": 71.5}, etag=pe), 200)
        self.assertError(self.desk.patch(p, {"phone": "555-0100"}, etag=pe), 412, code="stale_write")

        # The patient's own view (an account linked to the record).
        uname = unique("ada").lower()
        acct = self.admin.post("/api/v1/users", {"username": uname, "password": "patient-password-1",
                                                 "role": "patient", "patient_id": pid})
        self.assertStatus(acct, 201)
        me = self.server.login(uname, "patient-password-1")
        mine = me.get("/api/v1/appointments")
        self.assertStatus(mine, 200)
        self.assertEqual(len(mine.json["appointments"]), 6)
        self.assertStatus(me.get(p), 200)
        self.assertError(me.get("/api/v1/patients/%d" % other), 403)

        # The series starts.
        t = self.physician.post("/api/v1/courses/%d/transitions" % course, {"to": "induction", "reason": "series starts"})
        self.assertStatus(t, 200)
        self.assertEqual(t.json["state"], "induction")
        self.assertEqual(self.nurse.get(p).json["status"], "in_treatment")
        self.assertError(self.physician.post("/api/v1/courses/%d/transitions" % course, {"to": "induction"}), 409)

    # --- 2. the infusion session at the chair ---------------------------------------------------------

    def chair_today(self):
        """(clinic_id, chair_id) for today's infusion: a UTC clinic open every day (today may be a
        weekend) whose discharge observation policy is 0 min (`observation_minutes`, default 30), so
        the journey can discharge without waiting half an hour after the stop."""
        if self.__class__._chair_today is None:
            c = self.admin.post("/api/v1/clinics", {"name": unique("E2E day clinic"), "timezone": "UTC",
                                                    "opens_at": "06:00", "closes_at": "22:00",
                                                    "open_weekdays": "1234567", "observation_minutes": 0})
            self.assertStatus(c, 201, "clinic with its discharge observation policy")
            ch = self.admin.post("/api/v1/chairs", {"clinic_id": c.json["id"], "name": "Today"})
            self.assertStatus(ch, 201, "chair")
            self.__class__._chair_today = (c.json["id"], ch.json["id"])
        return self.__class__._chair_today

    def test_2_infusion_session(self):
        self.require_routes(
            "POST /api/v1/patients/{id}/sessions", "GET /api/v1/patients/{id}/sessions",
            "GET /api/v1/sessions/{id}", "POST /api/v1/sessions/{id}/events",
            "GET /api/v1/sessions/{id}/delivered", "GET /api/v1/sessions/{id}/pk",
            "POST /api/v1/sessions/{id}/vitals", "POST /api/v1/sessions/{id}/discharge",
            "GET /api/v1/alerts", "POST /api/v1/alerts/{id}/acknowledge",
            "POST /api/v1/patients/{id}/courses", "POST /api/v1/appointments")
        pid = self.approved_patient("Chair")
        course = self.new_course(pid)
        p = "/api/v1/patients/%d" % pid

        # Ready for today: the series under way, today's appointment, the day-of check cleared.
        t = self.physician.post("/api/v1/courses/%d/transitions" % course, {"to": "induction",
                                                                            "reason": "series starts"})
        self.assertStatus(t, 200)
        _clinic, chair = self.chair_today()
        appt = self.desk.post("/api/v1/appointments", {"patient_id": pid, "course_id": course, "chair_id": chair,
                                                       "start": today().isoformat() + "T08:00"})
        self.assertStatus(appt, 201, "today's appointment")
        appt_id = appt.json["id"]
        check = dict(screening_request(True), pre_infusion={
            "sbp_mmhg": 124, "dbp_mmhg": 78, "fasted_as_instructed": True, "escort_home_confirmed": True})
        dc = self.nurse.post(p + "/screening", check)
        self.assertStatus(dc, 201, "day-of check")
        self.assertIs(dc.json["result"]["cleared_to_start"], True)

        sp = p + "/sessions"
        prep = {"concentration_mg_per_ml": 1}
        base = {"course_id": course, "appointment_id": appt_id, "preparation": prep}

        # Hard limit: refused, nothing stored.
        hard = self.nurse.post(sp, dict(base, dose_mg_per_kg=1.5))
        self.assertError(hard, 422, field="dose", code="rule_refused")
        hard_md = self.physician.post(sp, dict(base, dose_mg_per_kg=1.5, override_reason="physician insists"))
        self.assertError(hard_md, 422, field="dose")  # no override past a hard limit
        listed = self.nurse.get(sp)
        self.assertStatus(listed, 200)
        self.assertEqual(listed.json, [])

        # Soft limit: needs a physician and a reason.
        soft = dict(base, dose_mg_per_kg=0.9)
        self.assertError(self.nurse.post(sp, soft), 422, field="override_reason")
        self.assertError(self.nurse.post(sp, dict(soft, override_reason="no response at 0.75")), 422,
                         field="override_reason")
        self.assertError(self.physician.post(sp, dict(soft, override_reason="   ")), 400, field="override_reason")
        self.assertEqual(self.nurse.get(sp).json, [])
        over = self.physician.post(sp, dict(soft, override_reason="no response at 0.75 mg/kg"))
        self.assertStatus(over, 201)
        self.assertEqual(over.json["override"]["reason"], "no response at 0.75 mg/kg")
        self.assertEqual(over.json["override"]["physician_user_id"], self.physician.user["id"])
        self.assertEqual(len(self.nurse.get(sp).json), 1)

        # One session per appointment: the higher dose is set aside (voided) before today's plan.
        self.assertError(self.nurse.post(sp, dict(base, dose_mg_per_kg=0.5)), 422,
                         field="one_session_per_appointment")
        over_path = "/api/v1/sessions/%d" % over.json["id"]
        void = self.physician.post_if_match(over_path + "/void", {"reason": "standard dose chosen after all"},
                                            self.physician.current_etag(over_path))
        self.assertStatus(void, 200)
        self.assertEqual(void.json["state"], "voided")

        # The plan for today's infusion: 0.5 mg/kg over 40 min.
        self.assertError(self.nurse.post(sp, {"course_id": course, "appointment_id": appt_id}), 400,
                         field="preparation")
        plan = self.nurse.post(sp, dict(base, dose_mg_per_kg=0.5))
        self.assertStatus(plan, 201)
        s = plan.json
        self.assertEqual(s["state"], "planned")
        self.assertEqual(s["planned_duration_min"], 40)
        self.assertGreater(s["planned_dose_mg"], 0)
        self.assertAlmostEqual(s["planned_rate_ml_per_h"] * 40 / 60 * 1.0, s["planned_dose_mg"], places=3)
        self.assertEqual(sorted(x["state"] for x in self.nurse.get(sp).json), ["planned", "voided"])
        self.assertError(self.desk.get("/api/v1/sessions/%d" % s["id"]), 403)
        self.assertError(self.patient.get("/api/v1/sessions/%d" % s["id"]), 403)
        path = "/api/v1/sessions/%d" % s["id"]

        # Baseline vitals: fine.
        base_vitals = self.nurse.post(path + "/vitals", {"point": "baseline", "sbp_mmhg": 122, "dbp_mmhg": 78,
                                                         "hr_bpm": 72, "spo2_percent": 98, "rr_per_min": 14})
        self.assertStatus(base_vitals, 201)
        self.assertEqual(base_vitals.json["action"], "continue")
        self.assertIsNone(base_vitals.json["alert"])

        # Pump events: start now, stop one minute later (If-Match on the session's ETag). Event times
        # run from the session's creation and at most 60 s ahead, so the infusion is a real-time one.
        created_ms = int(datetime.datetime.fromisoformat(s["created_at"].replace("Z", "+00:00")).timestamp()
                         * 1000)
        t0 = max(now_ms(), created_ms)
        start_body = {"kind": "start", "at_ms": t0}
        self.assertError(self.nurse.post(path + "/events", start_body), 428)
        etag = self.nurse.current_etag(path)
        too_fast = self.nurse.post_if_match(path + "/events", {"kind": "start", "rate_ml_per_h": 400, "at_ms": t0},
                                            etag)
        self.assertError(too_fast, 422, field="hard_limit")
        started = self.nurse.post_if_match(path + "/events", start_body, etag)
        self.assertStatus(started, 201)
        self.assertEqual(started.json["state"], "running")
        stale = self.nurse.post_if_match(path + "/events", {"kind": "pause", "at_ms": t0 + 1000}, etag)
        self.assertError(stale, 412)

        # Vitals during the infusion: SpO2 85 % raises a critical alert to the physician.
        low = self.nurse.post(path + "/vitals", {"point": "interval", "sbp_mmhg": 125, "dbp_mmhg": 80,
                                                 "hr_bpm": 88, "spo2_percent": 85, "rr_per_min": 10})
        self.assertStatus(low, 201)
        self.assertNotEqual(low.json["action"], "continue")
        self.assertIsNotNone(low.json["alert"])
        self.assertEqual(low.json["alert"]["severity"], "critical")
        alerts = self.physician.get("/api/v1/alerts", query={"patient_id": pid})
        self.assertStatus(alerts, 200)
        vitals_alerts = [a for a in alerts.json if a["id"] == low.json["alert"]["id"]]
        self.assertEqual(len(vitals_alerts), 1, alerts.json)
        self.assertEqual(vitals_alerts[0]["kind"], "vitals")
        self.assertEqual(vitals_alerts[0]["session_id"], s["id"])

        # Stop after exactly one minute.
        stopped = self.nurse.post_if_match(path + "/events", {"kind": "stop", "at_ms": t0 + MINUTE_MS},
                                           started.etag)
        self.assertStatus(stopped, 201)
        self.assertEqual(stopped.json["state"], "stopped")

        # Delivered dose = rate x time x concentration (one minute at the planned rate).
        one_minute_mg = s["planned_rate_ml_per_h"] / 60 * 1.0
        self.assertAlmostEqual(stopped.json["delivered"]["mg"], one_minute_mg, places=3)
        d = self.nurse.get(path + "/delivered")
        self.assertStatus(d, 200)
        self.assertAlmostEqual(d.json["delivered_mg"], one_minute_mg, places=3)
        self.assertIs(d.json["running"], False)
        self.assertEqual(len(d.json["intervals"]), 1)
        self.assertAlmostEqual(d.json["intervals"][0]["minutes"], 1, places=6)

        # The PK curve of what was given.
        pk = self.physician.get(path + "/pk")
        self.assertStatus(pk, 200)
        self.assertAlmostEqual(pk.json["delivered_mg"], one_minute_mg, places=3)
        times, plasma = pk.json["times_min"], pk.json["plasma_ng_per_ml"]
        self.assertEqual(len(times), len(plasma))
        self.assertGreater(len(times), 100)
        self.assertGreater(pk.json["cmax_ng_per_ml"], 0)
        self.assertAlmostEqual(pk.json["tmax_min"], 1, delta=1.0)  # the peak is at the end of the infusion
        self.assertEqual(plasma[0], 0)

        # Discharge: the open critical alert holds it until the physician acknowledges it; then not
        # ready (Aldrete too low) is refused for the nurse and ready is accepted.
        ready = {"aldrete": {"activity": 2, "respiration": 2, "circulation": 2, "consciousness": 2,
                             "o2_saturation": 2}}
        self.assertError(self.nurse.post_if_match(path + "/discharge", ready, self.nurse.current_etag(path)),
                         422, field="critical_alerts")
        ack = self.physician.post_if_match("/api/v1/alerts/%d/acknowledge" % vitals_alerts[0]["id"],
                                           {"note": "SpO2 back to 97 % on room air"},
                                           '"%d"' % vitals_alerts[0]["version"])
        self.assertStatus(ack, 200)
        etag = self.nurse.current_etag(path)
        low_aldrete = {"aldrete": {"activity": 1, "respiration": 1, "circulation": 1, "consciousness": 1,
                                   "o2_saturation": 1}}
        self.assertError(self.nurse.post_if_match(path + "/discharge", low_aldrete, etag), 422,
                         field="discharge_score")
        dis = self.nurse.post_if_match(path + "/discharge", ready, etag)
        self.assertStatus(dis, 201)
        self.assertEqual(dis.json["state"], "discharged")
        self.assertIs(dis.json["discharge"]["ready"], True)
        self.assertEqual(dis.json["discharge"]["aldrete_score"], 10)
        self.assertError(self.nurse.post(path + "/vitals", {"point": "discharge", "hr_bpm": 70}), 409,
                         field="state")
        got = self.nurse.get(path)
        self.assertEqual(len(got.json["vitals"]), 2)
        self.assertEqual([e["kind"] for e in got.json["events"]], ["start", "stop"])

    # --- 3. PHQ-9 over dates: response, then climbing back on two readings -> booster ---------------

    def test_3_phq9_series_recommends_a_booster(self):
        self.require_routes("POST /api/v1/patients/{id}/assessments", "GET /api/v1/patients/{id}/assessments",
                            "GET /api/v1/patients/{id}/outcome", "GET /api/v1/alerts",
                            "POST /api/v1/alerts/{id}/acknowledge")
        pid = self.new_patient("Phq")
        ap = "/api/v1/patients/%d/assessments" % pid
        op = "/api/v1/patients/%d/outcome" % pid
        self.assertError(self.nurse.get(op, query={"instrument": "phq9"}), 422, field="instrument")

        baseline = self.nurse.post(ap, {"instrument": "phq9", "answers": [3, 3, 3, 3, 2, 2, 2, 2, 0],
                                        "taken_on": days_ago(60)})
        self.assertStatus(baseline, 201)
        self.assertEqual(baseline.json["total"], 20)
        self.assertEqual(baseline.json["alerts"], [])
        better = self.nurse.post(ap, {"instrument": "phq9", "answers": [1, 1, 1, 1, 1, 1, 1, 1, 0],
                                      "taken_on": days_ago(40)})
        self.assertStatus(better, 201)
        mid = self.physician.get(op, query={"instrument": "phq9"})
        self.assertStatus(mid, 200)
        self.assertEqual(mid.json["status"], "response")
        self.assertIs(mid.json["booster_recommended"], False)

        # Climbing back, and item 9 (thoughts of self-harm) > 0: an alert to the physician at once.
        worse = self.nurse.post(ap, {"instrument": "phq9", "answers": [3, 3, 2, 2, 2, 2, 1, 2, 1],
                                     "taken_on": days_ago(10)})
        self.assertStatus(worse, 201)
        self.assertEqual(worse.json["total"], 18)
        self.assertEqual(len(worse.json["alerts"]), 1, worse.json)
        alert_id = worse.json["alerts"][0]["id"]
        alerts = self.physician.get("/api/v1/alerts", query={"patient_id": pid})
        self.assertStatus(alerts, 200)
        mine = [a for a in alerts.json if a["id"] == alert_id]
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine[0]["kind"], "safety_flag")
        self.assertEqual(mine[0]["assessment_id"], worse.json["id"])
        self.assertError(self.nurse.post("/api/v1/alerts/%d/acknowledge" % alert_id, {"note": "seen"}), 403)
        ack_etag = '"%d"' % mine[0]["version"]
        ack = self.physician.post_if_match("/api/v1/alerts/%d/acknowledge" % alert_id,
                                           {"note": "called the patient"}, ack_etag)
        self.assertStatus(ack, 200)
        self.assertIsNotNone(ack.json["acknowledged_at"])
        self.assertError(self.physician.post_if_match("/api/v1/alerts/%d/acknowledge" % alert_id, {}, ack_etag),
                         412)
        self.assertEqual(worse.json["alerts"][0]["severity"], "high")  # item 9 = 1: for review

        # One reading after a response is not relapse (docs/clinical-rules/instruments.md): reassess.
        once = self.physician.get(op, query={"instrument": "phq9"})
        self.assertStatus(once, 200)
        self.assertEqual(once.json["status"], "loss_of_response_unconfirmed")
        self.assertIs(once.json["booster_recommended"], False)
        self.assertIs(once.json["reassess_sooner"], True)

        # The next reading confirms it; item 9 = 3 is urgent: a critical alert.
        again = self.nurse.post(ap, {"instrument": "phq9", "answers": [3, 3, 2, 2, 2, 2, 1, 1, 3],
                                     "taken_on": days_ago(3)})
        self.assertStatus(again, 201)
        self.assertEqual(again.json["total"], 19)
        self.assertEqual([a["severity"] for a in again.json["alerts"]], ["critical"])

        out = self.physician.get(op, query={"instrument": "phq9"})
        self.assertStatus(out, 200)
        o = out.json
        self.assertEqual(o["baseline"], 20)
        self.assertEqual(o["latest"], 19)
        self.assertEqual(o["status"], "relapse")
        self.assertIs(o["booster_recommended"], True)
        self.assertIsInstance(o["reason"], str)
        self.assertGreater(len(o["reason"]), 10)
        self.assertEqual(len(o["assessment_ids"]), 4)

        series = self.nurse.get(ap, query={"instrument": "phq9"})
        self.assertStatus(series, 200)
        self.assertEqual([a["total"] for a in series.json], [20, 8, 18, 19])

        # Errors: wrong number of answers names the field; a future date; no instrument.
        self.assertError(self.nurse.post(ap, {"instrument": "phq9", "answers": [1] * 10}), 400, field="answers")
        future = (today() + datetime.timedelta(days=2)).isoformat()
        self.assertError(self.nurse.post(ap, {"instrument": "phq9", "answers": [0] * 9, "taken_on": future}), 400,
                         field="taken_on")
        self.assertError(self.nurse.get(op), 400, field="instrument")
        self.assertError(self.desk.post(ap, {"instrument": "phq9", "answers": [0] * 9}), 403)

    def test_4_patient_self_report(self):
        self.require_routes("POST /api/v1/patients/{id}/assessments", "GET /api/v1/patients/{id}/outcome")
        own = self.demo_patient_id()
        ap = "/api/v1/patients/%d/assessments" % own
        r = self.patient.post(ap, {"instrument": "phq9", "answers": [1, 1, 1, 1, 1, 1, 1, 1, 0]})
        self.assertStatus(r, 201)
        self.assertIs(r.json["self_report"], True)
        clinician_rated = self.patient.post(ap, {"instrument": "madrs", "answers": [1] * 10})
        self.assertError(clinician_rated, 403)
        other = self.new_patient("NotMine")
        self.assertError(self.patient.post("/api/v1/patients/%d/assessments" % other,
                                           {"instrument": "phq9", "answers": [0] * 9}), 403)

    # --- 5. medications -> MME -----------------------------------------------------------------------

    def test_5_medications_mme_trend(self):
        self.require_routes("POST /api/v1/patients/{id}/medications", "GET /api/v1/patients/{id}/medications")
        pid = self.new_patient("Pain")
        mp = "/api/v1/patients/%d/medications" % pid
        first = self.nurse.post(mp, {"as_of": days_ago(30), "medications": [
            {"drug": "morphine", "route": "oral", "dose_mg": 10, "doses_per_day": 4}]})
        self.assertStatus(first, 201)
        self.assertEqual(first.json["total_mme_per_day"], 40)
        second = self.physician.post(mp, {"medications": [
            {"drug": "morphine", "route": "oral", "dose_mg": 30, "doses_per_day": 2}]})
        self.assertStatus(second, 201)
        self.assertEqual(second.json["total_mme_per_day"], 60)
        h = self.nurse.get(mp)
        self.assertStatus(h, 200)
        self.assertEqual([t["total_mme_per_day"] for t in h.json["trend"]], [40, 60])
        self.assertIsNone(h.json["trend"][0]["change_mme_per_day"])
        self.assertEqual(h.json["trend"][1]["change_mme_per_day"], 20)
        self.assertEqual(h.json["current"]["total_mme_per_day"], 60)
        self.assertError(self.nurse.post(mp, {"medications": [{"drug": "unobtainium", "route": "oral",
                                                                "dose_mg": 1, "doses_per_day": 1}]}), 400)
        self.assertError(self.desk.get(mp), 403)
        self.assertError(self.anon.get(mp), 401)


    # --- 6. times in the clinic's zone ---------------------------------------------------------------

    def test_6_proposed_dates_never_in_the_past_and_zoned_times(self):
        self.require_routes("GET /api/v1/courses/{id}/proposed-dates", "POST /api/v1/appointments")
        # Kiritimati (UTC+14) is a calendar day ahead of UTC for most of the UTC day, and a clinic
        # open around the clock has a free chair at every hour: proposals starting yesterday (UTC)
        # used to offer that day's 00:00, a time long gone.
        zone = "Pacific/Kiritimati"
        c = self.admin.post("/api/v1/clinics", {"name": unique("Zoned clinic"), "timezone": zone,
                                                "opens_at": "00:00", "closes_at": "24:00",
                                                "open_weekdays": "1234567"})
        self.assertStatus(c, 201, "clinic")
        ch = self.admin.post("/api/v1/chairs", {"clinic_id": c.json["id"], "name": "Z"})
        self.assertStatus(ch, 201, "chair")
        self.assertError(self.admin.post("/api/v1/clinics", {"name": unique("Nowhere"),
                                                             "timezone": "Mars/Olympus_Mons"}),
                         400, field="timezone")
        pid = self.approved_patient("Zoned")
        course = self.new_course(pid)
        asked_ms = now_ms()
        prop = self.desk.get("/api/v1/courses/%d/proposed-dates" % course,
                             query={"start": (today() - datetime.timedelta(days=1)).isoformat(),
                                    "clinic_id": c.json["id"]})
        self.assertStatus(prop, 200)
        dates = prop.json["dates"]
        self.assertEqual(len(dates), 6, prop.json)
        for d in dates:
            starts = datetime.datetime.fromisoformat(d["starts_at"])
            self.assertTrue(d["starts_at"].endswith("+14:00"), d)
            self.assertGreaterEqual(starts.timestamp() * 1000, asked_ms - 60_000, d)
            self.assertEqual(d["start"], d["starts_at"][:16])
            self.assertEqual(d["date"], d["start"][:10])
        # Booked with the offset form, read back on the clinic's wall clock.
        r = self.desk.post("/api/v1/appointments", {"patient_id": pid, "course_id": course,
                                                    "chair_id": dates[0]["chair_id"],
                                                    "start": dates[0]["starts_at"]})
        self.assertStatus(r, 201, "book %s" % dates[0]["starts_at"])
        self.assertEqual(r.json["start"], dates[0]["start"])
        self.assertEqual(r.json["starts_at"], dates[0]["starts_at"])
        self.assertEqual(r.json["ends_at"], dates[0]["ends_at"])
        self.assertEqual(r.json["date"], dates[0]["date"])
        self.assertEqual(r.json["timezone"], zone)


if __name__ == "__main__":
    unittest.main()
