"""GET /api/v1/vitals/thresholds: the vital-sign thresholds the server assesses every session reading
against (the core's policy), so the chair-side plot draws the same lines the server applies."""

import unittest

from kit_server import KitTestCase


class VitalsThresholdsTest(KitTestCase):

    def test_the_lines_are_the_ones_the_server_applies(self):
        r = self.nurse.get("/api/v1/vitals/thresholds")
        self.assertStatus(r, 200)
        body = r.json
        self.assertEqual(body["policy"], "default")
        by_key = {(t["vital"], t["comparison"], t["limit"]): t for t in body["thresholds"]}
        # A few of the core's defaults (core/safety/vitals.cpp), each with its action and anchor.
        self.assertEqual(by_key[("sbp_mmhg", "above", 180)]["action"], "pause")
        self.assertEqual(by_key[("spo2_percent", "at_or_below", 92)]["action"], "pause")
        self.assertEqual(by_key[("hr_bpm", "above", 150)]["action"], "call_physician")
        for t in body["thresholds"]:
            self.assertTrue(t["anchor"].startswith("Policy"), t)
            self.assertIn(t["unit"], ("mmHg", "bpm", "%", "breaths/min", "points"))

    def test_the_answer_matches_the_assessment_of_a_reading(self):
        # A reading just past a listed limit gets that line's action from the calculator route.
        lines = self.nurse.get("/api/v1/vitals/thresholds").json["thresholds"]
        hr = [t for t in lines if t["vital"] == "hr_bpm" and t["comparison"] == "above"]
        low = min(hr, key=lambda t: t["limit"])
        r = self.nurse.post("/api/v1/calculators/vitals", {"hr_bpm": low["limit"] + 1})
        self.assertStatus(r, 200)
        self.assertEqual(r.json["action"], low["action"])

    def test_clinicians_only(self):
        self.assertError(self.anon.get("/api/v1/vitals/thresholds"), 401)
        self.assertError(self.patient.get("/api/v1/vitals/thresholds"), 403)
        self.assertStatus(self.physician.get("/api/v1/vitals/thresholds"), 200)


if __name__ == "__main__":
    unittest.main()
