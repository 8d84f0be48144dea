#!/usr/bin/env python3
"""Writes the seed corpus of the http_request fuzz target (fuzz/corpus/http_request/): raw HTTP/1.1
requests as a browser or the API tests send them, signed in as each demo account with the fixed
tokens the target gives them (fuzz/http_request.cpp: Bearer fuzz-token-<user>, or the cookie
kit_session=fuzz-token-<user> with X-CSRF-Token fuzz-csrf-<user>). Bodies follow the API tests
(tests/api). Patient ids 1-30 are the demo clinic's. Run from the repository root."""
import hashlib, json, pathlib

SCREENING = {"indication": "depression", "age_years": 41,
             "conditions": {"schizophrenia": False, "pregnant": False, "hepatic_impairment": "none"},
             "medications": {"benzodiazepine_lorazepam_eq_mg_per_day": 0}}

# (user or None, method, target, body or None, via cookie)
REQUESTS = [
    (None, "GET", "/api/v1/info", None, False),
    (None, "GET", "/api/v1/openapi.json", None, False),
    (None, "POST", "/api/v1/auth/login", {"username": "physician", "password": "fuzz-demo-password"}, False),
    (None, "POST", "/api/v1/auth/login", {"username": "nobody", "password": "x" * 12,
                                          "totp_code": "123456"}, False),
    (None, "POST", "/api/v1/inquiries", {"name": "Grace Hopper", "contact": "grace@example.org",
                                         "message": "Is ketamine right for me?"}, False),
    ("physician", "GET", "/api/v1/auth/me", None, False),
    ("physician", "GET", "/api/v1/patients?status=intake&limit=5&offset=0", None, False),
    ("physician", "GET", "/api/v1/patients?q=DEMO&limit=50", None, False),
    ("physician", "GET", "/api/v1/patients/1", None, False),
    ("physician", "GET", "/api/v1/patients/2/sessions", None, False),
    ("physician", "GET", "/api/v1/patients/3/outcome", None, False),
    ("physician", "GET", "/api/v1/patients/4/access-log?limit=10", None, False),
    ("physician", "POST", "/api/v1/patients/5/approval", {"decision": "approved"}, True),
    ("physician", "POST", "/api/v1/patients/6/courses", {"protocol_id": "depression-induction-series"}, False),
    ("physician", "POST", "/api/v1/calculators/dose",
     {"protocol": "depression-standard", "patient": {"weight_kg": 70, "height_cm": 175, "sex": "female",
                                                     "age_y": 35},
      "preparation": {"concentration_mg_per_ml": 1}}, False),
    ("physician", "POST", "/api/v1/calculators/mme",
     {"medications": [{"drug": "codeine", "route": "oral", "dose_mg": 10, "doses_per_day": 1}]}, False),
    ("physician", "POST", "/api/v1/pk/simulate",
     {"model": "domino1982", "patient": {"weight_kg": 70, "age_y": 40},
      "doses": [{"start_min": 0, "duration_min": 40, "amount_mg_per_kg": 0.5}], "end_min": 120,
      "step_min": 5}, False),
    ("physician", "GET", "/api/v1/sessions/1/pk", None, False),
    ("physician", "GET", "/api/v1/board?date=2026-11-25", None, False),
    ("physician", "GET", "/api/v1/alerts", None, False),
    ("nurse", "POST", "/api/v1/patients/7/screening", SCREENING, False),
    ("nurse", "POST", "/api/v1/patients/7/consents", {"type": "treatment", "version": "2026-01"}, True),
    ("nurse", "POST", "/api/v1/sessions/1/vitals",
     {"sbp_mmhg": 128, "dbp_mmhg": 80, "heart_rate_bpm": 72, "spo2_percent": 98,
      "respiratory_rate_per_min": 14}, False),
    ("nurse", "POST", "/api/v1/patients/8/assessments",
     {"instrument": "phq9", "answers": [1, 2, 1, 0, 1, 2, 1, 0, 0]}, False),
    ("nurse", "GET", "/api/v1/stock/lots", None, False),
    ("nurse", "POST", "/api/v1/stock/draws", {"lot_id": 1, "amount_mg": 50, "session_id": 1}, False),
    ("frontdesk", "GET", "/api/v1/inquiries?status=new", None, False),
    ("frontdesk", "POST", "/api/v1/patients",
     {"given_name": "Ada", "family_name": "Test", "date_of_birth": "1984-12-10", "sex": "female",
      "indication": "depression", "weight_kg": 70, "height_cm": 170}, True),
    ("frontdesk", "GET", "/api/v1/appointments?date=2026-11-25&chair_id=1", None, False),
    ("frontdesk", "POST", "/api/v1/appointments",
     {"patient_id": 9, "course_id": 1, "chair_id": 1, "start": "2026-11-26T08:00"}, False),
    ("admin", "GET", "/api/v1/users", None, False),
    ("admin", "POST", "/api/v1/users",
     {"username": "new.nurse", "password": "a long enough password", "role": "nurse"}, False),
    ("admin", "GET", "/api/v1/audit?limit=20&patient_id=1", None, False),
    ("admin", "GET", "/api/v1/audit/verify", None, False),
    ("admin", "POST", "/api/v1/auth/totp/enrol", {}, True),
    ("patient", "GET", "/api/v1/me/patient", None, False),
    ("patient", "GET", "/api/v1/patients/1/assessments", None, True),
    ("patient", "GET", "/api/v1/patients/2", None, False),
    ("physician", "PATCH", "/api/v1/patients/1", {"weight_kg": 71, "reason": "weighed today"}, False),
    ("physician", "POST", "/api/v1/auth/logout", {}, True),
    (None, "GET", "/", None, False),
    (None, "GET", "/assets/app-1234.js", None, False),
    (None, "GET", "/patients/12?tab=sessions", None, False),
    (None, "HEAD", "/index.html", None, False),
]


def raw(user, method, target, body, cookie, extra=""):
    head = ["%s %s HTTP/1.1" % (method, target), "Host: localhost:8080", "User-Agent: kit-fuzz-seed"]
    if user:
        if cookie:
            head.append("Cookie: theme=dark; kit_session=fuzz-token-%s" % user)
            if method not in ("GET", "HEAD"):
                head.append("X-CSRF-Token: fuzz-csrf-%s" % user)
        else:
            head.append("Authorization: Bearer fuzz-token-%s" % user)
    data = b""
    if body is not None:
        data = json.dumps(body).encode()
        head.append("Content-Type: application/json")
        head.append("Content-Length: %d" % len(data))
    if method in ("PATCH",):
        head.append('If-Match: "1"')
    if method == "POST" and "inquiries" not in target and "login" not in target:
        head.append("Idempotency-Key: 3f2b8c1e-0d4a-4b7e-9a55-0c1d2e3f4a5b")
    return ("\r\n".join(head) + "\r\n" + extra + "\r\n").encode() + data


def main():
    out = pathlib.Path("fuzz/corpus/http_request")
    out.mkdir(parents=True, exist_ok=True)
    seeds = [raw(*r) for r in REQUESTS]
    # Transfer encodings, pipelining and the HTTP layer's refusals.
    chunk = json.dumps({"username": "nurse", "password": "wrong password!"}).encode()
    seeds.append(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                 b"Content-Type: application/json\r\n\r\n" + b"%x\r\n" % len(chunk) + chunk + b"\r\n0\r\n\r\n")
    seeds.append(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n"
                 b"Content-Length: 3\r\n\r\nabc")
    seeds.append(raw("nurse", "GET", "/api/v1/patients/3", None, False) +
                 raw("nurse", "GET", "/api/v1/patients/3/screenings", None, False))
    seeds.append(b"GET /api/v1/patients/%2e%2e/1?limit=%ZZ HTTP/1.1\r\nHost: x\r\n\r\n")
    seeds.append(b"GET /api/v1/info HTTP/1.0\r\n\r\n")
    for s in seeds:
        (out / ("seed-" + hashlib.sha1(s).hexdigest()[:12])).write_bytes(s)
    print(len(seeds), "seeds in", out)


if __name__ == "__main__":
    main()
