#!/usr/bin/env python3
"""Compares two FHIR Bundles written by `kit export fhir` field by field, ids aside.

Resource ids and references are the clinic's record ids, which an import remaps; each id is
replaced by its resource's ordinal among the resources of its type (Bundle order), references
likewise, then every element is compared by its path. The Bundle's timestamp differs by design.
Prints each difference; exits 1 if any. Usage: compare_bundles.py A.json B.json
Used by tests/api/test_fhir.py (the round trip) and by hand.
"""
import json
import sys


def normalise(bundle):
    ordinal = {}
    counts = {}
    for e in bundle.get("entry", []):
        r = e["resource"]
        t = r["resourceType"]
        counts[t] = counts.get(t, 0) + 1
        ordinal["%s/%s" % (t, r["id"])] = "%s#%d" % (t, counts[t])

    def walk(v, key=None):
        if isinstance(v, dict):
            out = {}
            for k, x in v.items():
                if k == "reference" and isinstance(x, str) and x in ordinal:
                    out[k] = ordinal[x]
                else:
                    out[k] = walk(x, k)
            return out
        if isinstance(v, list):
            return [walk(x) for x in v]
        return v

    resources = []
    for e in bundle.get("entry", []):
        r = walk(e["resource"])
        r["id"] = ordinal["%s/%s" % (e["resource"]["resourceType"], e["resource"]["id"])]
        # Pump events name their own id and what they amend: session-local ordinals.
        for x in r.get("extension", []):
            if x.get("url", "").endswith("/pump-event"):
                for p in x.get("extension", []):
                    if p.get("url") in ("id", "amends"):
                        p["valueString"] = "(event id)"
        resources.append(r)
    return resources


def diff(a, b, path, out):
    if type(a) is not type(b):
        out.append("%s: %r != %r" % (path, a, b))
    elif isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append("%s.%s: only in %s" % (path, k, "first" if k in a else "second"))
            else:
                diff(a[k], b[k], "%s.%s" % (path, k), out)
    elif isinstance(a, list):
        if len(a) != len(b):
            out.append("%s: %d items != %d items" % (path, len(a), len(b)))
        for i, (x, y) in enumerate(zip(a, b)):
            diff(x, y, "%s[%d]" % (path, i), out)
    elif a != b:
        out.append("%s: %r != %r" % (path, a, b))


def compare(a, b):
    ra, rb = normalise(a), normalise(b)
    out = []
    if len(ra) != len(rb):
        out.append("Bundle.entry: %d resources != %d" % (len(ra), len(rb)))
    for x, y in zip(ra, rb):
        diff(x, y, x.get("id", "?"), out)
    return out, sum(count_fields(r) for r in ra)


def count_fields(v):
    if isinstance(v, dict):
        return sum(count_fields(x) for x in v.values())
    if isinstance(v, list):
        return sum(count_fields(x) for x in v)
    return 1


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        first = json.load(f)
    with open(sys.argv[2]) as f:
        second = json.load(f)
    problems, fields = compare(first, second)
    for p in problems[:200]:
        print(p)
    print("%d fields compared, %d difference(s)" % (fields, len(problems)))
    sys.exit(1 if problems else 0)
