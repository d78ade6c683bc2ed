"""Live event latency: a state change through the API → the event at every WebSocket follower.

One server process (SQLite, then a fresh PostgreSQL database), CLIENTS followers on /api/v1/events,
then CHANGES patient creations through POST /api/v1/patients, one every INTERVAL seconds. For
each (client, event) pair: the delay from just before the HTTP request that made the change to the
event's arrival at that client. All clients and the writer share this process's event loop, so the
figures include its own scheduling (they are an upper bound of what the server adds).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from websockets.asyncio.client import ClientConnection, connect

from tests.support import postgres
from tests.support.live import ADMIN_PASSWORD, ADMIN_USERNAME, LiveServer, patient_body
from tests.support.server_process import ServerProcess

TARGET_P95_MS = 100.0


def percentile(sorted_values: list[float], fraction: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


async def follow(ws: ClientConnection, wanted: int, arrivals: dict[int, list[float]]) -> None:
    """Record the arrival time of each patient_created event until `wanted` of them came."""
    seen = 0
    last_seq = None
    async for message in ws:
        now = time.perf_counter()
        event = json.loads(message)
        assert last_seq is None or event["seq"] == last_seq + 1, "gap or repeat in the feed"
        last_seq = event["seq"]
        if event["type"] == "patient_created":
            arrivals.setdefault(event["data"]["patient_id"], []).append(now)
            seen += 1
            if seen == wanted:
                return


async def measure(
    base_url: str,
    token: str,
    after: int,
    clients: int,
    changes: int,
    interval: float,
    compression: str | None = "deflate",
) -> tuple[list[float], list[float]]:
    """(latencies of every client×event pair, HTTP request durations), in seconds."""
    url = f"{base_url.replace('http://', 'ws://', 1)}/api/v1/events?after={after}"
    headers = {"Authorization": f"Bearer {token}"}
    sockets = [
        await connect(url, additional_headers=headers, max_queue=None, compression=compression)
        for _ in range(clients)
    ]
    arrivals: dict[int, list[float]] = {}
    followers = [asyncio.create_task(follow(ws, changes, arrivals)) for ws in sockets]
    sent: dict[int, float] = {}
    requests: list[float] = []
    async with httpx.AsyncClient(base_url=f"{base_url}/api/v1", headers=headers, timeout=30) as http:
        for _ in range(changes):
            before = time.perf_counter()
            response = await http.post("/patients", json=patient_body())
            requests.append(time.perf_counter() - before)
            response.raise_for_status()
            sent[response.json()["id"]] = before
            if interval:
                await asyncio.sleep(interval)
        await asyncio.wait_for(asyncio.gather(*followers), timeout=60)
    for ws in sockets:
        await ws.close()
    latencies = [t - sent[pid] for pid, times in arrivals.items() for t in times]
    assert len(latencies) == clients * changes, (len(latencies), clients * changes)
    return latencies, requests


@contextmanager
def feed_server(kind: str) -> Iterator[tuple[ServerProcess, str, int]]:
    """A server process on a new database (sqlite or postgresql), an operator's token and the
    feed's last number; stopped and the database dropped afterwards."""
    with tempfile.TemporaryDirectory() as directory:
        url = (
            f"sqlite:///{Path(directory) / 'centrale.sqlite3'}"
            if kind == "sqlite"
            else postgres.create_database()
        )
        process = ServerProcess(url, Path(directory), test_clock=False)
        live = LiveServer(process, kind)
        try:
            created = process.cli(
                "create-user", "--username", ADMIN_USERNAME, "--role", "admin", "--password-stdin",
                stdin=ADMIN_PASSWORD + "\n",
            )  # fmt: skip
            assert created.returncode == 0, created.stderr
            process.start()
            _, operator = live.user("operator")
            token = str(operator.headers["authorization"]).split(" ", 1)[1]
            after = operator.get("/changes", params={"limit": 1000}).json()["last_seq"]
            yield process, token, after
        finally:
            live.close()
            process.stop()
            if kind == "postgresql":
                postgres.drop_database(url)


def run(kind: str, clients: int, changes: int, interval: float, compression: str | None) -> None:
    with feed_server(kind) as (process, token, after):
        latencies, requests = asyncio.run(measure(process.base_url, token, after, clients, changes, interval))
    ms = sorted(1000 * x for x in latencies)
    p95 = percentile(ms, 0.95)
    print(
        f"{kind:<10} {clients} clients × {changes} changes (every {interval * 1000:.0f} ms"
        f"{', no compression' if compression is None else ''}): "
        f"p50 {percentile(ms, 0.5):.1f} ms, p95 {p95:.1f} ms, max {ms[-1]:.1f} ms "
        f"(target p95 ≤ {TARGET_P95_MS:.0f} ms: {'ok' if p95 <= TARGET_P95_MS else 'MISSED'}); "
        f"POST /patients itself: median {1000 * statistics.median(requests):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument(
        "--interval", type=float, default=0.05, help="seconds between changes (0: back to back)"
    )
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument(
        "--no-compression", action="store_true", help="clients do not offer permessage-deflate"
    )
    args, _others = parser.parse_known_args()  # bench/run.sh passes the same arguments to every bench
    for kind in [args.only] if args.only else ["sqlite", "postgresql"]:
        try:
            run(kind, args.clients, args.changes, args.interval, None if args.no_compression else "deflate")
        except postgres.PostgresUnavailable as exc:
            print(f"{kind:<10} skipped: {exc}")


if __name__ == "__main__":
    main()
