"""End-to-end fixture: a real `kit serve` process over HTTP (Python standard library only).

Environment:
  KIT_BINARY              path of the `kit` executable (ctest sets it to $<TARGET_FILE:kit>)
  KIT_TEST_BACKEND        sqlite (default) or postgresql
  KIT_TEST_POSTGRES_URL   postgresql://user:pw@127.0.0.1:port/db (scripts/start-postgres.sh prints
                          it); each test class gets a fresh database (CREATE DATABASE kit_e2e_<hex>)
                          or, when the role may not create databases, a fresh schema in that
                          database (search_path set in the URL); dropped at the end.

Every wait is bounded: a server that does not answer fails the test instead of hanging CI.
Only loopback addresses are used.

Every JSON answer a Client receives under /api/ is validated against the schema the server itself
publishes for that route and status (GET /api/v1/openapi.json, fetched once per server; schemas in
server/api/schemas/*.json): a mismatch fails the test that made the call, naming the route and the
path of the mismatch. Needs the `jsonschema` module (Debian: python3-jsonschema).
"""

import datetime
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

try:
    import jsonschema
except ImportError:
    # A pyenv or virtualenv python without the module: Debian's python3-jsonschema.
    sys.path.append("/usr/lib/python3/dist-packages")
    try:
        import jsonschema
    except ImportError as e:
        raise ImportError("api tests: the jsonschema module is required to check every answer "
                          "against the OpenAPI document (apt-get install python3-jsonschema, or "
                          "pip install jsonschema): %s" % e) from e

HOST = "127.0.0.1"
READY_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 30.0
REQUEST_TIMEOUT_S = 30.0
PSQL_TIMEOUT_S = 60.0

DEMO_PASSWORD = "e2e-demo-password-" + "7f3a9c"  # >= 12 characters (server password policy)
# Demo usernames and the role names the server uses for them (OpenAPI x-kit-access roles).
DEMO_USERS = {
    "admin": "admin",
    "physician": "physician",
    "nurse": "nurse",
    "frontdesk": "front_desk",
    "patient": "patient",
    "director": "director",
}
ROLE_USER = {role: user for user, role in DEMO_USERS.items()}

NO_POSTGRES_MESSAGE = ("api tests: no PostgreSQL: KIT_TEST_POSTGRES_URL is not set (start one with "
                       "scripts/start-postgres.sh and export the URL it prints)")


def backend():
    b = os.environ.get("KIT_TEST_BACKEND", "sqlite").strip().lower() or "sqlite"
    if b not in ("sqlite", "postgresql"):
        raise RuntimeError("KIT_TEST_BACKEND must be sqlite or postgresql, not %r" % b)
    return b


def kit_binary():
    path = os.environ.get("KIT_BINARY", "")
    if not path:
        here = os.path.dirname(os.path.abspath(__file__))
        root = os.path.normpath(os.path.join(here, "..", ".."))
        for cand in ("build/h-e2e/cli/kit", "build/release/cli/kit", "build/debug/cli/kit",
                     "build/cli/kit"):
            p = os.path.join(root, cand)
            if os.path.isfile(p) and os.access(p, os.X_OK):
                path = p
                break
    if not path or not os.path.isfile(path):
        raise RuntimeError("KIT_BINARY is not set or does not exist (%r): build the kit target" % path)
    return path


def _die_with_parent():
    """Child side of Popen: SIGKILL the server if the test runner dies (a ctest timeout kills only
    the Python process; no kit serve may outlive it)."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------------------------------------
# PostgreSQL: a fresh database (or schema) per test class


def _psql(url, sql):
    env = dict(os.environ, PGCONNECT_TIMEOUT="10")
    return subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qtA", "-c", sql],
                          capture_output=True, text=True, timeout=PSQL_TIMEOUT_S, env=env)


def _with_search_path(url, schema):
    sep = "&" if "?" in url else "?"
    return url + sep + "options=-csearch_path%3D" + schema


class PostgresDatabase:
    """A throwaway database on the server named by KIT_TEST_POSTGRES_URL."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.name = "kit_e2e_" + secrets.token_hex(6)
        self.mode = None
        self.url = None

    def create(self):
        if shutil.which("psql") is None:
            raise RuntimeError("psql not found (apt-get install postgresql-client)")
        r = _psql(self.base_url, 'CREATE DATABASE "%s"' % self.name)
        if r.returncode == 0:
            parts = urllib.parse.urlsplit(self.base_url)
            self.url = urllib.parse.urlunsplit(parts._replace(path="/" + self.name))
            self.mode = "database"
            return self.url
        # The role may not create databases (start-postgres.sh makes a plain LOGIN role): a
        # private schema in the URL's database instead, every pooled connection pointed at it.
        r2 = _psql(self.base_url, 'CREATE SCHEMA "%s"' % self.name)
        if r2.returncode != 0:
            raise RuntimeError("cannot create a test database (%s) nor schema (%s)" %
                               (r.stderr.strip(), r2.stderr.strip()))
        self.mode = "schema"
        self.url = _with_search_path(self.base_url, self.name)
        return self.url

    def drop(self):
        if self.mode == "database":
            _psql(self.base_url, 'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % self.name)
        elif self.mode == "schema":
            _psql(self.base_url, 'DROP SCHEMA IF EXISTS "%s" CASCADE' % self.name)
        self.mode = None


# ------------------------------------------------------------------------------------------------
# Response schemas: every answer checked against the route's schema in the served OpenAPI document


class ApiSchemas:
    """The operations of one server's OpenAPI document, with a validator per (route, status)."""

    _by_server = {}
    _lock = threading.Lock()

    def __init__(self, doc):
        self.components = doc.get("components", {})
        self.ops = []  # (METHOD, pattern, regex, number of parameters, operation)
        for pattern, item in doc.get("paths", {}).items():
            rx = re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(pattern)) + "$")
            for method, op in item.items():
                self.ops.append((method.upper(), pattern, rx, pattern.count("{"), op))
        self._validators = {}

    @classmethod
    def of(cls, host, port):
        key = (host, port)
        with cls._lock:
            cached = cls._by_server.get(key)
        if cached is not None:
            return cached
        conn = http.client.HTTPConnection(host, port, timeout=REQUEST_TIMEOUT_S)
        try:
            conn.request("GET", "/api/v1/openapi.json", headers={"Connection": "close"})
            r = conn.getresponse()
            payload = r.read()
        finally:
            conn.close()
        if r.status != 200:
            raise AssertionError("GET /api/v1/openapi.json answered %d: %r" % (r.status, payload[:300]))
        spec = cls(json.loads(payload.decode("utf-8")))
        with cls._lock:
            cls._by_server[key] = spec
        return spec

    @classmethod
    def forget(cls, port):
        """A new server on this port (restarted with another binary) fetches the document again."""
        with cls._lock:
            for key in [k for k in cls._by_server if k[1] == port]:
                del cls._by_server[key]

    def route(self, method, path):
        """(pattern, operation) of the route the router picks (the fewest parameters wins)."""
        best = None
        for m, pattern, rx, n, op in self.ops:
            if m == method and rx.match(path) and (best is None or n < best[2]):
                best = (pattern, op, n)
        return (best[0], best[1]) if best else (None, None)

    def validator(self, key, schema):
        v = self._validators.get(key)
        if v is None:
            # The schema refers to #/components/schemas/...: resolve against this document.
            root = dict(schema)
            root["components"] = self.components
            v = jsonschema.Draft202012Validator(root)
            self._validators[key] = v
        return v

    def check(self, method, path, status, body, content_type=None):
        """Raises AssertionError when the answer does not match the route's published schema."""
        if method == "HEAD" or status in (204, 304) or not path.startswith("/api/"):
            return
        pattern, op = self.route(method, path)
        if op is None:
            # No such route (404) or method (405): the router's errors are the one Error shape.
            if status < 400:
                raise AssertionError("%s %s answered %d but is not in the OpenAPI document" %
                                     (method, path, status))
            schema, where = {"$ref": "#/components/schemas/Error"}, "%s %s (no route)" % (method, path)
        else:
            responses = op.get("responses", {})
            resp = responses.get(str(status)) or responses.get("default")
            where = "%s %s -> %d" % (method, pattern, status)
            if resp is None:
                raise AssertionError("%s: status %d is not documented" % (where, status))
            content = resp.get("content")
            if not content:
                if body:
                    raise AssertionError("%s: documented without a body, answered %r" %
                                         (where, body[:200]))
                return
            if "application/json" not in content:
                # A document, not JSON (a printed report): its media type must be documented.
                media = (content_type or "").split(";", 1)[0].strip().lower()
                if media not in content:
                    raise AssertionError("%s: answered %r, documented %s" %
                                         (where, content_type, sorted(content)))
                return
            schema = content.get("application/json", {}).get("schema", {})
        try:
            value = json.loads(body.decode("utf-8"))
        except ValueError as e:
            raise AssertionError("%s: the answer is not JSON (%s): %r" % (where, e, body[:200]))
        error = jsonschema.exceptions.best_match(
            self.validator((where, json.dumps(schema, sort_keys=True)), schema).iter_errors(value))
        if error is not None:
            at = "/" + "/".join(str(p) for p in error.absolute_path)
            raise AssertionError("response schema mismatch: %s at %s: %s (schema path %s)" %
                                 (where, at, error.message[:400],
                                  "/".join(str(p) for p in error.absolute_schema_path)))


# ------------------------------------------------------------------------------------------------
# HTTP client


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.header_list = headers  # [(name, value)] as received
        self.headers = {}
        for k, v in headers:
            self.headers.setdefault(k.lower(), v)
        self.body = body
        self._json = None

    def header(self, name):
        return self.headers.get(name.lower())

    def all_headers(self, name):
        return [v for k, v in self.header_list if k.lower() == name.lower()]

    @property
    def json(self):
        if self._json is None:
            try:
                self._json = json.loads(self.body.decode("utf-8"))
            except ValueError as e:
                raise AssertionError("not JSON (status %d): %r (%s)" % (self.status, self.body[:400], e))
        return self._json

    @property
    def etag(self):
        return self.header("ETag")

    def error(self):
        """The {"error":{...}} object (asserts the shape)."""
        j = self.json
        assert isinstance(j, dict) and isinstance(j.get("error"), dict), \
            "error body is not {\"error\":{...}}: %r" % (self.body[:400],)
        e = j["error"]
        assert isinstance(e.get("code"), str) and e["code"], "error.code missing: %r" % (e,)
        assert isinstance(e.get("message"), str), "error.message missing: %r" % (e,)
        return e

    def __repr__(self):
        return "<%d %s>" % (self.status, self.body[:300].decode("utf-8", "replace"))


class Client:
    """JSON over HTTP/1.1 to one server; bearer token, or cookie session (+ CSRF header)."""

    def __init__(self, port, host=HOST, token=None):
        self.host = host
        self.port = port
        self.token = token
        self.cookie = None       # "kit_session=..." when use_cookie
        self.csrf_token = None   # sent as X-CSRF-Token when send_csrf
        self.user = None
        self.check_schemas = True  # every answer against the route's schema (ApiSchemas)
        # HTTPS (a TLS proxy in front, tests/api/test_two_servers_tls.py): an ssl.SSLContext.
        self.ssl_context = None
        # Connect from this loopback address, e.g. ("127.0.0.2", 0), so servers see distinct peers.
        self.source_address = None

    def connection(self, timeout=REQUEST_TIMEOUT_S):
        if self.ssl_context is not None:
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout,
                                               context=self.ssl_context,
                                               source_address=self.source_address)
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout,
                                          source_address=self.source_address)

    def request(self, method, path, body=None, headers=None, raw=None, token=None, query=None,
                auth=True, timeout=REQUEST_TIMEOUT_S):
        if query:
            path = path + ("&" if "?" in path else "?") + urllib.parse.urlencode(query)
        h = {"Connection": "close", "Accept": "application/json"}
        data = None
        if raw is not None:
            data = raw if isinstance(raw, bytes) else raw.encode("utf-8")
            h["Content-Type"] = "application/json"
        elif body is not None:
            data = json.dumps(body).encode("utf-8")
            h["Content-Type"] = "application/json"
        if auth:
            tok = token if token is not None else self.token
            if tok:
                h["Authorization"] = "Bearer " + tok
            if self.cookie:
                h["Cookie"] = self.cookie
        if headers:
            h.update(headers)
        conn = self.connection(timeout)
        try:
            conn.request(method, path, body=data, headers=h)
            r = conn.getresponse()
            # An event stream (GET /api/v1/events) never ends by itself: keep its head only.
            streaming = (r.getheader("Content-Type") or "").startswith("text/event-stream")
            payload = b"" if streaming else r.read()
        finally:
            conn.close()
        if self.check_schemas and not streaming:
            ApiSchemas.of(self.host, self.port).check(method, urllib.parse.urlsplit(path).path,
                                                      r.status, payload, r.getheader("Content-Type"))
        return Response(r.status, r.getheaders(), payload)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def patch(self, path, body=None, etag=None, **kw):
        headers = dict(kw.pop("headers", None) or {})
        if etag is not None:
            headers["If-Match"] = etag
        return self.request("PATCH", path, body=body, headers=headers, **kw)

    def post_if_match(self, path, body, etag, **kw):
        headers = dict(kw.pop("headers", None) or {})
        headers["If-Match"] = etag
        return self.request("POST", path, body=body, headers=headers, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def current_etag(self, path):
        r = self.get(path)
        if r.status != 200 or not r.etag:
            raise AssertionError("GET %s for its ETag: %r (ETag %r)" % (path, r, r.etag))
        return r.etag


def login(port, username, password=DEMO_PASSWORD, use_cookie=False):
    """Logs in; returns a Client with the bearer token (or, use_cookie, only the cookie)."""
    c = Client(port)
    r = c.post("/api/v1/auth/login", {"username": username, "password": password})
    if r.status != 200:
        raise AssertionError("login %s: %r" % (username, r))
    j = r.json
    if use_cookie:
        cookie = None
        for v in r.all_headers("Set-Cookie"):
            first = v.split(";", 1)[0].strip()
            if first.startswith("kit_session="):
                cookie = first
        if not cookie:
            raise AssertionError("login set no kit_session cookie: %r" % (r.header_list,))
        c.cookie = cookie
    else:
        c.token = j["token"]
    c.csrf_token = j.get("csrf_token")
    c.user = j.get("user")
    return c


def wait_http(port, path="/healthz", timeout=READY_TIMEOUT_S, proc=None):
    """Polls until `path` answers 200; returns False on timeout or if `proc` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            r = Client(port).request("GET", path, timeout=2.0, auth=False)
            if r.status == 200:
                return True
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.1)
    return False


# ------------------------------------------------------------------------------------------------
# The server process


class KitServer:
    """`kit serve --data DIR --listen 127.0.0.1:PORT [--database URL] --demo`, the demo password in
    the environment (KIT_DEMO_PASSWORD: never on the command line, where every local user sees it)."""

    def __init__(self, data_dir, database_url=None, demo=True, demo_password=DEMO_PASSWORD,
                 port=None, extra_args=None, demo_seed="accounts"):
        self.data_dir = data_dir
        self.database_url = database_url
        self.demo = demo
        self.demo_password = demo_password
        self.port = port
        self.extra_args = list(extra_args or [])
        # KIT_DEMO_SEED: "accounts" (the suites build their own clinic) or "clinic" (the whole
        # demo clinic, 30 patients with histories: tests/api/test_reports.py); None: the server's
        # default, the whole demo clinic (tests/api/test_fhir.py exports it).
        self.demo_seed = demo_seed
        self.env = {}  # more environment for the server process
        self.proc = None
        self.starts = 0
        self.log_path = None

    def argv(self):
        a = [kit_binary(), "serve", "--data", self.data_dir, "--listen", "%s:%d" % (HOST, self.port)]
        if self.database_url:
            a += ["--database", self.database_url]
        if self.demo:
            a += ["--demo"]
        return a + self.extra_args

    def start(self, timeout=READY_TIMEOUT_S):
        assert self.proc is None, "already running"
        os.makedirs(self.data_dir, exist_ok=True)
        last = None
        for _attempt in range(3):  # a free port can be taken between picking and binding
            if self.port is None or last is not None:
                self.port = free_port()
            self.starts += 1
            self.log_path = os.path.join(os.path.dirname(self.data_dir.rstrip("/")) or ".",
                                         "server-%d-%d.log" % (self.port, self.starts))
            log = open(self.log_path, "wb")
            try:
                # KIT_DEMO_SEED as chosen (above); absent: the server default (the whole demo clinic).
                env = dict(os.environ, KIT_DEMO_SEED=self.demo_seed or "", **self.env)
                if self.demo_seed is None:
                    del env["KIT_DEMO_SEED"]
                if self.demo:
                    env["KIT_DEMO_PASSWORD"] = self.demo_password
                self.proc = subprocess.Popen(self.argv(), stdout=log, stderr=subprocess.STDOUT,
                                             stdin=subprocess.DEVNULL, cwd=self.data_dir,
                                             preexec_fn=_die_with_parent, env=env)
            finally:
                log.close()
            if wait_http(self.port, "/healthz", timeout, self.proc):
                ApiSchemas.forget(self.port)
                return self
            last = self.log_tail()
            exited = self.proc.poll() is not None
            self._kill_quietly()
            if not exited or "address" not in last.lower():
                break
        raise AssertionError("kit serve did not answer GET /healthz 200 within %.0f s:\n%s" %
                             (timeout, last))

    def log_tail(self, n=60):
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
            return "\n".join(lines[-n:])
        except OSError:
            return "(no log)"

    def _kill_quietly(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                pass
        self.proc = None

    def stop(self, timeout=STOP_TIMEOUT_S):
        """SIGTERM and wait; returns the exit code (None if it had to be killed)."""
        if self.proc is None:
            return 0
        p = self.proc
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=timeout)
                self.proc = None
                return None
        self.proc = None
        return p.returncode

    def kill9(self):
        """SIGKILL, no goodbye; waits for the process to be gone."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=STOP_TIMEOUT_S)
        self.proc = None

    def client(self, token=None):
        return Client(self.port, token=token)

    def login(self, username, password=DEMO_PASSWORD, use_cookie=False):
        return login(self.port, username, password, use_cookie)


# ------------------------------------------------------------------------------------------------
# Test base class: one fresh data folder / database and one server per test class


class Store:
    """The data folder and the database (SQLite in the folder, or a fresh PostgreSQL one)."""

    def __init__(self, prefix="kit-e2e-"):
        self.tmp = tempfile.mkdtemp(prefix=prefix)
        self.data_dir = os.path.join(self.tmp, "data")
        os.makedirs(self.data_dir)
        self.pg = None
        self.database_url = None
        if backend() == "postgresql":
            base = os.environ.get("KIT_TEST_POSTGRES_URL", "").strip()
            if not base:
                shutil.rmtree(self.tmp, ignore_errors=True)
                raise unittest.SkipTest(NO_POSTGRES_MESSAGE)
            self.pg = PostgresDatabase(base)
            self.database_url = self.pg.create()

    def server(self, **kw):
        return KitServer(self.data_dir, database_url=self.database_url, **kw)

    def cleanup(self):
        if self.pg is not None:
            self.pg.drop()
        shutil.rmtree(self.tmp, ignore_errors=True)


class KitTestCase(unittest.TestCase):
    """Starts one server for the class, logs in the demo accounts lazily, stops it cleanly."""

    server = None
    store = None

    @classmethod
    def setUpClass(cls):
        cls.store = Store()
        try:
            cls.server = cls.store.server().start()
        except BaseException:
            cls.store.cleanup()
            raise
        cls._clients = {}

    @classmethod
    def tearDownClass(cls):
        code = None
        log = ""
        if cls.server is not None:
            log = cls.server.log_tail()
            code = cls.server.stop()
        if cls.store is not None:
            cls.store.cleanup()
        if cls.server is not None and code != 0:
            raise AssertionError("kit serve did not exit cleanly on SIGTERM (exit %r):\n%s" % (code, log))

    @classmethod
    def as_user(cls, username):
        c = cls._clients.get(username)
        if c is None:
            c = cls.server.login(username)
            cls._clients[username] = c
        return c

    @property
    def port(self):
        return self.server.port

    @property
    def admin(self):
        return self.as_user("admin")

    @property
    def physician(self):
        return self.as_user("physician")

    @property
    def nurse(self):
        return self.as_user("nurse")

    @property
    def desk(self):
        return self.as_user("frontdesk")

    @property
    def patient(self):
        return self.as_user("patient")

    @property
    def anon(self):
        return Client(self.port)

    def demo_patient_id(self):
        pid = (self.patient.user or {}).get("patient_id")
        self.assertIsInstance(pid, int, "the demo patient account is linked to no patient: %r" %
                              (self.patient.user,))
        return pid

    # --- assertions ---------------------------------------------------------------------------

    def assertStatus(self, resp, want, msg=""):
        wants = want if isinstance(want, (tuple, list, set)) else (want,)
        if resp.status not in wants:
            self.fail("%sexpected %s, got %r" % (msg + ": " if msg else "", want, resp))
        return resp

    def assertError(self, resp, status, field=None, code=None, msg=""):
        self.assertStatus(resp, status, msg)
        e = resp.error()
        if field is not None:
            self.assertEqual(e.get("field"), field, "%s error.field: %r" % (msg, e))
        if code is not None:
            self.assertEqual(e.get("code"), code, "%s error.code: %r" % (msg, e))
        return e


# ------------------------------------------------------------------------------------------------
# Dates (the clinic's wall clock is UTC: the server stores local times without a zone)


def today():
    return datetime.datetime.now(datetime.timezone.utc).date()


def next_weekday(weekday, at_least_days=7):
    """The first date with ISO weekday `weekday` (1 = Monday) at least `at_least_days` ahead."""
    d = today() + datetime.timedelta(days=at_least_days)
    while d.isoweekday() != weekday:
        d += datetime.timedelta(days=1)
    return d


def now_ms():
    return int(time.time() * 1000)


def unique(prefix):
    return "%s-%s" % (prefix, secrets.token_hex(4))


def openapi_operations(doc):
    """[(METHOD, pattern, operation)] from an OpenAPI document."""
    out = []
    for pattern, item in sorted(doc.get("paths", {}).items()):
        for method, op in sorted(item.items()):
            if method.lower() in ("get", "post", "put", "patch", "delete"):
                out.append((method.upper(), pattern, op))
    return out


def access_of(op):
    """(public, roles, patient_self) as published in the operation's x-kit-access."""
    a = op.get("x-kit-access")
    if not isinstance(a, dict):
        raise AssertionError("operation has no x-kit-access: %r" % (op.get("operationId"),))
    return bool(a.get("public")), set(a.get("roles") or []), bool(a.get("patient_self"))


def fill_path(pattern, patient_id, other_id=999999):
    """A plausible concrete path: the patient id under /patients/{id} (and FHIR's /Patient/{id}),
    999999 for other objects."""
    parts = pattern.split("/")
    out = []
    for i, seg in enumerate(parts):
        if seg.startswith("{") and seg.endswith("}"):
            name = seg[1:-1]
            if name == "patient_id" or (name == "id" and i > 0 and parts[i - 1] in ("patients", "Patient")):
                out.append(str(patient_id))
            else:
                out.append(str(other_id))
        else:
            out.append(seg)
    return "/".join(out)


def patient_in_path(pattern, patient_id):
    """The patient id the router derives from the path (None when the route names none)."""
    parts = pattern.split("/")
    for i, seg in enumerate(parts):
        if seg == "{patient_id}" or (seg == "{id}" and i > 0 and parts[i - 1] == "patients"):
            return patient_id
    return None
