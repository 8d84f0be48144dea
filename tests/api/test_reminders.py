"""Reminders by e-mail (issue 12 §1, docs/reminders.md, ADR 0025) through a real `kit serve` and a
real SMTP server started by the test (aiosmtpd, Debian's python3-aiosmtpd) that records what it
receives: a due questionnaire and a coming appointment arrive at the patient's address with the
portal link and no clinical words; a refused recipient (550) is tried reminder_delivery_tries times
and then fails, each try in the delivery log with the relay's reply; `kill -9` while the relay
holds a message, then a restart: the message is sent again (at-least-once, same Message-ID), not
lost; the relay down: the message waits queued and goes when the relay is back. The outbox routes
list it all for the admin and the front desk. Only loopback addresses are used."""
import asyncio
import datetime
import email
import email.policy
import os
import signal
import ssl
import subprocess
import threading
import time
import unittest

from aiosmtpd.controller import Controller

from kit_server import DEMO_PASSWORD, KitTestCase, Store, free_port, kit_binary, login, wait_http
from test_infusion_gates import Staff, approved_patient, book, expect, make_chair, make_clinic, new_course, transition

PORTAL = "https://portal.clinic.example"
# Words no reminder may carry: instruments, indications, the drug, doses, scores.
CLINICAL_WORDS = ["phq", "gad", "pcl", "bpi", "nrs", "depress", "ptsd", "anxiety", "pain", "ocd",
                  "ketamine", "dose", " mg", "score", "suicid", "infusion", "diagnos", "esketamine"]
WAIT_S = 40


class Recorder:
    """An aiosmtpd handler: refuses recipients starting "refuse" with 550 at RCPT; holds the first
    message to a recipient starting "slow" for `slow_s` seconds before answering; records every
    accepted message."""

    def __init__(self, slow_s=8):
        self.lock = threading.Lock()
        self.messages = []
        self.slow_s = slow_s
        self.slowed = False
        self.holding = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refuse"):
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if not self.slowed and any(a.startswith("slow") for a in envelope.rcpt_tos):
            self.slowed = True
            self.holding.set()
            await asyncio.sleep(self.slow_s)
        msg = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "msg": msg,
                                  "tls": session.ssl is not None})
        return "250 2.0.0 Ok: queued"

    def to(self, address):
        with self.lock:
            return [m for m in self.messages if address in m["to"]]


def smtp_server(port, handler, tls_context=None):
    """Plain SMTP, or with tls_context a relay that offers STARTTLS and refuses mail without it."""
    kw = {"tls_context": tls_context, "require_starttls": True} if tls_context else {}
    c = Controller(handler, hostname="127.0.0.1", port=port, **kw)
    c.start()
    return c


def self_signed(folder):
    """A certificate for 127.0.0.1 (openssl from Debian); returns (cert, key) paths."""
    cert, key = os.path.join(folder, "relay.pem"), os.path.join(folder, "relay.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


def wait_for(what, predicate, timeout=WAIT_S):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.2)


class ReminderCase(KitTestCase):
    """A server whose reminders go to the test's SMTP server; subclasses choose the settings."""

    TRIES = 3
    START_SMTP = True
    STARTTLS = False

    @classmethod
    def setUpClass(cls):
        cls.smtp_port = free_port()
        cls.recorder = Recorder()
        cls.store = Store()
        tls, cert = None, None
        if cls.STARTTLS:
            cert, key = self_signed(cls.store.tmp)
            tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            tls.load_cert_chain(cert, key)
        cls.smtp = smtp_server(cls.smtp_port, cls.recorder, tls) if cls.START_SMTP else None
        config = os.path.join(cls.store.tmp, "kit.toml")
        with open(config, "w") as f:
            if cert:
                f.write('smtp_ca_file = "%s"\n' % cert)
            f.write('smtp_url = "smtp://127.0.0.1:%d"\n' % cls.smtp_port)
            f.write('smtp_from = "reminders@clinic.example"\n')
            f.write('portal_base_url = "%s/"\n' % PORTAL)
            f.write("reminders_every_s = 1\n")
            f.write('reminder_hours = "00:00-24:00"\n')  # the test runs at any hour
            f.write("reminder_retry_s = 1\n")
            f.write("reminder_delivery_tries = %d\n" % cls.TRIES)
            f.write("reminder_send_timeout_s = 3\n")
        try:
            cls.server = cls.store.server(extra_args=["--config", config]).start()
        except BaseException:
            cls.store.cleanup()
            if cls.smtp:
                cls.smtp.stop()
            raise
        cls._clients = {}

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            if cls.smtp:
                cls.smtp.stop()

    def patient_with_address(self, address, appointment_in_days=1):
        """An approved depression patient with an address, a course in induction and an infusion
        booked `appointment_in_days` from today (UTC clinic, 08:00)."""
        staff = Staff(self.admin, self.desk, self.nurse, self.physician)
        pid, _ = approved_patient(staff, "Reminded")
        path = "/api/v1/patients/%d" % pid
        expect(self.desk.patch(path, {"email": address}, etag=self.desk.current_etag(path)), 200, "address")
        course = new_course(self.physician, pid)
        transition(self.physician, course, "induction", "series starts")
        if not hasattr(type(self), "clinic"):
            type(self).clinic = make_clinic(self.admin)
        chair = make_chair(self.admin, type(self).clinic)
        day = datetime.datetime.now(datetime.timezone.utc).date() + datetime.timedelta(days=appointment_in_days)
        appointment = book(self.desk, pid, course, chair, day)
        return pid, day, appointment

    def outbox(self, client=None, **query):
        r = (client or self.admin).get("/api/v1/outbox", query=query or None)
        self.assertStatus(r, 200)
        return r.json

    def message_of(self, pid, kind):
        for m in self.outbox(patient_id=str(pid), kind=kind)["messages"]:
            return m
        return None

    def attempts(self, outbox_id, client=None):
        r = (client or self.admin).get("/api/v1/outbox/%d/attempts" % outbox_id)
        self.assertStatus(r, 200)
        return r.json


class RemindersDeliveredTest(ReminderCase):

    def test_due_questionnaire_and_appointment_arrive_without_clinical_words(self):
        address = "patient.one@example.net"
        pid, day, _ = self.patient_with_address(address)
        got = wait_for("two messages to the patient", lambda: len(self.recorder.to(address)) >= 2 and self.recorder.to(address))
        time.sleep(1.5)  # a few more planning passes: still two (once a day)
        got = self.recorder.to(address)
        self.assertEqual(len(got), 2, [m["msg"]["Subject"] for m in got])
        subjects = sorted(m["msg"]["Subject"] for m in got)
        bodies = {m["msg"]["Subject"]: m["msg"].get_content() for m in got}
        for m in got:
            self.assertEqual(m["from"], "reminders@clinic.example")
            self.assertEqual(m["to"], [address])
            self.assertEqual(str(m["msg"]["To"]), address)
            self.assertTrue(m["msg"]["Message-ID"].startswith("<kit-reminder."))
            self.assertEqual(m["msg"]["Auto-Submitted"], "auto-generated")
            text = (m["msg"]["Subject"] + "\n" + m["msg"].get_content()).lower()
            self.assertIn(PORTAL + "/portal\r\n", m["msg"].get_content())  # the front page only
            for word in CLINICAL_WORDS:
                self.assertNotIn(word, text, "clinical word %r in %r" % (word, text))
        self.assertTrue(any("questionnaire due" in s for s in subjects), subjects)
        appointment = [b for s, b in bodies.items() if "appointment reminder" in s]
        self.assertEqual(len(appointment), 1, subjects)
        self.assertIn("on %s at 08:00 (UTC)" % day.isoformat(), appointment[0])

        # The outbox: both sent, one try each, the relay's 250 in the log; English (the default).
        out = self.outbox(patient_id=str(pid))
        self.assertEqual(sorted(m["kind"] for m in out["messages"]), ["appointment_upcoming", "questionnaire_due"])
        for m in out["messages"]:
            self.assertEqual((m["state"], m["attempts"], m["language"], m["reminder_number"]), ("sent", 1, "en", 1))
            self.assertEqual(m["recipient"], address)
            self.assertNotIn("phq", m["due_key"])
            log = self.attempts(m["id"], client=self.desk)  # the front desk reads it too
            self.assertEqual([(a["attempt"], a["outcome"], a["smtp_code"]) for a in log["attempts"]], [(1, "sent", 250)])
            self.assertIn("250", log["attempts"][0]["smtp_reply"])
        self.assertGreaterEqual(out["counts"]["sent"], 2)

    def test_a_refused_recipient_is_tried_n_times_then_fails_with_the_log(self):
        address = "refuse.me@example.net"
        pid, _, _ = self.patient_with_address(address)

        def failed():
            m = self.message_of(pid, "questionnaire_due")
            return m if m and m["state"] == "failed" else None
        m = wait_for("the message to fail", failed)
        self.assertEqual(m["attempts"], self.TRIES)
        self.assertIn("550", m["last_error"])
        log = self.attempts(m["id"])["attempts"]
        self.assertEqual([(a["attempt"], a["outcome"], a["smtp_code"]) for a in log],
                         [(n, "failed", 550) for n in range(1, self.TRIES + 1)])
        self.assertIn("mailbox unavailable", log[-1]["smtp_reply"])
        self.assertEqual(self.recorder.to(address), [])
        # Filters: the failed state lists it; a bad filter names the parameter.
        self.assertIn(m["id"], [x["id"] for x in self.outbox(state="failed")["messages"]])
        bad = self.admin.get("/api/v1/outbox", query={"state": "lost"})
        self.assertStatus(bad, 400)
        self.assertEqual(bad.json["error"]["field"], "state")

    def test_who_may_read_the_outbox_and_that_reads_are_audited(self):
        for client in (self.nurse, self.physician, self.patient):
            self.assertStatus(client.get("/api/v1/outbox"), 403)
        address = "audited@example.net"
        pid, _, _ = self.patient_with_address(address)
        wait_for("a message", lambda: self.message_of(pid, "questionnaire_due"))
        self.outbox(client=self.desk, patient_id=str(pid))
        r = self.admin.get("/api/v1/audit", query={"patient_id": str(pid), "limit": "200"})
        self.assertStatus(r, 200)
        actions = [e["action"] for e in r.json]
        self.assertIn("GET /api/v1/outbox", actions)
        self.assertTrue(any(a.startswith("reminder planned: questionnaire_due") for a in actions), actions)
        self.assertTrue(any(a.startswith("reminder e-mail sent") for a in actions), actions)


    def test_a_referral_sheet_typed_in_does_not_silence_the_baseline_reminder(self):
        # The referral letter's PHQ-9 and GAD-7, dated two months ago, typed in while the baseline
        # window is open (the first infusion is tomorrow): the baseline is still owed, so the
        # patient is still reminded (as GET .../measurements counts it: the day on the sheet).
        staff = Staff(self.admin, self.desk, self.nurse, self.physician)
        pid, _ = approved_patient(staff, "Referred")
        course = new_course(self.physician, pid)
        transition(self.physician, course, "induction", "series starts")
        if not hasattr(type(self), "clinic"):
            type(self).clinic = make_clinic(self.admin)
        today = datetime.datetime.now(datetime.timezone.utc).date()
        book(self.desk, pid, course, make_chair(self.admin, type(self).clinic), today + datetime.timedelta(days=1))
        referral = (today - datetime.timedelta(days=60)).isoformat()
        for instrument, answers in (("phq9", [1] * 8 + [0]), ("gad7", [1] * 7)):
            expect(self.nurse.post("/api/v1/patients/%d/assessments" % pid,
                                   {"instrument": instrument, "answers": answers, "taken_on": referral}),
                   201, "referral %s" % instrument)
        # Reachable only now, so the planner sees the sheets before it sees the patient.
        path = "/api/v1/patients/%d" % pid
        expect(self.desk.patch(path, {"email": "referred@example.net"}, etag=self.desk.current_etag(path)),
               200, "address")
        wait_for("the questionnaire reminder", lambda: self.message_of(pid, "questionnaire_due"))


class RemindersOverStartTlsTest(ReminderCase):
    """A relay that offers STARTTLS (and refuses mail without it) with a certificate from a CA the
    clinic names in smtp_ca_file: the message goes over TLS."""

    STARTTLS = True

    def test_the_message_goes_over_starttls(self):
        address = "tls.patient@example.net"
        pid, _, _ = self.patient_with_address(address, appointment_in_days=5)
        got = wait_for("the message over TLS", lambda: self.recorder.to(address))
        self.assertEqual(len(got), 1)
        self.assertTrue(got[0]["tls"], "the message was not sent over TLS")
        m = self.message_of(pid, "questionnaire_due")
        self.assertEqual((m["state"], m["attempts"]), ("sent", 1))


class RemindersSurviveKillTest(ReminderCase):

    def test_kill_9_while_the_relay_holds_the_message_then_restart_sends_it(self):
        address = "slow.patient@example.net"
        pid, _, _ = self.patient_with_address(address, appointment_in_days=5)  # questionnaire only
        self.assertTrue(self.recorder.holding.wait(WAIT_S), "the relay never received the message")
        m = self.message_of(pid, "questionnaire_due")
        self.assertEqual((m["state"], m["attempts"]), ("sending", 1))
        self.server.kill9()
        self.server.start()
        type(self)._clients = {}  # logins survive, but start clean

        def sent():
            x = self.message_of(pid, "questionnaire_due")
            return x if x and x["state"] == "sent" else None
        m = wait_for("the message to be sent after the restart", sent)
        self.assertEqual(m["attempts"], 2)
        log = self.attempts(m["id"])["attempts"]
        self.assertEqual([(a["attempt"], a["outcome"]) for a in log], [(1, "interrupted"), (2, "sent")])
        self.assertIn("at-least-once", log[0]["smtp_reply"])
        self.assertNotEqual(log[0]["claimed_by"], log[1]["claimed_by"])
        # Delivered at least once; a copy the relay also finished has the same Message-ID.
        time.sleep(self.recorder.slow_s)
        got = self.recorder.to(address)
        self.assertGreaterEqual(len(got), 1)
        self.assertLessEqual(len(got), 2)
        self.assertEqual({g["msg"]["Message-ID"] for g in got}, {m["message_id"]})


class RemindersWaitForTheRelayTest(ReminderCase):

    TRIES = 10
    START_SMTP = False

    def test_relay_down_queued_then_sent_when_it_returns(self):
        address = "patient.waiting@example.net"
        pid, _, _ = self.patient_with_address(address, appointment_in_days=5)

        def refused_once():
            x = self.message_of(pid, "questionnaire_due")
            return x if x and x["attempts"] >= 1 and x["state"] == "queued" else None
        m = refused_once() or wait_for("a refused try", refused_once)
        self.assertIsNotNone(m["last_error"])
        self.assertIsNotNone(m["next_attempt_at"])
        log = self.attempts(m["id"])["attempts"]
        self.assertEqual(log[0]["outcome"], "failed")
        self.assertIsNone(log[0]["smtp_code"])  # nobody answered
        type(self).smtp = smtp_server(self.smtp_port, self.recorder)

        def sent():
            x = self.message_of(pid, "questionnaire_due")
            return x if x and x["state"] == "sent" else None
        m = wait_for("the message to go once the relay is back", sent)
        self.assertGreaterEqual(m["attempts"], 2)
        self.assertEqual(len(self.recorder.to(address)), 1)


class DemoClinicOutboxTest(unittest.TestCase):
    """Done-when of issue 12: the demo clinic's reminders appear in the outbox. The full demo seed,
    no relay: every kind is planned, queued, and says nothing clinical."""

    def test_the_demo_clinics_reminders_are_in_the_outbox(self):
        store = Store()
        port = free_port()
        argv = [kit_binary(), "serve", "--data", store.data_dir, "--listen", "127.0.0.1:%d" % port, "--demo"]
        if store.database_url:
            argv += ["--database", store.database_url]
        env = dict(os.environ, KIT_DEMO_PASSWORD=DEMO_PASSWORD)
        env.pop("KIT_DEMO_SEED", None)
        log = open(os.path.join(store.tmp, "demo.log"), "wb")
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                cwd=store.data_dir, env=env)
        try:
            self.assertTrue(wait_http(port, "/healthz", 120, proc), "the demo server did not start")
            desk = login(port, "frontdesk")
            out = wait_for("the demo's reminders", lambda: (lambda r: r.json if r.json["total"] >= 3 else None)(
                desk.get("/api/v1/outbox", query={"limit": "200"})))
            kinds = {m["kind"] for m in out["messages"]}
            # Questionnaires are always due somewhere in the demo; appointments in the next 48 h and
            # reassessments depend on the day (all three on 2026-11-26, a Thursday).
            self.assertIn("questionnaire_due", kinds)
            self.assertLessEqual(kinds, {"questionnaire_due", "appointment_upcoming", "book_reassessment"})
            for m in out["messages"]:
                self.assertEqual(m["state"], "queued")  # no smtp_url: planned, not sent
                self.assertIsNotNone(m["next_attempt_at"])
                self.assertTrue(m["recipient"].endswith("@example.invalid"))
                text = (m["subject"] + "\n" + m["body"]).lower()
                for word in CLINICAL_WORDS:
                    self.assertNotIn(word, text)
            self.assertEqual(out["counts"]["queued"], out["total"])
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()
            store.cleanup()


if __name__ == "__main__":
    unittest.main()
