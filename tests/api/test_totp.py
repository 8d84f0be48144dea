"""Finding 10: a second factor for staff (TOTP, RFC 6238) with recovery codes, and a clinic policy
that requires it for chosen roles (`totp_required_roles`).

Every code sent here is computed by this file with Python's own hmac, hashlib, base64 and struct
from the secret the server hands out, never by project code: if the server's SHA-1, HMAC, dynamic
truncation, base32 or time step were wrong, these tests would fail.
"""

import base64
import concurrent.futures
import hashlib
import hmac
import json
import struct
import time
import unittest
import urllib.parse

from kit_server import Client, KitTestCase, Store, unique

STEP_S = 30


def hotp(secret_base32, counter, digits=6):
    """RFC 4226 section 5.3, independently of the server."""
    key = base64.b32decode(secret_base32 + "=" * (-len(secret_base32) % 8))
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10 ** digits).zfill(digits)


def now_step():
    return int(time.time()) // STEP_S


def settle(margin_s=3.0):
    """Waits out the end of the current step when fewer than margin_s seconds are left, so that a
    check at the window's edge cannot straddle a step boundary between here and the server."""
    left = STEP_S - (time.time() % STEP_S)
    if left < margin_s:
        time.sleep(left + 0.2)


def other_code(code):
    """A six-digit code that is not `code` nor any code of the window (very likely wrong)."""
    return "%06d" % ((int(code) + 500000) % 1000000)


class TotpMixin:

    def new_user(self, role, admin=None):
        admin = admin or self.admin
        name = unique("totp").lower()
        password = "totp-password-" + name
        r = admin.post("/api/v1/users", {"username": name, "password": password, "role": role})
        self.assertStatus(r, 201)
        return name, password, r.json["id"]

    def sign_in(self, name, password, **extra):
        body = {"username": name, "password": password}
        body.update(extra)
        return Client(self.port).post("/api/v1/auth/login", body)

    def client_of(self, response):
        self.assertStatus(response, 200)
        return Client(self.port, token=response.json["token"])

    def enrol(self, client, password):
        """Enrols and confirms; returns (secret, recovery codes, the step the confirmation used)."""
        started = client.post("/api/v1/auth/totp/enrol", {"password": password})
        self.assertStatus(started, 200)
        secret = started.json["secret_base32"]
        step = now_step()
        confirmed = client.post("/api/v1/auth/totp/confirm", {"code": hotp(secret, step)})
        self.assertStatus(confirmed, 200)
        return secret, confirmed.json["recovery_codes"], step

    def audit_rows(self, username, since_id=0):
        r = self.admin.get("/api/v1/audit", query={"user": username, "limit": 1000})
        self.assertStatus(r, 200)
        return [row for row in r.json if row["id"] > since_id]

    def high_water(self):
        r = self.admin.get("/api/v1/audit", query={"limit": 1})
        self.assertStatus(r, 200)
        return r.json[0]["id"] if r.json else 0


class TotpTest(TotpMixin, KitTestCase):

    def test_enrolment_gives_an_otpauth_secret_and_the_login_then_needs_a_code(self):
        name, password, uid = self.new_user("physician")
        me = self.client_of(self.sign_in(name, password))
        status = me.get("/api/v1/auth/me").json
        self.assertIs(status["totp_enabled"], False, status)
        self.assertIs(status["totp_required"], False, status)

        # Enrolment starts with the current password checked again.
        self.assertError(me.post("/api/v1/auth/totp/enrol", {"password": "not-" + password}), 403,
                         field="password")
        started = me.post("/api/v1/auth/totp/enrol", {"password": password})
        self.assertStatus(started, 200)
        secret = started.json["secret_base32"]
        # 20 random bytes, base32 without padding: 32 characters.
        self.assertRegex(secret, r"^[A-Z2-7]{32}$")
        self.assertEqual(len(base64.b32decode(secret)), 20)
        uri = urllib.parse.urlsplit(started.json["otpauth_uri"])
        self.assertEqual((uri.scheme, uri.netloc), ("otpauth", "totp"))
        self.assertEqual(urllib.parse.unquote(uri.path), "/KIT:" + name)
        query = dict(urllib.parse.parse_qsl(uri.query))
        self.assertEqual(query["secret"], secret)
        self.assertEqual(query["issuer"], "KIT")
        self.assertEqual((query.get("digits"), query.get("period")), ("6", "30"))

        # Not yet confirmed: the password alone still signs in.
        self.client_of(self.sign_in(name, password))
        # A wrong first code does not enable it.
        step = now_step()
        self.assertError(me.post("/api/v1/auth/totp/confirm", {"code": other_code(hotp(secret, step))}),
                         403, field="code")
        self.assertIs(me.get("/api/v1/auth/me").json["totp_enabled"], False)
        confirmed = me.post("/api/v1/auth/totp/confirm", {"code": hotp(secret, step)})
        self.assertStatus(confirmed, 200)
        codes = confirmed.json["recovery_codes"]
        self.assertEqual(len(codes), 10, codes)
        self.assertEqual(len(set(codes)), 10, codes)
        self.assertIs(me.get("/api/v1/auth/me").json["totp_enabled"], True)
        # Enrolling again while it is on is refused (disable it first).
        self.assertError(me.post("/api/v1/auth/totp/enrol", {"password": password}), 409)

        # The password alone no longer signs in: no session, the field named.
        alone = self.sign_in(name, password)
        self.assertError(alone, 401, field="totp_code", code="second_factor_required")
        self.assertNotIn("token", alone.json)
        self.assertFalse(alone.all_headers("Set-Cookie"), alone.header_list)
        # A wrong code: refused.
        wrong = self.sign_in(name, password, totp_code=other_code(hotp(secret, now_step())))
        self.assertError(wrong, 401, field="totp_code")
        # A malformed one: bad input, naming it.
        self.assertError(self.sign_in(name, password, totp_code="12ab56"), 400, field="totp_code")
        # The code computed outside the project, for the next step (the confirmation used this
        # one): signs in.
        ok = self.sign_in(name, password, totp_code=hotp(secret, step + 1))
        self.assertStatus(ok, 200)
        self.assertEqual(ok.json["user"]["id"], uid)
        # The recovery codes are stored as hashes only: the account listing shows none of them.
        account = self.admin.get("/api/v1/users/%d" % uid)
        self.assertIs(account.json["totp_enabled"], True, account.json)
        for code in codes:
            self.assertNotIn(code, account.body.decode())

    def test_an_accepted_code_is_never_accepted_again(self):
        name, password, _ = self.new_user("nurse")
        me = self.client_of(self.sign_in(name, password))
        secret, _, step = self.enrol(me, password)
        # The code that confirmed the enrolment cannot sign in.
        replay = self.sign_in(name, password, totp_code=hotp(secret, step))
        self.assertError(replay, 401, field="totp_code")
        nxt = hotp(secret, step + 1)
        self.assertStatus(self.sign_in(name, password, totp_code=nxt), 200)
        # Nor a code once used to sign in, nor an earlier one of the window.
        self.assertError(self.sign_in(name, password, totp_code=nxt), 401, field="totp_code")
        self.assertError(self.sign_in(name, password, totp_code=hotp(secret, step - 1)), 401,
                         field="totp_code")
        # Two steps ahead is outside the +-1 step window.
        settle()
        self.assertError(self.sign_in(name, password, totp_code=hotp(secret, now_step() + 2)), 401,
                         field="totp_code")

    def test_parallel_replays_of_one_code_sign_in_once(self):
        # Three accounts, each raced with four parallel uses of one code: one sign-in each (the
        # code is spent by one conditional update, so on PostgreSQL too, where the four run at once).
        for _ in range(3):
            name, password, _ = self.new_user("nurse")
            me = self.client_of(self.sign_in(name, password))
            secret, _, step = self.enrol(me, password)
            code = hotp(secret, step + 1)
            with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
                answers = list(pool.map(lambda _: self.sign_in(name, password, totp_code=code),
                                        range(4)))
            statuses = [a.status for a in answers]
            self.assertEqual(statuses.count(200), 1, answers)
            self.assertLessEqual(set(statuses), {200, 401, 503}, answers)

    def test_a_recovery_code_signs_in_once(self):
        name, password, _ = self.new_user("physician")
        me = self.client_of(self.sign_in(name, password))
        _, codes, _ = self.enrol(me, password)
        first = codes[0]
        self.assertStatus(self.sign_in(name, password, recovery_code=first), 200)
        self.assertError(self.sign_in(name, password, recovery_code=first), 401,
                         field="recovery_code")
        # Written in lower case and without the dashes, another code still works once.
        loose = codes[1].replace("-", "").lower()
        self.assertStatus(self.sign_in(name, password, recovery_code=loose), 200)
        self.assertError(self.sign_in(name, password, recovery_code=codes[1]), 401,
                         field="recovery_code")
        after = self.client_of(self.sign_in(name, password, recovery_code=codes[2]))
        self.assertEqual(after.get("/api/v1/auth/me").json["recovery_codes_left"], 7)
        # Not both at once.
        self.assertError(self.sign_in(name, password, recovery_code=codes[3], totp_code="123456"),
                         400)

    def test_wrong_codes_count_toward_the_lock_out_even_in_parallel(self):
        name, password, _ = self.new_user("nurse")
        me = self.client_of(self.sign_in(name, password))
        secret, _, step = self.enrol(me, password)
        window = {hotp(secret, s) for s in range(step - 2, step + 4)}
        wrong = [c for c in ("%06d" % (i * 7919 % 1000000) for i in range(1, 200)) if c not in window]

        def attempt(i):
            return self.sign_in(name, password, totp_code=wrong[i])

        with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
            answers = list(pool.map(attempt, range(24)))
        for i in range(24, 36):
            if answers[-1].error().get("code") == "locked":
                break
            answers.append(attempt(i))
        codes = [a.error().get("code") for a in answers]
        self.assertNotIn(200, [a.status for a in answers])
        self.assertLessEqual(set(codes), {"invalid_second_factor", "locked", "busy"}, codes)
        # The lock-out default is 5 failures: never more than 5 codes were ever checked.
        self.assertLessEqual(codes.count("invalid_second_factor"), 5, codes)
        self.assertEqual(codes[-1], "locked", codes)
        # Locked now, even with the right password and the right code.
        right = self.sign_in(name, password, totp_code=hotp(secret, now_step() + 1))
        self.assertError(right, 429, code="locked")

    def test_every_attempt_is_audited(self):
        name, password, uid = self.new_user("physician")
        start = self.high_water()
        me = self.client_of(self.sign_in(name, password))
        self.assertError(me.post("/api/v1/auth/totp/enrol", {"password": "wrong-" + password}), 403)
        secret, codes, step = self.enrol(me, password)
        self.assertError(self.sign_in(name, password), 401)
        self.assertError(self.sign_in(name, password, totp_code=other_code(hotp(secret, step))), 401)
        self.assertStatus(self.sign_in(name, password, totp_code=hotp(secret, step + 1)), 200)
        self.assertStatus(self.sign_in(name, password, recovery_code=codes[0]), 200)
        rows = self.audit_rows(name, start)
        seen = sorted((r["action"], r["outcome"], r["status"]) for r in rows)
        login = "POST /api/v1/auth/login"
        self.assertEqual(seen, sorted([
            (login, "allowed", 200),                        # the first sign-in
            ("POST /api/v1/auth/totp/enrol", "denied", 403),  # the wrong password
            ("POST /api/v1/auth/totp/enrol", "allowed", 200),
            ("POST /api/v1/auth/totp/confirm", "allowed", 200),
            (login, "denied", 401),                         # no code
            (login, "denied", 401),                         # wrong code
            (login, "allowed", 200),                        # code
            (login, "allowed", 200),                        # recovery code
        ]), rows)
        for row in rows:
            self.assertEqual(row["user_id"], uid, row)
        # Neither the secret nor a code is ever in the log.
        text = json.dumps(rows)
        self.assertNotIn(secret, text)
        self.assertNotIn(codes[0], text)
        verify = self.admin.get("/api/v1/audit/verify")
        self.assertIs(verify.json["ok"], True, verify.json)

    def test_disabling_needs_the_password_and_a_code(self):
        name, password, _ = self.new_user("front_desk")
        me = self.client_of(self.sign_in(name, password))
        secret, _, step = self.enrol(me, password)
        self.assertError(me.post("/api/v1/auth/totp/disable", {"password": password,
                                                              "code": other_code(hotp(secret, step))}),
                         403, field="code")
        self.assertError(me.post("/api/v1/auth/totp/disable", {
            "password": "wrong-" + password, "code": hotp(secret, step + 1)}), 403, field="password")
        self.assertIs(me.get("/api/v1/auth/me").json["totp_enabled"], True)
        done = me.post("/api/v1/auth/totp/disable", {"password": password,
                                                     "code": hotp(secret, step + 1)})
        self.assertStatus(done, 200)
        self.assertIs(me.get("/api/v1/auth/me").json["totp_enabled"], False)
        self.assertStatus(self.sign_in(name, password), 200)

    def test_patients_cannot_enrol(self):
        for path, body in (("/api/v1/auth/totp/enrol", {"password": "whatever-password"}),
                           ("/api/v1/auth/totp/confirm", {"code": "123456"}),
                           ("/api/v1/auth/totp/disable", {"password": "x" * 12, "code": "123456"})):
            self.assertError(self.patient.post(path, body), 403, msg=path)
        self.assertIs(self.patient.get("/api/v1/auth/me").json["totp_enabled"], False)

    def test_an_admin_clears_a_second_factor_only_with_their_own_password(self):
        admin_name, admin_password, admin_id = self.new_user("admin")
        admin = self.client_of(self.sign_in(admin_name, admin_password))
        name, password, uid = self.new_user("physician")
        me = self.client_of(self.sign_in(name, password))
        secret, _, step = self.enrol(me, password)
        me = self.client_of(self.sign_in(name, password, totp_code=hotp(secret, step + 1)))
        path = "/api/v1/users/%d/totp/clear" % uid
        start = self.high_water()
        self.assertError(admin.post(path, {}), 400, field="admin_password")
        self.assertError(admin.post(path, {"admin_password": "not-" + admin_password}), 403,
                         field="admin_password")
        self.assertIs(self.admin.get("/api/v1/users/%d" % uid).json["totp_enabled"], True)
        self.assertStatus(me.get("/api/v1/auth/me"), 200)
        # Other staff cannot.
        self.assertError(self.physician.post(path, {"admin_password": password}), 403)
        # Nor can an admin drop their own (that is POST /auth/totp/disable, with a code).
        self.assertError(admin.post("/api/v1/users/%d/totp/clear" % admin_id,
                                    {"admin_password": admin_password}), 403)

        done = admin.post(path, {"admin_password": admin_password})
        self.assertStatus(done, 200)
        self.assertIs(done.json["totp_enabled"], False, done.json)
        self.assertEqual(done.json["totp_cleared_by"], admin_id, done.json)
        self.assertTrue(done.json["totp_cleared_at"], done.json)
        # The owner's logins end; the password alone signs in again, and the owner is told.
        self.assertError(me.get("/api/v1/auth/me"), 401)
        again = self.client_of(self.sign_in(name, password))
        told = again.get("/api/v1/auth/me").json
        self.assertIs(told["totp_cleared_by_admin"], True, told)
        self.assertIs(told["totp_enabled"], False, told)
        # Re-enrolling ends the notice.
        self.enrol(again, password)
        self.assertIs(again.get("/api/v1/auth/me").json["totp_cleared_by_admin"], False)
        # Audited: the refusals and the clear, against the admin and naming the route.
        rows = [r for r in self.audit_rows(admin_name, start)
                if r["action"] == "POST /api/v1/users/{id}/totp/clear"]
        self.assertEqual(sorted((r["outcome"], r["status"]) for r in rows),
                         [("allowed", 200), ("denied", 400), ("denied", 403), ("denied", 403)],
                         rows)


class TotpPolicyTest(TotpMixin, KitTestCase):
    """`totp_required_roles = "admin,physician"`: those roles sign in but reach nothing but their
    own account and the enrolment until they enrol."""

    @classmethod
    def setUpClass(cls):
        cls.store = Store()
        try:
            cls.server = cls.store.server(
                extra_args=["--totp-required-roles", "admin,physician"]).start()
        except BaseException:
            cls.store.cleanup()
            raise
        cls._clients = {}

    def test_a_required_role_is_confined_until_it_enrols(self):
        admin = self.admin  # the demo admin: not enrolled
        me = admin.get("/api/v1/auth/me")
        self.assertStatus(me, 200)
        self.assertIs(me.json["totp_required"], True, me.json)
        self.assertIs(me.json["totp_enabled"], False, me.json)
        blocked = admin.get("/api/v1/users")
        self.assertError(blocked, 403, code="second_factor_enrolment_required")
        # A nurse is not required.
        self.assertStatus(self.nurse.get("/api/v1/patients"), 200)
        self.assertIs(self.nurse.get("/api/v1/auth/me").json["totp_required"], False)
        # The demo physician: confined too, records included.
        self.assertError(self.physician.get("/api/v1/patients"), 403,
                         code="second_factor_enrolment_required")

        # The admin enrols; the same login then reaches everything.
        secret, _, step = self.enrol(admin, self.server.demo_password)
        self.assertStatus(admin.get("/api/v1/users"), 200)
        status = admin.get("/api/v1/auth/me").json
        self.assertIs(status["totp_enabled"], True, status)

        # A new physician: signs in (password alone), confined, can change the password, enrols.
        name, password, _ = self.new_user("physician", admin=admin)
        doc = self.client_of(self.sign_in(name, password))
        self.assertError(doc.get("/api/v1/patients"), 403, code="second_factor_enrolment_required")
        new_password = "totp-new-password-" + name
        self.assertStatus(doc.post("/api/v1/auth/password", {"current_password": password,
                                                             "new_password": new_password}), 200)
        doc_secret, _, doc_step = self.enrol(doc, new_password)
        self.assertStatus(doc.get("/api/v1/patients"), 200)
        # From now on the physician's login needs the code.
        self.assertError(self.sign_in(name, new_password), 401, code="second_factor_required")
        self.assertStatus(self.sign_in(name, new_password, totp_code=hotp(doc_secret, doc_step + 1)),
                          200)
        # Audited refusal.
        rows = [r for r in self.audit_rows("physician")
                if r["action"] == "GET /api/v1/patients" and r["status"] == 403]
        self.assertTrue(rows, "the confined physician's refusal is not in the audit log")


if __name__ == "__main__":
    unittest.main()
