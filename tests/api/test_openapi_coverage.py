"""Routes the other suites reach only with refusals, called once successfully, so that every route's
success response is checked against its schema in the served OpenAPI document (kit_server.Client
validates every JSON answer it receives: docs/adr/0013-api-schemas.md)."""

import json
import unittest

from kit_server import KitTestCase, next_weekday, unique

SCREENING = {
    "indication": "depression", "age_years": 40,
    "conditions": {k: False for k in (
        "schizophrenia", "current_psychosis_or_mania", "pregnant", "breastfeeding",
        "uncontrolled_hypertension", "poorly_controlled_cardiovascular_disease",
        "significant_arrhythmia", "unstable_cerebrovascular_disease", "coronary_artery_disease",
        "heart_failure", "hypertension", "elevated_intracranial_pressure",
        "cns_mass_or_hydrocephalus", "glaucoma_or_elevated_intraocular_pressure",
        "acute_globe_injury", "airway_instability_or_tracheal_disease",
        "active_pulmonary_infection", "thyroid_disorder_or_medication",
        "active_substance_use_disorder")},
    "medications": {"benzodiazepine_lorazepam_eq_mg_per_day": 0},
}
SCREENING["conditions"]["hepatic_impairment"] = "none"

ALDRETE_FULL = {"activity": 2, "respiration": 2, "circulation": 2, "consciousness": 2,
                "o2_saturation": 2}


class OpenApiCoverageTest(KitTestCase):

    def test_calculators_answer_and_refuse_with_their_schema(self):
        c = self.physician
        calls = [
            ("dose", {"protocol": "depression-standard",
                      "patient": {"weight_kg": 70, "height_cm": 175, "sex": "female", "age_y": 35},
                      "preparation": {"concentration_mg_per_ml": 1}}, 200),
            ("dose", {"protocol": "depression-standard",
                      "patient": {"weight_kg": 70, "height_cm": 175, "sex": "female", "age_y": 35},
                      "preparation": {"concentration_mg_per_ml": 1},
                      "dose_mg_per_kg": 5}, 422),
            ("score", {"instrument": "phq9", "answers": [1, 2, 1, 0, 3, 1, 0, 2, 1]}, 200),
            ("outcome", {"instrument": "phq9", "series": [{"date": "2026-01-05", "total": 20},
                                                         {"date": "2026-01-12", "total": 10}]}, 200),
            ("screen", SCREENING, 200),
            ("screen", dict(SCREENING, conditions=dict(SCREENING["conditions"], schizophrenia=True)),
             422),
            ("vitals", {"sbp_mmhg": 130, "dbp_mmhg": 80, "hr_bpm": 80, "spo2_percent": 98,
                        "rr_per_min": 14, "consciousness": "fully_awake"}, 200),
            ("discharge", {"setting": "psychiatric_infusion", "minutes_since_last_dose": 40,
                           "aldrete": ALDRETE_FULL}, 200),
            ("discharge", {"setting": "psychiatric_infusion", "minutes_since_last_dose": 40,
                           "aldrete": dict(ALDRETE_FULL, consciousness=0)}, 422),
            ("mme", {"medications": [{"drug": "codeine", "route": "oral", "dose_mg": 10,
                                      "doses_per_day": 1}]}, 200),
        ]
        for name, body, status in calls:
            with self.subTest(calculator=name, status=status):
                self.assertStatus(c.post("/api/v1/calculators/" + name, body), status, name)

    def test_pk_simulate_and_tci(self):
        c = self.physician
        sim = c.post("/api/v1/pk/simulate", {
            "model": "domino1982", "patient": {"weight_kg": 70, "age_y": 40, "height_cm": 175,
                                               "sex": "male"},
            "doses": [{"start_min": 0, "duration_min": 40, "amount_mg_per_kg": 0.5}],
            "end_min": 120, "step_min": 1})
        self.assertStatus(sim, 200, "simulate")
        tci = c.post("/api/v1/pk/tci", {
            "model": "domino1982", "patient": {"weight_kg": 70, "age_y": 40}, "target": "effect",
            "steps": [{"at_min": 0, "target_ng_per_ml": 200}, {"at_min": 30,
                                                                "target_ng_per_ml": 100}],
            "end_min": 60, "protocol": "depression-standard", "concentration_mg_per_ml": 1,
            "interval_s": 10})
        self.assertStatus(tci, 200, "tci")

    def test_updates_that_other_suites_only_refuse(self):
        clinic = self.assertStatus(self.admin.post("/api/v1/clinics", {"name": unique("Cov")}), 201)
        chair = self.assertStatus(self.admin.post("/api/v1/chairs", {
            "clinic_id": clinic.json["id"], "name": "A"}), 201)
        self.assertStatus(self.admin.patch("/api/v1/chairs/%d" % chair.json["id"], {"active": False},
                                           etag=chair.etag), 200, "PATCH chair")
        slot = self.assertStatus(self.nurse.post("/api/v1/staff-availability", {
            "weekday": 2, "from": "09:00", "to": "12:00", "clinic_id": clinic.json["id"]}), 201)
        off = self.assertStatus(self.nurse.post("/api/v1/staff-availability", {
            "date": next_weekday(3).isoformat(), "from": "09:00", "to": "12:00",
            "available": False}), 201)
        self.assertStatus(self.nurse.get("/api/v1/staff-availability"), 200)
        self.assertStatus(self.nurse.delete("/api/v1/staff-availability/%d" % slot.json["id"]), 200)
        self.assertStatus(self.nurse.delete("/api/v1/staff-availability/%d" % off.json["id"]), 200)

        inquiry = self.assertStatus(self.anon.post("/api/v1/inquiries", {
            "name": "Cov Erage", "contact": "cov@example.org", "reason": "depression"}), 201)
        path = "/api/v1/inquiries/%d" % inquiry.json["id"]
        self.assertStatus(self.desk.patch(path, {"status": "contacted", "note": "called"},
                                          etag=self.desk.current_etag(path)), 200, "PATCH inquiry")

        user = self.assertStatus(self.admin.post("/api/v1/users", {
            "username": unique("cov"), "password": "a-long-enough-pass-9", "role": "nurse"}), 201)
        self.assertStatus(self.admin.patch("/api/v1/users/%d" % user.json["id"], {"disabled": True},
                                           etag=user.etag), 200, "PATCH user")

    def test_course_extend(self):
        p = self.assertStatus(self.desk.post("/api/v1/patients", {
            "given_name": "Cov", "family_name": unique("Ext"), "date_of_birth": "1984-12-10",
            "sex": "female", "indication": "depression", "weight_kg": 70, "height_cm": 175}), 201)
        base = "/api/v1/patients/%d" % p.json["id"]
        self.assertStatus(self.nurse.post(base + "/screening", dict(SCREENING, age_years=41)), 201)
        self.assertStatus(self.nurse.post(base + "/consents", {"type": "treatment",
                                                               "version": "2026-01"}), 201)
        self.assertStatus(self.physician.post(base + "/approval", {"decision": "approved"}), 201)
        course = self.assertStatus(self.physician.post(base + "/courses", {
            "protocol_id": "depression-induction-series"}), 201)
        self.assertStatus(self.physician.post("/api/v1/courses/%d/extend" % course.json["id"], {
            "infusions": 2, "reason": "partial response after six"}), 200, "extend")


if __name__ == "__main__":
    unittest.main()


class SchemaCheckTest(KitTestCase):
    """The check itself: a wrong answer fails naming the route and where it differs."""

    def test_a_mismatch_names_the_route_and_the_path(self):
        from kit_server import ApiSchemas
        spec = ApiSchemas.of("127.0.0.1", self.port)
        pid = self.demo_patient_id()
        good = self.physician.get("/api/v1/patients/%d" % pid)
        self.assertStatus(good, 200)
        spec.check("GET", "/api/v1/patients/%d" % pid, 200, good.body)  # passes
        bad = dict(good.json, id="not-a-number")
        with self.assertRaises(AssertionError) as e:
            spec.check("GET", "/api/v1/patients/%d" % pid, 200, json.dumps(bad).encode())
        self.assertIn("GET /api/v1/patients/{id} -> 200", str(e.exception))
        self.assertIn("at /id", str(e.exception))
        missing = {k: v for k, v in good.json.items() if k != "family_name"}
        with self.assertRaises(AssertionError) as e:
            spec.check("GET", "/api/v1/patients/%d" % pid, 200, json.dumps(missing).encode())
        self.assertIn("family_name", str(e.exception))
        # Errors must be the one Error shape, on routes and off them.
        with self.assertRaises(AssertionError):
            spec.check("GET", "/api/v1/patients/%d" % pid, 404, b'{"message": "gone"}')
        with self.assertRaises(AssertionError):
            spec.check("GET", "/api/v1/no-such-thing", 404, b'{"error": "flat"}')
        spec.check("GET", "/api/v1/no-such-thing", 404,
                   b'{"error": {"code": "not_found", "message": "no such route"}}')
        # A success on a path the document does not know is itself a failure.
        with self.assertRaises(AssertionError):
            spec.check("GET", "/api/v1/no-such-thing", 200, b'{}')
        # Every client checks by default: a real call with a wrong document fails the call.
        c = self.physician
        saved = spec.components["schemas"]["Patient"]
        try:
            spec.components["schemas"]["Patient"] = dict(saved, required=["no_such_field"])
            spec._validators.clear()
            with self.assertRaises(AssertionError) as e:
                c.get("/api/v1/patients/%d" % pid)
            self.assertIn("no_such_field", str(e.exception))
        finally:
            spec.components["schemas"]["Patient"] = saved
            spec._validators.clear()
