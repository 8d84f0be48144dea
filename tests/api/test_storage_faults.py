"""A full disk and a data folder that turns read-only under a running `kit serve` (SQLite; ADR 0018,
docs/reliability.md "Disk full and read-only data folder").

Full disk (a size-limited tmpfs the test mounts, filled with a file until ENOSPC):
  - a write is refused with 503, kind `unavailable`, code `storage_full` and a message; nothing of
    it is stored (a retry with the same Idempotency-Key after space returns is done once);
  - reads keep working and are audited: the server releases its reserve file
    (`<data>/storage-reserve`, `storage_reserve_mb`) so the audit rows of reads have room, and
    refuses every write until space returns;
  - a write acknowledged before the disk filled, retried with its key, is replayed;
  - once space is freed the server accepts writes again without a restart;
  - the anchor file never holds a torn line (an append that did not fit is cut back), so after a
    clean stop `kit audit verify` (chain and anchors) and PRAGMA integrity_check are ok.

Read-only (an ext4 image on a loop device mounted errors=remount-ro; the kernel is told of an
error through /sys/fs/ext4/<dev>/trigger_fs_error and remounts it read-only, as it would after a
disk fault):
  - writes and reads are refused with 503 `storage_read_only` (a read cannot write its audit row,
    and the clinic never shows patient data unaudited); GET /healthz still answers;
  - ext4 keeps such a file system read-only until it is unmounted and checked: after stop, e2fsck,
    mount and start, every write acknowledged before is there, the refused write retried with its
    key is stored once, and integrity and the audit chain verify.

Mounting needs root (CAP_SYS_ADMIN) and, for read-only, a free loop device: without them the
classes are skipped, saying why. PostgreSQL keeps its data outside the data folder: SQLite only."""

import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
import unittest
import uuid

from kit_server import Client, KitServer, backend, kit_binary, unique

PATIENT = {"given_name": "Disk", "date_of_birth": "1981-02-03", "sex": "female",
           "indication": "depression"}
TMPFS_MB = 24
RESERVE_MB = 2
# Anchors often, so that some are attempted while the disk is full.
ENV = {"KIT_STORAGE_RESERVE_MB": str(RESERVE_MB), "KIT_AUDIT_ANCHOR_EVERY_ROWS": "3",
       "KIT_AUDIT_ANCHOR_EVERY_S": "1"}


def run(argv, timeout=60):
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout)


def integrity(db_file):
    conn = sqlite3.connect("file:%s?mode=ro" % db_file, uri=True, timeout=30)
    try:
        return "; ".join(str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall())
    finally:
        conn.close()


def fill(directory):
    """Writes a file until the file system is full; returns its path."""
    path = os.path.join(directory, "filler")
    block = b"\0" * (64 * 1024)
    with open(path, "wb", buffering=0) as f:
        try:
            while True:
                f.write(block)
        except OSError:
            pass
        try:
            while True:
                f.write(b"\0" * 512)
        except OSError:
            pass
    return path


class StorageCase(unittest.TestCase):
    mount_dir = None

    @classmethod
    def require_sqlite_root(cls):
        if backend() != "sqlite":
            raise unittest.SkipTest("storage faults: SQLite only (PostgreSQL keeps its data outside "
                                    "the data folder)")
        if os.geteuid() != 0:
            raise unittest.SkipTest("storage faults: mounting a size-limited file system needs root")

    reserve_mb = RESERVE_MB

    @classmethod
    def start_server(cls, data_dir):
        cls.saved_env = {k: os.environ.get(k) for k in ENV}
        os.environ.update(ENV)
        os.environ["KIT_STORAGE_RESERVE_MB"] = str(cls.reserve_mb)
        cls.server = KitServer(data_dir).start()
        cls.tokens = {u: cls.server.login(u).token for u in ("admin", "frontdesk", "physician")}

    @classmethod
    def restore_env(cls):
        for k, v in getattr(cls, "saved_env", {}).items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

    def c(self, user):
        return Client(self.server.port, token=self.tokens[user])

    def new_patient(self, family, key=None):
        return self.c("frontdesk").post("/api/v1/patients", dict(PATIENT, family_name=family),
                                        headers={"Idempotency-Key": key or str(uuid.uuid4())})

    def patients_named(self, family):
        r = self.c("frontdesk").get("/api/v1/patients", query={"q": family})
        self.assertEqual(r.status, 200, r)
        return [p for p in r.json["patients"] if p["family_name"] == family]

    def assertUnavailable(self, r, code, what):
        self.assertEqual(r.status, 503, "%s: %r\n%s" % (what, r, self.server.log_tail(15)))
        e = r.error()
        self.assertEqual(e.get("kind"), "unavailable", e)
        self.assertEqual(e.get("code"), code, "%s: %r\n%s" % (what, e, self.server.log_tail(8)))
        self.assertTrue(len(e.get("message", "")) > 20, e)
        return e

    def verify_after_clean_stop(self, data_dir):
        self.assertEqual(self.server.stop(), 0, "kit serve did not stop cleanly")
        self.assertEqual(integrity(os.path.join(data_dir, "kit.db")), "ok")
        p = run([kit_binary(), "audit", "verify", "--data", data_dir])
        self.assertEqual(p.returncode, 0, "kit audit verify: %s %s" % (p.stdout, p.stderr))
        with open(os.path.join(data_dir, "audit-anchor.log"), "rb") as f:
            for n, line in enumerate(f.read().split(b"\n"), 1):
                self.assertTrue(line == b"" or line.startswith(b"{"), "anchor line %d: %r" % (n, line))


class DiskFullBase(StorageCase):
    """A size-limited tmpfs as the data folder, and a server on it."""

    @classmethod
    def setUpClass(cls):
        cls.require_sqlite_root()
        cls.tmp = tempfile.mkdtemp(prefix="kit-diskfull-")
        cls.mount_dir = os.path.join(cls.tmp, "mnt")
        os.makedirs(cls.mount_dir)
        p = run(["mount", "-t", "tmpfs", "-o", "size=%dm,mode=0700" % TMPFS_MB, "tmpfs",
                 cls.mount_dir])
        if p.returncode != 0:
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise unittest.SkipTest("storage faults: cannot mount a tmpfs here (%s)" %
                                     p.stderr.strip())
        cls.data_dir = cls.mount_dir  # the server's log goes beside it, outside the mount
        try:
            cls.start_server(cls.data_dir)
        except BaseException:
            cls.cleanup()
            raise

    @classmethod
    def cleanup(cls):
        cls.restore_env()
        if getattr(cls, "server", None) is not None and cls.server.proc is not None:
            cls.server.stop()
        run(["umount", "-l", cls.mount_dir])
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def tearDownClass(cls):
        cls.cleanup()


class DiskFullTest(DiskFullBase):

    def test_full_disk_refuses_writes_keeps_audited_reads_and_recovers(self):
        k_before = str(uuid.uuid4())
        fam_before = unique("Kept")
        r = self.new_patient(fam_before, key=k_before)
        self.assertEqual(r.status, 201, r)
        kept_id = r.json["id"]
        had_reserve = os.path.exists(os.path.join(self.data_dir, "storage-reserve"))

        filler = fill(self.mount_dir)
        # Writes go on while SQLite's WAL still has room; then one is refused, and from then on all.
        acked, refused = [], None
        for i in range(400):
            fam = unique("Full")
            r = self.new_patient(fam)
            if r.status == 201:
                acked.append((r.json["id"], fam))
                continue
            refused = (r, fam)
            break
        self.assertIsNotNone(refused, "400 writes on a full disk were all accepted")
        self.assertUnavailable(refused[0], "storage_full", "write on a full disk")
        self.assertEqual(self.patients_named(refused[1]), [], "a refused write left a record")

        # The next write is refused at once, and stores nothing; remember its key for later.
        k_later, fam_later = str(uuid.uuid4()), unique("Later")
        self.assertUnavailable(self.new_patient(fam_later, key=k_later), "storage_full",
                               "second write")
        self.assertEqual(self.patients_named(fam_later), [])

        self.assertTrue(had_reserve, "no reserve file in the data folder")
        # Reads keep working, and each is audited (the access log shows the read made now).
        t0 = int(time.time() * 1000) - 5
        for pid, fam in acked[-3:] + [(kept_id, fam_before)]:
            g = self.c("physician").get("/api/v1/patients/%d" % pid)
            self.assertEqual(g.status, 200, "read on a full disk: %r\n%s" % (
                g, self.server.log_tail(15)))
            self.assertEqual(g.json["family_name"], fam)
        log = self.c("physician").get("/api/v1/patients/%d/access-log" % kept_id)
        self.assertEqual(log.status, 200, log)
        rows = log.json["items"] if isinstance(log.json, dict) else log.json
        self.assertTrue(any(r["action"] == "GET /api/v1/patients/{id}" for r in rows), rows[:5])

        # A write acknowledged before, retried with its key: its first answer, replayed.
        again = self.new_patient(fam_before, key=k_before)
        self.assertEqual(again.status, 201, again)
        self.assertEqual(again.header("Idempotent-Replayed"), "true")
        self.assertEqual(again.json["id"], kept_id)

        # Several seconds of anchors attempted on the full disk (every 1 s while rows are added).
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            self.assertEqual(self.c("admin").get("/api/v1/audit/verify").status, 200)
            time.sleep(0.3)

        # Space returns: writes are accepted again, without a restart.
        os.unlink(filler)
        deadline = time.monotonic() + 15
        while True:
            r = self.new_patient(fam_later, key=k_later)
            if r.status == 201 or time.monotonic() > deadline:
                break
            self.assertUnavailable(r, "storage_full", "write while space returns")
            time.sleep(0.5)
        self.assertEqual(r.status, 201, "no write accepted 15 s after space returned: %r" % r)
        self.assertIsNone(r.header("Idempotent-Replayed"), "the refused write was stored")
        self.assertEqual(len(self.patients_named(fam_later)), 1)
        for pid, fam in acked:
            g = self.c("frontdesk").get("/api/v1/patients/%d" % pid)
            self.assertEqual((g.status, g.json["family_name"]), (200, fam))
        self.assertTrue(os.path.exists(os.path.join(self.data_dir, "storage-reserve")),
                        "the reserve was not put back")
        v = self.c("admin").get("/api/v1/audit/verify")
        self.assertTrue(v.json.get("ok"), v.json)

        self.verify_after_clean_stop(self.data_dir)


class ReserveUsedUpTest(DiskFullBase):
    """How many audited reads a reserve holds, and what happens after: reads refused too
    (503 storage_full), and both back once space returns (the figure in docs/reliability.md)."""

    reserve_mb = 1

    def test_reads_until_the_reserve_is_used_up_then_both_return(self):
        fam = unique("Reserve")
        r = self.new_patient(fam)
        self.assertEqual(r.status, 201, r)
        pid = r.json["id"]
        filler = fill(self.mount_dir)
        for _ in range(400):
            r = self.new_patient(unique("Full"))
            if r.status != 201:
                break
        self.assertUnavailable(r, "storage_full", "write on a full disk")
        reads, last = 0, None
        t0 = time.monotonic()
        while reads < 20000:
            last = self.c("physician").get("/api/v1/patients/%d" % pid)
            if last.status != 200:
                break
            reads += 1
        self.assertGreater(reads, 0, "no read in the reserve")
        self.assertUnavailable(last, "storage_full", "read after %d reads" % reads)
        print("\nstorage faults: %d audited reads of one patient in a %d MiB reserve (%.1f s)" %
              (reads, self.reserve_mb, time.monotonic() - t0))
        os.unlink(filler)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            r = self.new_patient(unique("Back"))
            if r.status == 201:
                break
            time.sleep(0.5)
        self.assertEqual(r.status, 201, "writes did not come back: %r\n%s" % (r, self.server.log_tail(12)))
        self.assertEqual(self.c("physician").get("/api/v1/patients/%d" % pid).status, 200)
        self.verify_after_clean_stop(self.data_dir)


class ReadOnlyTest(StorageCase):

    @classmethod
    def setUpClass(cls):
        cls.require_sqlite_root()
        for tool in ("losetup", "mkfs.ext4", "e2fsck", "findmnt"):
            if shutil.which(tool) is None:
                raise unittest.SkipTest("storage faults: %s is not installed" % tool)
        cls.tmp = tempfile.mkdtemp(prefix="kit-readonly-")
        cls.image = os.path.join(cls.tmp, "fs.img")
        cls.mount_dir = os.path.join(cls.tmp, "mnt")
        os.makedirs(cls.mount_dir)
        with open(cls.image, "wb") as f:
            f.truncate(64 * 1024 * 1024)
        p = run(["mkfs.ext4", "-q", "-F", cls.image])
        if p.returncode != 0:
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise unittest.SkipTest("storage faults: mkfs.ext4 failed: %s" % p.stderr.strip())
        p = run(["mount", "-o", "loop,errors=remount-ro", cls.image, cls.mount_dir])
        if p.returncode != 0:
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise unittest.SkipTest("storage faults: cannot mount an ext4 image on a loop device "
                                    "(%s)" % p.stderr.strip())
        dev = run(["findmnt", "-n", "-o", "SOURCE", cls.mount_dir]).stdout.strip()
        cls.trigger = "/sys/fs/ext4/%s/trigger_fs_error" % os.path.basename(dev)
        if not os.path.exists(cls.trigger):
            cls.cleanup()
            raise unittest.SkipTest("storage faults: the kernel offers no %s" % cls.trigger)
        cls.data_dir = cls.mount_dir  # the server's log goes beside it, outside the mount
        try:
            cls.start_server(cls.data_dir)
        except BaseException:
            cls.cleanup()
            raise

    @classmethod
    def cleanup(cls):
        cls.restore_env()
        if getattr(cls, "server", None) is not None and cls.server.proc is not None:
            cls.server.stop()
        run(["umount", cls.mount_dir])
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def tearDownClass(cls):
        cls.cleanup()

    def test_read_only_file_system_refuses_reads_and_writes_and_loses_nothing(self):
        fam = unique("Ro")
        r = self.new_patient(fam)
        self.assertEqual(r.status, 201, r)
        pid = r.json["id"]

        with open(self.trigger, "w") as f:
            f.write("kit test: read-only data folder")
        opts = run(["findmnt", "-n", "-o", "OPTIONS", self.mount_dir]).stdout
        self.assertTrue({"ro", "emergency_ro"} & set(opts.strip().split(",")), "the file system did not turn read-only: %s" % opts)

        k, fam2 = str(uuid.uuid4()), unique("RoLater")
        self.assertUnavailable(self.new_patient(fam2, key=k), "storage_read_only", "write")
        self.assertUnavailable(self.c("physician").get("/api/v1/patients/%d" % pid),
                               "storage_read_only", "read (cannot be audited)")
        self.assertEqual(Client(self.server.port).get("/healthz").status, 200)

        # ext4 keeps a file system it turned read-only after an error so until it is unmounted
        # and checked (a remount,rw leaves it "emergency_ro"): the operator's path is stop, fsck,
        # mount, start. Nothing the server wrote before may be lost or broken by it.
        self.assertEqual(self.server.stop(), 0, "kit serve did not stop cleanly on a read-only "
                         "file system:\n%s" % self.server.log_tail(10))
        self.assertEqual(run(["umount", self.mount_dir]).returncode, 0)
        fsck = run(["e2fsck", "-f", "-y", self.image], timeout=120)
        self.assertIn(fsck.returncode, (0, 1), "e2fsck: %s %s" % (fsck.stdout, fsck.stderr))
        p = run(["mount", "-o", "loop,errors=remount-ro", self.image, self.mount_dir])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(integrity(os.path.join(self.data_dir, "kit.db")), "ok")
        self.server.start()
        r = self.new_patient(fam2, key=k)
        self.assertEqual(r.status, 201, "no write accepted after the file system was checked: "
                         "%r\n%s" % (r, self.server.log_tail(15)))
        self.assertIsNone(r.header("Idempotent-Replayed"), "the refused write was stored")
        self.assertEqual(len(self.patients_named(fam2)), 1)
        g = self.c("physician").get("/api/v1/patients/%d" % pid)
        self.assertEqual((g.status, g.json["family_name"]), (200, fam))
        self.verify_after_clean_stop(self.data_dir)


if __name__ == "__main__":
    unittest.main()
