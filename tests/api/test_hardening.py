"""Hostile input through the real server: findings of the security probes, each reproduced first.

- deep nesting (a 300 KB body of nested arrays crashed the server: SIGSEGV in a recursive copy);
- duplicate JSON keys ({"username":"nobody","username":"admin"} logged in as admin);
- any Content-Type accepted for JSON bodies;
- request smuggling: a Transfer-Encoding other than exactly "chunked" was read as no body and the
  following bytes ran as a second request (RFC 9112 §6.1: 400 and close);
- security headers missing on patient data (Cache-Control, nosniff, CSP, frame-ancestors,
  Referrer-Policy).
"""

import concurrent.futures
import socket
import unittest

from kit_server import HOST, Client, KitTestCase, unique


def raw_exchange(port, payload, timeout=10.0):
    """Sends raw bytes, reads until the server closes (or the timeout); returns the bytes read."""
    s = socket.create_connection((HOST, port), timeout=timeout)
    try:
        s.sendall(payload)
        chunks = []
        while True:
            try:
                data = s.recv(65536)
            except socket.timeout:
                break
            if not data:
                break
            chunks.append(data)
        return b"".join(chunks)
    finally:
        s.close()


class HardeningTest(KitTestCase):

    def test_deeply_nested_body_is_refused_and_the_server_lives(self):
        nested = "[" * 150000 + "]" * 150000
        r = self.nurse.request("POST", "/api/v1/patients/1/assessments", raw=nested)
        self.assertError(r, 400, field="body")
        self.assertIn("nested deeper", r.error()["message"])
        # Still alive, still answering.
        self.assertStatus(self.anon.get("/healthz"), 200)
        # A reasonable depth is fine for the parser (refused later for its shape, not its depth).
        ok_depth = "[" * 20 + "]" * 20
        r2 = self.nurse.request("POST", "/api/v1/patients/1/assessments", raw=ok_depth)
        self.assertStatus(r2, (400, 404, 422))
        self.assertNotIn("nested deeper", r2.body.decode("utf-8", "replace"))

    def test_duplicate_keys_are_refused(self):
        raw = '{"username":"nobody","username":"admin","password":"x"}'
        r = self.anon.request("POST", "/api/v1/auth/login", raw=raw)
        self.assertError(r, 400, field="body")
        self.assertIn("twice", r.error()["message"])

    def test_json_bodies_must_say_so(self):
        r = self.anon.request("POST", "/api/v1/auth/login",
                              raw='{"username":"admin","password":"x"}',
                              headers={"Content-Type": "text/plain"})
        e = self.assertError(r, 415, field="Content-Type")
        self.assertEqual(e.get("kind"), "unsupported_media_type")
        r2 = self.anon.request("POST", "/api/v1/auth/login",
                               raw='{"username":"admin","password":"wrong-password-x"}',
                               headers={"Content-Type": "application/json; charset=utf-8"})
        self.assertStatus(r2, 401)

    def smuggle(self, te_lines):
        # The smuggled second request would answer 200 from /healthz if it ran.
        smuggled = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        head = (b"POST /api/v1/inquiries HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
                te_lines + b"\r\n")
        return raw_exchange(self.port, head + smuggled)

    def test_transfer_encoding_other_than_chunked_is_refused_and_closed(self):
        for te in (b"Transfer-Encoding: xchunked\r\n",
                   b"Transfer-Encoding: chunked, identity\r\n",
                   b"Transfer-Encoding: gzip\r\n",
                   b"Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n",
                   b"Transfer-Encoding: chunked\r\nContent-Length: 4\r\n"):
            with self.subTest(te=te):
                out = self.smuggle(te)
                self.assertTrue(out.startswith(b"HTTP/1.1 400"), out[:200])
                # Exactly one response: the bytes after the headers never ran as a request.
                self.assertEqual(out.count(b"HTTP/1.1 "), 1, out[:400])

    def test_front_desk_cannot_change_dosing_inputs_and_changes_keep_old_and_new(self):
        r = self.desk.post("/api/v1/patients", {
            "given_name": "Dose", "family_name": "Inputs", "date_of_birth": "1985-03-14",
            "sex": "female", "indication": "depression", "weight_kg": 70, "height_cm": 165})
        self.assertStatus(r, 201)
        pid = r.json["id"]
        path = "/api/v1/patients/%d" % pid
        for field, value in (("weight_kg", 91.4), ("height_cm", 180), ("date_of_birth", "1975-01-01"),
                             ("sex", "male")):
            with self.subTest(field=field):
                refused = self.desk.patch(path, {field: value}, etag=self.desk.current_etag(path))
                self.assertError(refused, 403, field=field)
        self.assertEqual(self.nurse.get(path).json["weight_kg"], 70)  # nothing changed
        # The front desk still keeps contact details.
        self.assertStatus(self.desk.patch(path, {"phone": "555-0100"},
                                          etag=self.desk.current_etag(path)), 200)
        ok = self.nurse.patch(path, {"weight_kg": 72.5}, etag=self.nurse.current_etag(path))
        self.assertStatus(ok, 200)
        changes = self.nurse.get(path + "/field-changes")
        self.assertStatus(changes, 200)
        self.assertEqual([(c["field"], c["old_value"], c["new_value"]) for c in changes.json],
                         [("weight_kg", "70.0", "72.5")])
        self.assertError(self.desk.get(path + "/field-changes"), 403)

    def new_user(self, role):
        name = unique("u")
        password = "correct-horse-" + name
        r = self.admin.post("/api/v1/users", {"username": name, "password": password, "role": role})
        self.assertStatus(r, 201)
        return name, password, r.json["id"]

    def test_parallel_wrong_passwords_are_checked_at_most_max_failures_times(self):
        name, password, _ = self.new_user("nurse")

        def attempt(i):
            return Client(self.port).post("/api/v1/auth/login",
                                          {"username": name, "password": "wrong-password-%02d" % i})

        with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
            answers = list(pool.map(attempt, range(24)))
        # A sign-in flood is refused fast ("busy", 503) rather than queued; the rest are counted.
        for i in range(24, 36):
            if answers[-1].error().get("code") == "locked":
                break
            answers.append(attempt(i))
        codes = [a.error().get("code") for a in answers]
        self.assertNotIn(200, [a.status for a in answers])
        self.assertLessEqual(set(codes), {"invalid_credentials", "locked", "busy"}, codes)
        # The lock-out default is 5 failures: never more than 5 passwords were ever checked.
        self.assertLessEqual(codes.count("invalid_credentials"), 5, codes)
        self.assertEqual(codes[-1], "locked", codes)
        # Locked now, even with the right password.
        right = Client(self.port).post("/api/v1/auth/login", {"username": name, "password": password})
        self.assertError(right, 429, code="locked")

    def test_witness_passwords_are_throttled_and_answers_reveal_nothing(self):
        # Wrong witnesses all get the same answer, whoever they are (nothing to enumerate), and
        # the guesses lock out like a login.
        _, _, wid = self.new_user("physician")
        _, _, desk_id = self.new_user("front_desk")
        answers = []
        for witness in (wid, desk_id, 999999):
            r = self.nurse.post("/api/v1/stock/wastes", {
                "session_id": 1, "witness_user_id": witness, "witness_password": "guess-guess-1",
                "mg": 1})
            answers.append((r.status, r.error().get("field"), r.error().get("message")))
        self.assertEqual(len(set(answers)), 1, answers)
        self.assertEqual(answers[0][:2], (422, "witness_password"))
        codes = []
        for i in range(8):
            r = self.nurse.post("/api/v1/stock/wastes", {
                "session_id": 1, "witness_user_id": wid, "witness_password": "guess-%d-xxxxx" % i,
                "mg": 1})
            codes.append(r.error().get("code"))
        self.assertIn("locked", codes, codes)

    def test_a_patient_cannot_backdate_a_self_report_and_repeated_flags_group(self):
        pid = self.demo_patient_id()
        path = "/api/v1/patients/%d/assessments" % pid
        phq9 = {"instrument": "phq9", "answers": [2, 2, 2, 2, 2, 2, 2, 2, 1]}
        old = self.patient.post(path, dict(phq9, taken_on="1900-01-01"))
        self.assertError(old, 400, field="taken_on")
        first = self.patient.post(path, phq9)
        self.assertStatus(first, 201)
        again = self.patient.post(path, phq9)
        self.assertStatus(again, 201)
        a1, a2 = first.json["alerts"], again.json["alerts"]
        self.assertEqual(len(a1), 1, first.json)
        # The same open flag is one alert to act on, not two.
        self.assertEqual([a["id"] for a in a2], [a1[0]["id"]], again.json)
        self.assertTrue(a2[0].get("grouped"))

    def test_security_headers_on_every_response(self):
        for r in (self.nurse.get("/api/v1/patients"), self.anon.get("/healthz"),
                  self.anon.get("/api/v1/no-such-route")):
            h = r.headers  # lower-cased names
            self.assertEqual(h.get("cache-control"), "no-store", r)
            self.assertEqual(h.get("x-content-type-options"), "nosniff")
            self.assertIn("frame-ancestors 'none'", h.get("content-security-policy", ""))
            self.assertEqual(h.get("x-frame-options"), "DENY")
            self.assertEqual(h.get("referrer-policy"), "no-referrer")


if __name__ == "__main__":
    unittest.main()
