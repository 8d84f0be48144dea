#!/usr/bin/env python3
"""The clinic server under load (docs/performance.md, "Clinic server under load").

Starts `kit serve --demo` on a fresh data folder (SQLite unless --database), measures start-up
(exec -> first 200 on /healthz, and -> the demo clinic seeded), prepares 20 chairs with a running
infusion each, then runs with wrk, each phase on the same server:

  peer     GET /healthz alone: the HTTP layer's ceiling on this machine;
  mix      chair-board refreshes and chart reads as fast as wrk sends them (mix.lua), with, at a
           clinic's pace, 16 chairs posting vitals every 2 s and now and then a questionnaire
           (chairs.lua) and 4 pumps changing rate every 5 s (GET + POST with If-Match; pump.lua);
  idle     the same mix while 1,000 other connections are held open (half idle keep-alive after
           one request, half slow clients dribbling a request header a byte at a time).

It prints one table: requests/s, p50/p99/max latency, errors, resident memory (VmRSS/VmHWM from
/proc), the load average of the machine at each figure, and the wrk command lines. After the run it
checks that every 2xx write of the mix is in the database and audited, and that `kit audit verify`
accepts the audit chain.

It also prints the server's CPU seconds per 1,000 requests of each phase (utime + stime of kit
serve from /proc/PID/stat before and after the phase): the figure to compare on a shared machine,
where throughput and p99 move with the other processes. --perf FILE records a `perf record`
profile of kit serve during the first mix phase.

Usage: bench/load/run.sh [--kit build/release/cli/kit] [--duration 15] [--connections 32]
                         [--perf FILE] [--serve-arg=--workers=32]
"""

import argparse
import json
import os
import re
import selectors
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "api"))

import kit_server  # noqa: E402  (tests/api: Client, login)
from test_infusion_gates import Staff, make_clinic, plan_body, ready_patient  # noqa: E402

HOST = "127.0.0.1"
PASSWORD = "bench-demo-password-5e1f"
CHAIRS = 20
PUMPS = 4


def uptime():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def proc_status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM", "Threads"):
                out[k] = v.strip()
    return out


def cpu_seconds(pid):
    """utime + stime of the process (all its threads) in seconds, from /proc/PID/stat."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def mb(kb_text):
    return int(kb_text.split()[0]) / 1024.0


def free_port():
    s = socket.socket()
    s.bind((HOST, 0))
    p = s.getsockname()[1]
    s.close()
    return p


def get_status(port, path="/healthz", timeout=1.0):
    s = socket.create_connection((HOST, port), timeout=timeout)
    try:
        s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path).encode())
        data = s.recv(64)
        m = re.match(rb"HTTP/1\.1 (\d+)", data)
        return int(m.group(1)) if m else 0
    finally:
        s.close()


class Server:
    def __init__(self, kit, data, port, database=None, extra=None):
        self.kit, self.data, self.port, self.database = kit, data, port, database
        self.extra = list(extra or [])
        self.proc = None
        self.log_path = os.path.join(os.path.dirname(data), "serve-%d.log" % port)

    def start(self):
        env = dict(os.environ, KIT_DEMO_PASSWORD=PASSWORD)
        env.pop("KIT_DEMO_SEED", None)  # the whole demo clinic
        argv = [self.kit, "serve", "--data", self.data, "--listen", "%s:%d" % (HOST, self.port),
                "--demo"]
        if self.database:
            argv += ["--database", self.database]
        argv += self.extra
        self.argv = argv
        log = open(self.log_path, "wb")
        t0 = time.monotonic()
        self.proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env)
        first_200 = None
        seeded = None
        deadline = t0 + 120
        while time.monotonic() < deadline and (first_200 is None or seeded is None):
            if self.proc.poll() is not None:
                raise SystemExit("kit serve exited:\n" + open(self.log_path).read()[-3000:])
            if first_200 is None:
                try:
                    if get_status(self.port) == 200:
                        first_200 = time.monotonic() - t0
                except OSError:
                    pass
            if seeded is None and "demo clinic seeded" in open(self.log_path).read():
                seeded = time.monotonic() - t0
            time.sleep(0.002)
        if first_200 is None or seeded is None:
            raise SystemExit("kit serve did not become ready:\n" + open(self.log_path).read()[-3000:])
        return first_200, seeded

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def prepare_chairs(port):
    """20 chairs, each with a patient whose infusion is running today (the pump-event sessions are
    the first PUMPS of them)."""
    kit_server.DEMO_PASSWORD = PASSWORD
    staff = Staff(kit_server.login(port, "admin", PASSWORD), kit_server.login(port, "frontdesk", PASSWORD),
                  kit_server.login(port, "nurse", PASSWORD), kit_server.login(port, "physician", PASSWORD))
    for c in (staff.admin, staff.desk, staff.nurse, staff.physician):
        c.check_schemas = False
    clinic = make_clinic(staff.admin)
    patients, sessions = [], []
    for i in range(CHAIRS):
        ready = ready_patient(staff, clinic, given="Bench%d" % i)
        r = staff.nurse.post(ready.sessions_path, plan_body(ready))
        assert r.status == 201, r
        sid = r.json["id"]
        path = "/api/v1/sessions/%d" % sid
        r = staff.nurse.post_if_match(path + "/events", {"kind": "start"}, staff.nurse.current_etag(path))
        assert r.status == 201, r
        patients.append(ready.pid)
        sessions.append(sid)
    return staff.nurse.token, patients, sessions


def parse_wrk(text):
    out = []
    for line in text.splitlines():
        if line.startswith("KITBENCH "):
            out.append(json.loads(line[len("KITBENCH "):]))
    return out


def wrk(args, env):
    return subprocess.Popen(["wrk"] + args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                            text=True)


class IdleClients:
    """Holds `n` connections open: half idle keep-alive (one request answered, then silence), half
    slow (a request header sent one byte every second). A connection the server closes (its
    header or idle timeout) is opened again, so `n` stay open throughout."""

    def __init__(self, port, n):
        self.port, self.n = port, n
        self.stop_flag = threading.Event()
        self.opened = 0
        self.thread = threading.Thread(target=self.run, daemon=True)

    def open_one(self, slow):
        s = socket.create_connection((HOST, self.port), timeout=5)
        if not slow:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            s.recv(4096)
        s.setblocking(False)
        self.opened += 1
        return s

    def run(self):
        sel = selectors.DefaultSelector()
        dribble = b"GET /healthz HTTP/1.1\r\nX-Slow: " + b"a" * 4000
        conns = {}
        for i in range(self.n):
            slow = i % 2 == 1
            s = self.open_one(slow)
            conns[s] = [slow, 0]
            sel.register(s, selectors.EVENT_READ)
        self.ready = True
        last_drip = time.monotonic()
        while not self.stop_flag.is_set():
            for key, _ in sel.select(timeout=0.2):
                s = key.fileobj
                try:
                    data = s.recv(4096)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    data = b""
                if not data:  # closed by the server: open another
                    slow = conns.pop(s)[0]
                    sel.unregister(s)
                    s.close()
                    n = self.open_one(slow)
                    conns[n] = [slow, 0]
                    sel.register(n, selectors.EVENT_READ)
            if time.monotonic() - last_drip >= 1.0:
                last_drip = time.monotonic()
                for s, st in list(conns.items()):
                    if st[0] and st[1] < len(dribble):
                        try:
                            s.send(dribble[st[1]:st[1] + 1])
                            st[1] += 1
                        except OSError:
                            pass
        for s in conns:
            s.close()

    def __enter__(self):
        self.ready = False
        self.thread.start()
        while not self.ready:
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.stop_flag.set()
        self.thread.join(10)


def run_mix(port, env, duration, connections, label):
    base = "http://%s:%d" % (HOST, port)
    mix_args = ["-t2", "-c%d" % connections, "-d%ds" % duration, "--timeout", "5s", "--latency",
                "-s", os.path.join(HERE, "mix.lua"), base]
    pump_args = ["-t%d" % PUMPS, "-c%d" % PUMPS, "-d%ds" % duration, "--timeout", "5s",
                 "-s", os.path.join(HERE, "pump.lua"), base]
    chair_args = ["-t1", "-c%d" % (CHAIRS - PUMPS), "-d%ds" % duration, "--timeout", "5s",
                  "-s", os.path.join(HERE, "chairs.lua"), base]
    a = wrk(mix_args, env)
    b = wrk(pump_args, env)
    c = wrk(chair_args, env)
    out_a, _ = a.communicate()
    out_b, _ = b.communicate()
    out_c, _ = c.communicate()
    res = parse_wrk(out_a) + parse_wrk(out_b) + parse_wrk(out_c)
    if len(res) != 3:
        raise SystemExit("wrk failed:\n" + out_a + out_b + out_c)
    for r in res:
        r["label"] = label + "/" + r["label"]
    cmd = ("wrk " + " ".join(mix_args) + "  &  wrk " + " ".join(pump_args) + "  &  wrk " +
           " ".join(chair_args))
    return res, cmd


def audit_counts(db_path):
    con = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True)
    try:
        return {
            "audit_rows": con.execute("SELECT count(*) FROM audit_log").fetchone()[0],
            "vitals": con.execute("SELECT count(*) FROM session_vitals").fetchone()[0]
            if con.execute("SELECT count(*) FROM sqlite_master WHERE name='session_vitals'").fetchone()[0]
            else None,
        }
    finally:
        con.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kit", default=os.path.join(ROOT, "build", "release", "cli", "kit"))
    ap.add_argument("--duration", type=int, default=15, help="seconds per wrk phase")
    ap.add_argument("--connections", type=int, default=32, help="wrk connections of the mix")
    ap.add_argument("--idle", type=int, default=1000, help="connections held open in the idle phase")
    ap.add_argument("--database", default=None, help="postgresql://... (default: SQLite)")
    ap.add_argument("--keep", action="store_true", help="keep the data folder")
    ap.add_argument("--perf", metavar="FILE", default=None,
                    help="record a CPU profile of kit serve during the first mix phase with "
                         "`perf record` into FILE (then: perf report -i FILE --no-children)")
    ap.add_argument("--perf-callgraph", default="dwarf,16384",
                    help="perf record --call-graph mode with --perf (default dwarf,16384; 'none' for a flat profile)")
    ap.add_argument("--serve-arg", action="append", default=[],
                    help="an extra argument for kit serve (repeatable), e.g. --serve-arg=--workers=32")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (bench/load/run.sh installs it: apt-get install wrk)")
    kit = os.path.abspath(args.kit)
    tmp = tempfile.mkdtemp(prefix="kit-load-")
    data = os.path.join(tmp, "data")
    port = free_port()
    server = Server(kit, data, port, args.database, args.serve_arg)
    rows = []
    notes = []
    try:
        load_start = uptime()
        first_200, seeded = server.start()
        rows.append(("start-up: exec -> first 200 on /healthz", "%.0f ms" % (first_200 * 1000), load_start))
        rows.append(("start-up: exec -> demo clinic seeded", "%.0f ms" % (seeded * 1000), load_start))
        rss0 = proc_status(server.proc.pid)
        rows.append(("RSS after start-up (VmRSS / VmHWM)", "%.1f / %.1f MB" % (mb(rss0["VmRSS"]), mb(rss0["VmHWM"])), uptime()))

        token, patients, sessions = prepare_chairs(port)
        env = dict(os.environ, KIT_BENCH_TOKEN=token, KIT_BENCH_DIR=HERE,
                   KIT_BENCH_DATE=time.strftime("%Y-%m-%d", time.gmtime()),
                   KIT_BENCH_PATIENTS=",".join(map(str, patients)),
                   KIT_BENCH_SESSIONS=",".join(map(str, sessions[PUMPS:])),
                   KIT_BENCH_PUMP_SESSIONS=",".join(map(str, sessions[:PUMPS])))
        base = "http://%s:%d" % (HOST, port)
        db_path = os.path.join(data, "kit.db")
        before = audit_counts(db_path) if not args.database else None

        results = []
        cpu = {}  # phase -> (server CPU seconds, requests answered)
        # peer: the HTTP layer alone
        la = uptime()
        peer_args = ["-t2", "-c%d" % args.connections, "-d%ds" % args.duration, "--timeout", "5s",
                     "--latency", "-s", os.path.join(HERE, "healthz.lua"), base + "/healthz"]
        cpu0 = cpu_seconds(server.proc.pid)
        out = subprocess.run(["wrk"] + peer_args, capture_output=True, text=True, env=env).stdout
        peer = parse_wrk(out)
        cpu["healthz"] = (cpu_seconds(server.proc.pid) - cpu0, sum(r["requests"] for r in peer))
        for r in peer:
            r["load"] = la
            r["cmd"] = "wrk " + " ".join(peer_args)
        results += peer

        la = uptime()
        cpu0 = cpu_seconds(server.proc.pid)
        perf = None
        if args.perf:
            perf_argv = ["perf", "record", "-F", "499", "-p", str(server.proc.pid), "-o", args.perf]
            if args.perf_callgraph != "none":
                perf_argv += ["--call-graph", args.perf_callgraph]
            perf = subprocess.Popen(perf_argv + ["--", "sleep", str(args.duration)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            notes.append("profile: " + " ".join(perf_argv) + " -- sleep %d" % args.duration)
        mix, cmd = run_mix(port, env, args.duration, args.connections, "mix")
        if perf:
            perf.wait()
        cpu["mix"] = (cpu_seconds(server.proc.pid) - cpu0, sum(r["requests"] for r in mix))
        for r in mix:
            r["load"] = la
            r["cmd"] = cmd
        results += mix
        rss1 = proc_status(server.proc.pid)

        with IdleClients(port, args.idle) as idle:
            time.sleep(1.0)
            la = uptime()
            cpu0 = cpu_seconds(server.proc.pid)
            mixi, cmd = run_mix(port, env, args.duration, args.connections, "mix+%d idle" % args.idle)
            cpu["mix+idle"] = (cpu_seconds(server.proc.pid) - cpu0, sum(r["requests"] for r in mixi))
            rss2 = proc_status(server.proc.pid)
            for r in mixi:
                r["load"] = la
                r["cmd"] = cmd + "  (+ %d held connections, bench/load/load.py IdleClients)" % args.idle
            results += mixi
            notes.append("idle/slow connections opened in the idle phase: %d (re-opened when the "
                         "server closed them)" % idle.opened)
        # The mix again without them: rows written meanwhile make reads slower as a run goes on, so
        # the idle phase is compared with the mean of the runs before and after it.
        la = uptime()
        cpu0 = cpu_seconds(server.proc.pid)
        mix2, cmd = run_mix(port, env, args.duration, args.connections, "mix again")
        cpu["mix again"] = (cpu_seconds(server.proc.pid) - cpu0, sum(r["requests"] for r in mix2))
        for r in mix2:
            r["load"] = la
            r["cmd"] = cmd
        results += mix2

        # Durability and audit: every answered request of the mix is in the audit log.
        after = audit_counts(db_path) if not args.database else None
        server.stop()
        verify = subprocess.run([kit, "audit", "verify", "--data", data] +
                                (["--database", args.database] if args.database else []),
                                capture_output=True, text=True)
        ok_requests = sum(r["requests"] - r["err_status"] - r["err_connect"] - r["err_read"] - r["err_write"]
                          - r["err_timeout"] for r in results if not r["label"].startswith("healthz"))

        # The table
        print()
        print("KIT clinic server under load: %s, %s, %d vCPU, %s" % (
            time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), os.uname().release, os.cpu_count(),
            "SQLite" if not args.database else "PostgreSQL"))
        print("kit: %s" % kit)
        print()
        print("| phase | req/s | p50 ms | p99 ms | max ms | errors | load avg (1/5/15) |")
        print("|---|---:|---:|---:|---:|---:|---|")
        for r in results:
            errs = r["err_connect"] + r["err_read"] + r["err_write"] + r["err_status"] + r["err_timeout"]
            print("| %s | %.0f | %.2f | %.2f | %.1f | %d | %s |" % (r["label"], r["rps"], r["p50_ms"], r["p99_ms"],
                                                                r["max_ms"], errs, r["load"]))
        mix_total = sum(r["rps"] for r in results if r["label"].startswith("mix/"))
        idle_total = sum(r["rps"] for r in results if r["label"].startswith("mix+"))
        again_total = sum(r["rps"] for r in results if r["label"].startswith("mix again/"))
        p99 = {k: max(r["p99_ms"] for r in results if r["label"].startswith(k))
               for k in ("mix/", "mix+", "mix again/")}
        print()
        print("| figure | value | load avg |")
        print("|---|---|---|")
        for name, value, la in rows:
            print("| %s | %s | %s |" % (name, value, la))
        print("| mix total req/s (all three streams) | %.0f | |" % mix_total)
        print("| mix total req/s with idle connections | %.0f | |" % idle_total)
        print("| mix total req/s again, without them | %.0f | |" % again_total)
        print("| worst p99 of the mix: before / with idle / after | %.1f / %.1f / %.1f ms (idle moves it by %+.1f ms) | |" % (
            p99["mix/"], p99["mix+"], p99["mix again/"], p99["mix+"] - (p99["mix/"] + p99["mix again/"]) / 2))
        print("| RSS after the mix (VmRSS / VmHWM) | %.1f / %.1f MB | |" % (mb(rss1["VmRSS"]), mb(rss1["VmHWM"])))
        print("| RSS with the idle connections (VmRSS / VmHWM, threads) | %.1f / %.1f MB, %s | |" % (
            mb(rss2["VmRSS"]), mb(rss2["VmHWM"]), rss2["Threads"]))
        if before and after:
            print("| audit rows written during the runs | %d (2xx API requests answered: %d) | |" % (
                after["audit_rows"] - before["audit_rows"], ok_requests))
        for phase, (secs, n) in cpu.items():
            print("| server CPU per 1,000 requests, %s (utime+stime, /proc/PID/stat) | %.3f s (%.2f s for %d requests) | |" % (
                phase, secs * 1000.0 / max(n, 1), secs, n))
        print("| kit audit verify | %s | |" % ("ok" if verify.returncode == 0 else
                                                "FAILED: " + (verify.stdout + verify.stderr)[-300:]))
        print()
        print("Commands:")
        print("  server: %s  (KIT_DEMO_PASSWORD in the environment, fresh data folder)" % " ".join(server.argv))
        seen = set()
        for r in results:
            if r["cmd"] not in seen:
                seen.add(r["cmd"])
                print("  " + r["cmd"])
        for n in notes:
            print("  note: " + n)
        if verify.returncode != 0:
            return 1
        return 0
    finally:
        server.stop()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("data kept in", tmp)


if __name__ == "__main__":
    sys.exit(main())
