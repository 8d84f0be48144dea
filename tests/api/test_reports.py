"""Printed reports (server/reports, docs/reports.md) through a real `kit serve` running the whole
demo clinic (30 synthetic patients with histories), on SQLite or PostgreSQL:

- `kit report patient ID --out FILE.pdf|.html` reads the clinic's database as `kit serve` does
  (--data, or --database for PostgreSQL) while the server runs on it, writes the file readable by
  its owner only, and leaves an audit row (actor cli:report) for the patient, allowed or denied;
- GET /api/v1/patients/{id}/report?format=html|pdf (physicians) answers the same letter; a PDF is
  printed by headless Chromium and read back with pdftotext (poppler-utils): the patient's name,
  the doses ("35 mg", "0.5 mg/kg"), the instrument names;
- a hostile name is escaped in the HTML, never markup;
- without Chromium the PDF is refused with 503 naming it, and the HTML still works.
"""
import json
import os
import re
import shutil
import stat
import subprocess
import tempfile
import unittest

from kit_server import KitTestCase, Store, kit_binary

CLI_TIMEOUT_S = 120


def pdf_text(data_or_path):
    """The text of a PDF (pdftotext -layout), no-break spaces as spaces."""
    if shutil.which("pdftotext") is None:
        raise AssertionError("pdftotext not found (apt-get install poppler-utils)")
    if isinstance(data_or_path, bytes):
        r = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data_or_path,
                           capture_output=True, timeout=60)
    else:
        r = subprocess.run(["pdftotext", "-layout", data_or_path, "-"], capture_output=True,
                           timeout=60)
    if r.returncode != 0:
        raise AssertionError("pdftotext failed: %r" % r.stderr[:300])
    return r.stdout.decode("utf-8").replace("\u00a0", " ")


def flat(text):
    return re.sub(r"\s+", " ", text.replace("\u00a0", " "))


_SHARED = {}  # one server with the whole demo clinic for the module (seeding takes seconds)


def setUpModule():
    pass


def tearDownModule():
    server, store = _SHARED.pop("server", None), _SHARED.pop("store", None)
    code, log = 0, ""
    if server is not None:
        log = server.log_tail()
        code = server.stop()
    if store is not None:
        store.cleanup()
    if code != 0:
        raise AssertionError("kit serve did not exit cleanly on SIGTERM (exit %r):\n%s" % (code, log))


class ReportCase(KitTestCase):
    """The module's server with the whole demo clinic (started by the first class that needs it,
    stopped at the end of the module)."""

    @classmethod
    def setUpClass(cls):
        if "server" not in _SHARED:
            store = Store()
            try:
                _SHARED["server"] = store.server(demo_seed="clinic").start(timeout=120)
            except BaseException:
                store.cleanup()
                raise
            _SHARED["store"] = store
        cls.store, cls.server = _SHARED["store"], _SHARED["server"]
        cls._clients = {}
        cls.out_dir = tempfile.mkdtemp(prefix="kit-reports-out-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.out_dir, ignore_errors=True)
        # The server and its store belong to the module (tearDownModule).

    def kit(self, *args, env=None):
        """Runs `kit ...` on the class's clinic database (--data, or --database on PostgreSQL)."""
        db = ["--database", self.store.database_url] if self.store.database_url else \
            ["--data", self.store.data_dir]
        e = dict(os.environ)
        e.update(env or {})
        return subprocess.run([kit_binary()] + list(args) + db, capture_output=True, text=True,
                              timeout=CLI_TIMEOUT_S, env=e, stdin=subprocess.DEVNULL)

    def audit_rows(self, patient_id):
        r = self.admin.get("/api/v1/audit", query={"patient_id": patient_id, "limit": 1000})
        self.assertStatus(r, 200)
        return r.json

    def patient_with_infusions(self):
        """A demo patient whose record has infusions given and questionnaires (DEMO-0001)."""
        pid = self.demo_patient_id()
        sessions = self.physician.get("/api/v1/patients/%d/sessions" % pid)
        self.assertStatus(sessions, 200)
        given = [s for s in sessions.json if s["state"] == "discharged"]
        self.assertGreater(len(given), 0, "the demo patient has no infusion given")
        return pid, given


class PatientReportCliTest(ReportCase):

    def test_pdf_while_the_server_runs_names_the_patient_doses_and_instruments(self):
        pid, given = self.patient_with_infusions()
        patient = self.physician.get("/api/v1/patients/%d" % pid).json
        out = os.path.join(self.out_dir, "patient-%d.pdf" % pid)
        r = self.kit("report", "patient", str(pid), "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        done = json.loads(r.stdout)
        self.assertEqual((done["report"], done["patient_id"], done["format"]), ("patient", pid, "pdf"))
        self.assertEqual(stat.S_IMODE(os.stat(out).st_mode), 0o600, "the report holds patient data")
        with open(out, "rb") as f:
            self.assertEqual(f.read(5), b"%PDF-")
        text = flat(pdf_text(out))
        self.assertIn("%s %s" % (patient["given_name"], patient["family_name"]), text)
        self.assertIn(patient["mrn"], text)
        # DEMO-0001 weighs 70 kg; the depression series gives 0.5 mg/kg = 35 mg over 40 min
        # (Zarate 2006, docs/reference/pharmacology.md §3.1).
        self.assertIn("35 mg", text)
        self.assertIn("0.5 mg/kg", text)
        self.assertIn("40 min", text)
        self.assertIn("PHQ-9", text)
        self.assertRegex(text, r"Total delivered: [0-9,.]+ mg over %d infusions" % len(given))
        # The read is in the patient's audit log, as the command-line actor.
        rows = [a for a in self.audit_rows(pid) if a["username"] == "cli:report"]
        self.assertTrue(rows, "no audit row by cli:report")
        self.assertTrue(rows[0]["action"].startswith("kit report patient"), rows[0])
        self.assertEqual((rows[0]["outcome"], rows[0]["status"]), ("allowed", 200), rows[0])
        self.assertStatus(self.admin.get("/api/v1/audit/verify"), 200)

    def test_html_file_and_a_missing_patient(self):
        pid, _ = self.patient_with_infusions()
        out = os.path.join(self.out_dir, "patient.html")
        r = self.kit("report", "patient", str(pid), "--out", out, "--paper", "letter")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out, encoding="utf-8") as f:
            html = f.read()
        self.assertTrue(html.startswith("<!doctype html>"), html[:50])
        self.assertIn("size:letter", html)
        self.assertNotIn("<script", html)
        self.assertIn("35\u00a0mg", html)

        missing = os.path.join(self.out_dir, "missing.pdf")
        r = self.kit("report", "patient", "999999", "--out", missing)
        self.assertEqual(r.returncode, 4, (r.returncode, r.stderr))  # not_found (error_kinds.h)
        self.assertIn("patient 999999 not found", r.stderr)
        self.assertFalse(os.path.exists(missing))
        rows = [a for a in self.audit_rows(999999) if a["username"] == "cli:report"]
        self.assertTrue(rows and rows[0]["outcome"] == "denied" and rows[0]["status"] == 404, rows)

    def test_bad_arguments_name_what_is_wrong(self):
        r = self.kit("report", "patient", "1", "--out", os.path.join(self.out_dir, "x.docx"))
        self.assertEqual(r.returncode, 2)
        self.assertIn("--out", r.stderr)
        r = self.kit("report", "patient", "1", "--out", os.path.join(self.out_dir, "x.pdf"),
                     "--paper", "legal")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--paper", r.stderr)
        empty = tempfile.mkdtemp(prefix="kit-no-clinic-")
        try:
            r = subprocess.run([kit_binary(), "report", "patient", "1", "--data", empty, "--out",
                                os.path.join(empty, "x.pdf")], capture_output=True, text=True,
                               timeout=CLI_TIMEOUT_S)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn("no clinic database", r.stderr)
        finally:
            shutil.rmtree(empty, ignore_errors=True)

    def test_the_environment_names_the_database_as_for_kit_serve(self):
        pid, _ = self.patient_with_infusions()
        out = os.path.join(self.out_dir, "env.html")
        env = {"KIT_DATABASE": self.store.database_url} if self.store.database_url else \
            {"KIT_DATA": self.store.data_dir}
        r = subprocess.run([kit_binary(), "report", "patient", str(pid), "--out", out],
                           capture_output=True, text=True, timeout=CLI_TIMEOUT_S,
                           env=dict(os.environ, **env), cwd=self.out_dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.getsize(out) > 1000)


class PatientReportRouteTest(ReportCase):

    def path(self, pid):
        return "/api/v1/patients/%d/report" % pid

    def test_html_and_pdf_for_the_physician(self):
        pid, _ = self.patient_with_infusions()
        r = self.physician.get(self.path(pid))
        self.assertStatus(r, 200)
        self.assertTrue(r.header("Content-Type").startswith("text/html"), r.header("Content-Type"))
        policy = r.header("Content-Security-Policy")
        self.assertIn("default-src 'none'", policy)
        self.assertNotIn("unsafe-inline", policy)
        html = r.body.decode("utf-8")
        self.assertIn("Demo Patient", html)
        self.assertIn("<svg", html)

        r = self.physician.get(self.path(pid), query={"format": "pdf", "paper": "letter"})
        self.assertStatus(r, 200)
        self.assertEqual(r.header("Content-Type"), "application/pdf")
        self.assertIn("attachment", r.header("Content-Disposition"))
        text = flat(pdf_text(r.body))
        self.assertIn("Demo Patient", text)
        self.assertIn("35 mg", text)
        self.assertIn("PHQ-9", text)

    def test_bad_query_and_who_may_read_it(self):
        pid, _ = self.patient_with_infusions()
        self.assertStatus(self.physician.get(self.path(pid)), 200)
        self.assertError(self.physician.get(self.path(pid), query={"format": "docx"}), 400, field="format")
        self.assertError(self.physician.get(self.path(pid), query={"paper": "legal"}), 400, field="paper")
        self.assertError(self.physician.get(self.path(999999)), 404)
        for who in (self.nurse, self.desk, self.admin, self.patient):
            self.assertError(who.get(self.path(pid)), 403)
        self.assertError(self.anon.get(self.path(pid)), 401)
        rows = [a for a in self.audit_rows(pid) if a["action"] == "GET /api/v1/patients/{id}/report"]
        self.assertTrue(any(a["username"] == "physician" and a["outcome"] == "allowed" for a in rows), rows)
        self.assertTrue(any(a["username"] == "nurse" and a["outcome"] == "denied" for a in rows), rows)

    def test_a_hostile_name_is_text_not_markup(self):
        hostile = "<script>alert('x')</script><img src=x onerror=alert(1)>"
        r = self.desk.post("/api/v1/patients", {
            "given_name": hostile, "family_name": "O'Brien & \"Sons\"", "date_of_birth": "1985-03-14",
            "sex": "female", "indication": "depression", "weight_kg": 70, "height_cm": 170})
        self.assertStatus(r, 201)
        pid = r.json["id"]
        html = self.physician.get(self.path(pid)).body.decode("utf-8")
        self.assertNotIn("<script>alert", html)
        self.assertNotIn("<img src=x", html)
        self.assertIn("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;", html)
        self.assertIn("O&#39;Brien &amp; &quot;Sons&quot;", html)
        out = os.path.join(self.out_dir, "hostile.html")
        r = self.kit("report", "patient", str(pid), "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out, encoding="utf-8") as f:
            self.assertNotIn("<script>alert", f.read())
        r = self.kit("report", "patient", str(pid), "--out", out.replace(".html", ".pdf"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("<script>alert('x')</script>", pdf_text(out.replace(".html", ".pdf")))


class ClinicReportTest(ReportCase):
    """The clinic's outcomes for the demo clinic's year: CLI and route, PDF read back."""

    def range(self):
        import datetime
        today = datetime.datetime.now(datetime.timezone.utc).date()
        return (today - datetime.timedelta(days=365)).isoformat(), today.isoformat()

    def test_cli_pdf_while_the_server_runs(self):
        start, end = self.range()
        out = os.path.join(self.out_dir, "clinic.pdf")
        r = self.kit("report", "clinic", "--from", start, "--to", end, "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        done = json.loads(r.stdout)
        self.assertEqual((done["report"], done["format"]), ("clinic", "pdf"))
        self.assertGreater(done["courses"], 10)
        self.assertEqual(stat.S_IMODE(os.stat(out).st_mode), 0o600)
        text = flat(pdf_text(out))
        self.assertIn("Clinic outcomes, %s to %s" % (start, end), text)
        for words in ("PHQ-9", "depression", "Kaplan-Meier", "95% CI", "Safety", "Boosters"):
            self.assertIn(words, text)
        self.assertNotIn("DEMO-0", text)  # aggregates only: no record number, no name
        r = self.admin.get("/api/v1/audit", query={"limit": 200})
        self.assertStatus(r, 200)
        rows = [a for a in r.json if a["username"] == "cli:report" and
                a["action"].startswith("kit report clinic --from %s --to %s" % (start, end))]
        self.assertTrue(rows, "no audit row for the clinic report")
        self.assertIsNone(rows[0]["patient_id"])

    def test_cli_refuses_bad_dates_naming_the_option(self):
        out = os.path.join(self.out_dir, "bad.html")
        r = self.kit("report", "clinic", "--from", "2026-02-30", "--to", "2026-03-01", "--out", out)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("--from", r.stderr)
        r = self.kit("report", "clinic", "--from", "2026-03-01", "--to", "2026-02-01", "--out", out)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("--to", r.stderr)
        self.assertFalse(os.path.exists(out))

    def test_route_for_the_director_physician_and_admin(self):
        start, end = self.range()
        path = "/api/v1/reports/clinic"
        q = {"from": start, "to": end}
        director = self.as_user("director")
        r = director.get(path, query=q)
        self.assertStatus(r, 200)
        self.assertTrue(r.header("Content-Type").startswith("text/html"))
        html = r.body.decode("utf-8")
        self.assertIn("<svg", html)
        self.assertNotIn("Demo Patient", html)
        r = director.get(path, query=dict(q, format="pdf"))
        self.assertStatus(r, 200)
        self.assertEqual(r.header("Content-Type"), "application/pdf")
        self.assertIn("PHQ-9", flat(pdf_text(r.body)))
        self.assertStatus(self.physician.get(path, query=q), 200)
        self.assertStatus(self.admin.get(path, query=q), 200)
        for who in (self.nurse, self.desk, self.patient):
            self.assertError(who.get(path, query=q), 403)
        self.assertError(self.anon.get(path, query=q), 401)
        self.assertError(director.get(path, query={"to": end}), 400, field="from")
        self.assertError(director.get(path, query={"from": "2026-13-01", "to": end}), 400, field="from")
        self.assertError(director.get(path, query={"from": end, "to": start}), 400, field="to")
        self.assertError(director.get(path, query=dict(q, patient_id="1")), 400, field="patient_id")


class NoChromiumTest(KitTestCase):
    """A server whose PATH has no chromium: the PDF is refused with 503 naming it; HTML works."""

    @classmethod
    def setUpClass(cls):
        cls.store = Store()
        try:
            server = cls.store.server()
            server.env = {"PATH": "/nonexistent-kit-test-path"}
            cls.server = server.start()
        except BaseException:
            cls.store.cleanup()
            raise
        cls._clients = {}

    def test_pdf_refused_with_503_naming_chromium(self):
        pid = self.demo_patient_id()
        path = "/api/v1/patients/%d/report" % pid
        e = self.assertError(self.physician.get(path, query={"format": "pdf"}), 503, field="chromium")
        self.assertIn("chromium", e["message"])
        self.assertStatus(self.physician.get(path), 200)
        q = {"from": "2026-01-01", "to": "2026-06-30"}
        self.assertError(self.as_user("director").get("/api/v1/reports/clinic", query=dict(q, format="pdf")),
                         503, field="chromium")
        self.assertStatus(self.as_user("director").get("/api/v1/reports/clinic", query=q), 200)


if __name__ == "__main__":
    unittest.main()
