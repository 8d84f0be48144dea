"""Corrections that keep history, for the patient's record kept outside a session: assessments
(POST /api/v1/assessments/{id}/corrections) and medication lists
(POST /api/v1/medication-lists/{id}/corrections), through the real server (docs/api-chair.md,
Corrections of assessments and medication lists).

A PHQ-9 mistyped with item 9 = 3 raises a safety alert. Marking it entered in error retracts the
alert (closed, kept, with the reason), the outcome is derived again without it, and the sheet stays
listed with its status and its correction; an amendment replaces its values with a new sheet
naming it. The same for medication lists and the MME trend. Every correction is audited, and
nothing is ever deleted: the row counts of the tables concerned only grow."""

import datetime
import os
import sqlite3
import unittest

from kit_server import KitTestCase, _psql, backend
from test_infusion_gates import new_patient

# Nine PHQ-9 answers; the ninth is thoughts of self-harm (docs/clinical-rules/instruments.md).
BASELINE = [3, 3, 3, 3, 2, 2, 2, 2, 0]   # 20
BETTER = [1, 1, 1, 1, 1, 1, 1, 1, 0]     # 8
MISTYPED = [3, 3, 3, 3, 3, 3, 3, 3, 3]   # 27, item 9 = 3: a safety flag
AS_MEANT = [3, 3, 3, 3, 3, 3, 3, 3, 0]   # 24, no flag

TABLES = ("assessments", "alerts", "medication_lists", "corrections", "audit_log")
CORRECTION_KEYS = {"id", "entity", "entry_id", "action", "reason", "status", "replacement", "by", "at"}


def days_ago(n):
    # The server dates sheets on the UTC calendar (chair::iso_date).
    return (datetime.datetime.now(datetime.timezone.utc).date() - datetime.timedelta(days=n)).isoformat()


def morphine(dose_mg, doses_per_day):
    # Oral morphine: CDC 2022 conversion factor 1 (docs/clinical-rules/opioids.md).
    return {"drug": "morphine", "route": "oral", "dose_mg": dose_mg, "doses_per_day": doses_per_day}


class RecordCorrectionsTest(KitTestCase):

    # --- helpers ------------------------------------------------------------------------------------

    def row_counts(self):
        """{table: rows} read from the database itself, beside the server (read only)."""
        if backend() == "sqlite":
            path = os.path.join(self.store.data_dir, "kit.db")
            db = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=30)
            try:
                return {t: db.execute("SELECT COUNT(*) FROM %s" % t).fetchone()[0] for t in TABLES}
            finally:
                db.close()
        sql = " UNION ALL ".join("SELECT '%s', COUNT(*) FROM %s" % (t, t) for t in TABLES)
        r = _psql(self.store.database_url, sql)
        self.assertEqual(r.returncode, 0, r.stderr)
        return {t: int(n) for t, n in (line.split("|") for line in r.stdout.split())}

    def assertNothingDeleted(self, before, after, added=None):
        for t in TABLES:
            self.assertGreaterEqual(after[t], before[t], "rows of %s only grow" % t)
        for t, n in (added or {}).items():
            self.assertEqual(after[t], before[t] + n, "rows added to %s" % t)

    def sheet(self, pid, answers, taken_on):
        r = self.nurse.post("/api/v1/patients/%d/assessments" % pid,
                            {"instrument": "phq9", "answers": answers, "taken_on": taken_on})
        self.assertStatus(r, 201, "record a PHQ-9")
        return r.json

    def outcome(self, pid):
        r = self.physician.get("/api/v1/patients/%d/outcome" % pid, query={"instrument": "phq9"})
        self.assertStatus(r, 200, "outcome")
        return r.json

    def listed(self, pid, assessment_id):
        r = self.nurse.get("/api/v1/patients/%d/assessments" % pid)
        self.assertStatus(r, 200, "list assessments")
        found = [a for a in r.json if a["id"] == assessment_id]
        self.assertEqual(len(found), 1, "assessment %d listed once: %r" % (assessment_id, r.json))
        return found[0]

    def alerts(self, pid, all_=True):
        q = {"patient_id": pid}
        if all_:
            q["all"] = "true"
        r = self.physician.get("/api/v1/alerts", query=q)
        self.assertStatus(r, 200, "alerts")
        return r.json

    def correct_assessment(self, assessment_id, body, who=None):
        return (who or self.nurse).post("/api/v1/assessments/%d/corrections" % assessment_id, body)

    def correct_list(self, list_id, body, who=None):
        return (who or self.nurse).post("/api/v1/medication-lists/%d/corrections" % list_id, body)

    def medications(self, pid, who=None):
        r = (who or self.nurse).get("/api/v1/patients/%d/medications" % pid)
        self.assertStatus(r, 200, "medication history")
        return r.json

    def audit_rows(self, pid, action):
        r = self.admin.get("/api/v1/audit", query={"patient_id": pid, "limit": 1000})
        self.assertStatus(r, 200, "audit")
        return [row for row in r.json if row["action"] == action]

    # --- assessments ----------------------------------------------------------------------------

    def test_mistyped_phq9_in_error_retracts_its_alert_and_leaves_the_outcome(self):
        pid = new_patient(self.desk, "Typo")
        baseline = self.sheet(pid, BASELINE, days_ago(60))
        better = self.sheet(pid, BETTER, days_ago(30))
        before_typo = self.outcome(pid)

        typo = self.sheet(pid, MISTYPED, days_ago(1))
        self.assertEqual(typo["total"], 27)
        self.assertEqual(len(typo["alerts"]), 1, typo)
        alert_id = typo["alerts"][0]["id"]
        self.assertIn(alert_id, [a["id"] for a in self.alerts(pid, all_=False)])
        with_typo = self.outcome(pid)
        self.assertEqual(with_typo["latest"], 27)
        self.assertIn(typo["id"], with_typo["assessment_ids"])
        counts = self.row_counts()

        reason = "every item typed as 3; this sheet belongs to another patient"
        c = self.correct_assessment(typo["id"], {"action": "entered_in_error", "reason": reason})
        self.assertStatus(c, 201, "mark the PHQ-9 entered in error")
        self.assertTrue(CORRECTION_KEYS <= set(c.json), c.json)
        self.assertEqual(c.json["entity"], "assessment")
        self.assertEqual(c.json["entry_id"], typo["id"])
        self.assertEqual(c.json["action"], "entered_in_error")
        self.assertEqual(c.json["reason"], reason)
        self.assertEqual(c.json["status"], "entered_in_error")
        self.assertIsNone(c.json["replacement"])
        self.assertEqual(c.json["by"], self.nurse.user["id"])

        # The outcome is derived again: exactly what it was before the typo.
        self.assertEqual(self.outcome(pid), before_typo)
        # The alert is retracted: out of the open list, kept, closed, with the reason.
        self.assertNotIn(alert_id, [a["id"] for a in self.alerts(pid, all_=False)])
        kept = [a for a in self.alerts(pid) if a["id"] == alert_id]
        self.assertEqual(len(kept), 1, "the alert is kept")
        self.assertEqual(kept[0]["status"], "retracted")
        self.assertIn(reason, kept[0]["retraction_reason"])
        # The sheet stays listed as it was recorded, with its status and correction.
        original = self.listed(pid, typo["id"])
        self.assertEqual(original["status"], "entered_in_error")
        self.assertEqual(original["answers"], MISTYPED)
        self.assertEqual(original["total"], 27)
        self.assertIsNone(original["amends_id"])
        self.assertEqual(original["correction"]["action"], "entered_in_error")
        self.assertEqual(original["correction"]["reason"], reason)
        self.assertEqual(original["correction"]["by"], self.nurse.user["id"])
        self.assertIsNotNone(original["correction"]["at"])
        for other in (baseline, better):
            kept_sheet = self.listed(pid, other["id"])
            self.assertEqual(kept_sheet["status"], "active")
            self.assertIsNone(kept_sheet["correction"])

        # Audited with the patient and the caller.
        rows = self.audit_rows(pid, "POST /api/v1/assessments/{id}/corrections")
        self.assertEqual(len(rows), 1, rows)
        self.assertEqual(rows[0]["outcome"], "allowed")
        self.assertEqual(rows[0]["username"], "nurse")
        self.assertEqual(rows[0]["patient_id"], pid)
        # Nothing deleted: one correction row added, the sheet and its alert kept.
        self.assertNothingDeleted(counts, self.row_counts(),
                                  {"assessments": 0, "alerts": 0, "corrections": 1})

        # An entry corrected once is not corrected again.
        self.assertError(self.correct_assessment(typo["id"], {"action": "entered_in_error", "reason": "again"},
                                                 self.physician), 409, field="id", code="conflict")

    def test_amendment_replaces_the_values_and_keeps_the_original(self):
        pid = new_patient(self.desk, "Amend")
        self.sheet(pid, BASELINE, days_ago(60))
        typo = self.sheet(pid, MISTYPED, days_ago(2))
        alert_id = typo["alerts"][0]["id"]
        counts = self.row_counts()

        # The values are the body as first posted; the date stays the amended sheet's.
        c = self.correct_assessment(typo["id"], {
            "action": "amend", "reason": "item 9 typed as 3; the patient answered 0",
            "values": {"instrument": "phq9", "answers": AS_MEANT}}, self.physician)
        self.assertStatus(c, 201, "amend the PHQ-9")
        self.assertEqual(c.json["status"], "amended")
        replacement = c.json["replacement"]
        self.assertEqual(replacement["amends_id"], typo["id"])
        self.assertEqual(replacement["status"], "active")
        self.assertEqual(replacement["taken_on"], typo["taken_on"])
        self.assertEqual(replacement["answers"], AS_MEANT)
        self.assertEqual(replacement["total"], 24)
        self.assertEqual(replacement["alerts"], [], "the amended sheet raises no flag")

        original = self.listed(pid, typo["id"])
        self.assertEqual(original["status"], "amended")
        self.assertEqual(original["answers"], MISTYPED)
        self.assertEqual(original["correction"]["action"], "amend")
        self.assertEqual(original["correction"]["replacement_id"], replacement["id"])
        self.assertEqual(self.listed(pid, replacement["id"])["amends_id"], typo["id"])
        retracted = [a for a in self.alerts(pid) if a["id"] == alert_id]
        self.assertEqual(retracted[0]["status"], "retracted")
        o = self.outcome(pid)
        self.assertEqual(o["latest"], 24)
        self.assertIn(replacement["id"], o["assessment_ids"])
        self.assertNotIn(typo["id"], o["assessment_ids"])
        self.assertNothingDeleted(counts, self.row_counts(),
                                  {"assessments": 1, "alerts": 0, "corrections": 1})

    def test_an_amendment_is_checked_like_a_new_sheet(self):
        pid = new_patient(self.desk, "AmendRules")
        typo = self.sheet(pid, MISTYPED, days_ago(1))
        counts = self.row_counts()

        def amend(values):
            return self.correct_assessment(typo["id"], {"action": "amend", "reason": "fix", "values": values})

        self.assertError(amend({"instrument": "phq9", "answers": [0, 1, 2, 3, 4, 0, 0, 0, 0]}), 400,
                         field="values.answers[4]")
        self.assertError(amend({"instrument": "gad7", "answers": [1] * 7}), 400, field="values.instrument")
        future = (datetime.datetime.now(datetime.timezone.utc).date() + datetime.timedelta(days=3)).isoformat()
        self.assertError(amend({"instrument": "phq9", "answers": AS_MEANT, "taken_on": future}), 400,
                         field="values.taken_on")
        self.assertEqual(self.listed(pid, typo["id"])["status"], "active", "a refusal changes nothing")
        self.assertNothingDeleted(counts, self.row_counts(),
                                  {"assessments": 0, "alerts": 0, "corrections": 0})

    def test_a_correction_needs_a_reason_an_action_and_a_clinician(self):
        own = self.demo_patient_id()
        mine = self.patient.post("/api/v1/patients/%d/assessments" % own,
                                 {"instrument": "phq9", "answers": BETTER, "taken_on": days_ago(1)})
        self.assertStatus(mine, 201, "a self-report")
        aid = mine.json["id"]
        self.assertError(self.correct_assessment(aid, {"action": "entered_in_error", "reason": "   "}), 400,
                         field="reason")
        self.assertError(self.correct_assessment(aid, {"action": "entered_in_error"}), 400, field="reason")
        self.assertError(self.correct_assessment(aid, {"action": "delete", "reason": "x"}), 400, field="action")
        self.assertError(self.correct_assessment(aid, {"action": "amend", "reason": "x"}), 400, field="values")
        body = {"action": "entered_in_error", "reason": "not mine"}
        self.assertError(self.correct_assessment(aid, body, self.patient), 403)  # not even their own
        self.assertError(self.correct_assessment(aid, body, self.desk), 403)
        self.assertError(self.anon.post("/api/v1/assessments/%d/corrections" % aid, body), 401)
        self.assertError(self.correct_assessment(aid + 100000, body), 404)
        self.assertEqual(self.listed(own, aid)["status"], "active")
        self.assertIsNone(self.listed(own, aid)["correction"])
        # The refusal is audited too (the router refuses the role before the entry, and so before
        # its patient, is read).
        r = self.admin.get("/api/v1/audit", query={"limit": 1000})
        self.assertStatus(r, 200, "audit")
        self.assertTrue(any(row["action"] == "POST /api/v1/assessments/{id}/corrections"
                            and row["username"] == "patient" and row["status"] == 403
                            and row["outcome"] == "denied" for row in r.json))

    # --- medication lists ---------------------------------------------------------------------------

    def test_medication_list_in_error_leaves_the_trend_and_an_amendment_replaces_it(self):
        pid = new_patient(self.desk, "Pain")
        mp = "/api/v1/patients/%d/medications" % pid
        first = self.nurse.post(mp, {"as_of": days_ago(30), "medications": [morphine(10, 4)]})
        self.assertStatus(first, 201)
        typo = self.nurse.post(mp, {"as_of": days_ago(5), "medications": [morphine(100, 4)]})
        self.assertStatus(typo, 201)
        self.assertEqual(typo.json["total_mme_per_day"], 400)
        later = self.nurse.post(mp, {"as_of": days_ago(1), "medications": [morphine(15, 4)]})
        self.assertStatus(later, 201)
        self.assertEqual([t["total_mme_per_day"] for t in self.medications(pid)["trend"]], [40, 400, 60])
        counts = self.row_counts()

        # Entered in error: out of the trend, still listed with its status and correction.
        c = self.correct_list(typo.json["id"], {"action": "entered_in_error",
                                                "reason": "another patient's list"}, self.physician)
        self.assertStatus(c, 201, "mark the list entered in error")
        self.assertTrue(CORRECTION_KEYS <= set(c.json), c.json)
        self.assertEqual(c.json["entity"], "medication_list")
        self.assertEqual(c.json["entry_id"], typo.json["id"])
        self.assertEqual(c.json["status"], "entered_in_error")
        h = self.medications(pid)
        self.assertEqual([t["list_id"] for t in h["trend"]], [first.json["id"], later.json["id"]])
        self.assertEqual(h["trend"][1]["change_mme_per_day"], 20, "60 against 40, not against 400")
        self.assertEqual(h["current"]["id"], later.json["id"])
        self.assertEqual(len(h["lists"]), 3)
        in_error = [m for m in h["lists"] if m["id"] == typo.json["id"]][0]
        self.assertEqual(in_error["status"], "entered_in_error")
        self.assertEqual(in_error["total_mme_per_day"], 400)
        self.assertEqual(in_error["correction"]["reason"], "another patient's list")
        self.assertError(self.correct_list(typo.json["id"], {"action": "entered_in_error", "reason": "again"}),
                         409, field="id")

        # Amended: the new list replaces it in the trend, on the same date.
        a = self.correct_list(later.json["id"], {
            "action": "amend", "reason": "dose typed as 15 mg; the label says 5 mg",
            "values": {"medications": [morphine(5, 4)]}})
        self.assertStatus(a, 201, "amend the list")
        replacement = a.json["replacement"]
        self.assertEqual(replacement["amends_id"], later.json["id"])
        self.assertEqual(replacement["as_of"], later.json["as_of"])
        self.assertEqual(replacement["total_mme_per_day"], 20)
        h = self.medications(pid)
        self.assertEqual([t["total_mme_per_day"] for t in h["trend"]], [40, 20])
        self.assertEqual(h["current"]["id"], replacement["id"])
        amended = [m for m in h["lists"] if m["id"] == later.json["id"]][0]
        self.assertEqual(amended["status"], "amended")
        self.assertEqual(amended["correction"]["replacement_id"], replacement["id"])
        self.assertEqual(len(h["lists"]), 4)
        # The patient reads their history; they do not correct it; nor does the front desk.
        self.assertStatus(self.patient.get("/api/v1/patients/%d/medications" % self.demo_patient_id()), 200)
        self.assertError(self.correct_list(first.json["id"], {"action": "entered_in_error", "reason": "x"},
                                           self.desk), 403)
        self.assertError(self.correct_list(first.json["id"], {"action": "amend", "reason": "x"}), 400,
                         field="values")
        self.assertError(self.correct_list(first.json["id"], {"action": "amend", "reason": "x", "values": {
            "medications": [{"drug": "unobtainium", "route": "oral", "dose_mg": 1, "doses_per_day": 1}]}}),
            400, field="values.medications[0].drug")
        self.assertEqual([m["status"] for m in self.medications(pid)["lists"]],
                         ["active", "entered_in_error", "amended", "active"])

        rows = self.audit_rows(pid, "POST /api/v1/medication-lists/{id}/corrections")
        self.assertEqual(len([r for r in rows if r["outcome"] == "allowed"]), 2, rows)
        self.assertNothingDeleted(counts, self.row_counts(),
                                  {"medication_lists": 1, "corrections": 2})


if __name__ == "__main__":
    unittest.main()
