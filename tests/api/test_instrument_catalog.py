"""GET /api/v1/instruments: the questionnaires the server scores, for the staff screens that enter a
paper sheet (items, answer range); and each listed one is accepted from staff as listed."""

import unittest

from kit_server import KitTestCase, unique


class InstrumentCatalogTest(KitTestCase):

    def test_staff_read_the_catalogue_and_each_entry_is_accepted_as_listed(self):
        r = self.nurse.get("/api/v1/instruments")
        self.assertStatus(r, 200)
        listed = {i["id"]: i for i in r.json["instruments"]}
        # GAD-7: 7 items scored 0-3 (docs/clinical-rules/instruments.md).
        self.assertEqual((listed["gad7"]["items"], listed["gad7"]["item_min"], listed["gad7"]["item_max"]), (7, 0, 3))
        self.assertEqual((listed["nrs"]["items"], listed["nrs"]["item_max"]), (1, 10))
        self.assertStatus(self.physician.get("/api/v1/instruments"), 200)
        self.assertStatus(self.desk.get("/api/v1/instruments"), 403)
        self.assertStatus(self.anon.get("/api/v1/instruments"), 401)

        pid = self.desk.post("/api/v1/patients", {
            "given_name": "Sheet", "family_name": unique("Paper"), "date_of_birth": "1980-02-03",
            "sex": "female", "indication": "depression"}).json["id"]
        for inst in listed.values():
            if inst["id"] == "cadss":
                continue  # recorded in an infusion session, not as a sheet
            answers = [inst["item_min"]] * inst["items"]
            r = self.nurse.post("/api/v1/patients/%d/assessments" % pid,
                                {"instrument": inst["id"], "answers": answers})
            self.assertStatus(r, 201, inst["id"])
            # One answer above the listed range is refused, naming the item.
            over = list(answers)
            over[0] = inst["item_max"] + 1
            r = self.nurse.post("/api/v1/patients/%d/assessments" % pid,
                                {"instrument": inst["id"], "answers": over})
            self.assertStatus(r, 400, inst["id"])
            self.assertIn("answers", r.error()["field"])


if __name__ == "__main__":
    unittest.main()
