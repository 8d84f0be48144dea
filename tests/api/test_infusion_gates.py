"""The gates that decide whether ketamine may flow, through the real server (the infusion state
machine in the core): planning gates, pump-event gates, the day-of check, discharge, the closed
record after discharge, voiding and corrections. One test (or more) per leak the outside testers
found; each names its leak:

  leak 1  a declined patient, and one still at intake, were planned, started and drawn for;
  leak 2  a start six days back recorded 7,560 mg; a remainder above the hard maximum was accepted;
  leak 3  three running sessions, three sessions on one appointment, a session started after its
          course was completed, a `protocol` disagreeing with the course;
  leak 4  a start without (or against) the day-of check, a discharge 8 minutes after the stop with
          unacknowledged critical alerts, CADSS and adverse events after discharge;
  leak 5  a mistyped vital (SpO2 89) raised a critical alert and could never be corrected.

Contract (docs/api-chair.md as the lead lands it): a gate refusal is 422 kind "rule_refused" with
field = the gate's name; a state conflict 409 kind "conflict"; bad input 400 kind "invalid_input"
naming the field; nothing stored changes on a refusal. When several gates fail at once, the one
reported is the first in the contract's order (patient_approved, treatment_consent,
screening_eligible, course_under_way, course_protocol, unscheduled_reason, appointment_today,
one_session_per_appointment; then at start one_active_session, day_of_check, hard_limit,
override_reason; at discharge observation_time, critical_alerts, discharge_score).

Clinic policy used here (decided for the lead to match): POST /clinics takes `observation_minutes`
(the discharge observation time after the stop, default 30); a clinic with 0 lets a test discharge
without waiting half an hour.

The module-level helpers (make_clinic, make_chair, ready_patient, day_of_check, ...) take plain
clients, so other suites (test_race.py) build ready patients the same way."""

import datetime
import time
import unittest
import zoneinfo

from kit_server import KitTestCase, now_ms, unique

MINUTE_MS = 60_000
DAY_MS = 24 * 60 * MINUTE_MS
PREP = {"concentration_mg_per_ml": 1}
# 70 kg, 175 cm (BMI 22.9: actual weight), depression-induction-series 0.5 mg/kg over 40 min:
# 35 mg at 52.5 mL/h of 1 mg/mL. Protocol limits (core/dosing/builtin_psychiatry.cpp): hard maximum
# 1.0 mg/kg = 70 mg, soft maximum 0.75 mg/kg = 52.5 mg; hard rate 1.5 mg/kg/h = 105 mL/h.
PLANNED_RATE = 52.5
HARD_LIMIT_MG = 70.0
SOFT_LIMIT_MG = 52.5
ABOVE_HARD_RATE = 110.0   # 110 mL/h x 40 min = 73.3 mg > 70 mg
SOFT_ONLY_RATE = 80.0     # 80 mL/h x 40 min = 53.3 mg: above the soft 52.5, below the hard 70
SLOWER_RATE = 26.2
COURSE_PROTOCOL = "depression-induction-series"
OTHER_PROTOCOL = "depression-standard"

READY_ALDRETE = {"aldrete": {"activity": 2, "respiration": 2, "circulation": 2, "consciousness": 2,
                             "o2_saturation": 2}}
LOW_ALDRETE = {"aldrete": {"activity": 1, "respiration": 1, "circulation": 1, "consciousness": 1,
                           "o2_saturation": 1}}
NORMAL_VITALS = {"sbp_mmhg": 122, "dbp_mmhg": 78, "hr_bpm": 72, "spo2_percent": 98, "rr_per_min": 14}
CRITICAL_VITALS = {"sbp_mmhg": 125, "dbp_mmhg": 80, "hr_bpm": 88, "spo2_percent": 85, "rr_per_min": 10}
CADSS = [1] * 23

SCREENING_CONDITIONS = [
    "schizophrenia", "current_psychosis_or_mania", "pregnant", "breastfeeding",
    "uncontrolled_hypertension", "poorly_controlled_cardiovascular_disease", "significant_arrhythmia",
    "unstable_cerebrovascular_disease", "coronary_artery_disease", "heart_failure", "hypertension",
    "elevated_intracranial_pressure", "cns_mass_or_hydrocephalus",
    "glaucoma_or_elevated_intraocular_pressure", "acute_globe_injury",
    "airway_instability_or_tracheal_disease", "active_pulmonary_infection",
    "thyroid_disorder_or_medication", "active_substance_use_disorder",
]

GATE_KEYS = {"gate", "passed", "reason", "source"}
DELIVERED_KEYS = {"mg", "ml", "mg_per_kg", "hard_limit_mg", "soft_limit_mg", "status", "intervals"}
STATES = {"planned", "running", "paused", "stopped", "discharged", "voided"}


# ------------------------------------------------------------------------------------------------
# Requests


def screening_request(eligible=True, pre_infusion=None):
    """The intake screening (no pre_infusion) or, with pre_infusion, the day-of check."""
    conditions = {k: False for k in SCREENING_CONDITIONS}
    conditions["schizophrenia"] = not eligible
    conditions["hepatic_impairment"] = "none"
    born = datetime.date(1985, 3, 14)  # the date of birth the helpers give every patient
    now = datetime.datetime.now(datetime.timezone.utc).date()
    age = now.year - born.year - ((now.month, now.day) < (born.month, born.day))
    req = {"indication": "depression", "age_years": age, "conditions": conditions,
           "medications": {"benzodiazepine_lorazepam_eq_mg_per_day": 0}}
    if pre_infusion is not None:
        req["pre_infusion"] = pre_infusion
    return req


def pre_infusion(cleared=True):
    """Day-of answers: 124/78 clears; 192/116 is above the 180/110 policy limit (not cleared)."""
    return {"sbp_mmhg": 124 if cleared else 192, "dbp_mmhg": 78 if cleared else 116,
            "fasted_as_instructed": True, "escort_home_confirmed": True}


# ------------------------------------------------------------------------------------------------
# Clinic-local dates


def clinic_today(timezone):
    return datetime.datetime.now(zoneinfo.ZoneInfo(timezone)).date()


def utc_today():
    return datetime.datetime.now(datetime.timezone.utc).date()


def zone_off_the_utc_date():
    """A zone whose local date is not the UTC date right now: Kiritimati (UTC+14) is a day ahead
    from 10:00 UTC, Pago Pago (UTC-11) a day behind until 11:00 UTC, so one of them always is."""
    for tz in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        if clinic_today(tz) != utc_today():
            return tz
    raise AssertionError("no zone off the UTC date (clock?)")


def iso_ms(text):
    """ms since the epoch of an ISO-8601 UTC time as the server writes it."""
    return int(datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


# ------------------------------------------------------------------------------------------------
# Module-level builders (plain clients; AssertionError with the answer on an unexpected status)


def expect(resp, status, what):
    if resp.status != status:
        raise AssertionError("%s: expected %d, got %r" % (what, status, resp))
    return resp


class Staff:
    def __init__(self, admin, desk, nurse, physician):
        self.admin, self.desk, self.nurse, self.physician = admin, desk, nurse, physician


class Ready:
    """A patient ready to be infused today: ids of the patient, treatment consent, course (in
    induction), chair, clinic and today's booked appointment (clinic-local date)."""

    def __init__(self, **kw):
        self.__dict__.update(kw)

    @property
    def sessions_path(self):
        return "/api/v1/patients/%d/sessions" % self.pid


def make_clinic(admin, timezone="UTC", observation_minutes=None):
    """A clinic open every day 06:00-22:00 in `timezone`; observation_minutes is its discharge
    observation policy (omitted: the server default, 30 min)."""
    body = {"name": unique("Gate clinic"), "timezone": timezone, "opens_at": "06:00",
            "closes_at": "22:00", "open_weekdays": "1234567"}
    if observation_minutes is not None:
        body["observation_minutes"] = observation_minutes
    r = expect(admin.post("/api/v1/clinics", body), 201,
               "create clinic %r (observation_minutes = the clinic's discharge observation policy)" % body)
    return r.json["id"]


def make_chair(admin, clinic_id):
    r = expect(admin.post("/api/v1/chairs", {"clinic_id": clinic_id, "name": unique("Chair")}), 201,
               "create chair")
    return r.json["id"]


def new_patient(desk, given="Gate", weight_kg=70, height_cm=175):
    r = expect(desk.post("/api/v1/patients", {
        "given_name": given, "family_name": unique("Patient"), "date_of_birth": "1985-03-14",
        "sex": "female", "indication": "depression", "weight_kg": weight_kg, "height_cm": height_cm}),
        201, "create patient")
    return r.json["id"]


def screen(nurse, pid, eligible=True):
    return expect(nurse.post("/api/v1/patients/%d/screening" % pid, screening_request(eligible)), 201,
                  "intake screening").json


def day_of_check(nurse, pid, cleared=True):
    r = expect(nurse.post("/api/v1/patients/%d/screening" % pid,
                          screening_request(True, pre_infusion(cleared))), 201, "day-of check")
    got = r.json["result"].get("cleared_to_start")
    if got is not cleared:
        raise AssertionError("day-of check: cleared_to_start %r, wanted %r: %r" % (got, cleared, r))
    return r.json


def consent(client, pid, version="2026-01"):
    return expect(client.post("/api/v1/patients/%d/consents" % pid,
                              {"type": "treatment", "version": version}), 201, "treatment consent").json["id"]


def approve(physician, pid):
    return expect(physician.post("/api/v1/patients/%d/approval" % pid, {"decision": "approved"}), 201,
                  "approval").json


def new_course(physician, pid, protocol=COURSE_PROTOCOL):
    return expect(physician.post("/api/v1/patients/%d/courses" % pid, {"protocol_id": protocol}), 201,
                  "course").json["id"]


def transition(physician, course, to, reason="test"):
    return expect(physician.post("/api/v1/courses/%d/transitions" % course, {"to": to, "reason": reason}),
                  200, "course -> %s" % to).json


def book(desk, pid, course, chair, day, hhmm="08:00"):
    body = {"patient_id": pid, "chair_id": chair, "start": "%sT%s" % (day.isoformat(), hhmm)}
    if course is not None:
        body["course_id"] = course
    return expect(desk.post("/api/v1/appointments", body), 201, "book %r" % body).json["id"]


def approved_patient(staff, given="Approved"):
    """Screened (eligible), treatment consent on file, approved; returns (pid, consent_id)."""
    pid = new_patient(staff.desk, given)
    screen(staff.nurse, pid, True)
    consent_id = consent(staff.nurse, pid)
    approve(staff.physician, pid)
    return pid, consent_id


def ready_patient(staff, clinic_id, timezone="UTC", with_day_of_check=True, given="Ready"):
    """Patient -> eligible screening -> treatment consent -> approval -> course in induction ->
    a chair of its own in the clinic -> today's appointment (clinic-local date, 08:00 wall clock)
    -> (optionally) a cleared day-of check."""
    pid, consent_id = approved_patient(staff, given)
    course = new_course(staff.physician, pid)
    transition(staff.physician, course, "induction", "series starts")
    chair = make_chair(staff.admin, clinic_id)
    today = clinic_today(timezone)
    appointment = book(staff.desk, pid, course, chair, today)
    if with_day_of_check:
        day_of_check(staff.nurse, pid, True)
    return Ready(pid=pid, consent=consent_id, course=course, chair=chair, clinic=clinic_id,
                 timezone=timezone, today=today, appointment=appointment)


def plan_body(ready, **extra):
    body = {"course_id": ready.course, "appointment_id": ready.appointment, "preparation": dict(PREP)}
    body.update(extra)
    return {k: v for k, v in body.items() if v is not None}


# ------------------------------------------------------------------------------------------------
# Test base


class GateCase(KitTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._clinic_ids = {}

    # --- builders ---------------------------------------------------------------------------------

    @property
    def staff(self):
        return Staff(self.admin, self.desk, self.nurse, self.physician)

    def clinic(self, timezone="UTC", observation_minutes=None):
        key = (timezone, observation_minutes)
        if key not in self._clinic_ids:
            self._clinic_ids[key] = make_clinic(self.admin, timezone, observation_minutes)
        return self._clinic_ids[key]

    def ready(self, timezone="UTC", observation_minutes=None, with_day_of_check=True, given="Ready"):
        return ready_patient(self.staff, self.clinic(timezone, observation_minutes), timezone,
                             with_day_of_check, given)

    def plan(self, ready, who=None, **extra):
        return (who or self.nurse).post(ready.sessions_path, plan_body(ready, **extra))

    def planned(self, ready, who=None, **extra):
        r = self.plan(ready, who, **extra)
        self.assertStatus(r, 201, "plan a session")
        self.assertEqual(r.json["state"], "planned", r.json)
        return r.json

    def spath(self, sid):
        return "/api/v1/sessions/%d" % sid

    def session(self, sid):
        r = self.nurse.get(self.spath(sid))
        self.assertStatus(r, 200, "GET session")
        return r.json

    def event(self, sid, body, who=None):
        who = who or self.nurse
        etag = who.current_etag(self.spath(sid))
        return who.post_if_match(self.spath(sid) + "/events", body, etag)

    def started(self, sid, who=None, **extra):
        r = self.event(sid, dict({"kind": "start"}, **extra), who)
        self.assertStatus(r, 201, "start")
        self.assertEqual(r.json["state"], "running", r.json)
        return r.json

    def stopped(self, sid, who=None, **extra):
        r = self.event(sid, dict({"kind": "stop"}, **extra), who)
        self.assertStatus(r, 201, "stop")
        self.assertEqual(r.json["state"], "stopped", r.json)
        return r.json

    def discharge(self, sid, body, who=None):
        who = who or self.nurse
        return who.post_if_match(self.spath(sid) + "/discharge", body, who.current_etag(self.spath(sid)))

    def void(self, sid, reason, who=None):
        who = who or self.nurse
        # The contract names no If-Match for void; the current ETag is sent, which no server refuses.
        return who.post_if_match(self.spath(sid) + "/void", {"reason": reason},
                                 who.current_etag(self.spath(sid)))

    def correct(self, sid, what, entry_id, body, who=None):
        who = who or self.nurse
        return who.post_if_match("%s/%s/%d/corrections" % (self.spath(sid), what, entry_id), body,
                                 who.current_etag(self.spath(sid)))

    def vitals(self, sid, reading, point="interval", who=None):
        return (who or self.nurse).post(self.spath(sid) + "/vitals", dict(reading, point=point))

    def sessions_of(self, pid):
        r = self.nurse.get("/api/v1/patients/%d/sessions" % pid)
        self.assertStatus(r, 200, "list sessions")
        return r.json

    def alerts_of(self, pid, all_=True):
        q = {"patient_id": pid}
        if all_:
            q["all"] = "true"
        r = self.physician.get("/api/v1/alerts", query=q)
        self.assertStatus(r, 200, "alerts")
        return r.json

    def acknowledge(self, alert):
        r = self.physician.post_if_match("/api/v1/alerts/%d/acknowledge" % alert["id"],
                                         {"note": "seen at the chair"}, '"%d"' % alert["version"])
        self.assertStatus(r, 200, "acknowledge alert")

    def new_lot(self):
        r = self.nurse.post("/api/v1/stock/lots", {
            "concentration_mg_per_ml": 10, "vial_volume_ml": 5, "lot_number": unique("LOT"),
            "expiry_date": (utc_today() + datetime.timedelta(days=400)).isoformat(),
            "vials_received": 10})
        self.assertStatus(r, 201, "receive a lot")
        return r.json["id"]

    def ledger(self, lot):
        r = self.nurse.get("/api/v1/stock/lots/%d/ledger" % lot)
        self.assertStatus(r, 200, "ledger")
        lot_r = self.nurse.get("/api/v1/stock/lots/%d" % lot)
        self.assertStatus(lot_r, 200, "lot")
        return r.json, lot_r.json["balance_mg"]

    # --- assertions ---------------------------------------------------------------------------------

    def assertGate(self, resp, gate, msg=""):
        """422 rule_refused naming the gate."""
        e = self.assertError(resp, 422, field=gate, msg=msg)
        self.assertEqual(e.get("kind"), "rule_refused", "%s: %r" % (msg, e))
        return e

    def assertInvalid(self, resp, field, msg=""):
        e = self.assertError(resp, 400, field=field, msg=msg)
        self.assertEqual(e.get("kind"), "invalid_input", "%s: %r" % (msg, e))
        return e

    def assertConflict(self, resp, field=None, msg=""):
        e = self.assertError(resp, 409, field=field, msg=msg)
        self.assertEqual(e.get("kind"), "conflict", "%s: %r" % (msg, e))
        return e

    def stable(self, s):
        """What a refusal must not change in a session reply (delivered runs with the clock)."""
        return {k: s.get(k) for k in ("state", "version", "events", "vitals", "adverse_events",
                                       "dissociation", "discharge", "started_at", "stopped_at")}

    def gate(self, s, name):
        gates = s.get("gates")
        self.assertIsInstance(gates, list, "session reply has no gates list: %r" % (s,))
        for g in gates:
            self.assertTrue(GATE_KEYS <= set(g), g)
        found = [g for g in gates if g["gate"] == name]
        self.assertEqual(len(found), 1, "gate %s in %r" % (name, gates))
        return found[0]

    def assertSessionShape(self, s, msg=""):
        self.assertIn(s.get("state"), STATES, msg)
        self.assertIsInstance(s.get("stop_pump"), bool, "%s stop_pump: %r" % (msg, s))
        d = s.get("delivered")
        self.assertIsInstance(d, dict, "%s delivered: %r" % (msg, s))
        self.assertTrue(DELIVERED_KEYS <= set(d), "%s delivered keys %r" % (msg, d))
        self.assertIn(d["status"], ("ok", "soft_limit_reached", "hard_limit_reached"), msg)
        self.assertIsInstance(d["intervals"], list, msg)
        self.assertIsInstance(s.get("gates"), list, "%s gates: %r" % (msg, s))
        for g in s["gates"]:
            self.assertTrue(GATE_KEYS <= set(g), "%s gate %r" % (msg, g))
            self.assertIsInstance(g["passed"], bool, g)

    def entry(self, s, section, entry_id):
        for e in s[section]:
            if entry_id in (e.get("id"), e.get("assessment_id")):
                return e
        self.fail("no %s entry %d in %r" % (section, entry_id, s[section]))


# ================================================================================================
# Leak 1 and the planning gates


class PlanningGatesTest(GateCase):

    def test_leak1_declined_patient_is_refused_and_no_stock_moves(self):
        pid = new_patient(self.desk, "Declined")
        screen(self.nurse, pid, True)
        consent(self.nurse, pid)
        d = self.physician.post("/api/v1/patients/%d/approval" % pid,
                                {"decision": "declined", "reason": "not a candidate after review"})
        self.assertStatus(d, 201, "decline")
        lot = self.new_lot()
        before = self.ledger(lot)
        sp = "/api/v1/patients/%d/sessions" % pid
        body = {"protocol": OTHER_PROTOCOL, "preparation": PREP, "lot_id": lot}
        self.assertGate(self.nurse.post(sp, body), "patient_approved", "nurse, protocol only")
        self.assertGate(self.nurse.post(sp, dict(body, dose_mg_per_kg=0.5)), "patient_approved")
        self.assertGate(self.physician.post(sp, dict(body, unscheduled_reason="walk-in")), "patient_approved",
                        "a physician cannot plan past the decline either")
        self.assertEqual(self.sessions_of(pid), [])
        self.assertEqual(self.ledger(lot), before, "a refused plan moved stock")

    def test_leak1_intake_patient_with_only_a_protocol_is_refused(self):
        pid = new_patient(self.desk, "Intake")
        sp = "/api/v1/patients/%d/sessions" % pid
        self.assertGate(self.nurse.post(sp, {"protocol": OTHER_PROTOCOL, "preparation": PREP}),
                        "patient_approved")
        self.assertGate(self.physician.post(sp, {"protocol": OTHER_PROTOCOL, "preparation": PREP,
                                                 "unscheduled_reason": "first visit"}), "patient_approved")
        self.assertEqual(self.sessions_of(pid), [])
        self.assertEqual(self.nurse.get("/api/v1/patients/%d" % pid).json["status"], "intake")

    def test_leak1_decline_after_planning_refuses_the_start(self):
        pid, _ = approved_patient(self.staff, "LateDecline")
        sp = "/api/v1/patients/%d/sessions" % pid
        r = self.physician.post(sp, {"protocol": OTHER_PROTOCOL, "preparation": PREP,
                                     "unscheduled_reason": "single infusion before a series"})
        self.assertStatus(r, 201, "unscheduled plan by a physician")
        sid = r.json["id"]
        day_of_check(self.nurse, pid, True)
        self.assertStatus(self.physician.post("/api/v1/patients/%d/approval" % pid,
                                              {"decision": "declined", "reason": "new information"}), 201)
        before = self.stable(self.session(sid))
        self.assertGate(self.event(sid, {"kind": "start"}, self.physician), "patient_approved")
        self.assertEqual(self.stable(self.session(sid)), before)
        self.assertFalse(self.gate(self.session(sid), "patient_approved")["passed"])

    def test_treatment_consent_withdrawn_refuses_planning_and_start(self):
        ready = self.ready(given="Withdraws")
        sid = self.planned(ready)["id"]
        reason = "patient withdrew consent by phone"
        w = self.physician.post("/api/v1/patients/%d/consents/%d/withdraw" % (ready.pid, ready.consent),
                                {"reason": reason})
        self.assertStatus(w, 200, "withdraw consent")
        consents = self.nurse.get("/api/v1/patients/%d/consents" % ready.pid)
        self.assertStatus(consents, 200)
        mine = [c for c in consents.json["consents"] if c["id"] == ready.consent]
        self.assertEqual(len(mine), 1, "a withdrawn consent stays listed: %r" % consents.json)
        self.assertIsNotNone(mine[0].get("withdrawn_at"), mine[0])
        self.assertEqual(mine[0].get("withdrawal_reason"), reason)

        before = self.stable(self.session(sid))
        self.assertGate(self.event(sid, {"kind": "start"}), "treatment_consent", "start re-checks consent")
        self.assertEqual(self.stable(self.session(sid)), before)
        self.assertGate(self.plan(ready), "treatment_consent", "planning")
        self.assertEqual(len(self.sessions_of(ready.pid)), 1)

        consent(self.nurse, ready.pid, "2026-02")  # signed again
        self.started(sid)

    def test_screening_not_eligible_refuses_planning(self):
        ready = self.ready(given="Ineligible")
        screen(self.nurse, ready.pid, eligible=False)  # a later intake screening finds a contraindication
        self.assertGate(self.plan(ready), "screening_eligible")
        self.assertGate(self.plan(ready, self.physician, override_reason="physician insists"),
                        "screening_eligible")
        self.assertEqual(self.sessions_of(ready.pid), [])

    def test_course_not_under_way_refuses_planning(self):
        pid, _ = approved_patient(self.staff, "PlannedCourse")
        course = new_course(self.physician, pid)  # planned, never started
        chair = make_chair(self.admin, self.clinic())
        appt = book(self.desk, pid, course, chair, clinic_today("UTC"))
        r = self.nurse.post("/api/v1/patients/%d/sessions" % pid,
                            {"course_id": course, "appointment_id": appt, "preparation": PREP})
        self.assertGate(r, "course_under_way")
        self.assertEqual(self.sessions_of(pid), [])

    def test_leak3_protocol_disagreeing_with_the_course_is_refused(self):
        ready = self.ready(given="Protocol")
        self.assertGate(self.plan(ready, protocol=OTHER_PROTOCOL), "course_protocol")
        self.assertGate(self.plan(ready, self.physician, protocol="depression-escalation-1.0",
                                  override_reason="escalation"), "course_protocol")
        self.assertEqual(self.sessions_of(ready.pid), [])
        s = self.planned(ready, protocol=COURSE_PROTOCOL)  # the course's own protocol is fine
        self.assertEqual(s["protocol"], COURSE_PROTOCOL)

    def test_unscheduled_session_needs_a_physician_and_a_reason(self):
        ready = self.ready(given="Unscheduled")
        sp = ready.sessions_path
        body = {"protocol": OTHER_PROTOCOL, "preparation": PREP}
        self.assertGate(self.nurse.post(sp, body), "unscheduled_reason", "nurse")
        self.assertGate(self.nurse.post(sp, dict(body, unscheduled_reason="walk-in")), "unscheduled_reason",
                        "a nurse may not plan outside a course even with a reason")
        for reason in (None, "   "):
            b = dict(body) if reason is None else dict(body, unscheduled_reason=reason)
            r = self.physician.post(sp, b)
            self.assertIn(r.status, (400, 422), "physician, reason %r: %r" % (reason, r))
            self.assertEqual(r.error().get("field"), "unscheduled_reason", r)
        self.assertEqual(self.sessions_of(ready.pid), [])
        ok = self.physician.post(sp, dict(body, unscheduled_reason="rescue infusion, series paused"))
        self.assertStatus(ok, 201)
        self.assertIsNone(ok.json["course_id"])
        self.assertEqual(len(self.sessions_of(ready.pid)), 1)

    def test_course_session_needs_todays_booked_appointment_of_the_patient(self):
        ready = self.ready(given="Appointment")
        other = self.ready(given="OtherAppointment")
        # Missing: bad input naming appointment_id.
        self.assertInvalid(self.plan(ready, appointment_id=None), "appointment_id")
        # Another patient's appointment.
        self.assertGate(self.plan(ready, appointment_id=other.appointment), "appointment_today", "not theirs")
        # Tomorrow's.
        tomorrow = book(self.desk, ready.pid, ready.course, ready.chair,
                        ready.today + datetime.timedelta(days=1))
        self.assertGate(self.plan(ready, appointment_id=tomorrow), "appointment_today", "tomorrow")
        # Today's, but cancelled.
        later = book(self.desk, ready.pid, ready.course, ready.chair, ready.today, "12:00")
        ap = "/api/v1/appointments/%d" % later
        self.assertStatus(self.desk.patch(ap, {"status": "cancelled", "status_reason": "patient ill"},
                                          etag=self.desk.current_etag(ap)), 200)
        self.assertGate(self.plan(ready, appointment_id=later), "appointment_today", "cancelled")
        self.assertEqual(self.sessions_of(ready.pid), [])
        s = self.planned(ready)
        self.assertEqual(s["appointment_id"], ready.appointment)

    def test_appointment_today_is_the_clinic_local_date(self):
        tz = zone_off_the_utc_date()
        ready = self.ready(timezone=tz, given="Zone")  # booked on the clinic's today
        self.assertNotEqual(ready.today, utc_today(), tz)
        # East of UTC that date is the clinic's yesterday, booked only as a clinician's correction.
        body = {"patient_id": ready.pid, "course_id": ready.course, "chair_id": ready.chair,
                "start": "%sT12:00" % utc_today().isoformat(), "reason": "correcting the record"}
        utc_day_appt = expect(self.nurse.post("/api/v1/appointments", body), 201,
                              "book the UTC date").json["id"]
        self.assertGate(self.plan(ready, appointment_id=utc_day_appt), "appointment_today",
                        "the UTC date is not today in %s" % tz)
        self.assertEqual(self.sessions_of(ready.pid), [])
        s = self.planned(ready)
        self.started(s["id"])  # the day-of check taken now is from the clinic's today too


# ================================================================================================
# Leak 3: one session per appointment, one active session per patient, the course at start


class SessionGatesTest(GateCase):

    def test_leak3_one_session_per_appointment_and_void(self):
        ready = self.ready(given="OnePerAppt")
        first = self.planned(ready)
        self.assertGate(self.plan(ready), "one_session_per_appointment")
        self.assertGate(self.plan(ready, self.physician), "one_session_per_appointment")
        self.assertEqual([s["id"] for s in self.sessions_of(ready.pid)], [first["id"]])

        v = self.void(first["id"], "planned on the wrong preparation")
        self.assertStatus(v, 200, "void a planned session")
        self.assertEqual(v.json["state"], "voided")
        self.assertEqual(self.session(first["id"])["state"], "voided")
        self.assertConflict(self.event(first["id"], {"kind": "start"}), msg="a voided session never starts")

        second = self.planned(ready)  # a voided session no longer holds the appointment
        self.started(second["id"])
        before = self.stable(self.session(second["id"]))
        self.assertConflict(self.void(second["id"], "too late"), msg="void a running session")
        self.assertEqual(self.stable(self.session(second["id"])), before)
        states = {s["id"]: s["state"] for s in self.sessions_of(ready.pid)}
        self.assertEqual(states, {first["id"]: "voided", second["id"]: "running"})

    def test_leak3_one_active_session_per_patient(self):
        ready = self.ready(given="OneActive")
        second_appt = book(self.desk, ready.pid, ready.course, ready.chair, ready.today, "10:00")
        a = self.planned(ready)["id"]
        b = self.planned(ready, appointment_id=second_appt)["id"]
        self.started(a)
        before_b = self.stable(self.session(b))
        self.assertGate(self.event(b, {"kind": "start"}), "one_active_session", "A running")
        c_r = self.physician.post(ready.sessions_path, {"protocol": OTHER_PROTOCOL, "preparation": PREP,
                                                        "unscheduled_reason": "extra"})
        self.assertStatus(c_r, 201, "unscheduled plan by a physician")
        c = c_r.json["id"]
        self.assertGate(self.event(c, {"kind": "start"}, self.physician), "one_active_session",
                        "A running (an unscheduled session too)")
        self.assertEqual(self.stable(self.session(b)), before_b)
        self.assertFalse(self.gate(self.session(b), "one_active_session")["passed"])
        self.assertStatus(self.event(a, {"kind": "pause"}), 201)
        self.assertGate(self.event(b, {"kind": "start"}), "one_active_session", "A paused")
        self.stopped(a)
        self.started(b)
        running = [s for s in self.sessions_of(ready.pid) if s["state"] in ("running", "paused")]
        self.assertEqual([s["id"] for s in running], [b])

    def test_leak3_course_completed_after_planning_refuses_the_start(self):
        ready = self.ready(given="Completed")
        sid = self.planned(ready)["id"]
        transition(self.physician, ready.course, "completed", "series done")
        # Approved again (a new course would follow), so only the course says no.
        approve(self.physician, ready.pid)
        before = self.stable(self.session(sid))
        self.assertGate(self.event(sid, {"kind": "start"}), "course_under_way")
        self.assertEqual(self.stable(self.session(sid)), before)
        self.assertFalse(self.gate(self.session(sid), "course_under_way")["passed"])
        self.assertGate(self.plan(ready), "course_under_way", "planning on the completed course")
        self.assertEqual(len(self.sessions_of(ready.pid)), 1)


# ================================================================================================
# Leak 2: event times and the hard limit on the programmed remainder


class PumpEventTest(GateCase):

    def test_leak2_start_before_the_session_existed_is_refused(self):
        ready = self.ready(given="Backdated")
        s = self.planned(ready)
        sid = s["id"]
        created = iso_ms(s["created_at"])
        before = self.stable(self.session(sid))
        six_days_back = now_ms() - 6 * DAY_MS
        self.assertInvalid(self.event(sid, {"kind": "start", "at_ms": six_days_back}), "at_ms", "six days back")
        self.assertInvalid(self.event(sid, {"kind": "start", "at_ms": created - 1000}), "at_ms",
                           "a second before the session was planned")
        self.assertInvalid(self.event(sid, {"kind": "start", "at_ms": now_ms() + 5 * MINUTE_MS}), "at_ms",
                           "five minutes ahead")
        self.assertEqual(self.stable(self.session(sid)), before)
        t0 = max(created, now_ms())
        started = self.started(sid, at_ms=t0)
        self.assertInvalid(self.event(sid, {"kind": "stop", "at_ms": t0 - 1000}), "at_ms",
                           "before the previous event")
        stopped = self.stopped(sid, at_ms=t0 + 30_000)
        d = stopped["delivered"]
        # 52.5 mL/h for 30 s of 1 mg/mL: 0.4375 mg, nowhere near 7,560 mg.
        self.assertAlmostEqual(d["mg"], PLANNED_RATE * 30 / 3600, places=3)
        self.assertEqual(d["status"], "ok")
        self.assertLessEqual(d["mg"], started["planned_dose_mg"])

    def test_leak2_rate_whose_remainder_breaks_the_hard_limit_is_refused(self):
        ready = self.ready(given="HardLimit")
        s = self.planned(ready)
        sid = s["id"]
        self.assertAlmostEqual(s["planned_rate_ml_per_h"], PLANNED_RATE, places=6)
        before = self.stable(self.session(sid))
        self.assertGate(self.event(sid, {"kind": "start", "rate_ml_per_h": ABOVE_HARD_RATE}), "hard_limit",
                        "start above the hard maximum")
        g = self.session(sid)
        self.assertEqual(self.stable(g), before)
        self.assertSessionShape(g, "planned")
        self.assertAlmostEqual(g["delivered"]["hard_limit_mg"], HARD_LIMIT_MG, places=6)
        self.assertAlmostEqual(g["delivered"]["soft_limit_mg"], SOFT_LIMIT_MG, places=6)
        self.assertEqual(g["delivered"]["mg"], 0)

        running = self.started(sid)
        self.assertIs(running["stop_pump"], False)
        self.assertEqual(running["delivered"]["status"], "ok")
        before = self.stable(self.session(sid))
        self.assertGate(self.event(sid, {"kind": "rate_change", "rate_ml_per_h": ABOVE_HARD_RATE}),
                        "hard_limit", "nurse")
        self.assertGate(self.event(sid, {"kind": "rate_change", "rate_ml_per_h": ABOVE_HARD_RATE,
                                         "override_reason": "physician insists"}, self.physician),
                        "hard_limit", "no override past a hard limit")
        self.assertEqual(self.stable(self.session(sid)), before)

        soft = {"kind": "rate_change", "rate_ml_per_h": SOFT_ONLY_RATE}
        self.assertGate(self.event(sid, soft), "override_reason", "soft limit, no reason")
        self.assertGate(self.event(sid, dict(soft, override_reason="no response")), "override_reason",
                        "a nurse may not override")
        self.assertEqual(self.stable(self.session(sid)), before)
        over = self.event(sid, dict(soft, override_reason="no response at 0.5 mg/kg"), self.physician)
        self.assertStatus(over, 201, "physician soft override")
        slower = self.event(sid, {"kind": "rate_change", "rate_ml_per_h": SLOWER_RATE})
        self.assertStatus(slower, 201, "slowing down needs no one")
        self.assertEqual([e["kind"] for e in slower.json["events"]], ["start", "rate_change", "rate_change"])

    def test_session_replies_carry_state_delivered_gates_and_stop_pump(self):
        ready = self.ready(given="Shape")
        sid = self.planned(ready)["id"]
        self.assertSessionShape(self.session(sid), "planned")
        self.assertTrue(self.session(sid)["gates"], "a planned session lists the gates of its start")
        for body in ({"kind": "start"}, {"kind": "pause"}, {"kind": "resume"}, {"kind": "stop"}):
            r = self.event(sid, body)
            self.assertStatus(r, 201, body["kind"])
            self.assertSessionShape(r.json, body["kind"])
        s = self.session(sid)
        self.assertSessionShape(s, "stopped")
        self.assertEqual(s["state"], "stopped")
        self.assertTrue(self.gate(s, "observation_time"))
        self.assertTrue(self.gate(s, "critical_alerts"))


# ================================================================================================
# Leak 4: the day-of check, discharge, and the record closed after discharge


class DayOfCheckTest(GateCase):

    def test_leak4_start_without_any_day_of_check_is_refused(self):
        ready = self.ready(with_day_of_check=False, given="NoCheck")
        sid = self.planned(ready)["id"]
        before = self.stable(self.session(sid))
        self.assertGate(self.event(sid, {"kind": "start"}), "day_of_check", "nurse")
        self.assertFalse(self.gate(self.session(sid), "day_of_check")["passed"])
        self.assertGate(self.event(sid, {"kind": "start"}, self.physician), "day_of_check",
                        "physician without gate_override_reason")
        self.assertGate(self.event(sid, {"kind": "start", "gate_override_reason": "patient looks well"}),
                        "gate_override_reason", "a nurse may not override the day-of check")
        self.assertEqual(self.stable(self.session(sid)), before)
        r = self.event(sid, {"kind": "start", "gate_override_reason": "checked at the chair, BP 124/78"},
                       self.physician)
        self.assertStatus(r, 201, "physician gate override")
        self.assertEqual(r.json["state"], "running")

    def test_leak4_start_refused_when_the_latest_day_of_check_is_not_cleared(self):
        ready = self.ready(given="NotCleared")  # a cleared check first ...
        day_of_check(self.nurse, ready.pid, cleared=False)  # ... then BP 192/116: not cleared
        sid = self.planned(ready)["id"]
        before = self.stable(self.session(sid))
        self.assertGate(self.event(sid, {"kind": "start"}), "day_of_check")
        self.assertEqual(self.stable(self.session(sid)), before)
        self.assertFalse(self.gate(self.session(sid), "day_of_check")["passed"])
        day_of_check(self.nurse, ready.pid, cleared=True)  # re-measured: 124/78
        self.assertTrue(self.gate(self.session(sid), "day_of_check")["passed"])
        self.started(sid)


class DischargeTest(GateCase):

    def running_with_two_critical_alerts(self, ready):
        sid = self.planned(ready)["id"]
        self.started(sid)
        ids = []
        for _ in range(2):
            v = self.vitals(sid, CRITICAL_VITALS)
            self.assertStatus(v, 201)
            self.assertEqual(v.json["alert"]["severity"], "critical", v.json)
            ids.append(v.json["alert"]["id"])
        return sid, ids

    def test_leak4_discharge_right_after_the_stop_is_refused(self):
        ready = self.ready(given="TooSoon")  # default policy: 30 min observation
        sid, _ = self.running_with_two_critical_alerts(ready)
        self.assertConflict(self.discharge(sid, READY_ALDRETE), msg="discharge while running")
        self.stopped(sid)
        alerts = self.alerts_of(ready.pid)
        before = self.stable(self.session(sid))
        self.assertGate(self.discharge(sid, READY_ALDRETE), "observation_time", "nurse")
        self.assertGate(self.discharge(sid, dict(READY_ALDRETE, override_reason="bed needed"), self.physician),
                        "observation_time", "a physician cannot override the observation time")
        after = self.session(sid)
        self.assertEqual(self.stable(after), before)
        self.assertFalse(self.gate(after, "observation_time")["passed"])
        self.assertFalse(self.gate(after, "critical_alerts")["passed"])
        self.assertEqual(after["state"], "stopped")
        self.assertIsNone(after["discharge"])
        self.assertEqual(self.alerts_of(ready.pid), alerts)

    def test_leak4_critical_alerts_block_discharge_and_the_record_closes_after(self):
        ready = self.ready(observation_minutes=0, given="Closes")
        sid, alert_ids = self.running_with_two_critical_alerts(ready)
        ae = self.nurse.post(self.spath(sid) + "/adverse-events", {"kind": "nausea", "severity": "moderate"})
        self.assertStatus(ae, 201)
        self.assertEqual(ae.json["alert"]["severity"], "moderate")
        cadss = self.nurse.post(self.spath(sid) + "/dissociation", {"answers": CADSS})
        self.assertStatus(cadss, 201)
        self.stopped(sid)
        s = self.session(sid)
        self.assertTrue(self.gate(s, "observation_time")["passed"], "clinic policy: 0 min")
        self.assertFalse(self.gate(s, "critical_alerts")["passed"])
        before = self.stable(s)
        self.assertGate(self.discharge(sid, READY_ALDRETE), "critical_alerts", "nurse")
        self.assertGate(self.discharge(sid, dict(READY_ALDRETE, override_reason="seen"), self.physician),
                        "critical_alerts", "a physician cannot override open critical alerts")
        self.assertEqual(self.stable(self.session(sid)), before)

        for a in self.alerts_of(ready.pid):
            if a["id"] in alert_ids:
                self.acknowledge(a)
        # The moderate adverse-event alert stays open: only critical ones block.
        self.assertTrue(self.gate(self.session(sid), "critical_alerts")["passed"])
        self.assertGate(self.discharge(sid, LOW_ALDRETE), "discharge_score", "Aldrete 5, nurse")
        dis = self.discharge(sid, dict(LOW_ALDRETE, override_reason="baseline mobility aid; escort present"),
                             self.physician)
        self.assertStatus(dis, 201, "physician overrides the discharge score")
        self.assertEqual(dis.json["state"], "discharged")
        self.assertEqual(dis.json["discharge"]["override_reason"], "baseline mobility aid; escort present")

        # Closed: nothing more is charted on the session.
        closed = self.session(sid)
        alerts = self.alerts_of(ready.pid)
        p = self.spath(sid)
        self.assertConflict(self.vitals(sid, CRITICAL_VITALS, "discharge"), "state", "vitals")
        self.assertConflict(self.nurse.post(p + "/adverse-events", {"kind": "headache", "severity": "severe"}),
                            "state", "adverse event")
        self.assertConflict(self.nurse.post(p + "/dissociation", {"answers": CADSS}), "state", "CADSS")
        for kind in ("start", "resume", "stop"):
            self.assertConflict(self.event(sid, {"kind": kind}), "state", "pump " + kind)
        self.assertConflict(self.discharge(sid, READY_ALDRETE), msg="discharged twice")
        self.assertEqual(self.stable(self.session(sid)), self.stable(closed))
        self.assertEqual(self.alerts_of(ready.pid), alerts)
        self.assertEqual(self.sessions_of(ready.pid)[0]["state"], "discharged")

        # Corrections stay possible after discharge.
        c1 = self.correct(sid, "adverse-events", ae.json["id"],
                          {"action": "entered_in_error", "reason": "charted on the wrong patient"})
        self.assertStatus(c1, 201, "adverse-event correction after discharge")
        c2 = self.correct(sid, "dissociation", cadss.json["id"],
                          {"action": "entered_in_error", "reason": "form of another session"}, self.physician)
        self.assertStatus(c2, 201, "CADSS correction after discharge")
        s = self.session(sid)
        self.assertEqual(s["state"], "discharged")
        self.assertEqual(self.entry(s, "adverse_events", ae.json["id"])["status"], "entered_in_error")
        self.assertEqual(self.entry(s, "dissociation", cadss.json["id"])["status"], "entered_in_error")


# ================================================================================================
# Leak 5: corrections


class CorrectionsTest(GateCase):

    def running(self, given):
        ready = self.ready(given=given)
        sid = self.planned(ready)["id"]
        return ready, sid

    def test_leak5_mistyped_vital_marked_in_error_retracts_its_alert(self):
        ready, sid = self.running("Typo")
        self.started(sid)
        typo = self.vitals(sid, dict(NORMAL_VITALS, spo2_percent=89))  # meant 98
        self.assertStatus(typo, 201)
        self.assertEqual(typo.json["alert"]["severity"], "critical")
        alert_id = typo.json["alert"]["id"]
        self.assertIn(alert_id, [a["id"] for a in self.alerts_of(ready.pid, all_=False)])

        reason = "typing error: SpO2 was 98, not 89"
        c = self.correct(sid, "vitals", typo.json["id"], {"action": "entered_in_error", "reason": reason})
        self.assertStatus(c, 201, "mark the vital in error")

        s = self.session(sid)
        v = self.entry(s, "vitals", typo.json["id"])
        self.assertEqual(v["status"], "entered_in_error")
        self.assertEqual(v["spo2_percent"], 89, "the original stays as it was charted")
        corr = v["correction"]
        self.assertEqual(corr["action"], "entered_in_error")
        self.assertEqual(corr["reason"], reason)
        self.assertIsNotNone(corr.get("by"))
        self.assertIsNotNone(corr.get("at"))
        self.assertNotIn(alert_id, [a["id"] for a in self.alerts_of(ready.pid, all_=False)],
                         "the retracted alert left the open list")
        every = [a for a in self.alerts_of(ready.pid) if a["id"] == alert_id]
        self.assertEqual(len(every), 1, "the alert is kept")
        self.assertEqual(every[0]["status"], "retracted")

        audit = self.admin.get("/api/v1/audit", query={"patient_id": ready.pid, "limit": 1000})
        self.assertStatus(audit, 200)
        rows = [r for r in audit.json if r["action"].startswith("POST /api/v1/sessions/")
                and r["action"].endswith("/corrections") and r["outcome"] == "allowed"]
        self.assertTrue(rows, "the correction is in the audit log")
        self.assertEqual(rows[0]["username"], "nurse")

    def test_leak5_vital_amendment_keeps_the_original_and_adds_the_corrected_entry(self):
        ready, sid = self.running("Amend")
        self.started(sid)
        typo = self.vitals(sid, dict(NORMAL_VITALS, spo2_percent=89))
        self.assertStatus(typo, 201)
        values = dict(NORMAL_VITALS, point="interval")
        c = self.correct(sid, "vitals", typo.json["id"],
                         {"action": "amend", "reason": "SpO2 mistyped", "values": values}, self.physician)
        self.assertStatus(c, 201, "amend the vital")
        s = self.session(sid)
        original = self.entry(s, "vitals", typo.json["id"])
        self.assertEqual(original["status"], "amended")
        self.assertEqual(original["spo2_percent"], 89)
        self.assertEqual(original["correction"]["action"], "amend")
        amended = [v for v in s["vitals"] if v.get("amends_id") == typo.json["id"]]
        self.assertEqual(len(amended), 1, s["vitals"])
        self.assertEqual(amended[0]["spo2_percent"], 98)
        self.assertEqual(len(s["vitals"]), 2, "nothing deleted, one entry added")

    def test_pump_event_marked_in_error_changes_the_delivered_dose(self):
        ready, sid = self.running("PumpTypo")
        t0 = max(iso_ms(self.session(sid)["created_at"]), now_ms())
        self.started(sid, at_ms=t0)
        r = self.event(sid, {"kind": "rate_change", "rate_ml_per_h": SLOWER_RATE, "at_ms": t0 + 20_000})
        self.assertStatus(r, 201)
        stopped = self.stopped(sid, at_ms=t0 + 40_000)
        self.assertSessionShape(stopped, "stop reply")
        both = (PLANNED_RATE * 20 + SLOWER_RATE * 20) / 3600.0
        self.assertAlmostEqual(stopped["delivered"]["mg"], both, places=4)
        change = [e for e in stopped["events"] if e["kind"] == "rate_change"][0]
        c = self.correct(sid, "events", change["id"],
                         {"action": "entered_in_error", "reason": "the rate change was never programmed"})
        self.assertStatus(c, 201, "mark the pump event in error")
        s = self.session(sid)
        self.assertAlmostEqual(s["delivered"]["mg"], PLANNED_RATE * 40 / 3600.0, places=4)
        ev = self.entry(s, "events", change["id"])
        self.assertEqual(ev["status"], "entered_in_error")
        self.assertEqual(len(s["events"]), 3, "the event stays listed")

    def test_corrections_need_a_reason_an_action_and_a_clinician(self):
        ready, sid = self.running("Rules")
        v = self.vitals(sid, NORMAL_VITALS, "baseline")
        self.assertStatus(v, 201)
        vid = v.json["id"]
        before = self.stable(self.session(sid))
        self.assertInvalid(self.correct(sid, "vitals", vid, {"action": "entered_in_error", "reason": "  "}),
                           "reason", "blank reason")
        self.assertInvalid(self.correct(sid, "vitals", vid, {"action": "entered_in_error"}), "reason",
                           "no reason")
        self.assertInvalid(self.correct(sid, "vitals", vid, {"action": "delete", "reason": "x"}), "action")
        self.assertInvalid(self.correct(sid, "vitals", vid, {"action": "amend", "reason": "x"}), "values",
                           "an amendment carries the values")
        path = "%s/vitals/%d/corrections" % (self.spath(sid), vid)
        body = {"action": "entered_in_error", "reason": "wrong chair"}
        self.assertError(self.desk.post(path, body), 403)
        self.assertError(self.patient.post(path, body), 403)
        self.assertEqual(self.stable(self.session(sid)), before)
        self.assertIsNone(self.entry(self.session(sid), "vitals", vid).get("correction"))


if __name__ == "__main__":
    unittest.main()
