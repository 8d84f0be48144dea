#!/usr/bin/python3
"""Expected values for the outcome-analytics tests, computed independently of the C++ code.

Run with Debian's Python (python3-numpy, python3-statsmodels):
    /usr/bin/python3 tests/core/outcomes/data/make_expected.py
It writes statistics.expected.json and cohort.expected.json beside this file; the gtests
(tests/core/outcomes/analytics_test.cpp) read them. Not run in CI: the outputs are committed.

Independent methods:
- Wilson interval: statsmodels.stats.proportion.proportion_confint(method="wilson").
- Kaplan-Meier and Greenwood standard error: statsmodels.duration.survfunc.SurvfuncRight; the
  log-log band from its S and SE: se_loglog = SE / (S |ln S|), S^exp(+-z se_loglog).
- Quantiles: numpy.percentile (linear interpolation = Hyndman & Fan definition 7).

The cohort facts (who responded when, durations, changes) are worked out by hand from
cohort.json in the comments below; only the statistics on them are computed here.
"""
import json
import math
import os

import numpy as np
from scipy.stats import norm
from statsmodels.duration.survfunc import SurvfuncRight
from statsmodels.stats.proportion import proportion_confint

HERE = os.path.dirname(os.path.abspath(__file__))
Z = float(norm.ppf(0.975))


def wilson(k, n):
    if n == 0:
        return {"count": k, "n": n, "share": None, "lower": None, "upper": None}
    lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
    return {"count": k, "n": n, "share": k / n, "lower": float(lo), "upper": float(hi)}


def summary(values):
    if not values:
        return {"n": 0, "min": None, "q1": None, "median": None, "q3": None, "max": None}
    v = np.array(values, dtype=float)
    q = np.percentile(v, [25, 50, 75])  # linear = Hyndman & Fan 7
    return {"n": len(values), "min": float(v.min()), "q1": float(q[0]),
            "median": float(q[1]), "q3": float(q[2]), "max": float(v.max())}


def km(obs):
    """obs: list of (time, event). Steps at every distinct time, events before censorings."""
    out = {"subjects": len(obs), "events": sum(1 for _, e in obs if e),
           "censored": sum(1 for _, e in obs if not e), "median_days": None, "steps": []}
    if not obs:
        return out
    times = np.array([t for t, _ in obs], dtype=float)
    status = np.array([1 if e else 0 for _, e in obs])
    sf = SurvfuncRight(times, status) if status.sum() > 0 else None
    s_at = {}
    if sf is not None:
        for t, s, se in zip(sf.surv_times, sf.surv_prob, sf.surv_prob_se):
            s_at[float(t)] = (float(s), float(se))
    s, se = 1.0, 0.0
    for t in sorted(set(times.tolist())):
        at_risk = int((times >= t).sum())
        d = int(((times == t) & (status == 1)).sum())
        c = int(((times == t) & (status == 0)).sum())
        if d > 0:
            s, se = s_at[t]
        step = {"day": t, "at_risk": at_risk, "events": d, "censored": c, "survival": s,
                "std_error": None if s == 0 else se, "lower": None, "upper": None}
        if 0 < s < 1:
            se_ll = se / (s * abs(math.log(s)))
            step["lower"] = s ** math.exp(Z * se_ll)
            step["upper"] = s ** math.exp(-Z * se_ll)
        if out["median_days"] is None and d > 0 and s <= 0.5 + 1e-12:  # S = 0.5 counts
            out["median_days"] = t
        out["steps"].append(step)
    return out


def statistics_cases():
    rng = np.random.default_rng(20261126)
    wil = [[k, n] for n in (1, 2, 5, 10, 37, 100) for k in sorted({0, 1, n // 3, n // 2, n - 1, n})]
    wcases = [{"count": k, "n": n, **{x: wilson(k, n)[x] for x in ("share", "lower", "upper")}}
              for k, n in wil]
    kcases = []
    for size in (1, 3, 8, 25, 60):
        t = rng.integers(0, 40, size).astype(float).tolist()  # small range: many ties
        e = (rng.random(size) < 0.6).tolist()
        kcases.append({"times": t, "events": e, "expected": km(list(zip(t, e)))})
    # All censored, and everything an event (the curve reaches 0).
    kcases.append({"times": [5.0, 9.0], "events": [False, False],
                   "expected": km([(5.0, False), (9.0, False)])})
    kcases.append({"times": [2.0, 4.0, 4.0], "events": [True, True, True],
                   "expected": km([(2.0, True), (4.0, True), (4.0, True)])})
    qcases = []
    for size in (1, 2, 5, 10, 31):
        v = rng.normal(0, 10, size).round(3).tolist()
        qcases.append({"values": v, "expected": summary(v)})
    return {"z": Z, "wilson": wcases, "kaplan_meier": kcases, "summary": qcases}


def cohort_expected():
    # ---- depression / depression-induction-series: courses A1-A6 (cohort.json) ----------------
    # Treated = >= 1 induction infusion: A1, A2, A3, A5, A6 (A4 has none) -> 5 of 6.
    # Completed induction = infusions given >= planned: A1 6/6, A2 12/12, A5 6/6, A6 6/6; A3 3/6
    # -> 4 of 5 treated.
    # PHQ-9 baseline = latest total on or before the 1st infusion:
    #   A1 20 (01-05), A2 18 (01-10), A3 15 (02-02), A5 22 (02-27), A6 16 (01-05) -> 5 with baseline,
    #   all 5 have a later total -> 5 evaluable (A4 is not treated).
    # Response (PHQ-9 >= 50 % drop, Keith et al.): A1 01-13 9 (55 %), A2 02-10 8 (55.6 %),
    #   A5 03-16 10 (54.5 %), A6 01-20 7 (56.25 %); A3 15 -> 15 never -> 4 of 5.
    # Remission (PHQ-9 <= 4): A1 01-17 4 only -> 1 of 5.
    # Change latest - baseline: A1 8-20 = -12, A2 9-18 = -9, A3 0, A5 10-22 = -12, A6 12-16 = -4.
    #   sorted [-12, -12, -9, -4, 0]: median -9, q1 (h = 1) -12, q3 (h = 3) -4.
    # Change %: -60, -50, 0, -54.5454..., -25.
    # Latest status: A1 8 = 60 % response; A2 9 = 50 % response; A3 no_response; A5 response;
    #   A6 relapse (below).
    # Response by infusion number (induction infusions dated before the responding assessment):
    #   A1 01-13: 01-05, 07, 09, 12 -> 4; A6 01-20 -> 6; A5 03-16 -> 6; A2 02-10 -> 12.
    #   cumulative k=1..12: 0 0 0 1 1 3 3 3 3 3 3 4; by 6: 3/5; 7-9: 0/5; 10-12: 1/5; never 1.
    # Durability (first response -> onset of a confirmed relapse, PHQ-9 relapse = response lost and
    #   a climb of >= 25 % of baseline from the best total, on 2 consecutive readings: policy):
    #   A1: best 4 (01-17); 02-20 12 (climb 8 = 40 % of 20) and 03-06 13 (45 %) -> relapse
    #       confirmed 03-06, onset 02-20: 01-13 -> 02-20 = 38 days, event.
    #   A6: best 7; 02-17 11 (climb 4 = 25 % of 16) and 03-17 12 (31.25 %) -> onset 02-17:
    #       01-20 -> 02-17 = 28 days, event.
    #   A2: 02-10 -> last reading 03-10 (9, still responding) = 28 days, censored.
    #   A5: 03-16 -> 06-15 = 91 days, censored.
    #   KM: t=28 n=4 d=1 c=1 S=3/4; t=38 n=2 d=1 S=3/8; t=91 n=1 c=1. Median 38.
    phq9 = {
        "instrument": "phq9", "with_baseline": 5, "evaluable": 5,
        "responders": wilson(4, 5), "remitters": wilson(1, 5),
        "change": summary([-12, -9, 0, -12, -4]),
        "change_pct": summary([-60, -50, 0, -12 / 22 * 100, -25]),
        "latest_status": {"response": 3, "no_response": 1, "relapse": 1},
        "response_by_infusion": {"cumulative": [0, 0, 0, 1, 1, 3, 3, 3, 3, 3, 3, 4],
                                 "by_6": wilson(3, 5), "at_7_to_9": wilson(0, 5),
                                 "at_10_to_12": wilson(1, 5), "after_a_booster": 0, "never": 1},
        "durability": km([(38, True), (28, True), (28, False), (91, False)]),
        "reduction_moderate": None, "reduction_substantial": None,
        "change_histogram": {"-12": 2, "-9": 1, "-4": 1, "0": 1},
    }
    # MADRS (A2 only): baseline 30 (01-12, the day of infusion 1); 02-03 14 = 53.3 % -> response
    #   after 10 infusions (01-12 ... 02-02); remission needs <= 10: 12 is not. Latest 12: change
    #   -18 (-60 %), response. Durability: 02-03 -> 02-10 = 7 days, censored.
    madrs = {
        "instrument": "madrs", "with_baseline": 1, "evaluable": 1,
        "responders": wilson(1, 1), "remitters": wilson(0, 1),
        "change": summary([-18]), "change_pct": summary([-60]),
        "latest_status": {"response": 1},
        "response_by_infusion": {"cumulative": [0] * 9 + [1, 1, 1], "by_6": wilson(0, 1),
                                 "at_7_to_9": wilson(0, 1), "at_10_to_12": wilson(1, 1),
                                 "after_a_booster": 0, "never": 0},
        "durability": km([(7, False)]),
    }
    # Boosters: A1 03-09 and 03-30 (21 days apart). Follow-up from the last induction infusion to
    #   course_end or as_of 2026-06-30: A1 01-16 -> 165, A2 02-06 -> 144, A3 02-06 -> 02-10 = 4,
    #   A5 03-13 -> 109, A6 01-16 -> 165; sum 587 days = 587 / 365.25 patient-years.
    dep_boosters = {"courses_followed": 5, "follow_up_days": 587.0,
                    "patient_years": 587 / 365.25, "boosters": 2,
                    "boosters_per_patient_year": 2 / (587 / 365.25),
                    "days_between_boosters": summary([21])}
    # Safety: sessions A1 8 (6 + 2 boosters), A2 12, A3 3, A5 6, A6 6 = 35.
    #   AEs: nausea mild, hypertension moderate (A1), emergence_reaction severe (A3) = 3
    #   -> 3 x 100 / 35 = 8.571 per 100; each kind 1 -> 2.857.
    #   BP alerts: A1 infusion 1 (1), A2 infusion 5 (2) = 3 -> 8.571 per 100; 2 of 35 sessions.
    #   CADSS: 20, 10 (A1), 30 (A3) -> median 20, q1 15, q3 25. Stopped early: A1 #3, A3 #2 = 2/35.
    per100 = lambda n, d: n * 100 / d
    dep_safety = {
        "infusions": 35, "adverse_events": 3, "adverse_events_per_100_infusions": per100(3, 35),
        "by_kind": {k: {"count": 1, "per_100_infusions": per100(1, 35)}
                    for k in ("nausea", "hypertension", "emergence_reaction")},
        "by_severity": {k: {"count": 1, "per_100_infusions": per100(1, 35)}
                        for k in ("mild", "moderate", "severe")},
        "by_kind_and_severity": {"nausea": {"mild": 1}, "hypertension": {"moderate": 1},
                                 "emergence_reaction": {"severe": 1}},
        "bp_alerts": 3, "bp_alerts_per_100_infusions": per100(3, 35),
        "infusions_with_bp_alert": wilson(2, 35), "cadss": summary([20, 10, 30]),
        "stopped_early": wilson(2, 35),
    }
    dep = {"indication": "depression", "protocol": "depression-induction-series", "courses": 6,
           "treated": wilson(5, 6), "completed_induction": wilson(4, 5),
           "instruments": [phq9, madrs], "boosters": dep_boosters,
           "mme": {"on_opioids": 0, "with_follow_up": 0, "change_mme_per_day": summary([])},
           "safety": dep_safety}

    # ---- chronic_pain / crps-outpatient-4h: courses B1-B3 ---------------------------------------
    # NRS baselines 8, 6, 7 (the day of infusion 1); latest B1 5 (-3, -37.5 %), B2 2 (-4,
    #   -66.7 %), B3 8 (+1, +14.3 %). Response (>= 30 %, Farrar 2001 / IMMPACT moderate): B1 04-20
    #   4 (50 %), B2 06-01 2 (66.7 %) -> 2/3, both after all 5 infusions. NRS has no remission rule
    #   -> 0/3. IMMPACT tiers of the latest reduction: >= 30 %: B1, B2 -> 2/3; >= 50 %: B2 -> 1/3.
    # Durability: B1 04-20 -> 05-18 = 28 censored (5 = 37.5 %: still responding); B2 06-01 -> 06-01
    #   = 0 censored (the response is the last reading). No events.
    nrs = {
        "instrument": "nrs", "with_baseline": 3, "evaluable": 3,
        "responders": wilson(2, 3), "remitters": wilson(0, 3),
        "change": summary([-3, -4, 1]), "change_pct": summary([-37.5, -4 / 6 * 100, 1 / 7 * 100]),
        "latest_status": {"response": 2, "no_response": 1},
        "response_by_infusion": {"cumulative": [0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2],
                                 "by_6": wilson(2, 3), "at_7_to_9": wilson(0, 3),
                                 "at_10_to_12": wilson(0, 3), "after_a_booster": 0, "never": 1},
        "durability": km([(28, False), (0, False)]),
        "reduction_moderate": wilson(2, 3), "reduction_substantial": wilson(1, 3),
        "change_histogram": {"-4": 1, "-3": 1, "1": 1},
    }
    # Follow-up: B1 04-10 -> 06-30 = 81, B2 04-17 -> 74, B3 04-24 -> 67; 222 days, no boosters.
    # MME: B1 60 -> 30 (-30), B2 45 -> 0 (-45, stopped); B3 baseline 0: not on opioids.
    # Safety: 15 sessions, 1 AE (headache, mild) -> 6.667 per 100.
    pain = {"indication": "chronic_pain", "protocol": "crps-outpatient-4h", "courses": 3,
            "treated": wilson(3, 3), "completed_induction": wilson(3, 3), "instruments": [nrs],
            "boosters": {"courses_followed": 3, "follow_up_days": 222.0,
                         "patient_years": 222 / 365.25, "boosters": 0,
                         "boosters_per_patient_year": 0.0,
                         "days_between_boosters": summary([])},
            "mme": {"on_opioids": 2, "with_follow_up": 2,
                    "baseline_mme_per_day": summary([60, 45]),
                    "latest_mme_per_day": summary([30, 0]),
                    "change_mme_per_day": summary([-30, -45]),
                    "reduced": 2, "unchanged": 0, "increased": 0, "stopped": 1},
            "safety": {"infusions": 15, "adverse_events": 1,
                       "adverse_events_per_100_infusions": per100(1, 15),
                       "by_kind": {"headache": {"count": 1, "per_100_infusions": per100(1, 15)}},
                       "bp_alerts": 0, "infusions_with_bp_alert": wilson(0, 15),
                       "cadss": summary([]), "stopped_early": wilson(0, 15)}}
    return {"as_of": "2026-06-30", "groups": [pain, dep]}


def main():
    for name, doc in (("statistics.expected.json", statistics_cases()),
                      ("cohort.expected.json", cohort_expected())):
        with open(os.path.join(HERE, name), "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
