"""Dispatch latency: `POST /api/v1/cases` → the answer carrying `notified_count`, on a busy registry.

A database of 100,000 registered professionals spread over metropolitan France (bench/support.py)
serves one operator sending one prescription per case, one request at a time, with an
`Idempotency-Key` as the desktop does; each figure is the HTTP round trip seen by the client:
validation, matching, notifications, feed events, commit.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import uuid

from bench import support

TARGET_P95_MS = 100.0
WARM_UP = 10


def measure(kind: str, args: argparse.Namespace) -> None:
    with support.served_dataset(kind, args.professionals, args.patients) as served:
        if served is None:
            return
        data, server, token = served
        latencies, notified = run(data, server, token, args.cases)
    p95 = support.percentile(latencies, 0.95)
    verdict = "met" if p95 <= TARGET_P95_MS else "MISSED"
    print(
        f"{kind:<10} {len(latencies)} cases ({args.professionals:,} professionals loaded in "
        f"{data.load_seconds:.1f} s): p50 {statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms, "
        f"max {max(latencies):.1f} ms; notified per prescription: mean {statistics.mean(notified):.0f}, "
        f"median {statistics.median(notified):.0f}, "
        f"max {max(notified)} (target p95 ≤ {TARGET_P95_MS:.0f} ms: {verdict})"
    )


def run(
    data: support.Dataset, server: support.BenchServer, token: str, cases: int
) -> tuple[list[float], list[int]]:
    rng = random.Random(3)
    latencies: list[float] = []
    notified: list[int] = []
    with server.client(token) as client:
        for n in range(WARM_UP + cases):
            body = support.case_body(data, rng)
            started = time.perf_counter()
            response = client.post("/cases", json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 201:
                raise RuntimeError(f"{response.status_code}: {response.text}")
            if n >= WARM_UP:
                latencies.append(elapsed)
                notified.append(int(response.json()["prescriptions"][0]["notified_count"]))
    return latencies, notified


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--professionals", type=int, default=100_000)
    parser.add_argument("--patients", type=int, default=200)
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--kind", choices=["sqlite", "postgresql"], action="append")
    args, _ = parser.parse_known_args()  # bench/run.sh passes its arguments to every benchmark
    for kind in args.kind or ["sqlite", "postgresql"]:
        measure(kind, args)


if __name__ == "__main__":
    main()
