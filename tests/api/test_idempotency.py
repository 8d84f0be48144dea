"""Idempotent writes: a retry of a POST or PATCH carrying the same Idempotency-Key gets the first
answer and stores nothing twice (server/api/idempotency.h; IETF
draft-ietf-httpapi-idempotency-key-header-07). The chair-side app retries over flaky Wi-Fi."""

import threading
import uuid

from kit_server import unique
from test_infusion_gates import GateCase

PATIENT = {"given_name": "Retry", "date_of_birth": "1979-05-02", "sex": "female",
           "indication": "depression"}


def key():
    return str(uuid.uuid4())


class IdempotencyTest(GateCase):

    def new_patient(self, client, k, family, **headers):
        body = dict(PATIENT, family_name=family)
        return client.post("/api/v1/patients", body, headers=dict({"Idempotency-Key": k}, **headers))

    def patients_named(self, family):
        r = self.desk.get("/api/v1/patients", query={"q": family})
        self.assertStatus(r, 200)
        return [p for p in r.json["patients"] if p["family_name"] == family]

    def test_a_retried_create_answers_the_first_answer_and_stores_one(self):
        family, k = unique("Idem"), key()
        first = self.new_patient(self.desk, k, family)
        self.assertStatus(first, 201)
        again = self.new_patient(self.desk, k, family)
        self.assertStatus(again, 201)
        self.assertEqual(again.json, first.json)
        self.assertEqual(again.header("Idempotent-Replayed"), "true")
        self.assertIsNone(first.header("Idempotent-Replayed"))
        self.assertEqual(len(self.patients_named(family)), 1)
        # A quoted structured-field string names the same key.
        quoted = self.new_patient(self.desk, '"%s"' % k, family)
        self.assertEqual(quoted.json["id"], first.json["id"])
        self.assertEqual(len(self.patients_named(family)), 1)

    def test_a_key_reused_for_another_request_is_refused_and_stores_nothing(self):
        family, k = unique("Idem"), key()
        self.assertStatus(self.new_patient(self.desk, k, family), 201)
        other = unique("Other")
        r = self.new_patient(self.desk, k, other)
        self.assertError(r, 422, field="Idempotency-Key", code="idempotency_key_reused")
        self.assertEqual(self.patients_named(other), [])

    def test_keys_belong_to_their_account(self):
        family, k = unique("Idem"), key()
        a = self.new_patient(self.desk, k, family)
        b = self.new_patient(self.admin, k, family)  # another account, the same key: its own request
        self.assertStatus(a, 201)
        self.assertStatus(b, 201)
        self.assertNotEqual(a.json["id"], b.json["id"])
        self.assertIsNone(b.header("Idempotent-Replayed"))

    def test_a_refusal_is_not_kept_so_its_retry_runs_again(self):
        family, k = unique("Idem"), key()
        bad = self.desk.post("/api/v1/patients", dict(PATIENT, family_name=family, sex="bogus"),
                             headers={"Idempotency-Key": k})
        self.assertError(bad, 400, field="sex")
        self.assertEqual(self.patients_named(family), [])
        # The same (refused) request again is refused again, not replayed.
        again = self.desk.post("/api/v1/patients", dict(PATIENT, family_name=family, sex="bogus"),
                               headers={"Idempotency-Key": k})
        self.assertError(again, 400, field="sex")
        self.assertIsNone(again.header("Idempotent-Replayed"))

    def test_malformed_keys_are_refused_naming_the_header(self):
        for bad in ["", '""', "has space", "x" * 256, "quote\"inside", "caf\u00e9"]:
            with self.subTest(key=bad):
                family = unique("Idem")
                r = self.desk.request("POST", "/api/v1/patients",
                                      raw=_json(dict(PATIENT, family_name=family)),
                                      headers={"Idempotency-Key": bad.encode("utf-8").decode("latin-1")})
                self.assertError(r, 400, field="Idempotency-Key")
                self.assertEqual(self.patients_named(family), [])

    def test_concurrent_retries_store_one_record(self):
        family, k = unique("Idem"), key()
        n = 8
        answers = [None] * n
        barrier = threading.Barrier(n, timeout=30)

        def send(i):
            barrier.wait()
            answers[i] = self.new_patient(self.desk, k, family)

        threads = [threading.Thread(target=send, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        created = [a for a in answers if a is not None and a.status == 201]
        for a in answers:
            self.assertIsNotNone(a)
            self.assertIn(a.status, (201, 409), a)
            if a.status == 409:
                self.assertEqual(a.error()["code"], "idempotency_key_in_use")
        self.assertGreaterEqual(len(created), 1)
        self.assertEqual({a.json["id"] for a in created}, {created[0].json["id"]})
        self.assertEqual(len(self.patients_named(family)), 1)

    def test_a_retried_pump_start_is_one_event_and_gets_the_first_answer(self):
        ready = self.ready(given="Idem")
        sid = self.planned(ready)["id"]
        etag = self.nurse.current_etag(self.spath(sid))
        k = key()
        headers = {"Idempotency-Key": k}
        first = self.nurse.post_if_match(self.spath(sid) + "/events", {"kind": "start"}, etag,
                                         headers=headers)
        self.assertStatus(first, 201, "start")
        # The tablet lost the answer and sends the very same request again (same If-Match).
        again = self.nurse.post_if_match(self.spath(sid) + "/events", {"kind": "start"}, etag,
                                         headers=headers)
        self.assertStatus(again, 201, "retried start")
        self.assertEqual(again.json, first.json)
        self.assertEqual(again.header("ETag"), first.header("ETag"))
        starts = [e for e in self.session(sid)["events"] if e["kind"] == "start"]
        self.assertEqual(len(starts), 1)
        # Without a key the same retry is a stale write, as before.
        stale = self.nurse.post_if_match(self.spath(sid) + "/events", {"kind": "start"}, etag)
        self.assertStatus(stale, 412)
        # The replay is in the patient's access log like the first answer.
        log = self.physician.get("/api/v1/patients/%d/access-log" % ready.pid)
        self.assertStatus(log, 200)
        rows = log.json["items"] if isinstance(log.json, dict) else log.json
        event_rows = [r for r in rows if r["action"] == "POST /api/v1/sessions/{id}/events"]
        self.assertGreaterEqual(len(event_rows), 2)


def _json(body):
    import json
    return json.dumps(body)


if __name__ == "__main__":
    import unittest
    unittest.main()
