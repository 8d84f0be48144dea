"""Audit gaps a hostile probe found: sign-ins (success, failure, lock-out), password changes and
controlled-substance stock changes leave audit rows; a CSRF refusal is recorded against the login
the cookie belongs to; a patient's access log pages (id, before_id, limit)."""

import datetime
import json

from kit_server import DEMO_PASSWORD, Client, KitTestCase, login, unique


class AuditGapsTest(KitTestCase):

    def high_water(self):
        r = self.admin.get("/api/v1/audit", query={"limit": 1})
        self.assertStatus(r, 200)
        return r.json[0]["id"] if r.json else 0

    def rows_since(self, since_id, **filters):
        r = self.admin.get("/api/v1/audit", query=dict(filters, limit=1000))
        self.assertStatus(r, 200)
        return [row for row in r.json if row["id"] > since_id]

    def assertChainOk(self):
        v = self.admin.get("/api/v1/audit/verify")
        self.assertStatus(v, 200)
        self.assertIs(v.json["ok"], True, v.json)

    def new_nurse(self):
        name = unique("gap.nurse").lower()
        password = "gap-nurse-password-" + unique("pw")
        r = self.admin.post("/api/v1/users", {"username": name, "password": password, "role": "nurse"})
        self.assertStatus(r, 201)
        return name, password, r.json["id"]

    def test_login_success_failure_and_lock_out_are_audited(self):
        name, password, uid = self.new_nurse()
        start = self.high_water()
        login(self.port, name, password)
        wrong = "not-the-password-" + unique("x")
        r = Client(self.port).post("/api/v1/auth/login", {"username": name, "password": wrong})
        self.assertError(r, 401)
        # An unknown name is recorded as attempted, then locked out like a real one.
        ghost = unique("ghost").lower()
        statuses = []
        for _ in range(8):
            r = Client(self.port).post("/api/v1/auth/login", {"username": ghost, "password": wrong})
            statuses.append(r.status)
            if r.status == 429:
                break
        self.assertEqual(statuses[-1], 429, statuses)
        rows = [row for row in self.rows_since(start) if row["action"] == "POST /api/v1/auth/login"]
        mine = [row for row in rows if row["username"] == name]
        self.assertEqual(sorted((r["outcome"], r["status"]) for r in mine),
                         [("allowed", 200), ("denied", 401)], mine)
        for row in mine:
            self.assertEqual(row["user_id"], uid, row)
            self.assertEqual(row["role"], "nurse", row)
            self.assertEqual(row["remote_address"], "127.0.0.1", row)
        ghosts = [row for row in rows if row["username"] == ghost]
        self.assertEqual(sorted(r["status"] for r in ghosts), sorted(statuses), ghosts)
        self.assertTrue(all(r["outcome"] == "denied" and r["user_id"] is None for r in ghosts), ghosts)
        # The password attempted is never recorded.
        self.assertNotIn(wrong, json.dumps(rows))
        self.assertNotIn(password, json.dumps(rows))
        self.assertChainOk()

    def test_password_change_is_audited(self):
        name, password, uid = self.new_nurse()
        me = login(self.port, name, password)
        start = self.high_water()
        r = me.post("/api/v1/auth/password", {"current_password": "wrong-" + password,
                                               "new_password": "gap-changed-" + unique("pw")})
        self.assertGreaterEqual(r.status, 400, r)
        r = me.post("/api/v1/auth/password", {"current_password": password,
                                               "new_password": "gap-changed-" + unique("pw")})
        self.assertStatus(r, 200)
        rows = [row for row in self.rows_since(start, user=name)
                if row["action"] == "POST /api/v1/auth/password"]
        self.assertEqual(sorted(r["outcome"] for r in rows), ["allowed", "denied"], rows)
        for row in rows:
            self.assertEqual((row["user_id"], row["role"]), (uid, "nurse"), row)
        self.assertChainOk()

    def test_stock_receipts_edits_and_adjustments_are_audited(self):
        start = self.high_water()
        expiry = (datetime.date.today() + datetime.timedelta(days=400)).isoformat()
        lot = self.nurse.post("/api/v1/stock/lots", {
            "concentration_mg_per_ml": 50, "vial_volume_ml": 10, "lot_number": unique("GAP"),
            "expiry_date": expiry, "vials_received": 1})
        self.assertStatus(lot, 201)
        lot_path = "/api/v1/stock/lots/%d" % lot.json["id"]
        edit = self.nurse.patch(lot_path, {"notes": "audited edit"}, etag=self.nurse.current_etag(lot_path))
        self.assertStatus(edit, 200)
        adjust = self.physician.post("/api/v1/stock/adjustments", {
            "lot_id": lot.json["id"], "mg": -1, "reason": "count correction"})
        self.assertStatus(adjust, 201)
        refused = self.nurse.post("/api/v1/stock/adjustments", {
            "lot_id": lot.json["id"], "mg": -1, "reason": "not a nurse's"})
        self.assertError(refused, 403)
        rows = self.rows_since(start)
        got = {(r["action"], r["username"], r["outcome"], r["status"]) for r in rows}
        for want in [("POST /api/v1/stock/lots", "nurse", "allowed", 201),
                     ("PATCH /api/v1/stock/lots/{id}", "nurse", "allowed", 200),
                     ("POST /api/v1/stock/adjustments", "physician", "allowed", 201),
                     ("POST /api/v1/stock/adjustments", "nurse", "denied", 403)]:
            self.assertIn(want, got)
        self.assertChainOk()

    def test_a_csrf_refusal_is_recorded_against_the_cookies_user(self):
        desk = login(self.port, "frontdesk", use_cookie=True)
        start = self.high_water()
        r = desk.post("/api/v1/patients", {
            "given_name": "Csrf", "family_name": unique("Refused"), "date_of_birth": "1980-01-01",
            "sex": "female", "indication": "depression"})
        self.assertError(r, 403, code="csrf")
        rows = [row for row in self.rows_since(start) if row["action"] == "POST /api/v1/patients"]
        self.assertEqual(len(rows), 1, rows)
        self.assertEqual((rows[0]["username"], rows[0]["role"], rows[0]["outcome"], rows[0]["status"]),
                         ("frontdesk", "front_desk", "denied", 403), rows[0])
        self.assertEqual(rows[0]["user_id"], desk.user["id"], rows[0])

    def test_the_patients_access_log_pages(self):
        own = self.demo_patient_id()
        for _ in range(55):
            self.assertStatus(self.physician.get("/api/v1/patients/%d" % own), 200)
        path = "/api/v1/patients/%d/access-log" % own
        first = self.patient.get(path)
        self.assertStatus(first, 200)
        self.assertEqual(len(first.json), 50, "default page size")
        ids = [e["id"] for e in first.json]
        self.assertEqual(ids, sorted(ids, reverse=True))
        page = self.patient.get(path, query={"limit": 3, "before_id": ids[9]})
        self.assertStatus(page, 200)
        self.assertEqual([e["id"] for e in page.json], ids[10:13])
        self.assertStatus(self.patient.get(path, query={"limit": 200}), 200)
        self.assertError(self.patient.get(path, query={"limit": 201}), 400, field="limit")
        self.assertError(self.patient.get(path, query={"before_id": "x"}), 400, field="before_id")
