#!/usr/bin/env python3
"""Writes seed inputs for the contract fuzz targets from the clinical cases (tests/cases/*.cases):
each case's request (template + RFC 7386 merge patch, as tests/cases/README.md describes), at most
`--max` per command, chosen to spread over the file. Run from the repository root:
    python3 fuzz/tools/seeds_from_cases.py [--max 24]"""
import argparse, hashlib, json, pathlib

TARGETS = {"dose": "contract_dose", "screen": "contract_screen", "score": "contract_score",
           "outcome": "contract_outcome", "vitals": "contract_vitals",
           "discharge": "contract_discharge", "mme": "contract_mme"}


def merge_patch(target, patch):
    if not isinstance(patch, dict):
        return patch
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


def requests(path):
    templates, lines = {}, path.read_text().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("template "):
            name, body, i = line.split()[1], [], i + 1
            while i < len(lines) and lines[i].strip() and not lines[i].startswith("#"):
                body.append(lines[i]); i += 1
            templates[name] = json.loads("\n".join(body))
            continue
        if line.startswith("case "):
            i += 1
            while i < len(lines) and lines[i].startswith("source:"):
                i += 1
            head = lines[i].split()
            command, template = head[0], head[1] if len(head) > 1 else None
            body, i = [], i + 1
            while i < len(lines) and lines[i] != "----":
                body.append(lines[i]); i += 1
            text = "\n".join(body).strip()
            if template:
                request = templates[template]
                if text:
                    request = merge_patch(request, json.loads(text))
                text = json.dumps(request)
            yield command, text
        i += 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--max", type=int, default=24)
    args = ap.parse_args()
    by_command = {}
    for f in sorted(pathlib.Path("tests/cases").glob("*.cases")):
        for command, text in requests(f):
            by_command.setdefault(command, []).append(text)
    for command, texts in sorted(by_command.items()):
        target = TARGETS.get(command)
        if not target:
            continue
        step = max(1, len(texts) // args.max)
        out = pathlib.Path("fuzz/corpus") / target
        out.mkdir(parents=True, exist_ok=True)
        for text in texts[::step][: args.max]:
            name = "case-" + hashlib.sha1(text.encode()).hexdigest()[:12]
            (out / name).write_text(text + "\n")
        print(target, len(list(out.iterdir())))


if __name__ == "__main__":
    main()
