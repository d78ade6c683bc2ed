"""Two server processes on one PostgreSQL database: the cases are sent to a process that neither
plans nor sends notifications (`CENTRALE_NOTIFY_WORKER=0`, a web-only replica); the other one,
whose scheduler and live-hub ticks are a minute apart, hears the commits through the live hub's
`LISTEN` and pushes each offer at once — not at its next tick."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.conftest import start_live
from tests.support.live import LiveServer, patient_body
from tests.support.push_service import PushService, push_service
from tests.support.server_process import ServerProcess

QUIET = {"CENTRALE_SCHEDULER_INTERVAL": "60", "CENTRALE_LIVE_POLL_SECONDS": "60"}


@pytest.fixture
def two_processes(tmp_path: Path) -> Iterator[tuple[LiveServer, LiveServer, PushService]]:
    with push_service() as push:
        for notifying in start_live("postgresql", tmp_path / "a", **QUIET):
            web_only = ServerProcess(notifying.database_url, tmp_path / "b")
            web_only.env.update(QUIET, CENTRALE_NOTIFY_WORKER="0")
            web_only.start()
            try:
                push.expected_public_key = notifying.admin().get("/push/public-key").json()["public_key"]
                yield notifying, LiveServer(web_only, "postgresql"), push
            finally:
                web_only.stop()


def test_the_other_process_pushes_each_offer_at_once(
    two_processes: tuple[LiveServer, LiveServer, PushService],
) -> None:
    notifying, web_only, push = two_processes
    profile, pro = notifying.professional(latitude=44.2, longitude=3.1, profession_code="91")
    subscription = push.subscribe()
    assert pro.post("/me/push-subscriptions", json=subscription).status_code == 201
    _, operator = web_only.user("operator")  # logged in on the web-only process
    delays = []
    for n in range(10):
        patient = operator.post("/patients", json=patient_body(latitude=44.2, longitude=3.1))
        assert patient.status_code == 201, patient.text
        case = {
            "caller": {"name": "Dr Appelant"},
            "requester": {"rpps": profile["rpps"]},
            "patient_id": patient.json()["id"],
            "prescriptions": [
                {
                    "profession_code": "91",
                    "care_type": f"Bilan {n}",
                    "care_mode": "office",
                    "intervention_delay_minutes": 120,
                    "response_delay_minutes": 30,
                    "comment": "Bilan",
                }
            ],
        }
        sent = operator.post("/cases", json=case)
        committed = time.time()
        assert sent.status_code == 201, sent.text
        deadline = time.monotonic() + 10
        while len(push.for_token(subscription["endpoint"])) <= n and time.monotonic() < deadline:
            time.sleep(0.005)
        received = push.for_token(subscription["endpoint"])
        assert len(received) == n + 1, "the offer was not pushed within 10 s (a tick is 60 s)"
        assert f"Bilan {n} à" in received[-1].payload["body"]
        delays.append(received[-1].at - committed)
    assert push.rejected == []
    # Well under a second each (the ticks are a minute apart); printed for the record.
    median, worst = statistics.median(delays) * 1000, max(delays) * 1000
    print(f"commit on the web-only process → push by the other: median {median:.0f} ms, max {worst:.0f} ms")
    assert max(delays) < 2.0
