"""Sustained case creation: K operators sending cases of 1–3 prescriptions as fast as answers come.

Same registry as bench/dispatch_latency.py (100,000 professionals over France). Each client is a
thread with its own connection, sending `POST /api/v1/cases` with an `Idempotency-Key` (as the
desktop does) back to back for the duration; the figure is prescriptions sent per second, with
the round-trip latency. The server runs as one process (`centrale-server serve`) and, to compare,
as `uvicorn --workers N` on the same database.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from bench import support
from tests.support import postgres

TARGET_PRESCRIPTIONS_PER_S = 200.0


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    prescriptions: int = 0
    notified: list[int] = field(default_factory=list)
    errors: dict[int, int] = field(default_factory=dict)


def client_loop(
    data: support.Dataset, server: support.BenchServer, token: str, seed: int, deadline: float, tally: Tally
) -> None:
    rng = random.Random(seed)
    with server.client(token) as client:
        while time.monotonic() < deadline:
            body = support.case_body(data, rng, prescriptions=rng.randint(1, 3))
            started = time.perf_counter()
            response = client.post("/cases", json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 201:
                tally.errors[response.status_code] = tally.errors.get(response.status_code, 0) + 1
                continue
            lines = response.json()["prescriptions"]
            tally.latencies.append(elapsed)  # list.append and += on ints are atomic enough under the GIL
            tally.prescriptions += len(lines)
            tally.notified.extend(int(p["notified_count"]) for p in lines)


def run(data: support.Dataset, server: support.BenchServer, token: str, clients: int, seconds: float) -> str:
    tally = Tally()
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(target=client_loop, args=(data, server, token, 100 + n, deadline, tally))
        for n in range(clients)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    if not tally.latencies:
        return f"no case created, errors {tally.errors}"
    rate = tally.prescriptions / elapsed
    verdict = "met" if rate >= TARGET_PRESCRIPTIONS_PER_S else "missed"
    return (
        f"{rate:6.1f} prescriptions/s ({len(tally.latencies) / elapsed:5.1f} cases/s, {verdict}); "
        f"latency p50 {statistics.median(tally.latencies):.0f} ms, "
        f"p95 {support.percentile(tally.latencies, 0.95):.0f} ms; "
        f"notified/prescription {statistics.mean(tally.notified):.0f}"
        + (f"; errors {tally.errors}" if tally.errors else "")
    )


def measure(kind: str, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as directory:
        try:
            data = support.create_dataset(kind, Path(directory), args.professionals)
        except postgres.PostgresUnavailable as exc:
            print(f"{kind:<10} skipped: {exc}")
            return
        try:
            print(
                f"{kind:<10} {args.professionals:,} professionals loaded in {data.load_seconds:.1f} s",
                flush=True,
            )
            for workers in args.workers if kind == "postgresql" else args.sqlite_workers:
                with support.running(data, workers) as server:
                    token = server.login()
                    if not data.patients:
                        support.create_patients(data, server, token, args.patients)
                    for clients in args.clients:
                        figures = run(data, server, token, clients, args.seconds)
                        print(f"{kind:<10} workers={workers} clients={clients:<2} {figures}", flush=True)
        finally:
            support.drop(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--professionals", type=int, default=100_000)
    parser.add_argument("--patients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30.0, help="per run")
    parser.add_argument("--clients", type=int, nargs="+", default=[4, 8, 16])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="PostgreSQL server processes")
    parser.add_argument("--sqlite-workers", type=int, nargs="+", default=[1])
    parser.add_argument("--kind", choices=["sqlite", "postgresql"], action="append")
    args, _ = parser.parse_known_args()  # bench/run.sh passes its arguments to every benchmark
    for kind in args.kind or ["postgresql", "sqlite"]:
        measure(kind, args)


if __name__ == "__main__":
    main()
