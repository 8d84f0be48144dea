"""ED procedural sedation (ketamine) through real HTTP: an episode for a minimal ED patient or a
registered one, the first dose and repeats with the running total held to the protocol's limits,
contraindication and age gates, monitoring, adverse events, corrections that keep history, the end
of the procedure, discharge refused until ready, roles and audit rows (docs/api-sedation.md)."""
import os
import time
import unittest

from kit_server import KitTestCase, Store, unique

BASE = "/api/v1/sedation/episodes"
MIN_MS = 60_000

CONDITION_KEYS = [
    "schizophrenia", "current_psychosis_or_mania", "pregnant", "breastfeeding",
    "uncontrolled_hypertension", "poorly_controlled_cardiovascular_disease",
    "significant_arrhythmia", "unstable_cerebrovascular_disease", "coronary_artery_disease",
    "heart_failure", "hypertension", "elevated_intracranial_pressure", "cns_mass_or_hydrocephalus",
    "glaucoma_or_elevated_intraocular_pressure", "acute_globe_injury",
    "airway_instability_or_tracheal_disease", "active_pulmonary_infection",
    "thyroid_disorder_or_medication", "active_substance_use_disorder", "ketamine_hypersensitivity",
    "pre_eclampsia_or_eclampsia", "previous_cerebrovascular_insult", "untreated_hyperthyroidism",
    "active_asthma", "history_of_ketamine_or_pcp_misuse", "history_of_psychosis_or_mania",
]
CHILD_CRITERIA = ["vitals_at_baseline", "no_supplemental_oxygen", "alert_and_orientated",
                  "adequate_analgesia", "minimal_nausea", "appropriate_care_at_home",
                  "ambulates_and_converses_at_baseline"]


def now_ms():
    return int(time.time() * 1000)


def conditions(*present):
    c = {k: k in present for k in CONDITION_KEYS}
    c["hepatic_impairment"] = "none"
    return c


def child_body(dob="2020-03-01", weight=20.0, present=(), at_ms=None, **extra):
    b = {"patient": {"given_name": "Ed", "family_name": unique("Child"), "date_of_birth": dob,
                     "sex": "female"},
         "weight_kg": weight, "procedure": "forearm fracture reduction",
         "major_posterior_pharynx_procedure": False, "conditions": conditions(*present)}
    if at_ms is not None:
        b["at_ms"] = at_ms
    b.update(extra)
    return b


class SedationTest(KitTestCase):

    def open_child(self, client=None, **kw):
        r = (client or self.physician).post(BASE, child_body(**kw))
        self.assertStatus(r, 201)
        return r.json

    def dose(self, ep_id, body, client=None):
        client = client or self.physician
        etag = client.current_etag("%s/%d" % (BASE, ep_id))
        return client.post_if_match("%s/%d/doses" % (BASE, ep_id), body, etag)

    def count_episodes(self):
        return len(self.physician.get(BASE, query={"limit": 500}).json["episodes"])

    # --- opening --------------------------------------------------------------------------------

    def test_first_iv_dose_for_a_minimal_ed_patient(self):
        ep = self.open_child()
        self.assertEqual(ep["state"], "open")
        self.assertEqual(ep["age_group"], "pediatric")
        self.assertEqual(ep["patient"]["given_name"], "Ed")
        self.assertIsInstance(ep["patient_id"], int)
        r = self.dose(ep["id"], {"route": "iv", "concentration_mg_per_ml": 10})
        self.assertStatus(r, 201)
        d = r.json
        # ACEP children IV 1.5 mg/kg (the protocol default) x 20 kg = 30 mg = 3 mL at 10 mg/mL.
        self.assertEqual(d["protocol"], "ed-sedation-pediatric-iv")
        self.assertFalse(d["repeat"])
        self.assertAlmostEqual(d["dose_mg"], 30.0)
        self.assertAlmostEqual(d["volume_ml"], 3.0)
        self.assertAlmostEqual(d["running_total_mg"], 30.0)
        self.assertAlmostEqual(d["running_total_mg_per_kg"], 1.5)
        self.assertEqual(d["cumulative_limit"]["hard_mg_per_kg"], 5.0)
        self.assertEqual(d["limit_status"], "within")
        self.assertEqual(d["episode_state"], "sedated")
        g = self.physician.get("%s/%d" % (BASE, ep["id"])).json
        self.assertEqual(g["state"], "sedated")
        self.assertAlmostEqual(g["running_total_mg"], 30.0)
        self.assertEqual(len(g["doses"]), 1)
        self.assertIsNotNone(g["next_repeat"])

    def test_repeat_dose_interval_and_running_total(self):
        t0 = now_ms() - 60 * MIN_MS
        ep = self.open_child(at_ms=t0)
        self.assertStatus(self.dose(ep["id"], {"route": "iv", "concentration_mg_per_ml": 10,
                                               "at_ms": t0 + MIN_MS}), 201)
        # ACEP: repeat every 5-15 min; 3 min later is refused and stores nothing.
        r = self.dose(ep["id"], {"route": "iv", "concentration_mg_per_ml": 10,
                                 "dose_mg_per_kg": 0.5, "at_ms": t0 + 4 * MIN_MS})
        self.assertError(r, 422, field="repeat_interval")
        self.assertEqual(len(self.physician.get("%s/%d" % (BASE, ep["id"])).json["doses"]), 1)
        r = self.dose(ep["id"], {"route": "iv", "concentration_mg_per_ml": 10,
                                 "dose_mg_per_kg": 0.5, "at_ms": t0 + 7 * MIN_MS})
        self.assertStatus(r, 201)
        self.assertEqual(r.json["protocol"], "ed-sedation-pediatric-iv-repeat")
        self.assertTrue(r.json["repeat"])
        self.assertAlmostEqual(r.json["previous_total_mg"], 30.0)
        self.assertAlmostEqual(r.json["running_total_mg"], 40.0)
        self.assertAlmostEqual(r.json["running_total_mg_per_kg"], 2.0)

    def test_cumulative_hard_limit_refused_and_nothing_stored(self):
        t0 = now_ms() - 90 * MIN_MS
        ep = self.open_child(at_ms=t0)
        path = "%s/%d" % (BASE, ep["id"])
        self.assertStatus(self.dose(ep["id"], {"route": "iv", "concentration_mg_per_ml": 10,
                                               "dose_mg_per_kg": 2, "at_ms": t0 + MIN_MS}), 201)
        for i in range(3):
            self.assertStatus(self.dose(ep["id"], {
                "route": "iv", "concentration_mg_per_ml": 10, "dose_mg_per_kg": 1,
                "at_ms": t0 + (7 + 6 * i) * MIN_MS}), 201)
        before = self.physician.get(path)
        self.assertAlmostEqual(before.json["running_total_mg_per_kg"], 5.0)
        # A further 1 mg/kg would make 6 mg/kg: above ACEP's IV total 5.0 mg/kg, even with a reason.
        preview = self.physician.post(path + "/dose-preview", {
            "route": "iv", "concentration_mg_per_ml": 10, "dose_mg_per_kg": 1,
            "override_reason": "not finished", "at_ms": t0 + 40 * MIN_MS})
        self.assertStatus(preview, 200)
        self.assertFalse(preview.json["accepted"])
        self.assertEqual(preview.json["limit_status"], "hard_limit_exceeded")
        r = self.dose(ep["id"], {"route": "iv", "concentration_mg_per_ml": 10,
                                 "dose_mg_per_kg": 1, "override_reason": "not finished",
                                 "at_ms": t0 + 40 * MIN_MS})
        e = self.assertError(r, 422)
        self.assertEqual(e.get("kind"), "rule_refused")
        self.assertIn(e["field"], ("dose_hard_limits", "episode_cumulative_hard_limit"))
        after = self.physician.get(path)
        self.assertEqual(after.json["doses"], before.json["doses"])
        self.assertEqual(after.etag, before.etag)

    def test_soft_limit_needs_a_physicians_override(self):
        t0 = now_ms() - 90 * MIN_MS
        ep = self.open_child(at_ms=t0, client=self.nurse)
        order = {"ordered_by": "Dr Grey"}
        im = {"route": "im", "concentration_mg_per_ml": 100}
        self.assertStatus(self.dose(ep["id"], dict(im, dose_mg_per_kg=5, at_ms=t0 + MIN_MS, **order),
                                    client=self.nurse), 201)
        self.assertStatus(self.dose(ep["id"], dict(im, dose_mg_per_kg=5, at_ms=t0 + 12 * MIN_MS,
                                                   **order), client=self.nurse), 201)
        # 10 -> 12 mg/kg: above the IM cumulative soft limit 10 mg/kg (policy), below hard 13.
        third = dict(im, dose_mg_per_kg=2, at_ms=t0 + 24 * MIN_MS)
        self.assertError(self.dose(ep["id"], dict(third, **order), client=self.nurse), 422,
                         field="dose_soft_limits")
        self.assertError(self.dose(ep["id"], dict(third, override_reason="reduction incomplete",
                                                  **order), client=self.nurse),
                         422, field="dose_soft_limits")
        r = self.dose(ep["id"], dict(third, override_reason="reduction incomplete"))
        self.assertStatus(r, 201)
        self.assertEqual(r.json["limit_status"], "soft_limit_overridden")
        doses = self.physician.get("%s/%d" % (BASE, ep["id"])).json["doses"]
        self.assertEqual(doses[-1]["override_reason"], "reduction incomplete")
        self.assertEqual(doses[0]["ordered_by"], "Dr Grey")

    def test_nurse_dose_needs_the_ordering_physician(self):
        ep = self.open_child(client=self.nurse)
        self.assertError(self.dose(ep["id"], {"route": "iv", "concentration_mg_per_ml": 10},
                                   client=self.nurse), 422, field="ordered_by_physician")
        self.assertEqual(self.physician.get("%s/%d" % (BASE, ep["id"])).json["doses"], [])

    def test_contraindications_refuse_and_store_nothing(self):
        n = self.count_episodes()
        # ACEP absolute: age under 3 months.
        infant = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 40 * 86400))
        self.assertError(self.physician.post(BASE, child_body(dob=infant, weight=4)), 422,
                         field="age_at_least_3_months")
        # ACEP absolute: schizophrenia.
        self.assertError(self.physician.post(BASE, child_body(present=["schizophrenia"])), 422,
                         field="no_absolute_contraindication")
        # ACEP relative: a nurse cannot open it; a physician must document the review.
        uri = child_body(present=["active_pulmonary_infection"])
        self.assertError(self.nurse.post(BASE, uri), 422, field="relative_contraindications_reviewed")
        self.assertError(self.physician.post(BASE, uri), 422,
                         field="relative_contraindications_reviewed")
        self.assertEqual(self.count_episodes(), n)
        r = self.physician.post(BASE, dict(uri, relative_contraindication_review_reason="mild URI"))
        self.assertStatus(r, 201)
        self.assertEqual(r.json["relative_review_reason"], "mild URI")
        self.assertEqual(r.json["findings"]["relative"][0]["rule"], "active_pulmonary_infection")

    def test_bad_input_names_the_field(self):
        b = child_body()
        del b["conditions"]["ketamine_hypersensitivity"]
        self.assertError(self.physician.post(BASE, b), 400,
                         field="conditions.ketamine_hypersensitivity")
        self.assertError(self.physician.post(BASE, child_body(weight=0)), 400, field="weight_kg")
        b = child_body()
        b["patient_id"] = self.demo_patient_id()
        self.assertError(self.physician.post(BASE, b), 400, field="patient_id")
        ep = self.open_child()
        self.assertError(self.dose(ep["id"], {"route": "oral", "concentration_mg_per_ml": 10}), 400,
                         field="route")
        self.assertError(self.physician.post("%s/%d/adverse-events" % (BASE, ep["id"]),
                                             {"kind": "laryngospasm", "severity": "bad"}), 400,
                         field="severity")

    def test_registered_patient_episode(self):
        pid = self.demo_patient_id()
        b = child_body()
        del b["patient"]
        b["patient_id"] = pid
        r = self.physician.post(BASE, b)
        self.assertStatus(r, 201)
        self.assertEqual(r.json["patient_id"], pid)
        self.assertEqual(r.json["age_group"], "adult")
        listed = self.physician.get(BASE, query={"patient_id": pid}).json["episodes"]
        self.assertIn(r.json["id"], [e["id"] for e in listed])

    # --- record -----------------------------------------------------------------------------------

    def test_adverse_event_monitoring_and_corrections_keep_history(self):
        ep = self.open_child()
        p = "%s/%d" % (BASE, ep["id"])
        self.assertStatus(self.dose(ep["id"], {"route": "iv", "concentration_mg_per_ml": 10}), 201)
        m = self.nurse.post(p + "/monitoring", {"spo2_percent": 97, "hr_bpm": 110, "rr_per_min": 22,
                                                 "sedation_observation": "dissociated"})
        self.assertStatus(m, 201)
        ae = self.nurse.post(p + "/adverse-events", {
            "kind": "laryngospasm", "severity": "severe",
            "interventions": ["airway_repositioning", "bag_mask_ventilation"]})
        self.assertStatus(ae, 201)
        # Amend the monitoring entry (SpO2 typed 97, was 91): the original stays, marked amended.
        c = self.nurse.post(p + "/monitoring/%d/corrections" % m.json["id"], {
            "action": "amend", "reason": "typed the wrong SpO2",
            "values": {"spo2_percent": 91, "hr_bpm": 110, "rr_per_min": 22}})
        self.assertStatus(c, 201)
        self.assertEqual(c.json["replacement"]["amends_id"], m.json["id"])
        # A dose entered in error: the running total drops, the row stays.
        dose_id = self.physician.get(p).json["doses"][0]["id"]
        c2 = self.physician.post(p + "/doses/%d/corrections" % dose_id,
                                 {"action": "entered_in_error", "reason": "charted on wrong patient"})
        self.assertStatus(c2, 201)
        self.assertError(self.physician.post(p + "/doses/%d/corrections" % dose_id,
                                             {"action": "entered_in_error", "reason": "again"}),
                         409, field="entry_id")
        self.assertError(self.physician.post(p + "/adverse-events/%d/corrections" % ae.json["id"],
                                             {"action": "amend"}), 400, field="reason")
        g = self.physician.get(p).json
        self.assertEqual([x["status"] for x in g["monitoring"]], ["amended", "active"])
        self.assertEqual(g["monitoring"][0]["correction"]["reason"], "typed the wrong SpO2")
        self.assertEqual(g["monitoring"][1]["spo2_percent"], 91)
        self.assertEqual(g["doses"][0]["status"], "entered_in_error")
        self.assertEqual(g["running_total_mg"], 0)
        self.assertEqual(g["adverse_events"][0]["interventions"],
                         ["airway_repositioning", "bag_mask_ventilation"])

    def test_discharge_refused_until_ready_then_accepted(self):
        t0 = now_ms() - 150 * MIN_MS
        ep = self.open_child(at_ms=t0)
        p = "%s/%d" % (BASE, ep["id"])
        self.assertStatus(self.dose(ep["id"], {"route": "iv", "concentration_mg_per_ml": 10,
                                               "at_ms": t0 + MIN_MS}), 201)
        all_met = {k: True for k in CHILD_CRITERIA}
        # Still sedated: discharge follows the end of the procedure.
        self.assertError(self.physician.post_if_match(p + "/discharge", {"criteria": all_met},
                                                      self.physician.current_etag(p)), 409)
        r = self.physician.post_if_match(p + "/end-procedure", {"at_ms": t0 + 20 * MIN_MS},
                                         self.physician.current_etag(p))
        self.assertStatus(r, 200)
        self.assertEqual(r.json["state"], "recovering")
        # No more doses after the procedure.
        self.assertError(self.dose(ep["id"], {"route": "iv", "concentration_mg_per_ml": 10,
                                              "dose_mg_per_kg": 0.5}), 409, field="state")
        # A criterion not met: refused, nothing stored.
        not_yet = dict(all_met, minimal_nausea=False)
        self.assertError(self.physician.post_if_match(p + "/discharge", {"criteria": not_yet},
                                                      self.physician.current_etag(p)), 422,
                         field="discharge_checklist")
        # A criterion unanswered is bad input naming it.
        partial = dict(all_met)
        del partial["minimal_nausea"]
        self.assertError(self.physician.post_if_match(p + "/discharge", {"criteria": partial},
                                                      self.physician.current_etag(p)), 400,
                         field="criteria.minimal_nausea")
        self.assertEqual(self.physician.get(p).json["state"], "recovering")
        r = self.physician.post_if_match(p + "/discharge", {"criteria": all_met},
                                         self.physician.current_etag(p))
        self.assertStatus(r, 201)
        self.assertEqual(r.json["state"], "discharged")
        self.assertTrue(r.json["discharge"]["readiness"]["ready"])
        self.assertTrue(r.json["discharge"]["readiness"]["instructions"])
        # After discharge only corrections.
        self.assertError(self.nurse.post(p + "/monitoring", {"spo2_percent": 98}), 409,
                         field="state")

    def test_discharge_waits_for_the_interval_after_the_last_dose(self):
        t0 = now_ms() - 30 * MIN_MS
        ep = self.open_child(at_ms=t0)
        p = "%s/%d" % (BASE, ep["id"])
        self.assertStatus(self.dose(ep["id"], {"route": "iv", "concentration_mg_per_ml": 10,
                                               "at_ms": t0 + MIN_MS}), 201)
        self.assertStatus(self.physician.post_if_match(p + "/end-procedure", {},
                                                       self.physician.current_etag(p)), 200)
        g = self.physician.get(p).json
        readiness = g["discharge_readiness"]
        self.assertFalse(readiness["ready"])
        self.assertIsNotNone(readiness["earliest_at"])
        r = self.physician.post_if_match(p + "/discharge",
                                         {"criteria": {k: True for k in CHILD_CRITERIA}},
                                         self.physician.current_etag(p))
        # 29 min after the only IV dose: RCEM's 25 min has passed, the 50-min policy has not.
        self.assertError(r, 422, field="interval_after_last_iv_dose")
        self.assertEqual(self.physician.get(p).json["state"], "recovering")

    def test_adverse_event_restarts_the_observation(self):
        t0 = now_ms() - 150 * MIN_MS
        ep = self.open_child(at_ms=t0)
        p = "%s/%d" % (BASE, ep["id"])
        self.assertStatus(self.dose(ep["id"], {"route": "iv", "concentration_mg_per_ml": 10,
                                               "at_ms": t0 + MIN_MS}), 201)
        self.assertStatus(self.physician.post_if_match(p + "/end-procedure", {"at_ms": t0 + 20 * MIN_MS},
                                                       self.physician.current_etag(p)), 200)
        etag = self.physician.current_etag(p)
        # Charting does not make a physician's request stale (the ETag is unchanged).
        self.assertStatus(self.nurse.post(p + "/adverse-events", {
            "kind": "emesis", "severity": "mild", "at_ms": now_ms() - 10 * MIN_MS}), 201)
        self.assertStatus(self.nurse.post(p + "/monitoring", {"spo2_percent": 98}), 201)
        self.assertEqual(self.physician.current_etag(p), etag)
        r = self.physician.post_if_match(p + "/discharge",
                                         {"criteria": {k: True for k in CHILD_CRITERIA}}, etag)
        # 10 min after the emesis: the observation restarts (policy, 25 min anchored on RCEM).
        self.assertError(r, 422, field="observation_after_adverse_event")
        self.assertEqual(self.physician.get(p).json["state"], "recovering")

    def test_void_only_without_doses_and_stale_etag(self):
        ep = self.open_child()
        p = "%s/%d" % (BASE, ep["id"])
        etag = self.physician.current_etag(p)
        self.assertStatus(self.dose(ep["id"], {"route": "iv", "concentration_mg_per_ml": 10}), 201)
        # The ETag read before the dose is stale: a dose computed on old history never lands.
        self.assertError(self.physician.post_if_match(p + "/doses", {
            "route": "iv", "concentration_mg_per_ml": 10, "dose_mg_per_kg": 0.5}, etag), 412)
        self.assertError(self.physician.post_if_match(p + "/void", {"reason": "wrong patient"},
                                                      self.physician.current_etag(p)), 422,
                         field="episode_voidable")
        ep2 = self.open_child()
        p2 = "%s/%d" % (BASE, ep2["id"])
        r = self.physician.post_if_match(p2 + "/void", {"reason": "opened twice"},
                                         self.physician.current_etag(p2))
        self.assertStatus(r, 200)
        self.assertEqual(r.json["state"], "voided")
        self.assertEqual(r.json["void_reason"], "opened twice")

    # --- roles and audit ----------------------------------------------------------------------

    def test_roles(self):
        ep = self.open_child()
        p = "%s/%d" % (BASE, ep["id"])
        for client in (self.desk, self.admin, self.patient):
            self.assertError(client.get(p), 403)
            self.assertError(client.post(BASE, child_body()), 403)
        self.assertError(self.anon.get(p), 401)
        self.assertStatus(self.nurse.get(p), 200)

    def test_every_call_is_audited_with_the_patient(self):
        start = self.admin.get("/api/v1/audit", query={"limit": 1}).json[0]["id"]
        ep = self.open_child()
        p = "%s/%d" % (BASE, ep["id"])
        self.assertStatus(self.nurse.get(p), 200)
        self.assertError(self.desk.get(p), 403)
        self.assertError(self.physician.post(BASE, child_body(present=["schizophrenia"])), 422)
        rows = [r for r in self.admin.get("/api/v1/audit", query={"limit": 200}).json
                if r["id"] > start]
        def find(action, username, status):
            for r in rows:
                if r["action"] == action and r["username"] == username and r["status"] == status:
                    return r
            self.fail("no audit row %s %s %d in %r" % (action, username, status, rows[:8]))
        created = find("POST " + BASE, "physician", 201)
        self.assertEqual(created["patient_id"], ep["patient_id"])
        read = find("GET " + BASE + "/{id}", "nurse", 200)
        self.assertEqual(read["patient_id"], ep["patient_id"])
        self.assertEqual(read["outcome"], "allowed")
        denied = find("GET " + BASE + "/{id}", "frontdesk", 403)
        self.assertEqual(denied["outcome"], "denied")
        refused = find("POST " + BASE, "physician", 422)
        self.assertEqual(refused["outcome"], "denied")


class SedationPolicyConfigTest(KitTestCase):
    """The clinic's discharge interval after the last IV dose comes from kit serve's configuration
    (ed_sedation_min_after_iv_dose_minutes): 30 min here instead of the default 50."""

    @classmethod
    def setUpClass(cls):
        cls.store = Store()
        path = os.path.join(cls.store.tmp, "kit.toml")
        with open(path, "w") as f:
            f.write("ed_sedation_min_after_iv_dose_minutes = 30\n")
        try:
            cls.server = cls.store.server(extra_args=["--config", path]).start()
        except BaseException:
            cls.store.cleanup()
            raise
        cls._clients = {}

    def test_configured_interval_decides_discharge(self):
        t0 = now_ms() - 40 * MIN_MS
        r = self.physician.post(BASE, child_body(at_ms=t0))
        self.assertStatus(r, 201)
        p = "%s/%d" % (BASE, r.json["id"])
        etag = self.physician.current_etag(p)
        self.assertStatus(self.physician.post_if_match(p + "/doses", {
            "route": "iv", "concentration_mg_per_ml": 10, "at_ms": t0 + MIN_MS}, etag), 201)
        self.assertStatus(self.physician.post_if_match(p + "/end-procedure", {},
                                                       self.physician.current_etag(p)), 200)
        gates = {g["gate"]: g for g in self.physician.get(p).json["discharge_readiness"]["gates"]}
        self.assertIn("at least 30 min", gates["interval_after_last_iv_dose"]["reason"])
        # 39 min after the only IV dose: the default 50 would refuse, the clinic's 30 accepts.
        r = self.physician.post_if_match(p + "/discharge",
                                         {"criteria": {k: True for k in CHILD_CRITERIA}},
                                         self.physician.current_etag(p))
        self.assertStatus(r, 201)


if __name__ == "__main__":
    unittest.main()
