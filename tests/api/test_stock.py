"""Controlled-substance stock over HTTP (server/resources/stock_routes.cpp, docs/api-chair.md): the
ledger counts whole micrograms, so the same journey gives the same exact numbers on SQLite and on
PostgreSQL (no 35.70000076 from a float4 column), and the API refuses amounts that are not a whole
number of micrograms with 400 invalid_input naming the field.

The journey: receive a lot of 500 mg, draw 35.7 mg for a session, waste 0.3 mg of it with a
witness, adjust the lot by -1.234 mg; then read the lot, its ledger and the reconciliation.

StockTest runs on the back end the suite runs on; SameNumbersOnBothBackEndsTest (run with the
PostgreSQL suite) drives one SQLite server and one PostgreSQL server through the same journey and
compares every number."""

import datetime
import os
import shutil
import tempfile
import unittest

from kit_server import (DEMO_PASSWORD, KitServer, KitTestCase, NO_POSTGRES_MESSAGE, PostgresDatabase,
                        backend, unique)
from test_infusion_gates import OTHER_PROTOCOL, PREP, Staff, approved_patient

LOT_MG = 500.0
DRAW_MG = 35.7
WASTE_MG = 0.3
ADJUST_MG = -1.234
# What the lot holds after each step, in mg, exactly as the API must print it.
AFTER_DRAW_MG = 464.3
AFTER_ADJUST_MG = 463.066


def expect(resp, status, what):
    if resp.status != status:
        raise AssertionError("%s: expected %d, got %r" % (what, status, resp))
    return resp.json


def receive_lot(nurse, concentration_mg_per_ml=50, vial_volume_ml=10, vials=1):
    expiry = (datetime.date.today() + datetime.timedelta(days=400)).isoformat()
    return nurse.post("/api/v1/stock/lots", {
        "concentration_mg_per_ml": concentration_mg_per_ml, "vial_volume_ml": vial_volume_ml,
        "lot_number": unique("EXACT"), "expiry_date": expiry, "vials_received": vials})


def planned_session(staff, lot_id):
    """An approved patient's unscheduled session (a physician's plan), naming the lot."""
    pid, _consent = approved_patient(staff, "Stock")
    r = staff.physician.post("/api/v1/patients/%d/sessions" % pid, {
        "protocol": OTHER_PROTOCOL, "preparation": dict(PREP), "lot_id": lot_id,
        "unscheduled_reason": "stock ledger test"})
    return expect(r, 201, "plan a session")["id"]


def run_journey(staff):
    """The journey above; returns every number it produced, without ids and times, by step."""
    lot = expect(receive_lot(staff.nurse), 201, "receive 500 mg")
    lot_id = lot["id"]
    sid = planned_session(staff, lot_id)
    draw = expect(staff.nurse.post("/api/v1/stock/draws", {"session_id": sid, "mg": DRAW_MG}), 201,
                  "draw 35.7 mg")
    waste = expect(staff.nurse.post("/api/v1/stock/wastes", {
        "session_id": sid, "mg": WASTE_MG, "witness_user_id": staff.physician.user["id"],
        "witness_password": DEMO_PASSWORD, "reason": "left in the syringe"}), 201, "waste 0.3 mg")
    adjust = expect(staff.physician.post("/api/v1/stock/adjustments", {
        "lot_id": lot_id, "mg": ADJUST_MG, "reason": "count correction"}), 201, "adjust -1.234 mg")
    after = expect(staff.nurse.get("/api/v1/stock/lots/%d" % lot_id), 200, "lot")
    ledger = expect(staff.nurse.get("/api/v1/stock/lots/%d/ledger" % lot_id), 200, "ledger")
    rec = expect(staff.physician.get("/api/v1/stock/reconciliation"), 200, "reconciliation")
    lot_rows = [r for r in rec["lots"] if r["lot_id"] == lot_id]
    session_rows = [r for r in rec["sessions"] if r["session_id"] == sid]
    if len(lot_rows) != 1 or len(session_rows) != 1:
        raise AssertionError("reconciliation lacks lot %d or session %d: %r" % (lot_id, sid, rec))
    lot_numbers = ("concentration_mg_per_ml", "vial_volume_ml", "vial_mg", "vials_received",
                   "received_mg", "balance_mg", "balance_ml")
    return {
        "received": {k: lot[k] for k in lot_numbers},
        "draw": {k: draw[k] for k in ("mg", "ml", "lot_balance_mg")},
        "waste": {k: waste[k] for k in ("mg", "ml")},
        "adjust": {k: adjust[k] for k in ("mg", "lot_balance_mg")},
        "lot": {k: after[k] for k in lot_numbers},
        "ledger": [{k: m[k] for k in ("kind", "mg", "ml", "balance_change_mg", "balance_mg")}
                   for m in ledger["movements"]],
        "ledger_balance_mg": ledger["balance_mg"],
        "reconciliation_lot": {k: v for k, v in lot_rows[0].items()
                               if k not in ("lot_id", "lot_number", "expiry_date")},
        "reconciliation_session": {k: v for k, v in session_rows[0].items()
                                   if k not in ("session_id", "patient_id", "lot_id")},
    }


class StockTest(KitTestCase):

    @property
    def staff(self):
        return Staff(self.admin, self.desk, self.nurse, self.physician)

    def test_journey_numbers_are_exact(self):
        got = run_journey(self.staff)
        self.assertEqual(got["received"], {
            "concentration_mg_per_ml": 50, "vial_volume_ml": 10, "vial_mg": LOT_MG, "vials_received": 1,
            "received_mg": LOT_MG, "balance_mg": LOT_MG, "balance_ml": 10})
        self.assertEqual(got["draw"], {"mg": DRAW_MG, "ml": 0.714, "lot_balance_mg": AFTER_DRAW_MG})
        self.assertEqual(got["waste"], {"mg": WASTE_MG, "ml": 0.006})
        self.assertEqual(got["adjust"], {"mg": ADJUST_MG, "lot_balance_mg": AFTER_ADJUST_MG})
        self.assertEqual(got["lot"]["balance_mg"], AFTER_ADJUST_MG)
        self.assertEqual(got["lot"]["balance_ml"], 9.26132)
        self.assertEqual(got["ledger"], [
            {"kind": "receive", "mg": LOT_MG, "ml": 10, "balance_change_mg": LOT_MG, "balance_mg": LOT_MG},
            {"kind": "draw", "mg": DRAW_MG, "ml": 0.714, "balance_change_mg": -DRAW_MG,
             "balance_mg": AFTER_DRAW_MG},
            {"kind": "waste", "mg": WASTE_MG, "ml": 0.006, "balance_change_mg": 0,
             "balance_mg": AFTER_DRAW_MG},
            {"kind": "adjust", "mg": ADJUST_MG, "ml": -0.02468, "balance_change_mg": ADJUST_MG,
             "balance_mg": AFTER_ADJUST_MG},
        ])
        self.assertEqual(got["ledger_balance_mg"], AFTER_ADJUST_MG)
        rec_lot = got["reconciliation_lot"]
        self.assertEqual(rec_lot["received_mg"], LOT_MG)
        self.assertEqual(rec_lot["drawn_mg"], DRAW_MG)
        self.assertEqual(rec_lot["wasted_mg"], WASTE_MG)
        self.assertEqual(rec_lot["adjusted_mg"], ADJUST_MG)
        self.assertEqual(rec_lot["in_progress_drawn_mg"], DRAW_MG)  # the session has not run yet
        self.assertEqual(rec_lot["delivered_mg"], 0)
        self.assertEqual(rec_lot["on_hand_mg"], AFTER_ADJUST_MG)
        self.assertEqual(rec_lot["expected_on_hand_mg"], AFTER_ADJUST_MG)
        self.assertEqual(rec_lot["difference_mg"], 0)
        self.assertIs(rec_lot["balanced"], True)
        self.assertEqual(got["reconciliation_session"], {
            "state": "planned", "drawn_mg": DRAW_MG, "delivered_mg": 0, "wasted_mg": WASTE_MG,
            "difference_mg": 35.4, "status": "in_progress"})

    def test_amounts_must_be_whole_micrograms(self):
        lot_id = expect(receive_lot(self.nurse), 201, "receive a lot")["id"]
        sid = planned_session(self.staff, lot_id)
        ledger_path = "/api/v1/stock/lots/%d/ledger" % lot_id
        before = expect(self.nurse.get(ledger_path), 200, "ledger")

        def draw(**amount):
            return self.nurse.post("/api/v1/stock/draws", dict({"session_id": sid}, **amount))

        for mg in (1e-7, 0.0005, 35.7001, 0.0015):
            e = self.assertError(draw(mg=mg), 400, field="mg", code="invalid_input", msg="draw %r mg" % mg)
            self.assertIn("microgram", e["message"])
        for mg in (0, -1, 100001):
            self.assertError(draw(mg=mg), 400, field="mg", code="invalid_input", msg="draw %r mg" % mg)
        # At 50 mg/mL: 0.00001 mL is 0.5 ug, 0.00003 mL is 1.5 ug.
        for ml in (0.00001, 0.00003):
            self.assertError(draw(ml=ml), 400, field="ml", code="invalid_input", msg="draw %r mL" % ml)
        self.assertError(self.physician.post("/api/v1/stock/adjustments", {
            "lot_id": lot_id, "mg": -0.0005, "reason": "count"}), 400, field="mg", code="invalid_input")
        self.assertEqual(expect(self.nurse.get(ledger_path), 200, "ledger"), before, "a refusal moved stock")

        # The smallest amounts the ledger counts are accepted: 1 ug as mg, 0.001 mL at 50 mg/mL.
        one = expect(draw(mg=0.001), 201, "draw 1 ug")
        self.assertEqual(one["mg"], 0.001)
        by_volume = expect(draw(ml=0.001), 201, "draw 0.001 mL")
        self.assertEqual(by_volume["mg"], 0.05)
        self.assertEqual(by_volume["lot_balance_mg"], 499.949)

        # A vial must hold a whole number of micrograms: 3.3333 mg/mL x 1 mL does not.
        self.assertError(receive_lot(self.nurse, concentration_mg_per_ml=3.3333, vial_volume_ml=1), 400,
                         field="vial_volume_ml", code="invalid_input")




class DiversionTest(KitTestCase):
    """A Schedule III drug must not leave the cabinet unseen: a probe drew 5,000 mg for a 29 mg
    plan, and a saline lot into a ketamine session, and the reconciliation stayed balanced."""

    @property
    def staff(self):
        return Staff(self.admin, self.desk, self.nurse, self.physician)

    def test_a_draw_is_bounded_by_the_plan_and_must_be_ketamine(self):
        lot = expect(receive_lot(self.nurse, vials=200), 201, "receive 100 g")  # 500 mg vials
        sid = planned_session(self.staff, lot["id"])
        plan = self.nurse.get("/api/v1/sessions/%d" % sid).json["planned_dose_mg"]
        ledger_before = self.nurse.get("/api/v1/stock/lots/%d/ledger" % lot["id"]).json
        big = self.nurse.post("/api/v1/stock/draws", {"session_id": sid, "mg": 5000})
        self.assertEqual(big.status, 422, big)
        self.assertEqual(big.error().get("field"), "mg")
        self.assertEqual(self.nurse.get("/api/v1/stock/lots/%d/ledger" % lot["id"]).json,
                         ledger_before)  # a refusal stores nothing
        # The plan plus at most one vial is fine (whole vials are drawn, the rest wasted).
        ok = self.nurse.post("/api/v1/stock/draws", {"session_id": sid, "mg": round(plan + 400, 3)})
        self.assertEqual(ok.status, 201, ok)
        # Another drug's lot cannot be drawn for a ketamine session.
        expiry = (datetime.date.today() + datetime.timedelta(days=400)).isoformat()
        saline = expect(self.nurse.post("/api/v1/stock/lots", {
            "drug": "saline", "concentration_mg_per_ml": 9, "vial_volume_ml": 10,
            "lot_number": unique("NACL"), "expiry_date": expiry, "vials_received": 10}), 201,
            "receive saline")
        sid2 = planned_session(self.staff, lot["id"])
        wrong = self.nurse.post("/api/v1/stock/draws",
                                {"session_id": sid2, "lot_id": saline["id"], "mg": 9})
        self.assertIn(wrong.status, (422,), wrong)
        self.assertEqual(wrong.error().get("field"), "lot_id")


@unittest.skipUnless(backend() == "postgresql", "runs once, with the PostgreSQL suite")
class SameNumbersOnBothBackEndsTest(unittest.TestCase):

    def setUp(self):
        base = os.environ.get("KIT_TEST_POSTGRES_URL", "").strip()
        if not base:
            raise unittest.SkipTest(NO_POSTGRES_MESSAGE)
        self.tmp = tempfile.mkdtemp(prefix="kit-e2e-stock-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.pg = PostgresDatabase(base)
        url = self.pg.create()
        self.addCleanup(self.pg.drop)
        self.servers = {}
        for name, database_url in (("sqlite", None), ("postgresql", url)):
            data = os.path.join(self.tmp, name, "data")
            server = KitServer(data, database_url=database_url)
            self.servers[name] = server.start()
            self.addCleanup(server.stop)

    def test_the_journey_gives_identical_numbers(self):
        results = {}
        for name, server in self.servers.items():
            staff = Staff(*(server.login(u) for u in ("admin", "frontdesk", "nurse", "physician")))
            results[name] = run_journey(staff)
        self.maxDiff = None
        self.assertEqual(results["sqlite"], results["postgresql"])
        self.assertEqual(results["postgresql"]["ledger_balance_mg"], AFTER_ADJUST_MG)


if __name__ == "__main__":
    unittest.main()
