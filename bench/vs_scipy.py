#!/usr/bin/python3
"""KIT's population engine against scipy's solve_ivp on the same workload, in the same run.

Workload (docs/performance.md; bench/workload.h): Domino 1982, 70 kg typical values with 30% CV
log-normal variability on CL, V1, Q2, V2, Q3, V3; six infusions of 0.5 mg/kg over 40 min on days
0, 2, 4, 7, 9 and 11; plasma concentration on a 1-minute grid for 14 days (20,161 samples);
per-patient Cmax (over the grid) and AUC (0 to 14 days).

1. kit_population_bench --n <scipy patients> --per-patient FILE gives the patients' parameters
   (patient i depends only on (seed, i), so these are also the first patients of the large runs)
   and KIT's Cmax and AUC for them.
2. scipy: solve_ivp, LSODA with the analytic Jacobian, rtol 1e-6, atol 1e-9, one patient at a
   time, restarted at every infusion start and stop, t_eval on the 1-minute grid. Cmax = max over
   the grid; AUC = an extra state dAUC/dt = Cp, so both sides compute the exact integral (KIT
   integrates its exponentials in closed form). Timed per patient.
3. KIT: kit_population_bench at N = 10,000 and 1,000,000 (fastest of a few runs at 10,000).

Prints the per-patient times, the ratio scipy/KIT and the largest relative differences in Cmax
and AUC over the common patients. Exits 1 if either difference exceeds 1e-5 (see CHECK_LEVEL).

Usage: bench/vs_scipy.py [--build-dir build/release] [--scipy-patients 200] [--quick]
       [--seed 1] [--threads 0] [--json FILE]
Needs Python 3, numpy and scipy (Debian: apt-get install python3-scipy; run it with /usr/bin/python3
or as bench/vs_scipy.py, whose first line names it).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    import numpy as np
    import scipy
    from scipy.integrate import solve_ivp
except ImportError as e:  # e.g. a pyenv/venv python3 first on PATH without the Debian packages
    sys.exit(f"error: {e}; run with Debian's /usr/bin/python3 (apt-get install python3-scipy)")

# The workload (keep in step with bench/workload.h).
WEIGHT_KG = 70.0
DOSE_MG_PER_KG = 0.5
INFUSION_MIN = 40.0
DAYS = (0, 2, 4, 7, 9, 11)
END_MIN = 14 * 1440.0  # 20,161 samples on the 1-minute grid
RTOL, ATOL = 1e-6, 1e-9

# LSODA at rtol 1e-6 controls each step's local error to about 1e-6 relative; over the ~10^2-10^3
# steps of a 14-day course the global error of Cmax and AUC lands at a few 1e-7 .. 1e-6 (measured
# here: see docs/performance.md). KIT is exact to rounding (1e-13 or better against its own exact
# solver), so the difference measures scipy's error. 1e-5 is ten times the tolerance: loose enough
# never to fail on LSODA's own error, tight enough that any modelling difference (a unit, a rate
# constant, a dose, the grid, an AUC convention) shows up by orders of magnitude.
CHECK_LEVEL = 1e-5


def infusion_rate_mg_per_min() -> float:
    return DOSE_MG_PER_KG * WEIGHT_KG / INFUSION_MIN


def segments() -> list[tuple[float, float, float]]:
    """(t0, t1, rate) pieces with constant input; boundaries at every infusion start and stop."""
    edges = sorted({0.0, END_MIN} | {d * 1440.0 for d in DAYS} | {d * 1440.0 + INFUSION_MIN for d in DAYS})
    out = []
    for t0, t1 in zip(edges[:-1], edges[1:]):
        on = any(d * 1440.0 <= t0 < d * 1440.0 + INFUSION_MIN for d in DAYS)
        out.append((t0, t1, infusion_rate_mg_per_min() if on else 0.0))
    return out


def scipy_patient(p: dict, segs, grid: np.ndarray) -> tuple[float, float]:
    """Cmax over the grid and AUC 0..END for one patient (amounts in mg, L, L/min)."""
    cl, v1, q2, v2, q3, v3 = (p[k] for k in ("CL", "V1", "Q2", "V2", "Q3", "V3"))
    k10, k12, k21, k13, k31 = cl / v1, q2 / v1, q2 / v2, q3 / v1, q3 / v3
    # State: A1, A2, A3 (mg), AUC (mg*min/L). Linear: dy/dt = J y + [R, 0, 0, 0].
    jac = np.array([[-(k10 + k12 + k13), k21, k31, 0.0],
                    [k12, -k21, 0.0, 0.0],
                    [k13, 0.0, -k31, 0.0],
                    [1.0 / v1, 0.0, 0.0, 0.0]])

    y = np.zeros(4)
    cmax = 0.0
    for t0, t1, rate in segs:
        inp = np.array([rate, 0.0, 0.0, 0.0])

        def rhs(_t, s, jac=jac, inp=inp):
            return jac @ s + inp

        # The grid points of this piece; each boundary belongs to both neighbours (the value is
        # continuous), so sampling it twice does not change the maximum.
        lo, hi = int(np.ceil(t0)), int(np.floor(t1))
        sol = solve_ivp(rhs, (t0, t1), y, method="LSODA", jac=lambda _t, _s, jac=jac: jac,
                        rtol=RTOL, atol=ATOL, t_eval=grid[lo:hi + 1])
        if sol.status != 0:
            raise RuntimeError(f"solve_ivp failed on [{t0}, {t1}]: {sol.message}")
        if sol.y.shape[1]:
            cmax = max(cmax, float(np.max(sol.y[0] / v1)))
        # Restart from the state at t1 (every boundary of this workload is a grid point, so t1
        # is the last t_eval point).
        if not (sol.t.size and sol.t[-1] == t1):
            raise RuntimeError(f"segment end {t1} is not on the grid")
        y = sol.y[:, -1].copy()
    return cmax, float(y[3])


def run_kit(binary: Path, n: int, seed: int, threads: int, repeat: int, per_patient: Path | None = None) -> dict:
    cmd = [str(binary), "--n", str(n), "--seed", str(seed), "--threads", str(threads), "--repeat", str(repeat)]
    if per_patient is not None:
        cmd += ["--per-patient", str(per_patient)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", default="build/release", help="CMake build directory with bench/kit_population_bench")
    ap.add_argument("--scipy-patients", type=int, default=200)
    ap.add_argument("--quick", action="store_true",
                    help="CI smoke run: 20 scipy patients, KIT at N = 1,000 and 10,000")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=0, help="KIT threads (0: all)")
    ap.add_argument("--json", help="also write the results here")
    a = ap.parse_args()

    binary = Path(a.build_dir) / "bench" / "kit_population_bench"
    if not binary.exists():
        print(f"error: {binary} not found (build the kit_population_bench target)", file=sys.stderr)
        return 2
    n_scipy = 20 if a.quick and a.scipy_patients == 200 else a.scipy_patients
    kit_ns = (1_000, 10_000) if a.quick else (10_000, 1_000_000)

    load = os.getloadavg()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
          f"{'  (busy: timings may be inflated)' if load[0] > 0.5 else ''}")
    print(f"python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}")

    # 1. The common patients, from KIT.
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "patients.csv"
        run_kit(binary, n_scipy, a.seed, a.threads, 1, csv_path)
        with open(csv_path, newline="") as f:
            rows = [{k: (int(v) if k == "index" else float(v)) for k, v in r.items()} for r in csv.DictReader(f)]
    assert len(rows) == n_scipy

    # 2. scipy, one patient at a time.
    grid = np.arange(0.0, END_MIN + 0.5, 1.0)
    assert grid.size == 20161
    segs = segments()
    scipy_cmax, scipy_auc = np.empty(n_scipy), np.empty(n_scipy)
    t0 = time.perf_counter()
    for i, row in enumerate(rows):
        scipy_cmax[i], scipy_auc[i] = scipy_patient(row, segs, grid)
    scipy_s = (time.perf_counter() - t0) / n_scipy

    kit_cmax = np.array([r["cmax_mg_per_l"] for r in rows])
    kit_auc = np.array([r["auc_mg_min_per_l"] for r in rows])
    rel_cmax = np.abs(kit_cmax - scipy_cmax) / np.abs(scipy_cmax)
    rel_auc = np.abs(kit_auc - scipy_auc) / np.abs(scipy_auc)

    # 3. KIT at scale (same binary, same seed: its first n_scipy patients are the ones above).
    kit_runs = []
    for n in kit_ns:
        kit_runs.append(run_kit(binary, n, a.seed, a.threads, 3 if n <= 100_000 else 1))

    print()
    print(f"workload: Domino 1982, {WEIGHT_KG:g} kg, 30% CV on CL V1 Q2 V2 Q3 V3, 6 x {DOSE_MG_PER_KG:g} mg/kg over "
          f"{INFUSION_MIN:g} min (days {', '.join(map(str, DAYS))}), 1-min grid for 14 days ({grid.size} samples)")
    print(f"scipy solve_ivp LSODA (analytic Jacobian, rtol {RTOL:g}, atol {ATOL:g}, {len(segs)} pieces: "
          f"restarted at every infusion start and stop), {n_scipy} patients one at a time:")
    print(f"  {scipy_s * 1e3:10.3f} ms per patient")
    for r in kit_runs:
        us = r["us_per_patient"]
        print(f"KIT run_population N = {r['n']:>9,}: {r['seconds']:8.3f} s total, {us:8.3f} us per patient "
              f"({r['threads']} threads, curves {r['curve_method']}); scipy/KIT = {scipy_s / (us * 1e-6):,.0f}x")
    print(f"agreement over the {n_scipy} common patients (KIT exact vs LSODA rtol {RTOL:g}):")
    print(f"  max relative difference Cmax {rel_cmax.max():.3e} (patient {int(rel_cmax.argmax())}), "
          f"AUC {rel_auc.max():.3e} (patient {int(rel_auc.argmax())}); median Cmax {np.median(rel_cmax):.1e}, "
          f"AUC {np.median(rel_auc):.1e}")
    ok = rel_cmax.max() <= CHECK_LEVEL and rel_auc.max() <= CHECK_LEVEL
    print(f"  check (<= {CHECK_LEVEL:g}): {'PASS' if ok else 'FAIL'}")

    if a.json:
        with open(a.json, "w") as f:
            json.dump({
                "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
                "load_average": load,
                "scipy_patients": n_scipy,
                "scipy_ms_per_patient": scipy_s * 1e3,
                "kit": kit_runs,
                "ratio": {str(r["n"]): scipy_s / (r["us_per_patient"] * 1e-6) for r in kit_runs},
                "max_rel_diff_cmax": float(rel_cmax.max()),
                "max_rel_diff_auc": float(rel_auc.max()),
                "check_level": CHECK_LEVEL,
                "pass": bool(ok),
            }, f, indent=2)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
