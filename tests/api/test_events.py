"""Live updates: GET /api/v1/events is a Server-Sent Events stream of change notices (no patient
data) that moves when a write commits, here or in another process on the same database; open
streams never hold a worker, and a stream that is not logged in or not staff is refused."""

import os
import socket
import time
import unittest

from kit_server import HOST, KitServer, KitTestCase, Store, backend, login, unique

PATIENT = {"given_name": "Live", "date_of_birth": "1980-02-02", "sex": "male",
           "indication": "depression"}
WAIT_S = 8.0


class EventStream:
    """A raw HTTP/1.1 client for one event stream: the head, then events as they come."""

    def __init__(self, port, token):
        self.sock = socket.create_connection((HOST, port), timeout=WAIT_S)
        self.sock.sendall(("GET /api/v1/events HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n"
                           "Authorization: Bearer %s\r\n\r\n" % (HOST, token)).encode("ascii"))
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                break
            self.buf += chunk
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {k.strip().lower(): v.strip() for k, v in
                        (line.split(":", 1) for line in lines[1:] if ":" in line)}

    def next_event(self, timeout=WAIT_S):
        """The next event's fields (comments and `retry` skipped), or None on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            while b"\n\n" in self.buf:
                block, _, self.buf = self.buf.partition(b"\n\n")
                fields = {}
                for line in block.decode("utf-8").split("\n"):
                    if line.startswith(":") or ":" not in line:
                        continue
                    k, _, v = line.partition(":")
                    fields[k] = v.strip()
                if "event" in fields:
                    return fields
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(4096)
            except socket.timeout:
                return None
            if not chunk:
                return None
            self.buf += chunk

    def close(self):
        self.sock.close()


class EventStreamTest(KitTestCase):

    def open(self, client):
        s = EventStream(self.port, client.token)
        self.addCleanup(s.close)
        return s

    def test_a_write_sends_a_change_notice_with_no_patient_data(self):
        s = self.open(self.nurse)
        self.assertEqual(s.status, 200)
        self.assertTrue(s.headers["content-type"].startswith("text/event-stream"))
        self.assertEqual(s.headers["cache-control"], "no-store")
        first = s.next_event()
        self.assertIsNotNone(first, "the stream opens with the current sequence")
        self.assertEqual(first["event"], "change")
        family = unique("Live")
        r = self.desk.post("/api/v1/patients", dict(PATIENT, family_name=family))
        self.assertStatus(r, 201)
        started = time.monotonic()
        notice = s.next_event()
        self.assertIsNotNone(notice, "no change notice within %.0f s of a write" % WAIT_S)
        self.assertGreater(int(notice["id"]), int(first["id"]))
        self.assertLess(time.monotonic() - started, 1.5, "a local write is announced at once")
        self.assertNotIn(family, notice["data"])
        self.assertEqual(set(notice), {"id", "event", "data"})

    def test_reads_do_not_move_the_sequence(self):
        s = self.open(self.nurse)
        self.assertIsNotNone(s.next_event())
        for _ in range(3):
            self.assertStatus(self.nurse.get("/api/v1/patients/%d" % self.demo_patient_id()), 200)
        self.assertIsNone(s.next_event(timeout=3.0), "a read announced a change")

    def test_open_streams_hold_no_worker(self):
        streams = [self.open(self.nurse) for _ in range(24)]  # three times the worker pool
        for s in streams:
            self.assertEqual(s.status, 200)
        started = time.monotonic()
        r = self.nurse.get("/api/v1/auth/me")
        self.assertStatus(r, 200)
        self.assertLess(time.monotonic() - started, 2.0)
        r = self.desk.post("/api/v1/patients", dict(PATIENT, family_name=unique("Live")))
        self.assertStatus(r, 201)
        for s in streams:
            s.next_event()  # the opening notice
        got = sum(1 for s in streams if s.next_event() is not None)
        self.assertEqual(got, len(streams))

    def test_not_logged_in_or_a_patient_is_refused(self):
        r = self.anon.get("/api/v1/events")
        self.assertError(r, 401)
        r = self.patient.get("/api/v1/events")
        self.assertError(r, 403)


class TwoProcessEventTest(unittest.TestCase):
    """A write through one kit serve reaches the event streams of another on the same database."""

    @classmethod
    def setUpClass(cls):
        if backend() != "postgresql":
            raise unittest.SkipTest("two kit serve processes on one database need PostgreSQL")
        cls.store = Store()
        cls.a = cls.store.server().start()
        other = os.path.join(cls.store.tmp, "data-b")
        os.makedirs(other)
        try:
            cls.b = KitServer(other, database_url=cls.store.database_url).start()
        except BaseException:
            cls.a.stop()
            cls.store.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.b.stop()
        cls.a.stop()
        cls.store.cleanup()

    def test_a_write_in_one_process_reaches_the_others_streams(self):
        nurse_a = login(self.a.port, "nurse")
        desk_b = login(self.b.port, "frontdesk")
        s = EventStream(self.a.port, nurse_a.token)
        try:
            self.assertIsNotNone(s.next_event())
            r = desk_b.post("/api/v1/patients", dict(PATIENT, family_name=unique("Live")))
            self.assertEqual(r.status, 201, r)
            self.assertIsNotNone(s.next_event(timeout=6.0), "no notice from the other process")
        finally:
            s.close()


if __name__ == "__main__":
    unittest.main()
