"""FHIR R4 export and import, and the de-identified research CSV (docs/fhir.md,
docs/research-export.md), against a real `kit serve` holding the whole demo clinic.

- Every exported Bundle is validated by the fhir npm package (tools/fhir-validate, not written
  here): 0 errors.
- Round trip: the demo clinic's patients exported with `kit export fhir --all` while the server
  runs, imported with `kit import fhir` into a fresh clinic, re-exported and compared field by
  field (tools/fhir-validate/compare_bundles.py: ids aside, every element).
- A bad Bundle is refused naming the entry, resource and element, and nothing is imported; an
  import into a clinic holding patients is refused.
- GET /fhir/r4/Patient/{id}/$everything: the same Bundle, the clinical record's access rule, audited.
- `kit export research`: no identifier of any source patient survives in the CSV.
"""
import copy
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

from kit_server import KitServer, KitTestCase, Store, kit_binary

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
VALIDATE = os.path.join(ROOT, "tools", "fhir-validate", "validate.sh")
sys.path.insert(0, os.path.join(ROOT, "tools", "fhir-validate"))
import compare_bundles  # noqa: E402

IMPORT_PASSWORD = "fhir-import-password-1"


def kit(*args, check=True):
    p = subprocess.run([kit_binary()] + list(args), capture_output=True, text=True, timeout=300)
    if check and p.returncode != 0:
        raise AssertionError("kit %s: exit %d\n%s" % (" ".join(args), p.returncode, p.stderr))
    return p


def store_args(store):
    a = ["--data", store.data_dir]
    if store.database_url:
        a += ["--database", store.database_url]
    return a


def validate(*files):
    return subprocess.run(["bash", VALIDATE] + list(files), capture_output=True, text=True,
                          timeout=600)


def resources(bundle, kind=None):
    return [e["resource"] for e in bundle.get("entry", [])
            if kind is None or e["resource"]["resourceType"] == kind]


def ext(resource, name):
    for x in resource.get("extension", []):
        if x["url"].endswith("/" + name):
            return x
    return None


class FhirExportImport(KitTestCase):

    @classmethod
    def setUpClass(cls):
        # The whole demo clinic (not the accounts-only seed of the other suites).
        cls.store = Store()
        try:
            cls.server = KitServer(cls.store.data_dir, database_url=cls.store.database_url,
                                   demo_seed=None).start()
        except BaseException:
            cls.store.cleanup()
            raise
        cls._clients = {}
        cls.tmp = tempfile.mkdtemp(prefix="kit-fhir-")
        cls._corrections_made = False

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        subprocess.run(["rm", "-rf", cls.tmp])

    def path(self, name):
        return os.path.join(self.tmp, name)

    def export_all(self, store, name):
        out = self.path(name)
        kit("export", "fhir", "--all", "--out", out, *store_args(store))
        with open(out) as f:
            return out, json.load(f)

    def fresh_clinic(self):
        """An empty clinic: a new data folder (and database) with one admin account."""
        target = Store(prefix="kit-fhir-target-")
        self.addCleanup(target.cleanup)
        pw = os.path.join(target.tmp, "pw")
        with open(pw, "w") as f:
            f.write(IMPORT_PASSWORD + "\n")
        kit("admin", "create", "--username", "importer", "--password-file", pw, *store_args(target))
        return target

    def make_corrections(self):
        """Records the demo lacks, so the round trip carries them too: a vital-signs reading marked
        entered in error, a withdrawn consent."""
        if type(self)._corrections_made:
            return
        _, bundle = self.export_all(self.store, "before-corrections.json")
        panel = next(r for r in resources(bundle, "Observation")
                     if r["code"]["coding"][0]["code"] == "85353-1")
        session = panel["partOf"][0]["reference"].split("-")[-1]
        vital = panel["id"].split("-")[-1]
        r = self.nurse.post("/api/v1/sessions/%s/vitals/%s/corrections" % (session, vital),
                            {"action": "entered_in_error", "reason": "charted on the wrong chair"})
        self.assertEqual(r.status, 201, r)
        consent = resources(bundle, "Consent")[0]
        patient = consent["patient"]["reference"].split("/p")[-1]
        r = self.desk.post("/api/v1/patients/%s/consents/%s/withdraw" %
                           (patient, consent["id"].split("-")[-1]),
                           {"reason": "the patient asked, by telephone"})
        self.assertEqual(r.status, 200, r)
        type(self)._corrections_made = True

    # ---- the round trip -------------------------------------------------------------------------

    def test_round_trip_of_the_demo_clinic_loses_nothing(self):
        self.make_corrections()
        first_file, first = self.export_all(self.store, "first.json")  # while kit serve runs
        kinds = {r["resourceType"] for r in resources(first)}
        for kind in ("Patient", "Condition", "Consent", "CarePlan", "Location", "Appointment",
                     "MedicationAdministration", "Observation", "QuestionnaireResponse"):
            self.assertIn(kind, kinds)
        self.assertEqual(first["total"], len(resources(first, "Patient")))
        self.assertGreaterEqual(first["total"], 20)
        v = validate(first_file)
        self.assertEqual(v.returncode, 0, v.stdout + v.stderr)
        self.assertIn(" 0 error(s)", v.stdout)

        target = self.fresh_clinic()
        p = kit("import", "fhir", first_file, "--as", "importer", *store_args(target))
        summary = json.loads(p.stdout)
        self.assertEqual(len(summary["imported_patients"]), first["total"])

        second_file, second = self.export_all(target, "second.json")
        problems, fields = compare_bundles.compare(first, second)
        self.assertEqual(problems, [], "\n".join(problems[:50]))
        self.assertGreater(fields, 10000)
        # The corrections came through as such.
        self.assertIn("entered-in-error", {r["status"] for r in resources(second, "Observation")})
        self.assertIn("inactive", {r["status"] for r in resources(second, "Consent")})
        v = validate(second_file)
        self.assertEqual(v.returncode, 0, v.stdout + v.stderr)

        # The comparison can fail: one changed dose is found.
        changed = copy.deepcopy(second)
        ma = next(r for r in resources(changed, "MedicationAdministration") if "partOf" in r)
        ma["dosage"]["dose"]["value"] += 1
        problems, _ = compare_bundles.compare(first, changed)
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("dosage.dose.value", problems[0])

        # A second import into the now non-empty clinic is refused and changes nothing.
        p = kit("import", "fhir", first_file, "--as", "importer", *store_args(target), check=False)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("empty clinic", p.stderr)
        _, third = self.export_all(target, "third.json")
        self.assertEqual(third["total"], first["total"])

    def test_vital_signs_use_the_loinc_codes_of_the_vital_signs_profiles(self):
        _, bundle = self.export_all(self.store, "codes.json")
        codes = {}
        for r in resources(bundle, "Observation"):
            for c in r["code"]["coding"]:
                if c["system"] == "http://loinc.org":
                    codes.setdefault(c["code"], r)
        for code in ("85353-1", "85354-9", "8867-4", "2708-6", "59408-5", "9279-1", "29463-7",
                     "8302-2", "44261-6"):
            self.assertIn(code, codes)
        bp = codes["85354-9"]
        self.assertEqual({c["code"]["coding"][0]["code"] for c in bp["component"]},
                         {"8480-6", "8462-4"})
        self.assertEqual(bp["category"][0]["coding"][0]["code"], "vital-signs")
        phq9 = codes["44261-6"]
        self.assertEqual(phq9["category"][0]["coding"][0]["code"], "survey")
        self.assertTrue(phq9["derivedFrom"][0]["reference"].startswith("QuestionnaireResponse/"))
        intervals = [r for r in resources(bundle, "MedicationAdministration") if "partOf" in r]
        self.assertTrue(intervals)
        d = intervals[0]["dosage"]
        self.assertEqual(d["route"]["coding"][0]["code"], "47625008")
        self.assertEqual(d["dose"]["code"], "mg")
        self.assertEqual(d["rateQuantity"]["code"], "mL/h")
        self.assertIn("end", intervals[0]["effectivePeriod"])

    # ---- bad bundles ----------------------------------------------------------------------------

    def test_a_bad_bundle_names_the_resource_and_element_and_imports_nothing(self):
        src, bundle = self.export_all(self.store, "for-bad.json")
        target = self.fresh_clinic()
        cases = []
        b = copy.deepcopy(bundle)
        i, weight = next((i, e["resource"]) for i, e in enumerate(b["entry"])
                         if e["resource"]["id"].startswith("wt-"))
        weight["valueQuantity"]["code"] = "[lb_av]"
        cases.append((b, "Bundle.entry[%d](Observation/%s).valueQuantity.code" % (i, weight["id"])))
        b = copy.deepcopy(bundle)
        i, pat = next((i, e["resource"]) for i, e in enumerate(b["entry"])
                      if e["resource"]["resourceType"] == "Patient")
        pat["gender"] = "unknown"
        cases.append((b, "Bundle.entry[%d](Patient/%s).gender" % (i, pat["id"])))
        b = copy.deepcopy(bundle)
        i, appt = next((i, e["resource"]) for i, e in enumerate(b["entry"])
                       if e["resource"]["resourceType"] == "Appointment")
        appt["participant"][0]["actor"]["reference"] = "Patient/nobody"
        cases.append((b, "Bundle.entry[%d](Appointment/%s).participant[0].actor.reference" %
                      (i, appt["id"])))
        for n, (bad, where) in enumerate(cases):
            path = self.path("bad-%d.json" % n)
            with open(path, "w") as f:
                json.dump(bad, f)
            p = kit("import", "fhir", path, "--as", "importer", *store_args(target), check=False)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn(where, p.stderr)
            self.assertIn("nothing was imported", p.stderr)
        # Refused by the database half-way (two patients with one MRN: the second insert fails
        # after the first patient's records are written): the transaction leaves nothing.
        b = copy.deepcopy(bundle)
        pats = resources(b, "Patient")
        pats[-1]["identifier"][0]["value"] = pats[0]["identifier"][0]["value"]
        path = self.path("bad-mrn.json")
        with open(path, "w") as f:
            json.dump(b, f)
        p = kit("import", "fhir", path, "--as", "importer", *store_args(target), check=False)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("nothing was imported", p.stderr)
        _, after = self.export_all(target, "after-bad.json")
        self.assertEqual(after["total"], 0)
        self.assertEqual(resources(after), [])

    def test_the_validator_is_not_a_rubber_stamp(self):
        src, bundle = self.export_all(self.store, "for-validator.json")
        b = copy.deepcopy(bundle)
        next(r for r in resources(b, "Observation"))["status"] = "bogus"
        path = self.path("bogus.json")
        with open(path, "w") as f:
            json.dump(b, f)
        v = validate(path)
        self.assertEqual(v.returncode, 1, v.stdout + v.stderr)
        self.assertIn('Observation.status: Code "bogus" not found', v.stdout)

    # ---- the route ------------------------------------------------------------------------------

    def test_everything_route_gives_the_same_bundle_with_access_rules_and_audit(self):
        pid = self.demo_patient_id()
        r = self.physician.get("/fhir/r4/Patient/%d/$everything" % pid)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("content-type").split(";")[0], "application/fhir+json")
        routed = r.json
        path = self.path("route.json")
        with open(path, "w") as f:
            json.dump(routed, f)
        v = validate(path)
        self.assertEqual(v.returncode, 0, v.stdout + v.stderr)
        cli = self.path("cli-one.json")
        kit("export", "fhir", "--patient", str(pid), "--out", cli, *store_args(self.store))
        with open(cli) as f:
            problems, _ = compare_bundles.compare(json.load(f), routed)
        self.assertEqual(problems, [])
        self.assertEqual(resources(routed, "Patient")[0]["id"], "p%d" % pid)

        self.assertEqual(self.patient.get("/fhir/r4/Patient/%d/$everything" % pid).status, 200)
        other = pid + 1 if pid == 1 else 1
        self.assertEqual(self.patient.get("/fhir/r4/Patient/%d/$everything" % other).status, 403)
        self.assertEqual(self.desk.get("/fhir/r4/Patient/%d/$everything" % pid).status, 403)
        self.assertEqual(self.anon.get("/fhir/r4/Patient/%d/$everything" % pid).status, 401)
        self.assertEqual(self.nurse.get("/fhir/r4/Patient/999999/$everything").status, 404)

        rows = self.admin.get("/api/v1/audit", query={"patient_id": pid, "limit": 200}).json
        actions = [(x["action"], x["username"], x["outcome"]) for x in rows]
        self.assertIn(("GET /fhir/r4/Patient/{id}/$everything", "physician", "allowed"), actions)
        self.assertIn(("GET /fhir/r4/Patient/{id}/$everything", "patient", "allowed"), actions)
        self.assertIn("kit export fhir --patient %d" % pid, [x["action"] for x in rows])

    # ---- research CSV ---------------------------------------------------------------------------

    def test_research_csv_carries_no_identifier(self):
        _, bundle = self.export_all(self.store, "for-research.json")
        out = self.path("research")
        p = kit("export", "research", "--out", out, *store_args(self.store))
        summary = json.loads(p.stdout)
        with open(os.path.join(out, "infusions.csv")) as f:
            text_i = f.read()
        with open(os.path.join(out, "assessments.csv")) as f:
            text_a = f.read()
        infusions = list(csv.DictReader(text_i.splitlines()))
        assessments = list(csv.DictReader(text_a.splitlines()))
        sessions = [r for r in resources(bundle, "MedicationAdministration") if "partOf" not in r]
        self.assertEqual(len(infusions), len(sessions))
        self.assertEqual(summary["infusion_rows"], len(sessions))
        active_qr = [r for r in resources(bundle, "QuestionnaireResponse")
                     if r["status"] == "completed"]
        self.assertEqual(len(assessments), len(active_qr))
        self.assertGreater(len(assessments), 0)
        text = (text_i + text_a).lower()

        identifiers = []
        for pat in resources(bundle, "Patient"):
            identifiers.append(pat["name"][0]["family"])
            identifiers.extend(pat["name"][0]["given"])
            identifiers.append(pat["identifier"][0]["value"])  # MRN
            identifiers.append(pat["birthDate"])
            identifiers.append(pat["id"])
            for t in pat.get("telecom", []):
                identifiers.append(t["value"])
        self.assertGreater(len(identifiers), 100)
        for ident in identifiers:
            word = re.escape(ident.lower())
            self.assertIsNone(re.search(r"(^|[^a-z0-9])%s([^a-z0-9]|$)" % word, text),
                              "identifier %r survives in the research CSV" % ident)
        # No time of day and no instant: every date is a bare, shifted day.
        self.assertIsNone(re.search(r"\d{2}:\d{2}", text))
        days = [r["day"] for r in infusions] + [r["day"] for r in assessments]
        self.assertTrue(all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in days))
        # No free text column, only the documented ones.
        self.assertEqual(list(infusions[0].keys())[:4], ["study_id", "infusion_number", "day",
                                                         "age_years"])
        self.assertTrue(all(re.fullmatch(r"S\d{4}", r["study_id"]) for r in infusions))
        # The export's reads are audited, one row per patient.
        rows = self.admin.get("/api/v1/audit", query={"limit": 1000}).json
        audited = {x["patient_id"] for x in rows if x["action"] == "kit export research"}
        self.assertEqual(len(audited), len(resources(bundle, "Patient")))


if __name__ == "__main__":
    unittest.main()
