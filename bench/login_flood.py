"""Case creation during a login flood on the embedded SQLite server (issue 17, item 6).

One operator sends cases back to back (`POST /api/v1/cases`, one prescription) while F threads
log in as fast as answers come: `right` is a shift change (the operator's right password, from a
known workstation: every attempt reaches the password hash), `wrong` an attack (a new username
from a new address each time, `X-Forwarded-For`, which the server trusts from the loopback).
Figures: case creation latency (median, p95) alone and under each flood, and the logins answered
per second. Before issue 17 the hash was checked inside the login's write transaction, holding
SQLite's single write lock; case creation queued behind every login.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import threading
import time
import uuid

from bench import support

WRONG = "pas-le-bon-mot-de-passe"


def _cases(
    server: support.BenchServer, data: support.Dataset, token: str, stop: threading.Event
) -> list[float]:
    rng = random.Random(7)
    latencies: list[float] = []
    with server.client(token) as client:
        while not stop.is_set():
            body = support.case_body(data, rng)
            started = time.perf_counter()
            response = client.post("/cases", json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
            if response.status_code == 201:
                latencies.append((time.perf_counter() - started) * 1000)
    return latencies


_sources = itertools.count(1)


def _flood(server: support.BenchServer, kind: str, stop: threading.Event, answered: list[int]) -> None:
    with server.client() as client:
        while not stop.is_set():
            if kind == "right":
                body, headers = {"username": "operator", "password": support.PASSWORD}, {}
            else:
                n = next(_sources)
                body = {"username": f"inconnu{n}", "password": WRONG}
                headers = {"X-Forwarded-For": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"}
            client.post("/auth/login", json=body, headers=headers)
            answered.append(1)


def measure(
    server: support.BenchServer, data: support.Dataset, token: str, flood: str, threads: int, seconds: float
) -> str:
    stop = threading.Event()
    answered: list[int] = []
    flooders = [threading.Thread(target=_flood, args=(server, flood, stop, answered)) for _ in range(threads)]
    for thread in flooders if flood != "none" else []:
        thread.start()
    result: list[float] = []
    sender = threading.Thread(target=lambda: result.extend(_cases(server, data, token, stop)))
    sender.start()
    time.sleep(seconds)
    stop.set()
    sender.join()
    for thread in flooders if flood != "none" else []:
        thread.join()
    if not result:
        return f"flood={flood:<5} no case created"
    return (
        f"flood={flood:<5} threads={threads if flood != 'none' else 0:<2} cases {len(result):4d}, latency "
        f"p50 {statistics.median(result):6.0f} ms, p95 {support.percentile(result, 0.95):6.0f} ms; "
        f"logins answered {len(answered) / seconds:5.1f}/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--professionals", type=int, default=5_000)
    parser.add_argument("--seconds", type=float, default=20.0, help="per run")
    parser.add_argument("--threads", type=int, default=16, help="login flood threads")
    args, _ = parser.parse_known_args()  # bench/run.sh passes its arguments to every benchmark
    with support.served_dataset("sqlite", args.professionals, 50) as served:
        if served is None:
            return
        data, server, token = served
        for flood in ("none", "right", "wrong"):
            print(f"sqlite     {measure(server, data, token, flood, args.threads, args.seconds)}", flush=True)


if __name__ == "__main__":
    main()
