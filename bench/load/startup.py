#!/usr/bin/env python3
"""Start-up of `kit serve --demo` alone, N times, each on a fresh data folder: exec -> first 200
on /healthz and exec -> "demo clinic seeded" in the log (bench/load/load.py's Server.start).

    python3 bench/load/startup.py [--kit build/release/cli/kit] [--runs 3]
"""
import argparse
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import load  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kit", default=os.path.join(load.ROOT, "build", "release", "cli", "kit"))
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    for _ in range(args.runs):
        d = tempfile.mkdtemp(prefix="kit-startup-")
        server = load.Server(args.kit, os.path.join(d, "data"), load.free_port())
        os.makedirs(server.data)
        try:
            first_200, seeded = server.start()
            print("exec -> first 200: %.0f ms, exec -> demo seeded: %.0f ms, load %s"
                  % (first_200 * 1000, seeded * 1000, load.uptime()))
        finally:
            server.stop()
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
