"""Injection strings in every text field, through the real server.

Each payload (SQL, template, path, markup, CRLF, 10,000 characters, plain non-ASCII text) is sent
in every text field of every route that takes one (listed by reading the handlers: the OpenAPI
document has no body schemas yet). Each answer must be one of:

  - 400 naming the field (a length or format rule, or a value outside the field's vocabulary), or
  - stored, and returned byte-identical as a JSON string when the record is read back. The one
    normalisation allowed is the server's documented trim of surrounding blanks and line breaks
    (` \\t\\r\\n`), so "\\r\\nSet-Cookie: x=y" may come back as "Set-Cookie: x=y" -- an inner CRLF
    must come back as sent.

never a 5xx; afterwards the database is intact (the lists still read, /api/v1/audit/verify ok).
Free-text fields and enumerations are listed separately (`TEXT_FIELDS`, `ENUM_FIELDS` in the
test methods); a new text field belongs in one of them. Header injection: CRLF in a query
string, a path and header values never becomes a response header.
"""

import datetime
import os
import socket
import unittest

from kit_server import DEMO_PASSWORD, HOST, KitTestCase, Store, unique
from test_infusion_gates import (COURSE_PROTOCOL, NORMAL_VITALS, Staff, expect, make_chair,
                                 make_clinic, new_patient, plan_body, ready_patient)

LONG = "x" * 10000
PAYLOADS = [
    "'; DROP TABLE patients; --",
    "\" OR 1=1 --",
    "<script>alert(1)</script>",
    "{{7*7}}",
    "${7*7}",
    "../../etc/passwd",
    "\r\nSet-Cookie: x=y",
    "line one\r\nSet-Cookie: x=y",
    "%s%s%s%n",
    LONG,
    "Zo\u00eb",
]
TRIMMED = " \t\r\n"


def items(j, key):
    """A list answer, bare or wrapped as {key: [...]}."""
    return j if isinstance(j, list) else j[key]


def tomorrow_plus(days):
    return datetime.datetime.now(datetime.timezone.utc).date() + datetime.timedelta(days=1 + days)


class InjectionTest(KitTestCase):

    @classmethod
    def setUpClass(cls):
        # Many public inquiries are stored from one address here: raise the per-hour limit.
        cls.store = Store()
        try:
            cls.server = cls.store.server(extra_args=["--inquiry-limit-per-hour", "1000"]).start()
        except BaseException:
            cls.store.cleanup()
            raise
        cls._clients = {}
        try:
            cls.build()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def build(cls):
        admin, desk, nurse, doc = (cls.as_user(u) for u in ("admin", "frontdesk", "nurse", "physician"))
        cls.staff = Staff(admin, desk, nurse, doc)
        cls.clinic = make_clinic(admin)
        cls.chair = make_chair(admin, cls.clinic)
        cls.patient_id = new_patient(desk, "Inject")
        cls.lot = expect(nurse.post("/api/v1/stock/lots", {
            "concentration_mg_per_ml": 10, "vial_volume_ml": 5, "lot_number": unique("LOT"),
            "expiry_date": tomorrow_plus(400).isoformat(), "vials_received": 10}), 201, "lot").json["id"]
        cls.slot = 0

    # --- the check ------------------------------------------------------------------------------

    def check_text(self, label, field, send, read, error_field=None):
        """Every payload in `field`: 400 naming it, or stored and read back identical."""
        stored = refused = 0
        for payload in PAYLOADS:
            with self.subTest(route=label, field=field, payload=payload[:40]):
                r = send(payload)
                self.assertLess(r.status, 500, "%s %s: %r" % (label, field, r))
                if r.status == 400:
                    self.assertEqual(r.error().get("field"), error_field or field, r)
                    refused += 1
                    continue
                self.assertIn(r.status, (200, 201), "%s %s=%r: neither stored nor refused: %r"
                              % (label, field, payload[:40], r))
                self.assertTrue((r.header("Content-Type") or "").startswith("application/json"), r)
                got = read(r)
                self.assertIsInstance(got, str, "%s %s read back: %r" % (label, field, got))
                want = payload.strip(TRIMMED)
                self.assertIn(got, {payload, want}, "%s %s=%r came back altered" % (label, field, payload[:40]))
                stored += 1
                if os.environ.get("KIT_INJECTION_REPORT"):
                    print("stored %s %s %r (%d chars)" % (label, field, payload[:12], len(payload)))
        return stored, refused

    def check_enum(self, label, field, send, error_field=None):
        for payload in PAYLOADS:
            with self.subTest(route=label, field=field, payload=payload[:40]):
                r = send(payload)
                self.assertError(r, 400, field=error_field or field, msg="%s %s" % (label, field))

    def next_slot(self):
        """A fresh consult slot on the test chair (one a day, tomorrow onwards)."""
        type(self).slot += 1
        return tomorrow_plus(type(self).slot).isoformat() + "T09:00"

    def tearDown(self):
        # The database is intact after every group of payloads.
        self.assertStatus(self.nurse.get("/api/v1/patients", query={"limit": 5}), 200)
        v = self.admin.get("/api/v1/audit/verify")
        self.assertStatus(v, 200)
        self.assertIs(v.json.get("ok"), True, v.json)

    # --- public and front desk ------------------------------------------------------------------

    def test_inquiries(self):
        base = {"name": "Ann Example", "contact": "ann@example.org", "reason": "depression"}

        def send(field):
            return lambda p: self.anon.post("/api/v1/inquiries", dict(base, **{field: p}))

        def read(field):
            return lambda r: self.desk.get("/api/v1/inquiries/%d" % r.json["id"]).json[field]

        for field in ("name", "message"):
            self.check_text("POST /inquiries", field, send(field), read(field))
        self.check_enum("POST /inquiries", "contact", send("contact"))
        self.check_enum("POST /inquiries", "reason", send("reason"))
        iid = expect(self.anon.post("/api/v1/inquiries", base), 201, "inquiry").json["id"]
        path = "/api/v1/inquiries/%d" % iid
        self.check_text("PATCH /inquiries/{id}", "note",
                        lambda p: self.desk.patch(path, {"note": p}, etag=self.desk.current_etag(path)),
                        lambda r: self.desk.get(path).json["note"])
        self.check_enum("PATCH /inquiries/{id}", "status",
                        lambda p: self.desk.patch(path, {"status": p}, etag=self.desk.current_etag(path)))

    def test_patients(self):
        base = {"given_name": "Inj", "family_name": "Tester", "date_of_birth": "1980-01-02",
                "sex": "female", "indication": "depression"}

        def send(field):
            return lambda p: self.desk.post("/api/v1/patients", dict(base, **{field: p}))

        def read(field):
            return lambda r: self.desk.get("/api/v1/patients/%d" % r.json["id"]).json[field]

        for field in ("given_name", "family_name", "mrn", "phone"):
            self.check_text("POST /patients", field, send(field), read(field))
        for field in ("email", "sex", "indication", "date_of_birth"):
            self.check_enum("POST /patients", field, send(field))
        path = "/api/v1/patients/%d" % self.patient_id
        for field in ("given_name", "family_name", "phone"):
            self.check_text("PATCH /patients/{id}", field,
                            lambda p, f=field: self.desk.patch(path, {f: p}, etag=self.desk.current_etag(path)),
                            lambda r, f=field: self.desk.get(path).json[f])
        # Search text is a parameter, never SQL: every payload is a plain (probably empty) search.
        for payload in PAYLOADS:
            with self.subTest(search=payload[:40]):
                r = self.desk.get("/api/v1/patients", query={"q": payload})
                self.assertLess(r.status, 500, r)
                if r.status == 400:
                    self.assertEqual(r.error().get("field"), "q", r)
                else:
                    self.assertStatus(r, 200)
        hit = self.desk.get("/api/v1/patients", query={"q": "'; DROP TABLE patients; --"})
        self.assertStatus(hit, 200)
        listed = hit.json.get("patients", hit.json) if isinstance(hit.json, dict) else hit.json
        self.assertTrue(any(p.get("given_name") == "'; DROP TABLE patients; --" or
                            p.get("family_name") == "'; DROP TABLE patients; --" for p in listed),
                        "the stored SQL-looking name is found by searching for it, as text: %r" % hit)

    def test_intake_consents_and_approvals(self):
        pid = self.patient_id
        cp = "/api/v1/patients/%d/consents" % pid

        def consent_with(field):
            return lambda p: self.nurse.post(cp, dict({"type": "privacy", "version": "2026-01"}, **{field: p}))

        def read_consent(field):
            def read(r):
                rows = [c for c in items(self.nurse.get(cp).json, "consents") if c["id"] == r.json["id"]]
                return rows[0][field]
            return read

        for field in ("version", "note"):
            self.check_text("POST /patients/{id}/consents", field, consent_with(field), read_consent(field))
        self.check_enum("POST /patients/{id}/consents", "type", consent_with("type"))

        def withdraw(p):
            cid = expect(self.nurse.post(cp, {"type": "research", "version": "v1"}), 201, "consent").json["id"]
            return self.nurse.post("%s/%d/withdraw" % (cp, cid), {"reason": p})

        self.check_text("POST /patients/{id}/consents/{consent_id}/withdraw", "reason", withdraw,
                        lambda r: r.json["withdrawal_reason"])

        ap = "/api/v1/patients/%d/approval" % pid
        self.check_text("POST /patients/{id}/approval", "reason",
                        lambda p: self.physician.post(ap, {"decision": "declined", "reason": p}),
                        lambda r: [a for a in items(self.physician.get(ap + "s").json, "approvals")
                                   if a["id"] == r.json["id"]][0]["reason"])
        self.check_enum("POST /patients/{id}/approval", "decision",
                        lambda p: self.physician.post(ap, {"decision": p, "reason": "x"}))

    def test_courses(self):
        pid = self.patient_id
        cp = "/api/v1/patients/%d/courses" % pid

        def new_course(notes=None):
            body = {"protocol_id": COURSE_PROTOCOL}
            if notes is not None:
                body["notes"] = notes
            return self.physician.post(cp, body)

        def course(r):
            return self.physician.get("/api/v1/courses/%d" % r.json["id"]).json

        self.check_text("POST /patients/{id}/courses", "notes", new_course, lambda r: course(r)["notes"])
        self.check_enum("POST /patients/{id}/courses", "protocol_id",
                        lambda p: self.physician.post(cp, {"protocol_id": p}))

        def last_event_reason(r):
            return course(r)["events"][-1]["reason"]

        def stop(p):
            cid = expect(new_course(), 201, "course").json["id"]
            r = self.physician.post("/api/v1/courses/%d/transitions" % cid, {"to": "stopped", "reason": p})
            return r

        self.check_text("POST /courses/{id}/transitions", "reason", stop, last_event_reason)
        cid = expect(new_course(), 201, "course").json["id"]
        self.check_enum("POST /courses/{id}/transitions", "to",
                        lambda p: self.physician.post("/api/v1/courses/%d/transitions" % cid,
                                                      {"to": p, "reason": "x"}), error_field=None)

        def extend(p):
            c = expect(new_course(), 201, "course").json["id"]
            return self.physician.post("/api/v1/courses/%d/extend" % c, {"infusions": 1, "reason": p})

        self.check_text("POST /courses/{id}/extend", "reason", extend, last_event_reason)

    def test_clinics_chairs_and_appointments(self):
        self.check_text("POST /clinics", "name",
                        lambda p: self.admin.post("/api/v1/clinics", {"name": p}),
                        lambda r: [c for c in items(self.admin.get("/api/v1/clinics").json, "clinics")
                                   if c["id"] == r.json["id"]][0]["name"])
        for field in ("timezone", "opens_at", "open_weekdays"):
            self.check_enum("POST /clinics", field,
                            lambda p, f=field: self.admin.post("/api/v1/clinics", {"name": "C", f: p}))
        other_clinic = make_clinic(self.admin)  # chair names are unique per clinic: PATCH below reuses them
        self.check_text("POST /chairs", "name",
                        lambda p: self.admin.post("/api/v1/chairs", {"clinic_id": other_clinic, "name": p}),
                        lambda r: r.json["name"])
        chp = "/api/v1/chairs/%d" % self.chair
        self.check_text("PATCH /chairs/{id}", "name",
                        lambda p: self.admin.patch(chp, {"name": p}, etag=self.chair_etag()),
                        lambda r: r.json["name"])

        def book(field):
            return lambda p: self.desk.post("/api/v1/appointments", {
                "patient_id": self.patient_id, "chair_id": self.chair, "start": self.next_slot(),
                "kind": "consult", field: p})

        def read_appointment(field):
            return lambda r: self.desk.get("/api/v1/appointments/%d" % r.json["id"]).json[field]

        self.check_text("POST /appointments", "notes", book("notes"), read_appointment("notes"))
        self.check_enum("POST /appointments", "kind", book("kind"))
        self.check_enum("POST /appointments", "start",
                        lambda p: self.desk.post("/api/v1/appointments", {
                            "patient_id": self.patient_id, "chair_id": self.chair, "start": p}))
        aid = expect(book("notes")("first visit"), 201, "appointment").json["id"]
        ap = "/api/v1/appointments/%d" % aid
        self.check_text("PATCH /appointments/{id}", "notes",
                        lambda p: self.desk.patch(ap, {"notes": p}, etag=self.desk.current_etag(ap)),
                        lambda r: self.desk.get(ap).json["notes"])
        self.check_enum("PATCH /appointments/{id}", "status",
                        lambda p: self.desk.patch(ap, {"status": p}, etag=self.desk.current_etag(ap)))

        def cancel(p):
            a = expect(book("notes")("to cancel"), 201, "appointment").json["id"]
            path = "/api/v1/appointments/%d" % a
            return self.desk.patch(path, {"status": "cancelled", "status_reason": p},
                                   etag=self.desk.current_etag(path))

        self.check_text("PATCH /appointments/{id}", "status_reason", cancel,
                        lambda r: self.desk.get("/api/v1/appointments/%d" % r.json["id"]).json["status_reason"])

    def chair_etag(self):
        chairs = items(self.admin.get("/api/v1/chairs", query={"clinic_id": self.clinic}).json, "chairs")
        return '"%d"' % [c for c in chairs if c["id"] == self.chair][0]["version"]

    def alert_etag(self, pid, alert_id):
        alerts = items(self.physician.get("/api/v1/alerts", query={"patient_id": pid, "all": "true"}).json,
                       "alerts")
        return '"%d"' % [a for a in alerts if a["id"] == alert_id][0]["version"]

    # --- stock ------------------------------------------------------------------------------------

    def test_stock(self):
        base = {"concentration_mg_per_ml": 10, "vial_volume_ml": 5,
                "expiry_date": tomorrow_plus(400).isoformat(), "vials_received": 2}

        def receive(field):
            return lambda p: self.nurse.post("/api/v1/stock/lots", dict(
                base, lot_number=p if field == "lot_number" else unique("LOT"), **(
                    {} if field == "lot_number" else {field: p})))

        def read_lot(field):
            return lambda r: self.nurse.get("/api/v1/stock/lots/%d" % r.json["id"]).json[field]

        for field in ("drug", "lot_number", "supplier", "notes"):
            self.check_text("POST /stock/lots", field, receive(field), read_lot(field))
        self.check_enum("POST /stock/lots", "expiry_date",
                        lambda p: self.nurse.post("/api/v1/stock/lots", dict(base, lot_number=unique("L"),
                                                                             expiry_date=p)))
        lp = "/api/v1/stock/lots/%d" % self.lot
        for field in ("notes", "supplier"):
            self.check_text("PATCH /stock/lots/{id}", field,
                            lambda p, f=field: self.nurse.patch(lp, {f: p}, etag=self.nurse.current_etag(lp)),
                            lambda r, f=field: self.nurse.get(lp).json[f])

        def ledger_reason(r):
            rows = self.admin.get(lp + "/ledger").json
            rows = rows.get("movements", rows) if isinstance(rows, dict) else rows
            return [m for m in rows if m.get("id") == r.json["id"]][0]["reason"]

        self.check_text("POST /stock/adjustments", "reason",
                        lambda p: self.admin.post("/api/v1/stock/adjustments",
                                                  {"lot_id": self.lot, "mg": 1, "reason": p}),
                        ledger_reason)

    # --- at the chair -----------------------------------------------------------------------------

    def test_sessions(self):
        ready = ready_patient(self.staff, self.clinic, given="Chair")
        sid = expect(self.nurse.post("/api/v1/patients/%d/sessions" % ready.pid, plan_body(ready)),
                     201, "plan").json["id"]
        sp = "/api/v1/sessions/%d" % sid
        expect(self.nurse.post_if_match(sp + "/events", {"kind": "start"}, self.nurse.current_etag(sp)),
               201, "start")
        state = {"paused": False}

        def event_note(p):
            kind = "resume" if state["paused"] else "pause"
            r = self.nurse.post_if_match(sp + "/events", {"kind": kind, "note": p}, self.nurse.current_etag(sp))
            if r.status == 201:
                state["paused"] = not state["paused"]
            return r

        def last_event_note(r):
            return self.nurse.get(sp).json["events"][-1]["note"]

        self.check_text("POST /sessions/{id}/events", "note", event_note, last_event_note)
        self.check_enum("POST /sessions/{id}/events", "kind",
                        lambda p: self.nurse.post_if_match(sp + "/events", {"kind": p},
                                                           self.nurse.current_etag(sp)))

        def adverse(field):
            def send(p):
                body = {"kind": "other", "severity": "mild", "description": "seen at the chair"}
                body[field] = p
                return self.nurse.post(sp + "/adverse-events", body)
            return send

        def read_entry(section, field):
            return lambda r: [e for e in self.nurse.get(sp).json[section] if e["id"] == r.json["id"]][0][field]

        for field in ("description", "action_taken"):
            self.check_text("POST /sessions/{id}/adverse-events", field, adverse(field),
                            read_entry("adverse_events", field))
        for field in ("kind", "severity"):
            self.check_enum("POST /sessions/{id}/adverse-events", field, adverse(field))
        self.check_enum("POST /sessions/{id}/vitals", "point",
                        lambda p: self.nurse.post(sp + "/vitals", dict(NORMAL_VITALS, point=p)))

        def correct_vitals(p):
            v = expect(self.nurse.post(sp + "/vitals", dict(NORMAL_VITALS, point="interval")), 201, "vitals")
            return self.nurse.post_if_match("%s/vitals/%d/corrections" % (sp, v.json["id"]),
                                            {"action": "entered_in_error", "reason": p},
                                            self.nurse.current_etag(sp))

        self.check_text("POST /sessions/{id}/vitals/{entry_id}/corrections", "reason", correct_vitals,
                        lambda r: r.json["reason"])

        def acknowledge(p):
            ae = expect(self.nurse.post(sp + "/adverse-events", {"kind": "nausea", "severity": "moderate"}),
                        201, "adverse event").json["alert"]
            return self.physician.post_if_match("/api/v1/alerts/%d/acknowledge" % ae["id"], {"note": p},
                                                self.alert_etag(ready.pid, ae["id"]))

        self.check_text("POST /alerts/{id}/acknowledge", "note", acknowledge,
                        lambda r: r.json["acknowledge_note"])

        # A witnessed waste of part of what the session drew, with a reason.
        expect(self.nurse.post("/api/v1/stock/draws", {"session_id": sid, "lot_id": self.lot, "mg": 30}),
               201, "draw")
        self.check_text("POST /stock/wastes", "reason",
                        lambda p: self.nurse.post("/api/v1/stock/wastes", {
                            "session_id": sid, "mg": 0.5, "witness_user_id": self.physician.user["id"],
                            "witness_password": DEMO_PASSWORD, "reason": p}),
                        lambda r: r.json["reason"])

        # An unscheduled session: the physician's reason is kept with the plan.
        def unscheduled(p):
            return self.physician.post("/api/v1/patients/%d/sessions" % ready.pid, {
                "protocol": COURSE_PROTOCOL, "preparation": {"concentration_mg_per_ml": 1},
                "unscheduled_reason": p})

        self.check_text("POST /patients/{id}/sessions", "unscheduled_reason", unscheduled,
                        lambda r: self.nurse.get("/api/v1/sessions/%d" % r.json["id"]).json["unscheduled_reason"])
        self.check_enum("POST /patients/{id}/sessions", "protocol",
                        lambda p: self.physician.post("/api/v1/patients/%d/sessions" % ready.pid, {
                            "protocol": p, "preparation": {"concentration_mg_per_ml": 1},
                            "unscheduled_reason": "walk-in"}))

        def void(p):
            again = ready_patient(self.staff, self.clinic, given="Void")
            s = expect(self.nurse.post("/api/v1/patients/%d/sessions" % again.pid, plan_body(again)),
                       201, "plan").json["id"]
            path = "/api/v1/sessions/%d" % s
            return self.nurse.post_if_match(path + "/void", {"reason": p}, self.nurse.current_etag(path))

        def void_reason(r):
            s = self.nurse.get("/api/v1/sessions/%d" % r.json["id"]).json
            return s.get("void_reason", s.get("voided_reason"))

        # Voiding needs a fresh patient per payload: a shorter list keeps the suite fast.
        global PAYLOADS
        saved = PAYLOADS
        try:
            PAYLOADS = [p for p in saved if p in ("'; DROP TABLE patients; --", "<script>alert(1)</script>",
                                                   "line one\r\nSet-Cookie: x=y", LONG)]
            self.check_text("POST /sessions/{id}/void", "reason", void, void_reason)
        finally:
            PAYLOADS = saved

    def test_screening_and_calculators(self):
        from test_infusion_gates import screening_request
        sp = "/api/v1/patients/%d/screening" % self.patient_id
        self.check_enum("POST /patients/{id}/screening", "indication",
                        lambda p: self.nurse.post(sp, dict(screening_request(), indication=p)))
        self.check_enum("POST /calculators/screen", "indication",
                        lambda p: self.nurse.post("/api/v1/calculators/screen", dict(screening_request(), indication=p)))
        self.check_enum("POST /calculators/score", "instrument",
                        lambda p: self.nurse.post("/api/v1/calculators/score", {"instrument": p, "answers": [0] * 9}))
        self.check_enum("POST /calculators/mme", "medications[0].drug",
                        lambda p: self.nurse.post("/api/v1/calculators/mme", {"medications": [
                            {"drug": p, "route": "oral", "dose_mg": 10, "doses_per_day": 2}]}))
        self.check_enum("POST /pk/simulate", "model",
                        lambda p: self.nurse.post("/api/v1/pk/simulate", {"model": p}))

    def test_assessments_alerts_and_medications(self):
        pid = self.patient_id
        ap = "/api/v1/patients/%d/assessments" % pid
        self.check_enum("POST /patients/{id}/assessments", "instrument",
                        lambda p: self.nurse.post(ap, {"instrument": p, "answers": [0] * 9}))

        def correct(p):
            a = expect(self.nurse.post(ap, {"instrument": "phq9", "answers": [0] * 9}), 201, "phq9").json["id"]
            return self.nurse.post("/api/v1/assessments/%d/corrections" % a,
                                   {"action": "entered_in_error", "reason": p})

        self.check_text("POST /assessments/{id}/corrections", "reason", correct, lambda r: r.json["reason"])

        mp = "/api/v1/patients/%d/medications" % pid
        item = {"drug": "morphine", "route": "oral", "dose_mg": 10, "doses_per_day": 2}

        def read_list_note(r):
            lists = self.nurse.get(mp).json["lists"]
            return [x for x in lists if x["id"] == r.json["id"]][0]["note"]

        self.check_text("POST /patients/{id}/medications", "note",
                        lambda p: self.nurse.post(mp, {"medications": [item], "note": p}), read_list_note)
        self.check_enum("POST /patients/{id}/medications", "medications[0].drug",
                        lambda p: self.nurse.post(mp, {"medications": [dict(item, drug=p)]}))

        def correct_list(p):
            lid = expect(self.nurse.post(mp, {"medications": [item]}), 201, "list").json["id"]
            return self.nurse.post("/api/v1/medication-lists/%d/corrections" % lid,
                                   {"action": "entered_in_error", "reason": p})

        self.check_text("POST /medication-lists/{id}/corrections", "reason", correct_list,
                        lambda r: r.json["reason"])

    # --- accounts ---------------------------------------------------------------------------------

    def test_sign_in_and_accounts(self):
        for payload in PAYLOADS:
            with self.subTest(username=payload[:40]):
                r = self.anon.post("/api/v1/auth/login", {"username": payload, "password": "whatever-123456"})
                self.assertIn(r.status, (400, 401), r)
                self.assertNotIn("token", r.json)
                r = self.anon.post("/api/v1/auth/login", {"username": "admin", "password": payload})
                self.assertIn(r.status, (400, 401, 429), r)
                self.assertNotIn("token", r.json)
        self.check_enum("POST /users", "username",
                        lambda p: self.admin.post("/api/v1/users", {"username": p, "role": "nurse",
                                                                    "password": "a-good-password-42"}))
        self.check_enum("POST /users", "role",
                        lambda p: self.admin.post("/api/v1/users", {"username": unique("u"), "role": p,
                                                                    "password": "a-good-password-42"}))
        # The audit log's `user` filter is a parameter too.
        for payload in PAYLOADS:
            with self.subTest(audit_user=payload[:40]):
                r = self.admin.get("/api/v1/audit", query={"user": payload, "limit": 5})
                self.assertIn(r.status, (200, 400), r)
        # Admin-lock safety: the admin account still signs in.
        self.assertStatus(self.anon.get("/healthz"), 200)


def raw_response(port, request_bytes, timeout=10.0):
    """(status line, [(name, value)]) of the first response to raw request bytes."""
    s = socket.create_connection((HOST, port), timeout=timeout)
    try:
        s.sendall(request_bytes)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    lines = head.split("\r\n")
    headers = []
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers.append((k.strip().lower(), v.strip()))
    return lines[0], headers


class HeaderInjectionTest(KitTestCase):

    def assertNoInjectedHeader(self, status, headers, what):
        self.assertTrue(status.startswith("HTTP/1.1 "), "%s: %r" % (what, status))
        names = [k for k, _ in headers]
        self.assertNotIn("x-injected", names, what)
        for k, v in headers:
            if k == "set-cookie":
                self.assertFalse(v.startswith("x=y"), "%s: injected cookie %r" % (what, v))

    def test_crlf_in_query_path_and_headers_never_becomes_a_header(self):
        token = self.nurse.token
        targets = [
            "/api/v1/patients?q=%0d%0aX-Injected:%201%0d%0aSet-Cookie:%20x=y",
            "/api/v1/patients?q=a%0aX-Injected:%201",
            "/api/v1/patients/1%0d%0aX-Injected:%201",
            "/api/v1/no-such%0d%0aSet-Cookie:%20x=y",
            "/healthz?%0d%0aX-Injected:%201",
        ]
        for target in targets:
            with self.subTest(target=target):
                req = ("GET %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nConnection: close\r\n\r\n"
                       % (target, token)).encode()
                status, headers = raw_response(self.port, req)
                self.assertNoInjectedHeader(status, headers, target)
                self.assertFalse(status.startswith("HTTP/1.1 5"), status)
        # A raw CR or LF inside a header value, an If-Match or a query string: refused or inert.
        raw_cases = [
            b"GET /api/v1/patients HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token.encode() +
            b"\r\nX-Note: a\rX-Injected: 1\r\nConnection: close\r\n\r\n",
            b"GET /api/v1/patients?q=a\rX-Injected:1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            b"GET /api/v1/patients HTTP/1.1\r\nHost: x\r\nX-Note: a\r\n X-Injected: 1\r\n"
            b"Connection: close\r\n\r\n",
            b"PATCH /api/v1/patients/1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token.encode() +
            b"\r\nIf-Match: \"1\"\rSet-Cookie: x=y\r\nContent-Type: application/json\r\n"
            b"Content-Length: 2\r\nConnection: close\r\n\r\n{}",
        ]
        for req in raw_cases:
            with self.subTest(raw=req[:60]):
                status, headers = raw_response(self.port, req)
                self.assertNoInjectedHeader(status, headers, repr(req[:80]))
                self.assertFalse(status.startswith("HTTP/1.1 5"), status)
        self.assertStatus(self.anon.get("/healthz"), 200)

    def test_a_stored_crlf_value_is_never_sent_as_a_header(self):
        """Stored text with CRLF is returned in the JSON body only, escaped."""
        r = self.desk.post("/api/v1/patients", {
            "given_name": "Crlf", "family_name": "a\r\nX-Injected: 1", "date_of_birth": "1980-01-02",
            "sex": "male", "indication": "depression"})
        if r.status == 400:
            self.assertEqual(r.error().get("field"), "family_name")
            return
        self.assertStatus(r, 201)
        got = self.desk.get("/api/v1/patients/%d" % r.json["id"])
        self.assertNotIn("x-injected", [k.lower() for k, _ in got.header_list])
        self.assertIn(b"a\\r\\nX-Injected: 1", got.body)


if __name__ == "__main__":
    unittest.main()


def exchange(port, payload, timeout=10.0):
    """Raw bytes in; every byte the server sends until it closes (or the timeout) out."""
    s = socket.create_connection((HOST, port), timeout=timeout)
    try:
        s.sendall(payload)
        chunks = []
        while True:
            try:
                data = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                break
            if not data:
                break
            chunks.append(data)
        return b"".join(chunks)
    finally:
        s.close()


SMUGGLED = b"GET /api/v1/openapi.json HTTP/1.1\r\nHost: x\r\n\r\n"


class SmugglingAndSizeTest(KitTestCase):
    """Request-smuggling variants beyond test_hardening.py's Transfer-Encoding ones, oversized
    heads and bodies, and deep or wide JSON: each is refused by the HTTP layer or the one JSON
    reader, the bytes after an ambiguous message never run as a request, and the server lives."""

    def post_raw(self, header_lines, body=b"", tail=SMUGGLED):
        head = (b"POST /api/v1/inquiries HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
                header_lines + b"\r\n")
        return exchange(self.port, head + body + tail)

    def assertOneRefusal(self, out, statuses=(b"400",), what=""):
        self.assertTrue(any(out.startswith(b"HTTP/1.1 " + s) for s in statuses), "%s: %r" % (what, out[:300]))
        self.assertEqual(out.count(b"HTTP/1.1 "), 1, "%s: a second request ran: %r" % (what, out[:600]))
        self.assertNotIn(b"openapi", out, what)

    def test_content_length_variants_are_refused_and_nothing_is_smuggled(self):
        body = b"{}"
        for lines in (b"Content-Length: 2\r\nContent-Length: 40\r\n",
                      b"Content-Length: 2, 40\r\n",
                      b"Content-Length: +2\r\n",
                      b"Content-Length: -2\r\n",
                      b"Content-Length: 0x2\r\n",
                      b"Content-Length : 2\r\n",
                      b"Transfer-Encoding : chunked\r\nContent-Length: 2\r\n",
                      b"Content-Length: 2\r\nTransfer-Encoding: chunked\r\n",
                      b"Transfer-Encoding: chunked\r\n Transfer-Encoding: identity\r\n",
                      b"Content-Length: 99999999999999999999999\r\n"):
            with self.subTest(lines=lines):
                out = self.post_raw(lines, body)
                self.assertOneRefusal(out, (b"400", b"413"), repr(lines))
        self.assertStatus(self.anon.get("/healthz"), 200)

    def test_malformed_chunks_are_refused(self):
        te = b"Transfer-Encoding: chunked\r\n"
        for chunks in (b"zz\r\n{}\r\n0\r\n\r\n",
                       b"ffffffffffffffffffff\r\n{}\r\n0\r\n\r\n",
                       b"-2\r\n{}\r\n0\r\n\r\n",
                       b"2\r\n{}XX0\r\n\r\n"):
            with self.subTest(chunks=chunks[:40]):
                out = self.post_raw(te, chunks)
                self.assertOneRefusal(out, (b"400", b"413", b"431"), repr(chunks[:40]))
        self.assertStatus(self.anon.get("/healthz"), 200)

    def test_oversized_heads_and_bodies(self):
        big_header = b"X-Big: " + b"a" * (64 * 1024) + b"\r\n"
        many_headers = b"".join(b"X-H%d: v\r\n" % i for i in range(5000))
        long_target = b"GET /api/v1/patients?q=" + b"a" * (64 * 1024) + b" HTTP/1.1\r\nHost: x\r\n\r\n"
        for what, raw in (("one 64 KiB header", b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + big_header + b"\r\n"),
                          ("5000 headers", b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + many_headers + b"\r\n"),
                          ("64 KiB target", long_target)):
            with self.subTest(what=what):
                out = exchange(self.port, raw)
                self.assertTrue(out.startswith(b"HTTP/1.1 431") or out.startswith(b"HTTP/1.1 400") or
                                out.startswith(b"HTTP/1.1 414"), "%s: %r" % (what, out[:200]))
        # A body announced far above the limit is refused at once, before it is sent.
        out = self.post_raw(b"Content-Length: 50000000\r\n", b"", b"")
        self.assertTrue(out.startswith(b"HTTP/1.1 413"), out[:200])
        # A chunked body that grows past the limit.
        chunk = b"100000\r\n" + b" " * 0x100000 + b"\r\n"
        out = self.post_raw(b"Transfer-Encoding: chunked\r\n", chunk * 2 + b"0\r\n\r\n", b"")
        self.assertTrue(out.startswith(b"HTTP/1.1 413"), out[:200])
        self.assertStatus(self.anon.get("/healthz"), 200)

    def test_deep_and_wide_json(self):
        cases = {
            "deep objects": '{"a":' * 100000 + "1" + "}" * 100000,
            "deep mixed": '[{"a":' * 50000 + "1" + "}]" * 50000,
            "deep inside a field": '{"name":' + "[" * 5000 + "]" * 5000 + ',"contact":"a@b.cd","reason":"other"}',
            "wide object": "{" + ",".join('"k%d":1' % i for i in range(60000)) + "}",
            "long array": '{"name":[' + ",".join("1" for _ in range(300000)) + "]}",
            "huge number": '{"name":"Ann","contact":"a@b.cd","reason":"other","x":1' + "0" * 5000 + "}",
            "1e999999": '{"name":1e999999}',
            "unterminated": '{"name":"' + "a" * 1000,
            "lone surrogate": '{"name":"\\ud800","contact":"a@b.cd","reason":"other"}',
            "invalid utf-8": b'{"name":"\xff\xfe","contact":"a@b.cd","reason":"other"}',
        }
        for what, raw in cases.items():
            with self.subTest(what=what):
                r = self.anon.request("POST", "/api/v1/inquiries", raw=raw)
                self.assertIn(r.status, (400, 413), "%s: %r" % (what, r))
                e = r.error()
                self.assertIn(e.get("field"), ("body", "name", "x"), "%s: %r" % (what, e))
        self.assertStatus(self.anon.get("/healthz"), 200)
        self.assertStatus(self.nurse.get("/api/v1/patients"), 200)
