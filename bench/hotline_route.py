"""The server's side of a hotline call (issue 19): what Kamailio waits for before ringing.

A real server process (SQLite, then PostgreSQL), `--operators` operators Disponible (default 10),
`--calls` calls one after the other (default 300), each told as Kamailio does: `GET
/api/v1/telephony/route?format=text` (timed: the INVITE waits for it), then the events `answered` and
`ended` (timed), then the operator's desktop says « Prêt » (`PUT /agents/me/state`, timed). Each
figure is the HTTP round trip seen by the client on the loopback, every write audited and
committed. The whole path INVITE → ringing, through Kamailio, is the telephony's benchmark.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from bench.support import percentile
from tests.integration.conftest import start_live
from tests.support.hotline import Hotline

TARGET_ROUTE_P95_MS = 50.0  # half the INVITE → ringing budget (100 ms, issue 19)


def _timed(samples: list[float], action: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = action()
    samples.append((time.perf_counter() - started) * 1000)
    return result


def run(kind: str, operators: int, calls: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        for live in start_live(kind, Path(directory)):
            line = Hotline(live)
            team = {o.sip_user: o for o in (line.operator() for _ in range(operators))}
            route: list[float] = []
            events: list[float] = []
            ready: list[float] = []
            params = {"caller": "+33612345678", "format": "text"}
            for _ in range(calls):
                cid = f"{uuid.uuid4()}@bench"
                ask = partial(line.telephony.get, "/telephony/route", params=params | {"call_id": cid})
                target = _timed(route, ask).text.split()[1]
                _timed(events, partial(line.event, cid, "answered", target))
                _timed(events, partial(line.event, cid, "ended", target))
                _timed(ready, partial(team[target].set, "available"))
            line.close()
            for name, samples in (("route", route), ("event", events), ("state", ready)):
                verdict = ""
                if name == "route":
                    met = percentile(samples, 0.95) <= TARGET_ROUTE_P95_MS
                    verdict = f" (target p95 ≤ {TARGET_ROUTE_P95_MS:.0f} ms: {'met' if met else 'MISSED'})"
                print(
                    f"{kind:<10} {name:<5} {len(samples)} requests, {operators} operators: "
                    f"p50 {statistics.median(samples):.1f} ms, p95 {percentile(samples, 0.95):.1f} ms, "
                    f"max {max(samples):.1f} ms{verdict}"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--operators", type=int, default=10)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--kind", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    for kind in ("sqlite", "postgresql") if args.kind == "both" else (args.kind,):
        run(kind, args.operators, args.calls)


if __name__ == "__main__":
    main()
