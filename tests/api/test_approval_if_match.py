"""POST /api/v1/patients/{id}/approval honours If-Match when sent (the web app's intake screen sends
the record's version): a decision taken on a record that changed since it was shown is 412 and
records nothing; without If-Match the route answers as before (docs/api-journey.md "Intake")."""
import datetime
import unittest

from kit_server import KitTestCase
from test_journey import screening_request


class ApprovalIfMatchTest(KitTestCase):

    def intake_patient(self):
        r = self.desk.post("/api/v1/patients", {
            "given_name": "Ines", "family_name": "Ruiz", "date_of_birth": "1984-12-10", "sex": "female",
            "indication": "depression", "weight_kg": 70, "height_cm": 170})
        self.assertStatus(r, 201)
        pid = r.json["id"]
        p = "/api/v1/patients/%d" % pid
        self.assertStatus(self.nurse.post(p + "/screening", screening_request(True)), 201)
        self.assertStatus(self.nurse.post(p + "/consents", {"type": "treatment", "version": "2026-01"}), 201)
        return pid, p

    def test_stale_if_match_is_refused_and_records_nothing(self):
        pid, p = self.intake_patient()
        shown = self.physician.current_etag(p)
        # Someone corrects the record after the physician opened the queue.
        changed = self.desk.patch(p, {"phone": "+1 555 0100"}, etag=shown)
        self.assertStatus(changed, 200)
        stale = self.physician.post_if_match(p + "/approval", {"decision": "approved"}, shown)
        self.assertError(stale, 412, code="stale_write")
        self.assertEqual(self.physician.get(p + "/approvals").json["approvals"], [])
        self.assertEqual(self.physician.get(p).json["status"], "intake")
        # With the current version the decision is recorded.
        ok = self.physician.post_if_match(p + "/approval", {"decision": "approved"}, self.physician.current_etag(p))
        self.assertStatus(ok, 201)
        self.assertEqual(ok.json["patient"]["status"], "approved")

    def test_without_if_match_unchanged(self):
        pid, p = self.intake_patient()
        ok = self.physician.post(p + "/approval", {"decision": "declined", "reason": "prefers ECT"})
        self.assertStatus(ok, 201)
        self.assertEqual(ok.json["patient"]["status"], "declined")


if __name__ == "__main__":
    unittest.main()
