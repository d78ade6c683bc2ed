"""Offer committed → Web Push POST received at the push service, and → SMS request at the provider.

A real server process (`--db sqlite|postgresql`), 100 professionals at one place, each with a Web
Push subscription to the push-service stand-in running in **its own process**
(tests/support/push_service.py: it only timestamps and records each POST at receipt; after the run
every record is checked — VAPID JWT, headers — and decrypted here with the browsers' keys), and
`--sms` of them (10) with SMS on, through a local stand-in of Brevo's API. 200 offers, each a case
sent through `POST /api/v1/cases` that notifies the 100 (the pool): 20,000 pushes and 2,000 SMS.

The load, and why: a hotline sends offers one after another — an operator qualifies a call for
minutes before « Déclencher », and even a busy platform sends a few offers a minute. So by default
(`--pace closed`) each offer is committed as soon as the previous offer's pushes and SMS have all
been received: back to back, far denser than any hotline, but one offer's fan-out at a time, which
is what the figure is about. `--rate N` sends N offers per second regardless (open loop), to see
where the pipeline starts to queue.

Latency per push (and per SMS) from the 201 answer (the offer is committed before it is sent) to
the POST's receipt; also from just before the request (an upper bound: it includes the request's
own work). p50 / p95 / max over every pair. Targets: push p95 ≤ 200 ms, SMS p95 ≤ 500 ms.
`--py-spy FILE` records the server process's profile (py-spy, `--format raw`) during the offers.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.integration.conftest import start_live
from tests.support.live import LiveServer, patient_body
from tests.support.push_service import push_service_process
from tests.support.sms_provider import API_KEY, sms_provider


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _line(name: str, values: list[float]) -> str:
    return (
        f"  {name}: p50 {_pct(values, 0.5):.0f} ms, p95 {_pct(values, 0.95):.0f} ms, "
        f"max {max(values) * 1000:.0f} ms ({len(values)})"
    )


def _case(rpps: str, patient_id: int, n: int) -> dict[str, Any]:
    return {
        "caller": {"name": "Dr Bench"},
        "requester": {"rpps": rpps},
        "patient_id": patient_id,
        "prescriptions": [
            {
                "profession_code": "94",
                "care_type": f"Bilan {n}",
                "care_mode": "office",
                "intervention_delay_minutes": 60,
                "response_delay_minutes": 30,
                "comment": "bench",
            }
        ],
    }


def _care_of(text: str) -> str:
    return text.split(", ")[1].split(" à ")[0]  # « Nouvelle demande : X, Bilan 7 à Commune. … »


def _py_spy(server: LiveServer, out: str | None) -> subprocess.Popen[bytes] | None:
    if not out or server.process.process is None:
        return None
    pid = str(server.process.process.pid)
    command = [".venv/bin/py-spy", "record", "-p", pid, "-r", "250", "-f", "raw", "-o", out, "--threads"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--professionals", type=int, default=100)
    parser.add_argument("--offers", type=int, default=200)
    parser.add_argument("--sms", type=int, default=10)
    parser.add_argument("--rate", type=float, default=0.0, help="offers per second (default: closed loop)")
    parser.add_argument("--py-spy", dest="py_spy", default=None, help="write the server's profile here")
    args = parser.parse_args()
    with push_service_process() as push, sms_provider() as sms, tempfile.TemporaryDirectory() as tmp:
        env = {
            "CENTRALE_SMS_PROVIDER": "brevo",
            "CENTRALE_SMS_API_URL": sms.url,
            "CENTRALE_SMS_API_KEY": API_KEY,
        }
        for server in start_live(args.db, Path(tmp), **env):
            push.keys.expected_public_key = server.admin().get("/push/public-key").json()["public_key"]
            rpps = ""
            for i in range(args.professionals):
                phone = f"06 12 {i // 10000:02d} {i // 100 % 100:02d} {i % 100:02d}"
                profile, pro = server.professional(
                    latitude=45.5, longitude=1.5, profession_code="94", phone=phone
                )
                rpps = rpps or profile["rpps"]
                assert pro.post("/me/push-subscriptions", json=push.subscribe()).status_code == 201
                if i < args.sms:
                    switched = pro.put("/me/profile", json={"channels": {"push": True, "sms": True}})
                    assert switched.status_code == 200, switched.text
            _, operator = server.user("operator")
            patient = operator.post("/patients", json=patient_body(latitude=45.5, longitude=1.5)).json()
            operator.post("/cases", json=_case(rpps, patient["id"], -1))  # warm-up, not measured
            push.wait_for(args.professionals, timeout=30)
            sms.wait_for(args.sms, timeout=30)
            base_push, base_sms = args.professionals, args.sms
            profiler = _py_spy(server, args.py_spy)
            asked: dict[str, float] = {}
            committed: dict[str, float] = {}
            started = time.monotonic()
            for n in range(args.offers):
                if args.rate > 0:
                    time.sleep(max(0.0, started + n / args.rate - time.monotonic()))
                asked[f"Bilan {n}"] = time.time()
                response = operator.post("/cases", json=_case(rpps, patient["id"], n))
                committed[f"Bilan {n}"] = time.time()
                assert response.status_code == 201, response.text
                if args.rate <= 0:
                    push.wait_for(base_push + (n + 1) * args.professionals, timeout=60)
                    sms.wait_for(base_sms + (n + 1) * args.sms, timeout=60)
            expected = args.offers * args.professionals
            push.wait_for(base_push + expected, timeout=120)
            sms.wait_for(base_sms + args.offers * args.sms, timeout=60)
            elapsed = time.monotonic() - started
            if profiler is not None:
                profiler.send_signal(signal.SIGINT)
                profiler.wait(60)
            received = [r for r in push.verified() if _care_of(r.payload["body"]) in committed]
            assert push.keys.rejected == [], push.keys.rejected[:3]
            push_from_commit = [r.at - committed[_care_of(r.payload["body"])] for r in received]
            push_from_ask = [r.at - asked[_care_of(r.payload["body"])] for r in received]
            with sms.lock:
                arrivals = [
                    (_care_of(body["content"]), at)
                    for body, at in zip(sms.received, sms.arrivals, strict=True)
                ]
            sms_from_commit = [at - committed[care] for care, at in arrivals if care in committed]
            pace = f"{args.rate:g} offers/s" if args.rate > 0 else "closed loop"
            print(
                f"{args.db}, {pace}: {len(received)}/{expected} pushes (all decrypted, VAPID checked), "
                f"{len(sms_from_commit)} SMS, {args.offers} offers in {elapsed:.1f} s"
            )
            first: dict[str, float] = {}
            last: dict[str, float] = {}
            for r in received:
                care = _care_of(r.payload["body"])
                first[care] = min(first.get(care, r.at), r.at)
                last[care] = max(last.get(care, r.at), r.at)
            print(_line("push from commit", push_from_commit))
            print(_line("  first of offer", [first[c] - committed[c] for c in first]))
            print(_line("  last of offer ", [last[c] - committed[c] for c in last]))
            print(_line("push from request", push_from_ask))
            if sms_from_commit:
                print(_line("SMS from commit ", sms_from_commit))


if __name__ == "__main__":
    main()
