"""Smaller findings of the hostile probe, each reproduced through the real server first.

- text fields accepted NUL and bidirectional override characters (Trojan Source);
- the password rules accepted twelve spaces, "aaaaaaaaaaaa" and the current password again;
- a patient's e-mail address was not checked at all;
- the database, its -wal/-shm files and backups were created readable by every local user;
- /metrics answered anyone, and labelled requests with the caller's own path segments.
"""

import json
import os
import shutil
import stat
import subprocess
import tempfile
import unittest

from kit_server import DEMO_PASSWORD, Client, KitServer, KitTestCase, backend, kit_binary, unique

PATIENT = {"given_name": "Text", "family_name": "Checks", "date_of_birth": "1985-03-14",
           "sex": "female", "indication": "depression"}


class SmallHardeningTest(KitTestCase):

    def new_patient(self, **fields):
        body = dict(PATIENT)
        body.update(fields)
        return self.desk.post("/api/v1/patients", body)

    def test_nul_and_bidi_controls_are_refused_in_every_json_text(self):
        bad = {"nul": "Ann\u0000a", "rlo": "Ann\u202ea", "lre": "\u202aAnn", "rli": "Ann\u2067a",
               "pdi": "Ann\u2069"}
        for name, value in bad.items():
            with self.subTest(value=name):
                r = self.new_patient(given_name=value)
                self.assertError(r, 400, field="given_name")
                self.assertIn("bidirectional", r.error()["message"])
        # In a key too, and on a public route (one reader for every body).
        raw = '{"username":"admin","password":"x","\\u202e":1}'
        self.assertError(self.anon.request("POST", "/api/v1/auth/login", raw=raw), 400, field="body")
        # Nested: the value's own key names it.
        r = self.anon.post("/api/v1/inquiries", {"name": "Bidi\u2066", "contact": "a@example.org",
                                                 "reason": "other", "message": "hello"})
        self.assertError(r, 400, field="name")
        # Other non-ASCII text stays accepted (accents, right-to-left script without controls).
        self.assertStatus(self.new_patient(given_name="Zo\u00eb \u05d3\u05d5\u05d3"), 201)

    def test_single_line_fields_refuse_line_breaks_and_controls(self):
        """A name, an MRN, a phone number, a clinic, chair or lot name is one line: a line break or
        another control character in it would split a printed record, a CSV row or a log line.
        Free text (notes, reasons, messages) keeps its line breaks."""
        for value in ("Ann\r\nX-Injected: 1", "Ann\nLee", "Ann\ta", "Ann\u0085a", "Ann\u2028a", "Ann\u007fa"):
            for field in ("given_name", "family_name", "mrn", "phone"):
                with self.subTest(field=field, value=value):
                    self.assertError(self.new_patient(**{field: value}), 400, field=field)
        r = self.new_patient()
        self.assertStatus(r, 201)
        path = "/api/v1/patients/%d" % r.json["id"]
        bad = self.desk.patch(path, {"family_name": "Lee\nSmith"}, etag=self.desk.current_etag(path))
        self.assertError(bad, 400, field="family_name")
        self.assertError(self.admin.post("/api/v1/clinics", {"name": "North\nSouth", "open_weekdays": "12345"}),
                         400, field="name")
        # Inner spaces stay, surrounding blanks are trimmed as before.
        ok = self.new_patient(given_name="  Mary Ann  ")
        self.assertStatus(ok, 201)
        self.assertEqual(ok.json["given_name"], "Mary Ann")

    def test_markup_is_stored_as_text_and_returned_inert(self):
        payload = "<script>alert(1)</script>\"'&"
        r = self.new_patient(given_name=payload, family_name="<img src=x onerror=alert(1)>")
        self.assertStatus(r, 201)
        got = self.desk.get("/api/v1/patients/%d" % r.json["id"])
        self.assertStatus(got, 200)
        self.assertTrue(got.header("Content-Type").startswith("application/json"))
        self.assertEqual(got.header("X-Content-Type-Options"), "nosniff")
        self.assertEqual(got.json["given_name"], payload)  # exactly what was sent, as a JSON string
        self.assertIn(json.dumps(payload, ensure_ascii=False)[1:-1].encode("utf-8"), got.body)

    def new_user(self):
        name = unique("u")
        password = "correct-horse-" + name
        r = self.admin.post("/api/v1/users", {"username": name, "password": password,
                                              "role": "nurse"})
        self.assertStatus(r, 201)
        return name, password

    def test_weak_passwords_are_refused(self):
        for weak in (" " * 12, " \t" * 8, "aaaaaaaaaaaa", "abababababab", "abcdabcdabcd", "short-1"):
            with self.subTest(password=repr(weak)):
                r = self.admin.post("/api/v1/users", {"username": unique("w"), "password": weak,
                                                      "role": "nurse"})
                self.assertError(r, 400, field="password")
        # Twelve characters of five kinds are enough; spaces inside are fine.
        ok = self.admin.post("/api/v1/users", {"username": unique("w"), "password": "abcde abcde ",
                                               "role": "nurse"})
        self.assertStatus(ok, 201)

    def test_a_password_change_must_change_it(self):
        name, password = self.new_user()
        me = self.as_user_with(name, password)
        same = me.post("/api/v1/auth/password", {"current_password": password,
                                                 "new_password": password})
        self.assertError(same, 400, field="new_password")
        blank = me.post("/api/v1/auth/password", {"current_password": password,
                                                  "new_password": " " * 16})
        self.assertError(blank, 400, field="new_password")
        changed = me.post("/api/v1/auth/password", {"current_password": password,
                                                    "new_password": password + "-new"})
        self.assertStatus(changed, 200)

    def as_user_with(self, name, password):
        c = Client(self.port)
        r = c.post("/api/v1/auth/login", {"username": name, "password": password})
        self.assertStatus(r, 200)
        c.token = r.json["token"]
        return c

    def test_patient_email_must_look_like_an_address(self):
        for bad in ("not-an-email", "@example.org", "a@b", "a@@example.org", "a b@example.org",
                    "a@example.org.", "a@.org", "", "a@example.org\n", "x" * 250 + "@example.org"):
            with self.subTest(email=bad):
                self.assertError(self.new_patient(email=bad), 400, field="email")
        r = self.new_patient(email="ann.lee+kit@clinic.example.org")
        self.assertStatus(r, 201)
        path = "/api/v1/patients/%d" % r.json["id"]
        bad = self.desk.patch(path, {"email": "nobody"}, etag=self.desk.current_etag(path))
        self.assertError(bad, 400, field="email")
        cleared = self.desk.patch(path, {"email": None}, etag=self.desk.current_etag(path))
        self.assertStatus(cleared, 200)
        good = self.desk.patch(path, {"email": "a@example.org"}, etag=self.desk.current_etag(path))
        self.assertStatus(good, 200)


@unittest.skipUnless(backend() == "sqlite", "file modes of the SQLite files")
class FileModeTest(unittest.TestCase):
    """The real `kit` binary, run with the usual umask 022 (which leaves files world-readable)."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kit-modes-")
        self.old_umask = os.umask(0o022)

    def tearDown(self):
        os.umask(self.old_umask)
        shutil.rmtree(self.dir, ignore_errors=True)

    def assertPrivate(self, path):
        mode = stat.S_IMODE(os.stat(path).st_mode)
        self.assertEqual(mode & 0o077, 0, "%s has mode %o" % (path, mode))

    def test_database_wal_shm_lock_and_backups_are_private(self):
        data = os.path.join(self.dir, "data")
        server = KitServer(data, demo=True, demo_password=DEMO_PASSWORD)
        server.start()
        try:
            # A write, so the -wal and -shm files exist.
            Client(server.port).post("/api/v1/auth/login", {"username": "admin",
                                                            "password": "wrong-password-x"})
            for name in ("kit.db", "kit.db-wal", "kit.db-shm", "kit.db.serve-lock"):
                with self.subTest(file=name):
                    self.assertTrue(os.path.exists(os.path.join(data, name)), name)
                    self.assertPrivate(os.path.join(data, name))
            backup = os.path.join(self.dir, "kit-backup.db")
            r = subprocess.run([kit_binary(), "backup", "--data", data, "--to", backup],
                               capture_output=True, text=True, timeout=120)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertPrivate(backup)
        finally:
            server.stop()


class MetricsTest(unittest.TestCase):
    TOKEN = "metrics-token-" + "5e1f0c9a7b3d2e46"

    @classmethod
    def setUpClass(cls):
        if backend() != "sqlite":
            raise unittest.SkipTest("one back end is enough for /metrics")
        cls.dir = tempfile.mkdtemp(prefix="kit-metrics-")
        cls.server = KitServer(os.path.join(cls.dir, "data"), demo=True)
        os.environ["KIT_METRICS_TOKEN"] = cls.TOKEN
        try:
            cls.server.start()
        finally:
            del os.environ["KIT_METRICS_TOKEN"]

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_metrics_label_route_patterns_only(self):
        local = Client(self.server.port)
        self.assertEqual(local.get("/api/v1/patients/evil-label-x1").status, 401)
        self.assertEqual(local.get("/api/no/such/evil-label-x2").status, 404)
        # Outside /api/ a path is the web application's (its page, 200; 503 when web/dist is not
        # built): still never a label.
        self.assertIn(local.get("/no/such/evil-label-x3").status, (200, 503))
        text = local.get("/metrics")
        self.assertEqual(text.status, 200)
        body = text.body.decode("utf-8")
        self.assertNotIn("evil-label", body)
        self.assertIn('route="/api/v1/patients/{id}"', body)
        self.assertIn('route="unmatched"', body)

    # The refusal of a non-loopback caller without the token is not tested here: the tests send
    # traffic to loopback addresses only.


if __name__ == "__main__":
    unittest.main()
