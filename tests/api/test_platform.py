"""The platform around the routes: health, metrics, OpenAPI, login/logout, lock-out, cookie + CSRF,
error answers (404, 413, 400 "body") and durability of an acknowledged write across kill -9."""

import re
import socket
import time
import unittest

from kit_server import (DEMO_PASSWORD, HOST, Client, KitTestCase, Store, access_of, login,
                        openapi_operations, unique)


def raw_http(port, head, body=b"", timeout=30.0):
    """Sends a request by hand (the server may answer before the body is read); returns
    (status, response bytes)."""
    s = socket.create_connection((HOST, port), timeout=timeout)
    try:
        s.sendall(head)
        try:
            view = memoryview(body)
            for i in range(0, len(view), 65536):
                s.sendall(view[i:i + 65536])
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed early: fine, read its answer
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        chunks = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                c = s.recv(65536)
            except ConnectionResetError:
                break
            if not c:
                break
            chunks.append(c)
        data = b"".join(chunks)
    finally:
        s.close()
    m = re.match(rb"HTTP/1\.[01] (\d{3})", data)
    return (int(m.group(1)) if m else None), data


class PlatformTest(KitTestCase):

    def test_healthz(self):
        r = self.anon.get("/healthz")
        self.assertStatus(r, 200)

    def test_metrics_prometheus_text(self):
        self.anon.get("/healthz")
        r = self.anon.get("/metrics")
        if r.status in (401, 403):  # metrics may be kept for operators
            r = self.admin.get("/metrics")
        self.assertStatus(r, 200)
        ctype = r.header("Content-Type") or ""
        self.assertTrue(ctype.startswith("text/plain"), ctype)
        text = r.body.decode("utf-8")
        self.assertIn("# TYPE kit_http_requests_total counter", text)
        samples = 0
        sample = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? [-+0-9.eEInfNa]+( \d+)?$')
        for line in text.splitlines():
            if not line or line.startswith("#"):
                if line.startswith("# TYPE"):
                    self.assertRegex(line, r"^# TYPE \S+ (counter|gauge|histogram|summary|untyped)$")
                continue
            self.assertRegex(line, sample)
            samples += 1
        self.assertGreater(samples, 0)
        self.assertRegex(text, r"(?m)^kit_http_requests_total\{[^}]*\} \d")

    def test_openapi_document(self):
        r = self.anon.get("/api/v1/openapi.json")
        self.assertStatus(r, 200)
        doc = r.json
        self.assertTrue(str(doc.get("openapi", "")).startswith("3."), doc.get("openapi"))
        self.assertIn("info", doc)
        paths = doc.get("paths")
        self.assertIsInstance(paths, dict)
        self.assertGreater(len(paths), 5)
        for pattern, item in paths.items():
            self.assertTrue(pattern.startswith("/"), pattern)
            methods = [m for m in item if m in ("get", "post", "put", "patch", "delete")]
            self.assertTrue(methods, "%s has no methods" % pattern)
        for method, pattern, op in openapi_operations(doc):
            self.assertIn("responses", op, (method, pattern))
            access_of(op)
        for must in ("/api/v1/auth/login", "/api/v1/auth/logout", "/api/v1/inquiries",
                     "/api/v1/audit", "/api/v1/openapi.json"):
            self.assertIn(must, paths)
        self.assertIn("post", paths["/api/v1/inquiries"])
        self.assertIn("get", paths["/api/v1/inquiries"])

    def test_login_ok_and_bad(self):
        c = Client(self.port)
        ok = c.post("/api/v1/auth/login", {"username": "nurse", "password": DEMO_PASSWORD})
        self.assertStatus(ok, 200)
        self.assertIsInstance(ok.json.get("token"), str)
        self.assertGreater(len(ok.json["token"]), 20)
        cookies = ok.all_headers("Set-Cookie")
        self.assertTrue(any(v.startswith("kit_session=") and "HttpOnly" in v for v in cookies),
                        cookies)
        me = Client(self.port, token=ok.json["token"]).get("/api/v1/auth/me")
        self.assertStatus(me, 200)
        self.assertEqual(me.json["user"]["username"], "nurse")
        self.assertEqual(me.json["user"]["role"], "nurse")

        bad = c.post("/api/v1/auth/login", {"username": "nurse", "password": "wrong-password-123"})
        self.assertError(bad, 401)
        self.assertNotIn("token", bad.json)
        nobody = c.post("/api/v1/auth/login", {"username": "nobody-" + unique("x"), "password": "x" * 12})
        self.assertError(nobody, 401)
        missing = c.post("/api/v1/auth/login", {"username": "nurse"})
        self.assertError(missing, 400, field="password")
        # The nurse's single failure does not lock the account.
        self.assertStatus(c.post("/api/v1/auth/login", {"username": "nurse", "password": DEMO_PASSWORD}), 200)

    def test_lock_out_after_repeated_failures(self):
        name = unique("lockme")
        password = "lock-me-password-42"
        created = self.admin.post("/api/v1/users", {"username": name, "password": password, "role": "nurse"})
        self.assertStatus(created, 201)
        c = Client(self.port)
        statuses = []
        for _ in range(12):
            r = c.post("/api/v1/auth/login", {"username": name, "password": "not-the-password"})
            statuses.append(r.status)
            r.error()
            if r.status == 429:
                break
        self.assertEqual(statuses[0], 401, statuses)
        self.assertIn(429, statuses, "never locked out after %d failures: %r" % (len(statuses), statuses))
        self.assertLessEqual(len(statuses), 11, statuses)
        # Locked: even the right password is refused now.
        right = c.post("/api/v1/auth/login", {"username": name, "password": password})
        self.assertError(right, 429)
        self.assertNotIn("token", right.json)

    def test_logout_invalidates_the_token(self):
        c = self.server.login("physician")
        self.assertStatus(c.get("/api/v1/auth/me"), 200)
        self.assertStatus(c.post("/api/v1/auth/logout"), 200)
        after = c.get("/api/v1/auth/me")
        self.assertError(after, 401)
        self.assertError(c.get("/api/v1/patients"), 401)
        # Other sessions of the same user stay valid.
        self.assertStatus(self.physician.get("/api/v1/auth/me"), 200)

    def test_cookie_session_needs_csrf_on_writes(self):
        c = self.server.login("frontdesk", use_cookie=True)
        self.assertIsNone(c.token)
        me = c.get("/api/v1/auth/me")
        self.assertStatus(me, 200)
        self.assertTrue(me.json.get("via_cookie"))
        self.assertStatus(c.get("/api/v1/inquiries"), 200)  # reads need no CSRF header
        no_header = c.request("POST", "/api/v1/patients", body={"given_name": "Csrf"})
        self.assertError(no_header, 403, code="csrf")
        wrong = c.request("POST", "/api/v1/patients", body={"given_name": "Csrf"},
                          headers={"X-CSRF-Token": "not-the-token"})
        self.assertError(wrong, 403)
        self.assertTrue(c.csrf_token)
        right = c.request("POST", "/api/v1/patients", body={"given_name": "Csrf"},
                          headers={"X-CSRF-Token": c.csrf_token})
        self.assertNotIn(right.status, (401, 403), right)
        self.assertError(right, 400)  # past the CSRF check: the body is incomplete
        # Logout is a write too.
        self.assertError(c.post("/api/v1/auth/logout"), 403, code="csrf")
        self.assertStatus(c.request("POST", "/api/v1/auth/logout", headers={"X-CSRF-Token": c.csrf_token}), 200)
        self.assertError(c.get("/api/v1/auth/me"), 401)

    def test_unknown_route_is_404_json(self):
        # Paths outside /api/ belong to the web application (tests/api/test_web_static.py).
        for path in ("/api/v1/no-such-thing", "/api/v1/patients/1/no-such-thing", "/api/nope", "/api"):
            r = self.admin.get(path)
            e = self.assertError(r, 404)
            self.assertTrue((r.header("Content-Type") or "").startswith("application/json"))
            self.assertEqual(e["code"], "not_found")
            self.assertEqual(e.get("kind"), "not_found")
        self.assertError(self.anon.get("/api/v1/no-such-thing"), (401, 404))

    def test_body_too_large_is_413(self):
        body = b'{"name":"' + b"x" * (2 * 1024 * 1024) + b'","contact":"a@b.cd","reason":"other"}'
        head = ("POST /api/v1/inquiries HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\n"
                "Content-Length: %d\r\nConnection: close\r\n\r\n" % (HOST, self.port, len(body))).encode()
        status, data = raw_http(self.port, head, body)
        self.assertEqual(status, 413, data[:300])
        self.assertIn(b'"error"', data)
        # The server is still fine.
        self.assertStatus(self.anon.get("/healthz"), 200)

    def test_malformed_json_is_400_body(self):
        for path, client in (("/api/v1/inquiries", self.anon), ("/api/v1/auth/login", self.anon),
                             ("/api/v1/patients", self.desk)):
            r = client.request("POST", path, raw='{"name": "unterminated')
            e = self.assertError(r, 400, field="body", msg=path)
            self.assertEqual(e.get("kind"), "invalid_input", e)
        r = self.anon.request("POST", "/api/v1/inquiries", raw="")
        self.assertError(r, 400, field="body")

    def test_bad_input_names_the_field(self):
        """{"error":{"kind","code","message","field"}}: bad input is kind invalid_input."""
        r = self.anon.post("/api/v1/inquiries", {"name": "Ann", "contact": "not a contact", "reason": "depression"})
        e = self.assertError(r, 400, field="contact")
        self.assertEqual(e.get("kind"), "invalid_input", e)
        r = self.anon.post("/api/v1/inquiries", {"name": "Ann", "contact": "ann@example.org", "reason": "boredom"})
        self.assertError(r, 400, field="reason")
        r = self.anon.post("/api/v1/inquiries", {"name": "Ann", "contact": "ann@example.org",
                                                 "reason": "depression", "extra": 1})
        self.assertError(r, 400, field="extra")


class DurabilityTest(unittest.TestCase):
    """An acknowledged write survives kill -9 of the server."""

    def test_acknowledged_inquiry_survives_kill_9(self):
        store = Store()
        server = store.server()
        try:
            server.start()
            name = unique("Durable")
            r = Client(server.port).post("/api/v1/inquiries", {
                "name": name, "contact": "durable@example.org", "reason": "depression",
                "message": "please call"})
            self.assertIn(r.status, (200, 201), r)
            inquiry_id = r.json["id"]
            server.kill9()  # no graceful shutdown, no checkpoint
            server.start()
            desk = login(server.port, "frontdesk")
            q = desk.get("/api/v1/inquiries")
            self.assertEqual(q.status, 200, q)
            found = [i for i in q.json if i["id"] == inquiry_id]
            self.assertEqual(len(found), 1, "inquiry %d lost after kill -9: %r" % (inquiry_id, q))
            self.assertEqual(found[0]["name"], name)
            one = desk.get("/api/v1/inquiries/%d" % inquiry_id)
            self.assertEqual(one.status, 200, one)
            code = server.stop()
            self.assertEqual(code, 0, "kit serve exit code on SIGTERM:\n" + server.log_tail())
        finally:
            if server.proc is not None:
                server.stop()
            store.cleanup()


if __name__ == "__main__":
    unittest.main()
