"""Deployed as a clinic runs it: nginx terminating TLS (the committed deploy/nginx/kit.conf, with a
self-signed certificate this test makes) in front of TWO `kit serve` processes on ONE PostgreSQL
database (docs/deploy.md, docs/adr/0019-behind-a-tls-proxy.md).

- HTTPS only: plain HTTP is redirected; the session cookie is Secure; every answer carries
  Strict-Transport-Security (set by kit, tls = true).
- Client addresses: kit believes X-Forwarded-For only from its trusted proxy (nginx, 127.0.0.1).
  Clients connect from other loopback addresses (127.0.0.2, 127.0.0.3, ...), so the audit log and
  the per-address inquiry limit must see those, not nginx's; a client that talks to kit directly
  with a forged X-Forwarded-For is recorded with its real address.
- Concurrent booking, dosing (vitals of a running infusion, retried with one Idempotency-Key on
  both servers), demographic edits with If-Match and stock movements, shared round-robin by nginx
  between both kits, for KIT_TWO_SERVERS_SECONDS seconds (default 12; scripts/two-servers.sh
  --seconds N runs longer): no double-booked chair, no lost update, no duplicate infusion record,
  a stock ledger that reconciles. KIT_TWO_SERVERS_REPORT=FILE writes the figures as JSON.

PostgreSQL only (two processes cannot share a SQLite file). Needs nginx and openssl
(scripts/install-deps.sh installs both); without them the class is skipped saying so.
nginx runs unprivileged-port, in the foreground, from its own prefix in a temporary folder, and
listens on 127.0.0.1 only."""

import collections
import datetime
import json
import os
import random
import re
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
import unittest
import uuid

from kit_server import (ApiSchemas, Client, DEMO_PASSWORD, HOST, KitServer, READY_TIMEOUT_S,
                        STOP_TIMEOUT_S, Store, _die_with_parent, backend, free_port, today, unique)
from test_infusion_gates import (NORMAL_VITALS, OTHER_PROTOCOL, PREP, Staff, approved_patient,
                                 make_clinic, plan_body, ready_patient)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
SITE_CONF = os.path.join(ROOT, "deploy", "nginx", "kit.conf")

# Loopback addresses the clients connect from (nginx and kit listen on 127.0.0.1).
CLIENT_A = "127.0.0.2"
CLIENT_B = "127.0.0.3"
DIRECT = "127.0.0.5"
FORGED = "203.0.113.9"  # TEST-NET-3: only ever written in a header, never connected to
INQUIRY_LIMIT = 3
LOAD_SECONDS = float(os.environ.get("KIT_TWO_SERVERS_SECONDS", "12"))
THREAD_JOIN_S = 120.0


def make_certificate(folder):
    """A self-signed certificate for 127.0.0.1 and localhost (2 days), made by openssl."""
    crt, key = os.path.join(folder, "kit.crt"), os.path.join(folder, "kit.key")
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                        "-keyout", key, "-out", crt], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise AssertionError("openssl could not make a certificate: %s" % r.stderr)
    os.chmod(key, 0o600)
    return crt, key


def render_site(text, kit_ports, https_port, http_port, crt, key):
    """deploy/nginx/kit.conf with this test's ports and certificate; each marked line must be
    found exactly once, so the committed file cannot drift from what is tested."""
    subs = [
        (r"server 127\.0\.0\.1:8081 (.*# kit-a)", "server 127.0.0.1:%d \\1" % kit_ports[0]),
        (r"server 127\.0\.0\.1:8082 (.*# kit-b)", "server 127.0.0.1:%d \\1" % kit_ports[1]),
        (r"listen 80;(\s*# http-listen)", "listen 127.0.0.1:%d;\\1" % http_port),
        (r"listen 443 ssl http2;(\s*# https-listen)", "listen 127.0.0.1:%d ssl http2;\\1" % https_port),
        (r"ssl_certificate\s+/etc/ssl/kit/kit\.crt;(\s*# certificate)", "ssl_certificate %s;\\1" % crt),
        (r"ssl_certificate_key\s+/etc/ssl/kit/kit\.key;(\s*# certificate-key)",
         "ssl_certificate_key %s;\\1" % key),
    ]
    for pattern, repl in subs:
        text, n = re.subn(pattern, repl, text)
        if n != 1:
            raise AssertionError("deploy/nginx/kit.conf: %r matched %d times (expected once)" % (pattern, n))
    return text


class Nginx:
    """`nginx -p DIR -c nginx.conf -g 'daemon off;'`: its own prefix, pid, logs and temp folders."""

    def __init__(self, folder, site_text):
        self.dir = folder
        for sub in ("logs", "tmp"):
            os.makedirs(os.path.join(folder, sub), exist_ok=True)
        if os.geteuid() == 0:
            # As root, nginx's workers run as nobody: they need to reach their temp folders.
            for d in (folder, os.path.join(folder, "tmp")):
                os.chmod(d, 0o755)
        with open(os.path.join(folder, "kit.conf"), "w") as f:
            f.write(site_text)
        main = """
worker_processes 2;
pid %(d)s/nginx.pid;
error_log %(d)s/logs/error.log warn;
events { worker_connections 512; }
http {
    access_log %(d)s/logs/access.log;
    client_body_temp_path %(d)s/tmp/body;
    proxy_temp_path %(d)s/tmp/proxy;
    fastcgi_temp_path %(d)s/tmp/fastcgi;
    uwsgi_temp_path %(d)s/tmp/uwsgi;
    scgi_temp_path %(d)s/tmp/scgi;
    include %(d)s/kit.conf;
}
""" % {"d": folder}
        self.conf = os.path.join(folder, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(main)
        self.proc = None

    def start(self, https_port):
        check = subprocess.run(["nginx", "-t", "-p", self.dir, "-c", self.conf, "-g", "daemon off;"],
                               capture_output=True, text=True, timeout=30)
        if check.returncode != 0:
            raise AssertionError("nginx -t refused the configuration:\n%s" % check.stderr)
        log = open(os.path.join(self.dir, "logs", "stderr.log"), "wb")
        try:
            self.proc = subprocess.Popen(["nginx", "-p", self.dir, "-c", self.conf, "-g", "daemon off;"],
                                         stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         preexec_fn=_die_with_parent)
        finally:
            log.close()
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                with socket.create_connection((HOST, https_port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        raise AssertionError("nginx did not listen on %d:\n%s" % (https_port, self.log_tail()))

    def log_tail(self):
        out = []
        for name in ("stderr.log", "error.log"):
            try:
                with open(os.path.join(self.dir, "logs", name), "rb") as f:
                    out.append(f.read()[-3000:].decode("utf-8", "replace"))
            except OSError:
                pass
        return "\n".join(out)

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful
            try:
                self.proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=STOP_TIMEOUT_S)
        self.proc = None


def expect(resp, statuses, what):
    wants = statuses if isinstance(statuses, (tuple, list, set)) else (statuses,)
    if resp.status not in wants:
        raise AssertionError("%s: expected %s, got %r" % (what, statuses, resp))
    return resp


class TwoServersBehindTlsTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if backend() != "postgresql":
            raise unittest.SkipTest("two kit serve processes on one database need PostgreSQL "
                                    "(KIT_TEST_BACKEND=%s)" % backend())
        missing = [tool for tool in ("nginx", "openssl") if shutil.which(tool) is None]
        if missing:
            raise unittest.SkipTest("two servers behind TLS: %s not installed (scripts/install-deps.sh "
                                    "installs it)" % ", ".join(missing))
        cls.store = Store(prefix="kit-e2e-tls-")  # skips when KIT_TEST_POSTGRES_URL is absent
        cls.servers = []
        cls.nginx = None
        try:
            cls.config = os.path.join(cls.store.tmp, "kit.toml")
            with open(cls.config, "w") as f:
                f.write('tls = true\ntrusted_proxies = ["127.0.0.1"]\ninquiry_limit_per_hour = %d\n'
                        % INQUIRY_LIMIT)
            args = ["--config", cls.config]
            cls.servers.append(cls.store.server(extra_args=args).start())
            other = os.path.join(cls.store.tmp, "data-b")
            os.makedirs(other)
            cls.servers.append(KitServer(other, database_url=cls.store.database_url,
                                         extra_args=args).start())
            tls_dir = os.path.join(cls.store.tmp, "tls")
            os.makedirs(tls_dir)
            cls.crt, key = make_certificate(tls_dir)
            cls.https_port, cls.http_port = free_port(), free_port()
            with open(SITE_CONF) as f:
                site = render_site(f.read(), [s.port for s in cls.servers], cls.https_port,
                                   cls.http_port, cls.crt, key)
            cls.nginx = Nginx(os.path.join(cls.store.tmp, "nginx"), site).start(cls.https_port)
            # Behind the proxy the OpenAPI document is kit's own: answers are checked against it.
            spec = ApiSchemas.of(HOST, cls.servers[0].port)
            with ApiSchemas._lock:
                ApiSchemas._by_server[(HOST, cls.https_port)] = spec
            cls.tls = ssl.create_default_context(cafile=cls.crt)  # verifies the certificate
        except BaseException:
            cls._stop_all()
            raise
        cls._logins = {}

    @classmethod
    def _stop_all(cls):
        if cls.nginx is not None:
            cls.nginx.stop()
        codes = [(s.stop(), s.log_tail()) for s in cls.servers]
        cls.store.cleanup()
        return codes

    @classmethod
    def tearDownClass(cls):
        for code, log in cls._stop_all():
            if code != 0:
                raise AssertionError("kit serve did not exit cleanly on SIGTERM (exit %r):\n%s" % (code, log))

    # --- clients ---------------------------------------------------------------------------------

    @classmethod
    def via_proxy(cls, source=CLIENT_A):
        c = Client(cls.https_port)
        c.ssl_context = cls.tls
        c.source_address = (source, 0)
        return c

    @classmethod
    def direct(cls, server=0, source=DIRECT):
        c = Client(cls.servers[server].port)
        c.source_address = (source, 0)
        return c

    @classmethod
    def login_via_proxy(cls, username, source=CLIENT_A):
        key = (username, source)
        if key not in cls._logins:
            c = cls.via_proxy(source)
            r = expect(c.post("/api/v1/auth/login", {"username": username, "password": DEMO_PASSWORD}),
                       200, "login %s through nginx" % username)
            c.token = r.json["token"]
            c.user = r.json["user"]
            cls._logins[key] = c
        return cls._logins[key]

    def staff(self, source=CLIENT_A):
        return Staff(*(self.login_via_proxy(u, source) for u in ("admin", "frontdesk", "nurse", "physician")))

    def audit_rows_of(self, username):
        admin = self.login_via_proxy("admin")
        r = expect(admin.get("/api/v1/audit", query={"user": username, "limit": 50}), 200, "audit")
        return r.json["entries"] if isinstance(r.json, dict) else r.json

    def failed_login(self, client, username, headers=None):
        r = client.post("/api/v1/auth/login", {"username": username, "password": "not-the-password-1"},
                        headers=headers)
        self.assertEqual(r.status, 401, r)

    # --- HTTPS -------------------------------------------------------------------------------------

    def test_https_only_secure_cookie_and_hsts(self):
        # Plain HTTP is only a redirect to HTTPS.
        plain = Client(self.http_port)
        plain.check_schemas = False
        r = plain.get("/api/v1/openapi.json", auth=False)
        self.assertEqual(r.status, 301, r)
        self.assertTrue((r.header("Location") or "").startswith("https://"), r.header_list)
        # Over HTTPS (the certificate verified against the one made here), the login cookie is
        # Secure and HttpOnly, and HSTS is sent once, by kit.
        c = self.via_proxy()
        r = expect(c.post("/api/v1/auth/login", {"username": "nurse", "password": DEMO_PASSWORD}), 200,
                   "login over HTTPS")
        cookies = [v for v in r.all_headers("Set-Cookie") if v.startswith("kit_session=")]
        self.assertEqual(len(cookies), 1, r.header_list)
        attrs = [a.strip().lower() for a in cookies[0].split(";")]
        self.assertIn("secure", attrs, cookies[0])
        self.assertIn("httponly", attrs, cookies[0])
        # Metrics are not served through the public side.
        self.assertEqual(c.get("/metrics", auth=False).status, 403)
        for path in ("/api/v1/openapi.json", "/healthz", "/no-such-page"):
            got = c.get(path, auth=False)
            hsts = got.all_headers("Strict-Transport-Security")
            self.assertEqual(len(hsts), 1, "%s: %r" % (path, got.header_list))
            age = re.search(r"max-age=(\d+)", hsts[0])
            self.assertIsNotNone(age, hsts[0])
            self.assertGreaterEqual(int(age.group(1)), 31536000, hsts[0])

    def test_a_change_notice_reaches_an_event_stream_through_the_proxy(self):
        # GET /api/v1/events through nginx (proxy_buffering off): the preamble arrives at once,
        # and a write made through nginx (on either server) reaches the stream as a change notice.
        nurse = self.login_via_proxy("nurse")
        conn = nurse.connection(timeout=10)
        try:
            conn.request("GET", "/api/v1/events", headers={
                "Authorization": "Bearer " + nurse.token, "Accept": "text/event-stream"})
            r = conn.getresponse()
            self.assertEqual(r.status, 200)
            self.assertTrue((r.getheader("Content-Type") or "").startswith("text/event-stream"))
            self.assertEqual(len(r.headers.get_all("Strict-Transport-Security") or []), 1)

            def read_until(marker, seconds):
                got = b""
                deadline = time.monotonic() + seconds
                while marker not in got:
                    self.assertLess(time.monotonic(), deadline,
                                    "no %r through nginx within %d s: %r" % (marker, seconds, got))
                    chunk = r.read1(4096)
                    self.assertTrue(chunk, "the stream ended: %r" % got)
                    got += chunk
                return got

            read_until(b"retry:", 5)
            desk = self.login_via_proxy("frontdesk", CLIENT_B)
            expect(desk.post("/api/v1/patients", {
                "given_name": "Live", "family_name": unique("Stream"), "date_of_birth": "1981-02-03",
                "sex": "male", "indication": "depression"}), 201, "a write")
            # The other server's change feed looks every 2 s.
            read_until(b"event: change", 8)
        finally:
            conn.close()

    # --- client addresses ------------------------------------------------------------------------

    def test_direct_request_with_a_forged_forwarded_for_is_recorded_with_its_peer(self):
        for server in (0, 1):
            name = unique("direct")
            self.failed_login(self.direct(server), name, headers={"X-Forwarded-For": FORGED})
            rows = self.audit_rows_of(name)
            self.assertEqual([x["remote_address"] for x in rows], [DIRECT], rows)

    def test_through_the_proxy_the_audit_log_shows_the_client(self):
        seen = {}
        for source in (CLIENT_A, CLIENT_B):
            for _ in range(2):  # round-robin: each client reaches both servers
                name = unique("proxied")
                # A forged header sent to nginx is replaced by what nginx saw.
                self.failed_login(self.via_proxy(source), name, headers={"X-Forwarded-For": FORGED})
                rows = self.audit_rows_of(name)
                seen[name] = [x["remote_address"] for x in rows]
                self.assertEqual(seen[name], [source], rows)
        # A signed-in client's reads are recorded with its address too.
        desk = self.login_via_proxy("frontdesk", CLIENT_B)
        r = expect(desk.post("/api/v1/patients", {
            "given_name": "Addr", "family_name": unique("Proxy"), "date_of_birth": "1980-01-01",
            "sex": "female", "indication": "depression"}), 201, "create a patient")
        admin = self.login_via_proxy("admin")
        log = expect(admin.get("/api/v1/audit", query={"patient_id": r.json["id"], "limit": 20}), 200,
                     "audit of the patient").json
        entries = log["entries"] if isinstance(log, dict) else log
        self.assertTrue(entries, log)
        self.assertEqual({x["remote_address"] for x in entries}, {CLIENT_B}, entries)

    def test_the_inquiry_limit_counts_each_client_not_the_proxy(self):
        def inquire(source):
            return self.via_proxy(source).post("/api/v1/inquiries", {
                "name": "Rate %s" % source, "contact": "rate@example.org", "reason": "depression",
                "message": "inquiry through the proxy"}, auth=False)

        for _ in range(INQUIRY_LIMIT):
            expect(inquire(CLIENT_A), 201, "inquiry from %s" % CLIENT_A)
        limited = inquire(CLIENT_A)
        self.assertEqual(limited.status, 429, limited)
        # Another client behind the same proxy has its own budget.
        expect(inquire(CLIENT_B), 201, "inquiry from %s after %s's limit" % (CLIENT_B, CLIENT_A))

    # --- two servers under load ---------------------------------------------------------------------

    def test_concurrent_load_through_the_proxy_keeps_every_invariant(self):
        staff = self.staff(CLIENT_A)
        other = self.staff(CLIENT_B)
        clinic = make_clinic(staff.admin)
        chair = expect(staff.admin.post("/api/v1/chairs", {"clinic_id": clinic, "name": unique("Load")}),
                       201, "chair").json["id"]
        patients = []
        for i in range(8):
            r = staff.desk.post("/api/v1/patients", {
                "given_name": "Load%d" % i, "family_name": unique("Load"), "date_of_birth": "1975-03-04",
                "sex": "male" if i % 2 else "female", "indication": "depression"})
            patients.append(expect(r, 201, "patient").json["id"])
        first_day = today() + datetime.timedelta(days=40)
        # Few slots, so that bookings collide: 8 per day, one day per 3 s of load (4 to 200 days).
        n_days = max(4, min(200, int(LOAD_SECONDS // 3)))
        days = [(first_day + datetime.timedelta(days=d)).isoformat() for d in range(n_days)]
        slots = [(d, h) for d in days for h in range(8, 16)]
        # Dosing: a running infusion whose vitals are recorded while everything else goes on.
        ready = ready_patient(staff, clinic, given="LoadInfusion")
        sid = expect(staff.nurse.post(ready.sessions_path, plan_body(ready)), 201, "plan").json["id"]
        spath = "/api/v1/sessions/%d" % sid
        expect(staff.nurse.post_if_match(spath + "/events", {"kind": "start"},
                                         staff.nurse.current_etag(spath)), 201, "start")
        # Stock: a lot drawn for two planned sessions and adjusted, concurrently.
        expiry = (datetime.date.today() + datetime.timedelta(days=400)).isoformat()
        lot = expect(staff.nurse.post("/api/v1/stock/lots", {
            "concentration_mg_per_ml": 50, "vial_volume_ml": 10, "lot_number": unique("LOAD"),
            "expiry_date": expiry, "vials_received": 20}), 201, "lot").json
        draw_sessions = []
        for i in range(2):
            pid, _ = approved_patient(staff, "LoadStock%d" % i)
            draw_sessions.append(expect(staff.physician.post("/api/v1/patients/%d/sessions" % pid, {
                "protocol": OTHER_PROTOCOL, "preparation": dict(PREP), "lot_id": lot["id"],
                "unscheduled_reason": "two servers load"}), 201, "plan for stock").json["id"])
        edited = patients[0]
        epath = "/api/v1/patients/%d" % edited
        version0 = expect(staff.desk.get(epath), 200, "patient").json.get("version")

        stats = collections.Counter()
        lock = threading.Lock()
        problems = []
        booked = []           # appointment ids answered 201
        edits = []            # (version after, given_name) of each 200 PATCH
        vitals_keys = {}      # Idempotency-Key -> vitals id answered
        movements = []        # mg change of each 201 draw / adjustment (draws negative)
        deadline = time.monotonic() + LOAD_SECONDS

        def count(kind, status):
            with lock:
                stats["%s %d" % (kind, status)] += 1

        def worker(fn, who, seed):
            rng = random.Random(seed)
            try:
                while time.monotonic() < deadline:
                    fn(who, rng)
            except Exception as e:  # reported below
                with lock:
                    problems.append("%s: %r" % (fn.__name__, e))

        def book(who, rng):
            day, hour = rng.choice(slots)
            r = who.desk.post("/api/v1/appointments", {
                "patient_id": rng.choice(patients), "chair_id": chair,
                "start": "%sT%02d:00" % (day, hour), "end": "%sT%02d:00" % (day, hour + 1)})
            count("book", r.status)
            if r.status == 201:
                with lock:
                    booked.append(r.json["id"])
            elif r.status != 409:
                raise AssertionError("booking answered %r" % r)

        def edit(who, rng):
            etag = who.desk.current_etag(epath)
            name = "Edit%d" % rng.randrange(10 ** 9)
            r = who.desk.patch(epath, {"given_name": name}, etag=etag)
            count("patch", r.status)
            if r.status == 200:
                with lock:
                    edits.append((r.json.get("version"), r.etag, name))
            elif r.status != 412:
                raise AssertionError("PATCH answered %r" % r)

        def dose(who, rng):
            # The chair-side app retries over flaky Wi-Fi: the same reading, one key, twice at once
            # (nginx may give each to another server). One reading must be stored.
            key = str(uuid.uuid4())
            body = dict(NORMAL_VITALS, point="interval", hr_bpm=60 + rng.randrange(40))
            answers = [None, None]

            def send(i):
                c = (staff, other)[i].nurse
                for _ in range(5):
                    r = c.post(spath + "/vitals", body, headers={"Idempotency-Key": key})
                    count("vitals", r.status)
                    if r.status == 409 and r.error().get("code") == "idempotency_key_in_use":
                        time.sleep(0.05)
                        continue
                    answers[i] = r
                    return

            ts = [threading.Thread(target=send, args=(i,)) for i in (0, 1)]
            for t in ts:
                t.start()
            for t in ts:
                t.join(60)
            for r in answers:
                if r is None or r.status != 201:
                    raise AssertionError("vitals with one key: %r" % (answers,))
            if answers[0].json["id"] != answers[1].json["id"]:
                raise AssertionError("one key, two readings: %r" % (answers,))
            with lock:
                vitals_keys[key] = answers[0].json["id"]

        def stock(who, rng):
            if rng.random() < 0.7:
                mg = rng.choice((0.5, 1.0, 1.25))
                r = who.nurse.post("/api/v1/stock/draws", {"session_id": rng.choice(draw_sessions), "mg": mg})
                change = -mg
                kind = "draw"
            else:
                mg = rng.choice((-0.25, -0.5, 0.125))
                r = who.physician.post("/api/v1/stock/adjustments", {
                    "lot_id": lot["id"], "mg": mg, "reason": "two servers load"})
                change = mg
                kind = "adjust"
            count(kind, r.status)
            if r.status == 201:
                with lock:
                    movements.append(round(change * 1000))  # whole micrograms
            elif r.status != 422:  # a draw beyond the plan and one vial is refused, storing nothing
                raise AssertionError("%s answered %r" % (kind, r))

        jobs = []
        for i, fn in enumerate((book, book, edit, edit, dose, stock, stock)):
            jobs.append(threading.Thread(target=worker, args=(fn, (staff, other)[i % 2], i), daemon=True))
        started = time.monotonic()
        for t in jobs:
            t.start()
        for t in jobs:
            t.join(LOAD_SECONDS + THREAD_JOIN_S)
            self.assertFalse(t.is_alive(), "a load thread hung")
        elapsed = time.monotonic() - started
        self.assertEqual(problems, [])

        # No double-booked chair: through either server, no two booked appointments overlap.
        held = []
        for day in days:
            listed = expect(staff.desk.get("/api/v1/appointments", query={"date": day, "chair_id": chair}),
                            200, "appointments").json["appointments"]
            day_held = sorted((x["start"], x["end"], x["id"]) for x in listed if x["status"] == "booked")
            for (s1, e1, i1), (s2, e2, i2) in zip(day_held, day_held[1:]):
                self.assertLessEqual(e1, s2, "appointments %d and %d overlap on one chair" % (i1, i2))
            held.extend(x[2] for x in day_held)
        self.assertEqual(sorted(held), sorted(booked), "the booked appointments are those answered 201")
        self.assertGreater(len(booked), 0)

        # No lost update: every accepted edit moved the version by one, and the last one stands.
        final = expect(staff.desk.get(epath), 200, "patient").json
        self.assertGreater(len(edits), 0)
        if version0 is not None:
            self.assertEqual(sorted(v for v, _e, _n in edits), list(range(version0 + 1, final["version"] + 1)))
        etags = [e for _v, e, _n in edits]
        self.assertEqual(len(set(etags)), len(etags), "two edits answered the same ETag")
        last = max(edits, key=lambda x: x[0]) if version0 is not None else edits[-1]
        self.assertEqual(final["given_name"], last[2])

        # No duplicate infusion record: one reading per key.
        session = expect(staff.nurse.get(spath), 200, "session").json
        readings = [v["id"] for v in session["vitals"] if v.get("point") == "interval"]
        self.assertEqual(sorted(readings), sorted(vitals_keys.values()))
        self.assertGreater(len(vitals_keys), 0)

        # Stock reconciles: the ledger's changes add up to the balance; the reconciliation balances.
        ledger = expect(staff.nurse.get("/api/v1/stock/lots/%d/ledger" % lot["id"]), 200, "ledger").json
        received_ug = round(lot["received_mg"] * 1000)
        self.assertEqual(len(ledger["movements"]), 1 + len(movements))
        self.assertEqual(round(ledger["balance_mg"] * 1000), received_ug + sum(movements))
        self.assertEqual(round(sum(m["balance_change_mg"] for m in ledger["movements"]) * 1000),
                         round(ledger["balance_mg"] * 1000))
        rec = expect(staff.physician.get("/api/v1/stock/reconciliation"), 200, "reconciliation").json
        row = [x for x in rec["lots"] if x["lot_id"] == lot["id"]]
        self.assertEqual(len(row), 1, rec)
        self.assertIs(row[0]["balanced"], True, row)
        self.assertEqual(row[0]["difference_mg"], 0, row)
        self.assertEqual(round(row[0]["on_hand_mg"] * 1000), received_ug + sum(movements))

        # Both servers took their share (nginx round-robin).
        shares = [self._requests_in_log(s) for s in self.servers]
        for n in shares:
            self.assertGreater(n, 0, "a server got no request: %r" % shares)
        total = sum(stats.values())
        report = {
            # writes: the counted POST/PATCH answers; kit_requests: every request both servers
            # logged (the writes, the GETs for ETags, the set-up and the checks).
            "seconds": round(elapsed, 1), "writes": total,
            "writes_per_s": round(total / elapsed, 1), "by_outcome": dict(sorted(stats.items())),
            "kit_requests": sum(shares),
            "appointments_booked": len(booked), "edits_accepted": len(edits),
            "vitals_keys": len(vitals_keys), "stock_movements": len(movements),
            "server_request_lines": shares, "load_1min": os.getloadavg()[0],
        }
        print("\ntwo servers behind TLS: " + json.dumps(report, sort_keys=True))
        out = os.environ.get("KIT_TWO_SERVERS_REPORT")
        if out:
            with open(out, "w") as f:
                json.dump(report, f, indent=2, sort_keys=True)

    @staticmethod
    def _requests_in_log(server):
        n = 0
        try:
            with open(server.log_path, "rb") as f:
                for line in f:
                    if b'"msg":"request"' in line:
                        n += 1
        except OSError:
            pass
        return n


if __name__ == "__main__":
    unittest.main()
