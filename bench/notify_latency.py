"""Offer committed → Web Push POST received at the push service, and → SMS request at the provider.

A real server process (`--db sqlite|postgresql`), 100 professionals at one place, each with a push
subscription to the local push-service stand-in (tests/support/push_service.py: VAPID checked,
payload decrypted) and, for `--sms` of them, SMS on through a local stand-in of Brevo's API;
200 offers sent one at a time through `POST /api/v1/cases`. Latency from the 201 answer (the offer
is committed before it is sent) to each POST's arrival; p50 / p95 / max over every pair.
Targets: push p95 ≤ 200 ms, SMS p95 ≤ 500 ms.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from tests.integration.conftest import start_live
from tests.support.live import patient_body
from tests.support.push_service import push_service
from tests.support.sms_provider import API_KEY, sms_provider


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--professionals", type=int, default=100)
    parser.add_argument("--offers", type=int, default=200)
    parser.add_argument("--sms", type=int, default=10)
    args = parser.parse_args()
    with push_service() as push, sms_provider() as sms, tempfile.TemporaryDirectory() as tmp:
        env = {
            "CENTRALE_SMS_PROVIDER": "brevo",
            "CENTRALE_SMS_API_URL": sms.url,
            "CENTRALE_SMS_API_KEY": API_KEY,
        }
        for server in start_live(args.db, Path(tmp), **env):
            push.expected_public_key = server.admin().get("/push/public-key").json()["public_key"]
            rpps = ""
            for i in range(args.professionals):
                phone = f"06 12 {i // 10000:02d} {i // 100 % 100:02d} {i % 100:02d}"
                profile, pro = server.professional(
                    latitude=45.5, longitude=1.5, profession_code="94", phone=phone
                )
                rpps = rpps or profile["rpps"]
                assert pro.post("/me/push-subscriptions", json=push.subscribe()).status_code == 201
                if i < args.sms:
                    assert (
                        pro.put("/me/profile", json={"channels": {"push": True, "sms": True}}).status_code
                        == 200
                    )
            _, operator = server.user("operator")
            patient = operator.post("/patients", json=patient_body(latitude=45.5, longitude=1.5)).json()
            committed: list[float] = []
            for n in range(args.offers):
                body = {
                    "caller": {"name": "Dr Bench"},
                    "requester": {"rpps": rpps},
                    "patient_id": patient["id"],
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
                response = operator.post("/cases", json=body)
                assert response.status_code == 201, response.text
                committed.append(time.time())
                time.sleep(0.05)
            expected = args.offers * args.professionals
            received = push.wait_for(expected, timeout=120)
            sms.wait_for(args.offers * args.sms, timeout=60)
            assert push.rejected == [], push.rejected[:3]
            by_care: dict[str, float] = {}
            for n, at in enumerate(committed):
                by_care[f"Bilan {n}"] = at
            push_lat = [r.at - by_care[r.payload["body"].split(", ")[1].split(" à ")[0]] for r in received]
            sms_lat = []
            with sms.lock:
                for body_, at in zip(sms.received, sms.arrivals, strict=True):
                    care = body_["content"].split(", ")[1].split(" à ")[0]
                    sms_lat.append(at - by_care[care])
            print(f"{args.db}: {len(received)}/{expected} pushes, {len(sms_lat)} SMS")
            print(
                f"  push: p50 {_pct(push_lat, 0.5):.0f} ms, p95 {_pct(push_lat, 0.95):.0f} ms, "
                f"max {max(push_lat) * 1000:.0f} ms (mean {statistics.mean(push_lat) * 1000:.0f} ms)"
            )
            if sms_lat:
                print(
                    f"  SMS:  p50 {_pct(sms_lat, 0.5):.0f} ms, p95 {_pct(sms_lat, 0.95):.0f} ms, "
                    f"max {max(sms_lat) * 1000:.0f} ms"
                )


if __name__ == "__main__":
    main()
