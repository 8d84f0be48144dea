"""GET /api/v1/sessions/{id}/escort-instructions: the written instructions for the adult who takes
a patient home after an infusion (core/infusion/escort.h, docs/web-chair.md): only sourced
statements, then the clinic's configured phone number and own text; only once the pump has
stopped; for the nurse and the physician; every read in the audit log."""

import os
import unittest

from kit_server import Store
from test_infusion_gates import GateCase

PHONE = "+44 20 7946 0000"
CLINIC_TEXT = "Call us the next morning if the patient still feels unwell.\n"


class EscortInstructionsTest(GateCase):

    @classmethod
    def setUpClass(cls):
        cls.store = Store()
        config = os.path.join(cls.store.tmp, "kit.toml")
        text = os.path.join(cls.store.tmp, "escort.txt")
        with open(text, "w") as f:
            f.write(CLINIC_TEXT)
        with open(config, "w") as f:
            f.write('discharge_phone = "%s"\ndischarge_instructions_file = "%s"\n' % (PHONE, text))
        try:
            cls.server = cls.store.server(extra_args=["--config", config]).start()
        except BaseException:
            cls.store.cleanup()
            raise
        cls._clients = {}
        cls._clinic_ids = {}

    def escort(self, sid, who=None):
        return (who or self.nurse).get(self.spath(sid) + "/escort-instructions")

    def test_only_after_the_stop_and_only_sourced_statements(self):
        ready = self.ready(given="Escort")
        sid = self.planned(ready)["id"]
        r = self.escort(sid)
        self.assertStatus(r, 409, "before the infusion has run")
        self.assertIn("after the infusion has stopped", r.error()["message"])

        self.assertStatus(self.vitals(sid, {"sbp_mmhg": 120, "dbp_mmhg": 78, "hr_bpm": 70,
                                            "spo2_percent": 98, "rr_per_min": 14}, "baseline"), 201)
        self.started(sid)
        self.assertStatus(self.escort(sid), 409, "while the pump runs")
        self.stopped(sid)

        r = self.escort(sid)
        self.assertStatus(r, 200)
        body = r.json
        self.assertEqual(body["session_id"], sid)
        self.assertIsNone(body["discharged_at"])
        ids = [s["id"] for s in body["statements"]]
        self.assertEqual(ids, ["responsible_adult_home", "no_driving_until_next_day",
                               "unsteady_for_hours", "emergency_phone"])
        for s in body["statements"]:
            self.assertTrue(s["text"])
            self.assertRegex(s["source"], r"\[(P|S)\]")
        self.assertEqual(body["phone"], PHONE)
        self.assertEqual(body["clinic_text"], CLINIC_TEXT)
        self.assertGreaterEqual(body["patient"]["age_years"], 18)

        self.assertStatus(self.escort(sid, self.physician), 200)
        self.assertStatus(self.escort(sid, self.desk), 403)

        audit = self.admin.get("/api/v1/audit", query={"patient_id": ready.pid,
                                                       "action": "GET /api/v1/sessions/{id}/escort-instructions"})
        self.assertStatus(audit, 200)
        # Both refusals before the stop, the nurse's read and the physician's; the front desk's
        # 403 is refused before the session (and so the patient) is looked up.
        self.assertEqual(sorted((row["status"], row["username"]) for row in audit.json),
                         [(200, "nurse"), (200, "physician"), (409, "nurse"), (409, "nurse")])
        denied = self.admin.get("/api/v1/audit", query={
            "action": "GET /api/v1/sessions/{id}/escort-instructions", "username": "frontdesk"})
        self.assertStatus(denied, 200)
        self.assertIn(403, [row["status"] for row in denied.json if row["username"] == "frontdesk"])


class EscortWithoutConfigurationTest(GateCase):

    def test_no_phone_configured_is_null_not_invented(self):
        ready = self.ready(given="NoPhone")
        sid = self.planned(ready)["id"]
        self.assertStatus(self.vitals(sid, {"sbp_mmhg": 120, "dbp_mmhg": 78, "hr_bpm": 70,
                                            "spo2_percent": 98, "rr_per_min": 14}, "baseline"), 201)
        self.started(sid)
        self.stopped(sid)
        r = self.escort(sid)
        self.assertStatus(r, 200)
        self.assertIsNone(r.json["phone"])
        self.assertIsNone(r.json["clinic_text"])

    def escort(self, sid, who=None):
        return (who or self.nurse).get(self.spath(sid) + "/escort-instructions")


if __name__ == "__main__":
    unittest.main()
