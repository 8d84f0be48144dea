"""POST /api/v1/pk/population: the population engine of `kit pk population` for the web app's
what-if band (5th, 50th and 95th percentile curves), bounded so one request cannot hold a clinic
server: at most 1000 simulated patients, one thread, at most 2000 grid points (docs/cli-pk.md)."""
import unittest

from kit_server import KitTestCase

# herd2007 carries published inter-individual variability; adult models have none, so a band
# for them needs the clinician's stated iiv_cv (test_adult_model_needs_stated_variability).
BODY = {"model": "herd2007", "n": 500, "seed": 7,
        "patient": {"weight_kg": {"mean": 30, "sd": 8, "min": 15, "max": 60}, "age_y": 8},
        "doses": [{"start_min": 0, "duration_min": 1, "amount_mg_per_kg": 1.5}],
        "end_min": 240, "step_min": 1}


class PkPopulationRouteTest(KitTestCase):

    def test_band_for_a_clinician(self):
        r = self.physician.post("/api/v1/pk/population", BODY)
        self.assertStatus(r, 200)
        j = r.json
        self.assertEqual(j["n"], 500)
        times, p5, p50, p95 = (j["curve_times_min"], j["curve_p5_ng_per_ml"], j["curve_p50_ng_per_ml"],
                               j["curve_p95_ng_per_ml"])
        self.assertEqual(len(times), len(p5))
        self.assertGreater(len(times), 10)
        for a, b, c in zip(p5, p50, p95):
            self.assertLessEqual(a, b + 1e-9)
            self.assertLessEqual(b, c + 1e-9)
        # A real spread (the model's published variability).
        self.assertLess(j["cmax_ng_per_ml"]["p5"] * 1.2, j["cmax_ng_per_ml"]["p95"])
        self.assertEqual(j["iiv_origin"], "model")
        # Same seed, same answer.
        again = self.nurse.post("/api/v1/pk/population", BODY)
        self.assertStatus(again, 200)
        self.assertEqual(again.json["curve_p95_ng_per_ml"], p95)

    def test_adult_model_needs_stated_variability(self):
        adult = {"model": "domino1982", "n": 200, "patient": {"weight_kg": 70, "age_y": 40},
                 "doses": [{"start_min": 0, "duration_min": 40, "amount_mg_per_kg": 0.5}],
                 "end_min": 240, "step_min": 2}
        self.assertError(self.physician.post("/api/v1/pk/population", adult), 400, field="iiv_cv")
        r = self.physician.post("/api/v1/pk/population", dict(adult, iiv_cv={"CL": 0.3, "V1": 0.3}))
        self.assertStatus(r, 200)
        self.assertEqual(r.json["iiv_origin"], "request")
        # The median sits near the single-patient prediction: 240 ng/mL at 40 min (docs/cli-pk.md).
        self.assertTrue(180 < r.json["cmax_ng_per_ml"]["p50"] < 320, r.json["cmax_ng_per_ml"])

    def test_bounds_name_the_field(self):
        self.assertError(self.physician.post("/api/v1/pk/population", dict(BODY, n=1001)), 400, field="n")
        self.assertError(self.physician.post("/api/v1/pk/population", dict(BODY, threads=8)), 400, field="threads")
        self.assertError(self.physician.post("/api/v1/pk/population", dict(BODY, end_min=2880, step_min=1)), 400,
                         field="step_min")
        self.assertError(self.physician.post("/api/v1/pk/population", dict(BODY, model="nope")), 400, field="model")

    def test_only_clinicians(self):
        self.assertError(self.desk.post("/api/v1/pk/population", BODY), 403)
        self.assertError(self.admin.post("/api/v1/pk/population", BODY), 403)
        self.assertError(self.anon.post("/api/v1/pk/population", BODY), 401)


if __name__ == "__main__":
    unittest.main()
