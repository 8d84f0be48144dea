#!/usr/bin/env python3
"""Writes the seeds of the audit_anchor fuzz target: anchor files whose lines are signed with the
target's fixed key (bytes 0..31), as server/api/audit_anchor.cpp signs them (crypto_auth =
HMAC-SHA-512 truncated to 32 bytes, over the ASCII JSON array of the fields). Run from the root."""
import hashlib, hmac, json, pathlib

KEY = bytes(range(32))


def iso(ms):
    import datetime
    t = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


def line(kind, seq, h, at_ms, by, reason, replaced_seq=None, replaced_hash="", note=""):
    signed = json.dumps(["kit-audit-anchor", 1, kind, seq, h, at_ms, by, reason, replaced_seq,
                         replaced_hash, note], separators=(",", ":"))
    mac = hmac.new(KEY, signed.encode(), hashlib.sha512).digest()[:32].hex()
    j = {"v": 1, "kind": kind, "seq": seq, "hash": h, "at_ms": at_ms, "at": iso(at_ms), "by": by,
         "reason": reason}
    if kind == "restore":
        j.update({"replaced_seq": replaced_seq, "replaced_hash": replaced_hash, "note": note})
    j["mac"] = mac
    return json.dumps(j, separators=(",", ":")) + "\n"


def main():
    out = pathlib.Path("fuzz/corpus/audit_anchor")
    out.mkdir(parents=True, exist_ok=True)
    h1, h2 = hashlib.sha256(b"row 1").hexdigest(), hashlib.sha256(b"row 40").hexdigest()
    start = line("head", 1, h1, 1795600800000, "kit serve pid 12 on clinic-1", "start")
    rows = line("head", 40, h2, 1795600860000, "kit serve pid 12 on clinic-1", "rows")
    restore = line("restore", 0, "", 1795600900000, "kit restore", "restore", 40, h2,
                   "from /backups/kit-2026-11-24.db")
    files = {"start": start, "start-rows": start + rows, "restore": start + rows + restore + start,
             "bad-mac": start.replace(h1, h2), "key-file": KEY.hex() + "\n", "empty-line": start + "\n"}
    for name, text in files.items():
        (out / name).write_text(text)
    print(len(files), "seeds in", out)


if __name__ == "__main__":
    main()
