"""The patient portal through a real `kit serve` (server/resources/portal_routes.cpp,
docs/web-portal.md, ADR 0024):

- invitations: the clinic's link opens the patient's account once; a new one revokes the old; a
  refusal (bad password, taken username, wrong role) stores nothing; the token never reaches the
  audit log, the server's log or the database; the accept route is counted and locked like a login;
- drafts: the patient's own only, checked against the instrument, and never an assessment;
- wording: the published texts per language, English with `translated: false` where no
  translation is shipped, nothing for a licensed instrument unless the clinic configures its text;
- the patient's portal language, set by the patient or the staff.

Expiry at the exact instant is tested in process with a controlled clock
(tests/server/portal_test.cpp).
"""
import glob
import json
import os
import subprocess
import unittest

from kit_server import Client, KitTestCase, Store, kit_binary, unique
from test_infusion_gates import new_patient

PASSWORD = "portal-password-" + "4c1d"  # >= 12 characters, 5 different ones


def put(client, path, body):
    return client.request("PUT", path, body=body)


class PortalCase(KitTestCase):
    """One server per class; accept attempts are counted per address (loopback here), so classes
    that provoke refusals get a larger budget than the 5 of a clinic's default."""

    MAX_FAILURES = 50

    @classmethod
    def setUpClass(cls):
        cls.store = Store()
        try:
            cls.server = cls.store.server(
                extra_args=["--login-max-failures", str(cls.MAX_FAILURES)]).start()
        except BaseException:
            cls.store.cleanup()
            raise
        cls._clients = {}

    def new_patient(self, given="Portal"):
        return new_patient(self.desk, given)

    def invite(self, client, pid, status=201):
        r = client.post("/api/v1/patients/%d/invitations" % pid, {})
        self.assertStatus(r, status)
        return r.json if status == 201 else r

    def accept(self, token, password=PASSWORD, username=None, client=None):
        body = {"password": password}
        if username is not None:
            body["username"] = username
        return (client or self.anon).post("/api/v1/invitations/%s/accept" % token, body)


class InvitationTest(PortalCase):

    def test_an_invitation_opens_the_account_once(self):
        pid = self.new_patient("Invited")
        inv = self.invite(self.desk, pid)
        token = inv["token"]
        self.assertEqual(inv["link"], "/invite?token=" + token)
        self.assertEqual(inv["status"], "pending")
        self.assertFalse(inv["account_exists"])

        # Anonymous: usable, the clinic's name, and nothing about the patient.
        r = self.anon.get("/api/v1/invitations/" + token)
        self.assertStatus(r, 200)
        self.assertEqual(set(r.json), {"valid", "clinic_name", "expires_at", "username"})
        self.assertIsNone(r.json["username"])
        self.assertTrue(r.json["clinic_name"])

        username = unique("invited").lower()
        r = self.accept(token, username=username)
        self.assertStatus(r, 200)
        self.assertEqual(r.json, {"accepted": True, "username": username})

        # The patient signs in with the password they chose: their own record only.
        me = self.server.login(username, PASSWORD)
        r = me.get("/api/v1/me/patient")
        self.assertStatus(r, 200)
        self.assertEqual(r.json["id"], pid)

        # Once only: the link is spent, for reading and for setting a password.
        self.assertError(self.anon.get("/api/v1/invitations/" + token), 404, field="token",
                         code="invitation_invalid")
        self.assertError(self.accept(token, password="another-password-1", username=username), 404,
                         code="invitation_invalid")
        self.server.login(username, PASSWORD)  # the first password still works

        listed = self.desk.get("/api/v1/patients/%d/invitations" % pid)
        self.assertStatus(listed, 200)
        self.assertEqual([i["status"] for i in listed.json], ["accepted"])
        self.assertIsInstance(listed.json[0]["user_id"], int)
        self.assertNotIn("token", listed.json[0])

    def test_a_new_invitation_revokes_the_old_and_resets_an_existing_account(self):
        pid = self.new_patient("Reinvited")
        first = self.invite(self.physician, pid)["token"]
        second = self.invite(self.admin, pid)
        self.assertEqual(second["revoked_previous"], 1)
        self.assertError(self.anon.get("/api/v1/invitations/" + first), 404, code="invitation_invalid")
        username = unique("reinv").lower()
        self.assertStatus(self.accept(second["token"], username=username), 200)
        old_login = self.server.login(username, PASSWORD)

        # The patient forgot their password: a new invitation for the existing account.
        third = self.invite(self.desk, pid)
        self.assertTrue(third["account_exists"])
        r = self.anon.get("/api/v1/invitations/" + third["token"])
        self.assertEqual(r.json["username"], username)
        self.assertError(self.accept(third["token"], username="someone.else"), 400, field="username")
        new_password = "a-new-portal-password-9"
        self.assertStatus(self.accept(third["token"], password=new_password), 200)
        # Its logins ended; only the new password opens it.
        self.assertError(old_login.get("/api/v1/me/patient"), 401)
        self.server.login(username, new_password)
        states = [i["status"] for i in self.desk.get("/api/v1/patients/%d/invitations" % pid).json]
        self.assertEqual(states, ["accepted", "accepted", "revoked"])

    def test_refusals_store_nothing(self):
        pid = self.new_patient("Refused")
        # Roles that do not invite: nothing is created.
        self.assertError(self.nurse.post("/api/v1/patients/%d/invitations" % pid, {}), 403)
        self.assertError(self.patient.post("/api/v1/patients/%d/invitations" % pid, {}), 403)
        self.assertEqual(self.desk.get("/api/v1/patients/%d/invitations" % pid).json, [])
        self.assertError(self.desk.post("/api/v1/patients/999999/invitations", {}), 404)
        self.assertError(self.desk.post("/api/v1/patients/%d/invitations" % pid, {"days": 3}), 400,
                         field="days")

        token = self.invite(self.desk, pid)["token"]
        # A password under the rules, a missing or malformed or taken username: the invitation
        # stays usable and no account appears.
        self.assertError(self.accept(token, password="short", username="fine.name"), 400,
                         field="password")
        self.assertError(self.accept(token), 400, field="username")
        self.assertError(self.accept(token, username="Bad Name!"), 400, field="username")
        self.assertError(self.accept(token, username="admin"), 409, field="username")
        self.assertStatus(self.anon.get("/api/v1/invitations/" + token), 200)
        accounts = [u for u in self.admin.get("/api/v1/users").json if u["patient_id"] == pid]
        self.assertEqual(accounts, [])
        # A disabled account cannot be reopened by an invitation.
        username = unique("dis").lower()
        self.assertStatus(self.accept(token, username=username), 200)
        user = [u for u in self.admin.get("/api/v1/users").json if u["patient_id"] == pid][0]
        path = "/api/v1/users/%d" % user["id"]
        self.assertStatus(self.admin.patch(path, {"disabled": True}, etag=self.admin.current_etag(path)),
                          200)
        self.assertError(self.desk.post("/api/v1/patients/%d/invitations" % pid, {}), 409)
        self.assertEqual([i["status"] for i in self.desk.get("/api/v1/patients/%d/invitations" % pid).json],
                         ["accepted"])

    def test_the_token_never_reaches_the_audit_log_the_server_log_or_the_database(self):
        pid = self.new_patient("Secret")
        token = self.invite(self.desk, pid)["token"]
        self.assertStatus(self.anon.get("/api/v1/invitations/" + token), 200)
        self.assertStatus(self.accept(token, password="short"), 400)
        self.assertStatus(self.accept(token, username=unique("sec").lower()), 200)
        self.assertStatus(self.anon.get("/api/v1/invitations/" + token), 404)

        # The patient's access log names every use of the link, by route pattern.
        audit = self.admin.get("/api/v1/audit", query={"patient_id": str(pid), "limit": "200"})
        self.assertStatus(audit, 200)
        text = json.dumps(audit.json)
        self.assertNotIn(token, text)
        actions = [row["action"] for row in audit.json["entries"]] if isinstance(audit.json, dict) \
            else [row["action"] for row in audit.json]
        self.assertIn("POST /api/v1/patients/{id}/invitations", actions)
        self.assertIn("GET /api/v1/invitations/{token}", actions)
        self.assertIn("POST /api/v1/invitations/{token}/accept", actions)

        with open(self.server.log_path, "rb") as f:
            log = f.read().decode("utf-8", "replace")
        self.assertIn("/api/v1/invitations/{token}/accept", log)  # the request was logged...
        self.assertNotIn(token, log)                             # ...without its token

        if self.server.database_url is None:  # SQLite: every file of the data folder
            for path in glob.glob(os.path.join(self.server.data_dir, "**"), recursive=True):
                if os.path.isfile(path):
                    with open(path, "rb") as f:
                        self.assertNotIn(token.encode(), f.read(), path)


class AcceptRateLimitTest(PortalCase):
    """Acceptance is counted per remote address before anything is checked, like a login."""

    MAX_FAILURES = 5

    def test_guessing_tokens_locks_the_address(self):
        pid = self.new_patient("Guessed")
        token = self.invite(self.desk, pid)["token"]
        for i in range(5):
            self.assertError(self.accept("guess-%d-%s" % (i, "x" * 40), username="guesser.%d" % i), 404,
                             code="invitation_invalid")
        # The budget is spent: even the right token is refused now, and nothing is created.
        r = self.accept(token, username=unique("locked").lower())
        self.assertError(r, 429, field="token", code="locked")
        self.assertStatus(self.anon.get("/api/v1/invitations/" + token), 200)
        self.assertEqual([i["status"] for i in self.desk.get("/api/v1/patients/%d/invitations" % pid).json],
                         ["pending"])


class DraftTest(PortalCase):

    def path(self, pid, instrument="phq9"):
        return "/api/v1/patients/%d/questionnaire-drafts/%s" % (pid, instrument)

    def test_save_and_resume_is_the_patients_own_and_never_an_assessment(self):
        pid = self.demo_patient_id()
        path = self.path(pid)
        self.patient.delete(path)  # a draft left by an earlier test
        self.assertError(self.patient.get(path), 404)
        before = self.nurse.get("/api/v1/patients/%d/assessments" % pid).json
        alerts_before = self.physician.get("/api/v1/alerts").json

        answers = [1, 2, 0, None, None, None, None, None, 3]  # item 9 answered 3
        r = put(self.patient, path, {"answers": answers, "position": 4, "language": "es"})
        self.assertStatus(r, 200)
        self.assertEqual((r.json["answers"], r.json["position"], r.json["language"], r.json["version"]),
                         (answers, 4, "es", 1))
        r = self.patient.get(path)
        self.assertStatus(r, 200)
        self.assertEqual(r.json["answers"], answers)
        answers[3] = 2
        r = put(self.patient, path, {"answers": answers, "position": 5, "language": "es"})
        self.assertEqual((r.json["version"], r.json["position"]), (2, 5))

        # Not an assessment: no new sheet, no alert, even with item 9 positive.
        self.assertEqual(self.nurse.get("/api/v1/patients/%d/assessments" % pid).json, before)
        self.assertEqual(self.physician.get("/api/v1/alerts").json, alerts_before)

        # Nobody else reads or writes it: staff of every role, another patient.
        for client in (self.nurse, self.physician, self.desk, self.admin):
            self.assertError(client.get(path), 403)
            self.assertError(put(client, path, {"answers": answers, "position": 0, "language": "en"}), 403)
        other = self.other_patient_login()
        self.assertError(other.get(path), 403)
        self.assertError(put(other, path, {"answers": answers, "position": 0, "language": "en"}), 403)
        self.assertEqual(self.patient.get(path).json["version"], 2)

        self.assertStatus(self.patient.delete(path), 200)
        self.assertError(self.patient.get(path), 404)
        self.assertError(self.patient.delete(path), 404)

    def other_patient_login(self):
        pid = new_patient(self.desk, "Other")
        token = self.desk.post("/api/v1/patients/%d/invitations" % pid, {}).json["token"]
        username = unique("other").lower()
        self.assertStatus(self.anon.post("/api/v1/invitations/%s/accept" % token,
                                         {"username": username, "password": PASSWORD}), 200)
        return self.server.login(username, PASSWORD)

    def test_a_bad_draft_is_refused_naming_the_field_and_stores_nothing(self):
        pid = self.demo_patient_id()
        path = self.path(pid, "gad7")
        self.patient.delete(path)
        ok = [0] * 7
        cases = [
            ({"answers": [0] * 6, "position": 0, "language": "en"}, "answers"),
            ({"answers": [0, 0, 4, 0, 0, 0, 0], "position": 0, "language": "en"}, "answers[2]"),
            ({"answers": [0, 0, "1", 0, 0, 0, 0], "position": 0, "language": "en"}, "answers[2]"),
            ({"answers": ok, "position": 8, "language": "en"}, "position"),
            ({"answers": ok, "position": 0, "language": "fr"}, "language"),
            ({"answers": ok, "position": 0, "language": "en", "score": 3}, "score"),
        ]
        for body, field in cases:
            self.assertError(put(self.patient, path, body), 400, field=field, msg=repr(body))
        self.assertError(self.patient.get(path), 404)
        # Only instruments a patient fills in through the portal.
        self.assertError(put(self.patient, self.path(pid, "madrs"), {"answers": [0] * 10, "position": 0,
                                                                    "language": "en"}), 404)


class WordingTest(PortalCase):

    def test_published_wording_per_language_and_english_when_no_translation(self):
        r = self.patient.get("/api/v1/questionnaires/phq9", query={"language": "es"})
        self.assertStatus(r, 200)
        self.assertEqual((r.json["language"], r.json["translated"]), ("es", True))
        self.assertEqual(len(r.json["items"]), 9)
        self.assertEqual(r.json["items"][0]["text"], "Poco interés o placer en hacer cosas")
        self.assertEqual([o["value"] for o in r.json["options"]], [0, 1, 2, 3])
        en = self.patient.get("/api/v1/questionnaires/phq9").json
        self.assertEqual(en["items"][0]["text"], "Little interest or pleasure in doing things")

        # PCL-5: no published Spanish translation shipped: English, and the portal says so.
        r = self.patient.get("/api/v1/questionnaires/pcl5", query={"language": "es"})
        self.assertStatus(r, 200)
        self.assertEqual((r.json["language"], r.json["requested_language"], r.json["translated"]),
                         ("en", "es", False))
        self.assertEqual(len(r.json["items"]), 20)

        # Licensed (BPI) or clinician-rated (MADRS): no wording shipped.
        self.assertError(self.patient.get("/api/v1/questionnaires/bpi"), 404, code="no_wording")
        self.assertError(self.patient.get("/api/v1/questionnaires/madrs"), 404, code="no_wording")
        self.assertError(self.patient.get("/api/v1/questionnaires/hamd"), 404)
        self.assertError(self.patient.get("/api/v1/questionnaires/phq9", query={"language": "fr"}), 400,
                         field="language")
        listed = {q["instrument"]: q["languages"] for q in self.patient.get("/api/v1/questionnaires").json}
        self.assertEqual(listed, {"gad7": ["en", "es"], "nrs": ["en", "es"], "pcl5": ["en"],
                                  "phq9": ["en", "es"]})
        self.assertError(self.anon.get("/api/v1/questionnaires/phq9"), 401)

    def test_portal_info_and_language_preference(self):
        info = self.patient.get("/api/v1/portal/info")
        self.assertStatus(info, 200)
        self.assertIs(info.json["monitored_around_the_clock"], False)
        self.assertTrue(info.json["clinic_phone"])  # the demo's fictional number

        pid = self.demo_patient_id()
        path = "/api/v1/patients/%d/preferences" % pid
        self.assertStatus(put(self.patient, path, {"language": "es"}), 200)
        self.assertEqual(self.desk.get(path).json["language"], "es")
        self.assertError(put(self.desk, path, {"language": "de"}), 400, field="language")
        self.assertEqual(self.nurse.get(path).json["language"], "es")
        r = put(self.desk, path, {"language": "en"})
        self.assertEqual((r.json["language"], r.json["version"]), ("en", 2))
        self.assertError(self.patient.get("/api/v1/patients/999999/preferences"), 403)


class ClinicTextsTest(unittest.TestCase):
    """The clinic's licensed texts through `questionnaire_texts_file` (a test-made file: KIT has
    no BPI wording), and a broken file refused at start naming the setting."""

    def bpi(self, items=11):
        return {"instrument": "bpi", "language": "en", "title": "Clinic BPI (test text)",
                "instructions": "test", "attribution": "test", "source": "tests/api/test_portal.py",
                "options": [{"value": v, "label": str(v)} for v in range(11)],
                "items": [{"text": "Licensed item %d (test)" % (i + 1)} for i in range(items)]}

    def test_a_configured_text_is_served_and_a_bad_file_stops_the_start(self):
        store = Store()
        try:
            good = os.path.join(store.tmp, "bpi.json")
            with open(good, "w") as f:
                json.dump([self.bpi()], f)
            server = store.server()
            os.environ["KIT_QUESTIONNAIRE_TEXTS_FILE"] = good  # read by the server it starts
            try:
                server.start()
            finally:
                del os.environ["KIT_QUESTIONNAIRE_TEXTS_FILE"]
            try:
                r = server.login("patient").get("/api/v1/questionnaires/bpi")
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.json["items"][0]["text"], "Licensed item 1 (test)")
                self.assertEqual(len(r.json["items"]), 11)
            finally:
                self.assertEqual(server.stop(), 0)

            bad = os.path.join(store.tmp, "bpi-bad.json")
            with open(bad, "w") as f:
                json.dump([self.bpi(items=10)], f)
            env = dict(os.environ, KIT_QUESTIONNAIRE_TEXTS_FILE=bad)
            run = subprocess.run([kit_binary(), "serve", "--data", os.path.join(store.tmp, "bad"),
                                  "--listen", "127.0.0.1:0"],
                                 env=env, capture_output=True, text=True, timeout=30)
            self.assertNotEqual(run.returncode, 0)
            self.assertIn("questionnaire_texts_file", run.stdout + run.stderr)
            self.assertIn("[0]: items", run.stdout + run.stderr)
        finally:
            store.cleanup()


if __name__ == "__main__":
    unittest.main()
