"""The access matrix (tests/api/access_matrix.tsv), written by hand, run against a real server.

Unlike test_roles.py, which derives what it expects from the server's own route table, the
expectation here is data a person wrote from what each role does in the clinic. So a route whose
role list is widened (front desk added to the assessments) or narrowed fails here, and a route
added to the table without a row in the matrix fails `test_matrix_covers_every_published_route`.

Every cell is one real request (path ids filled with objects this class creates: a patient ready
for infusion with a running session and its entries, an alert, a lot, a course and an appointment
of the demo patient, ...):
  yes  -> never 401/403 and never 5xx (placeholder bodies may well be 400/404/409/412/422/428);
  no   -> 401 for anonymous, 403 `forbidden` for a signed-in role;
  own  -> allowed on the caller's own object, 403 on another's (the same request, other ids).

To extend: add a row to access_matrix.tsv (decide each role by hand); if it has an `own` cell on a
new kind of object, teach `Fixture.fill` / `Fixture.call` how to name the caller's
own object and someone else's.
"""

import datetime
import os
import re
import unittest

from kit_server import Client, KitTestCase, access_of, openapi_operations, unique
from test_infusion_gates import (CADSS, COURSE_PROTOCOL, NORMAL_VITALS, Staff, expect, make_chair,
                                 make_clinic, plan_body, ready_patient)

HERE = os.path.dirname(os.path.abspath(__file__))
MATRIX_PATH = os.path.join(HERE, "access_matrix.tsv")
ROLES = ["anonymous", "patient", "front_desk", "nurse", "physician", "admin", "director"]
ROLE_USERNAME = {"patient": "patient", "front_desk": "frontdesk", "nurse": "nurse",
                 "physician": "physician", "admin": "admin", "director": "director"}
CELLS = {"yes", "no", "own"}
OWN_ROLES = {"patient", "nurse", "physician"}  # where "own" has a meaning (see the matrix header)


def load_matrix(path=MATRIX_PATH):
    """[{method, path, anonymous, ..., admin, note, line}] from the TSV (comments skipped)."""
    rows = []
    with open(path, encoding="utf-8") as f:
        lines = [(i + 1, line) for i, line in enumerate(f) if line.strip() and not line.startswith("#")]
    header = lines[0][1].rstrip("\n").split("\t")
    if header[:9] != ["method", "path"] + ROLES:
        raise AssertionError("access_matrix.tsv header: %r" % header)
    for number, line in lines[1:]:
        fields = line.rstrip("\n").split("\t")
        if len(fields) < 9:
            raise AssertionError("access_matrix.tsv line %d has %d columns: %r" % (number, len(fields), line))
        row = dict(zip(header, fields))
        row["line"] = number
        rows.append(row)
    return rows


class AccessMatrixShapeTest(unittest.TestCase):
    """The matrix file itself (no server)."""

    def test_matrix_is_well_formed(self):
        rows = load_matrix()
        self.assertGreater(len(rows), 50)
        seen = set()
        for row in rows:
            key = (row["method"], row["path"])
            self.assertNotIn(key, seen, "line %d: %s %s twice" % ((row["line"],) + key))
            seen.add(key)
            self.assertIn(row["method"], ("GET", "POST", "PUT", "PATCH", "DELETE"), row)
            # The API, and its FHIR R4 face (docs/fhir.md).
            self.assertTrue(row["path"].startswith(("/api/v1/", "/fhir/r4/")), row)
            for role in ROLES:
                self.assertIn(row[role], CELLS, "line %d %s: %r" % (row["line"], role, row[role]))
                if row[role] == "own":
                    self.assertIn(role, OWN_ROLES, "line %d: 'own' means nothing for %s" % (row["line"], role))
            public = row["anonymous"] == "yes"
            if public:  # a public route is open to everyone, signed in or not
                self.assertEqual({row[r] for r in ROLES}, {"yes"}, "line %d" % row["line"])


class AccessMatrixTest(KitTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.matrix = load_matrix()
            doc = Client(cls.server.port).get("/api/v1/openapi.json")
            assert doc.status == 200, doc
            cls.operations = openapi_operations(doc.json)
            cls.fx = Fixture(cls)
        except BaseException:
            cls.tearDownClass()
            raise

    # --- coverage -----------------------------------------------------------------------------

    def test_matrix_covers_every_published_route_and_no_other(self):
        published = {(m, p) for m, p, _ in self.operations}
        written = {(r["method"], r["path"]) for r in self.matrix}
        self.assertEqual(sorted(published - written), [],
                         "routes in /api/v1/openapi.json with no row in access_matrix.tsv: decide, "
                         "by hand, who may call each one and add its row")
        self.assertEqual(sorted(written - published), [],
                         "rows of access_matrix.tsv for routes the server does not publish")

    def test_the_published_rule_says_what_the_matrix_says(self):
        """x-kit-access (what clients are told) agrees with the hand-written matrix."""
        by_key = {(r["method"], r["path"]): r for r in self.matrix}
        for method, pattern, op in self.operations:
            row = by_key.get((method, pattern))
            if row is None:
                continue  # reported by the coverage test
            public, roles, patient_self = access_of(op)
            with self.subTest(route="%s %s" % (method, pattern)):
                self.assertEqual(public, row["anonymous"] == "yes")
                if public:
                    continue
                want = {r for r in ROLES[2:] if row[r] in ("yes", "own")}
                if row["patient"] == "yes":
                    want.add("patient")
                self.assertEqual(roles, want)
                self.assertEqual(patient_self, row["patient"] == "own")

    # --- every cell ---------------------------------------------------------------------------

    def test_every_cell_of_the_matrix(self):
        checked = 0
        for row in self.matrix:
            method, pattern = row["method"], row["path"]
            for role in ROLES:
                cell = row[role]
                checked += 1
                with self.subTest(route="%s %s" % (method, pattern), role=role, expected=cell):
                    if cell == "own":
                        r, path = self.fx.call(role, method, pattern, owner="self")
                        self.assertAllowed(r, role, method, path)
                        r, path = self.fx.call(role, method, pattern, owner="other")
                        self.assertDenied(r, role, method, path, "someone else's object")
                    else:
                        r, path = self.fx.call(role, method, pattern, owner="self")
                        if cell == "yes":
                            self.assertAllowed(r, role, method, path)
                        else:
                            self.assertDenied(r, role, method, path)
        self.assertEqual(checked, len(self.matrix) * len(ROLES))
        self.assertTrue(self.fx.server_alive())

    def test_a_patients_appointment_list_holds_only_their_own(self):
        """`own` on a list: without ?patient_id= the patient gets their own rows, never another's."""
        r = self.fx.clients["patient"].get("/api/v1/appointments")
        self.assertStatus(r, 200)
        rows = r.json if isinstance(r.json, list) else r.json["appointments"]
        self.assertIn(self.fx.own_appointment, [a["id"] for a in rows])
        self.assertEqual({a["patient_id"] for a in rows}, {self.fx.own_pid}, rows)

    def assertAllowed(self, r, role, method, path):
        self.assertNotIn(r.status, (401, 403), "%s %s as %s must be allowed: %r" % (method, path, role, r))
        self.assertLess(r.status, 500, "%s %s as %s: %r" % (method, path, role, r))

    def assertDenied(self, r, role, method, path, why="the role"):
        want = 401 if role == "anonymous" else 403
        self.assertEqual(r.status, want, "%s %s as %s must be refused (%s): %r" % (method, path, role, why, r))
        self.assertEqual(r.error()["code"], "unauthenticated" if want == 401 else "forbidden", r)


class Fixture:
    """Real objects for every path id, and the request each (role, route, owner) sends."""

    def __init__(self, case):
        self.case = case
        self.port = case.server.port
        admin, desk, nurse, physician = (case.as_user(u) for u in ("admin", "frontdesk", "nurse", "physician"))
        self.clients = {role: case.as_user(user) for role, user in ROLE_USERNAME.items()}
        self.clients["anonymous"] = Client(self.port)
        self.user_id = {role: c.user["id"] for role, c in self.clients.items() if role != "anonymous"}
        staff = Staff(admin, desk, nurse, physician)

        # The demo patient (the patient account's own record), with a course and an appointment.
        self.own_pid = self.clients["patient"].user["patient_id"]
        clinic = make_clinic(admin)
        chair = make_chair(admin, clinic)
        self.own_course = expect(physician.post("/api/v1/patients/%d/courses" % self.own_pid,
                                                {"protocol_id": COURSE_PROTOCOL}), 201, "own course").json["id"]
        tomorrow = (datetime.datetime.now(datetime.timezone.utc).date() + datetime.timedelta(days=1))
        self.own_appointment = expect(desk.post("/api/v1/appointments", {
            "patient_id": self.own_pid, "chair_id": chair, "start": tomorrow.isoformat() + "T10:00",
            "kind": "consult"}), 201, "own appointment").json["id"]

        # Another patient, ready for infusion today: consent, course, appointment, a running session
        # with a pump event, vitals, an adverse event (which raises an alert) and a CADSS.
        ready = ready_patient(staff, clinic, given="Matrix")
        self.other_pid, self.other_course = ready.pid, ready.course
        self.other_appointment, self.consent = ready.appointment, ready.consent
        self.chair = chair
        self.lot = expect(nurse.post("/api/v1/stock/lots", {
            "concentration_mg_per_ml": 10, "vial_volume_ml": 5, "lot_number": unique("LOT"),
            "expiry_date": (tomorrow + datetime.timedelta(days=400)).isoformat(),
            "vials_received": 10}), 201, "lot").json["id"]
        self.session = expect(nurse.post("/api/v1/patients/%d/sessions" % ready.pid, plan_body(ready)),
                              201, "plan session").json["id"]
        sp = "/api/v1/sessions/%d" % self.session
        expect(nurse.post_if_match(sp + "/events", {"kind": "start"}, nurse.current_etag(sp)), 201, "start")
        expect(nurse.post(sp + "/vitals", dict(NORMAL_VITALS, point="interval")), 201, "vitals")
        ae = expect(nurse.post(sp + "/adverse-events", {"kind": "nausea", "severity": "moderate"}), 201, "AE")
        self.alert = ae.json["alert"]["id"]
        expect(nurse.post(sp + "/dissociation", {"answers": CADSS}), 201, "CADSS")
        s = expect(nurse.get(sp), 200, "session").json
        self.entries = {"events": s["events"][0]["id"], "vitals": s["vitals"][0]["id"],
                        "adverse-events": s["adverse_events"][0]["id"],
                        "dissociation": s["dissociation"][0]["id"]}
        self.assessment = expect(nurse.post("/api/v1/patients/%d/assessments" % ready.pid, {
            "instrument": "phq9", "answers": [0] * 9}), 201, "assessment").json["id"]
        self.medication_list = expect(nurse.post("/api/v1/patients/%d/medications" % ready.pid, {
            "medications": [{"drug": "morphine", "route": "oral", "dose_mg": 10, "doses_per_day": 2}]}),
            201, "medication list").json["id"]
        self.inquiry = expect(Client(self.port).post("/api/v1/inquiries", {
            "name": "Matrix Caller", "contact": "matrix@example.org", "reason": "depression"}),
            201, "inquiry").json["id"]
        self.user = expect(admin.post("/api/v1/users", {
            "username": unique("matrix"), "password": "matrix-user-password-1", "role": "nurse"}),
            201, "user").json["id"]

    def server_alive(self):
        return Client(self.port).get("/healthz").status == 200

    # --- which object a request names ------------------------------------------------------------

    def availability(self, owner_role):
        """A fresh availability row of `owner_role`, set by its owner (a row an admin set is the
        admin's to remove, so an admin sets only rows for roles without their own)."""
        setter = owner_role if owner_role in ("nurse", "physician") else "admin"
        r = self.clients[setter].post("/api/v1/staff-availability", {
            "user_id": self.user_id[owner_role], "weekday": 3, "from": "07:00", "to": "09:00"})
        return expect(r, 201, "availability").json["id"]

    def colleague(self, role):
        return "physician" if role == "nurse" else "nurse"

    def ids_for(self, role, owner):
        """Path ids: a patient on their own record (owner self) or another's; staff work on the
        other patient's record (their access is by role, not by ownership)."""
        mine = role == "patient" and owner == "self"
        return {
            "patient": self.own_pid if mine else self.other_pid,
            "course": self.own_course if mine else self.other_course,
            "appointment": self.own_appointment if mine else self.other_appointment,
        }

    def fill(self, role, pattern, owner):
        ids = self.ids_for(role, owner)
        parts = pattern.split("/")
        out = []
        for i, seg in enumerate(parts):
            m = re.fullmatch(r"\{(\w+)\}", seg)
            if not m:
                out.append(seg)
                continue
            name, parent = m.group(1), parts[i - 1]
            if "sedation" in parts or parent == "outbox":
                # No episode is created here (its gates need a full ED screening), nor an outbox
                # message (the planner's): an id that does not exist gives 404 to a role allowed
                # through, 403 to a role refused first.
                value = 999999
            elif name == "patient_id" or (name == "id" and parent in ("patients", "Patient")):
                value = ids["patient"]
            elif name == "token":
                value = "not-a-real-invitation-token"  # 404 to everyone: the route is public
            elif name == "instrument":
                value = "phq9"
            elif name == "consent_id":
                value = self.consent
            elif name == "entry_id":
                value = self.entries[parent]
            elif parent == "courses":
                value = ids["course"]
            elif parent == "appointments":
                value = ids["appointment"]
            elif parent == "sessions":
                value = self.session
            elif parent == "alerts":
                value = self.alert
            elif parent == "assessments":
                value = self.assessment
            elif parent == "medication-lists":
                value = self.medication_list
            elif parent == "inquiries":
                value = self.inquiry
            elif parent == "users":
                value = self.user
            elif parent == "chairs":
                value = self.chair
            elif parent == "lots":
                value = self.lot
            elif parent == "staff-availability":
                value = self.availability(role if owner == "self" and role in OWN_ROLES - {"patient"}
                                          else self.colleague(role) if role in ("nurse", "physician")
                                          else "nurse")
            else:
                raise AssertionError("test_access_matrix: no object for {%s} in %s: add one to Fixture"
                                     % (name, pattern))
            out.append(str(value))
        return "/".join(out)

    def call(self, role, method, pattern, owner):
        """(response, path) for one cell."""
        path = self.fill(role, pattern, owner)
        body = {} if method in ("POST", "PUT", "PATCH") else None
        query = None
        if pattern == "/api/v1/appointments" and method == "GET" and role == "patient":
            query = {"patient_id": self.ids_for(role, owner)["patient"]}
        if pattern == "/api/v1/staff-availability" and method == "POST":
            target = (role if owner == "self" else self.colleague(role)) if role in ("nurse", "physician") \
                else "nurse"
            body = {"user_id": self.user_id[target], "weekday": 2, "from": "07:00", "to": "09:00"}
        client = self.clients[role]
        if pattern == "/api/v1/auth/logout" and role != "anonymous":
            client = self.case.server.login(ROLE_USERNAME[role])  # a throwaway login: ours stays
        return client.request(method, path, body=body, query=query), path


if __name__ == "__main__":
    unittest.main()
