"""Item 6 — live fan-out: our WebSocket change feed against a bare `websockets` broadcast server.

1,000 connected clients on each (quick: 200), held by this one asyncio process at the same time:
- ours: a real server process on a new PostgreSQL database (bench/event_latency.py's set-up), each
  client an operator's follower of `/api/v1/events`; a change is `POST /api/v1/patients` (the event
  `patient_created` is numbered at commit, `pg_notify` wakes the hub, each follower's pump reads the
  feed and sends it);
- the peer: bench/peers/broadcast_server.py (websockets' `broadcast`, nothing else), a change is one
  message sent by a publishing client, of the same text as our event.
The same client code on both sides (permessage-deflate offered, each message parsed as JSON). The
two alternate change by change: a change is sent, every client receives it, a pause, then the other
side. The figure is per change, from just before sending it (the HTTP request, or the publisher's
send) to its arrival at the last of the clients; p50 / p95 over 50 changes each (quick: 20).
Ours includes its request (validation, the patient row, audit, commit): its own median is noted.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
from websockets.asyncio.client import ClientConnection, connect

from bench.event_latency import feed_server
from bench.peers import standalone
from bench.peers.figures import median_and_p95
from bench.peers.table import Row
from bench.web_fanout import raise_open_files
from server.db import Database
from server.services.feed import append_event
from shared.schemas.feed_patient import PatientCreated
from tests.support.live import patient_body
from tests.support.server_process import ServerProcess, free_port

WARM_UP = 3
PAUSE_S = 0.1


class Audience:
    """`size` clients of one side, counting arrivals of each change."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.arrivals: list[float] = []
        self.complete = asyncio.Event()
        self.sample = ""  # the text of a message received, for the peer to send the same
        self.sockets: list[ClientConnection] = []
        self.tasks: list[asyncio.Task[None]] = []

    async def join(self, url: str, headers: dict[str, str] | None = None) -> None:
        for _ in range(self.size):
            socket = await connect(url, additional_headers=headers, max_queue=None, compression="deflate")
            self.sockets.append(socket)
            self.tasks.append(asyncio.create_task(self._follow(socket)))

    async def _follow(self, socket: ClientConnection) -> None:
        async for message in socket:
            event = json.loads(message)
            if event.get("type") == "patient_created":
                self.arrivals.append(time.perf_counter())
                self.sample = str(message)
                if len(self.arrivals) == self.size:
                    self.complete.set()

    async def delay(self, send: Callable[[], Awaitable[float]]) -> float:
        """ms from the instant `send` returns (just before sending, or the commit) to the
        change's arrival at the last client."""
        self.arrivals.clear()
        self.complete.clear()
        started = await send()
        await asyncio.wait_for(self.complete.wait(), 60)
        return (max(self.arrivals) - started) * 1000

    async def leave(self) -> None:
        for socket in self.sockets:
            await socket.close()
        await asyncio.gather(*self.tasks, return_exceptions=True)


def committer(url: str) -> Callable[[], float]:
    """A `patient_created` event appended to the feed by this process, through the server's own
    `Database` and feed service (numbered at commit, `pg_notify` to the server); returns the instant
    the commit returned."""
    db = Database(url)

    def commit() -> float:
        with db.session() as session:
            append_event(session, PatientCreated(patient_id=1, version=1), datetime.now(UTC))
        return time.perf_counter()

    return commit


async def compare(
    process: ServerProcess, token: str, after: int, peer_port: int, clients: int, changes: int
) -> dict[str, list[float]]:
    """ms per change of each side: `post` (ours, from the request), `commit` (ours, from the
    commit), `peer` (from the publisher's send); and `requests`, the POSTs' own durations."""
    ours, peer = Audience(clients), Audience(clients)
    started = time.monotonic()
    await ours.join(
        f"{process.base_url.replace('http://', 'ws://', 1)}/api/v1/events?after={after}",
        {"Authorization": f"Bearer {token}"},
    )
    await peer.join(f"ws://127.0.0.1:{peer_port}/")
    print(f"{2 * clients} clients connected in {time.monotonic() - started:.0f} s", flush=True)
    publisher = await connect(f"ws://127.0.0.1:{peer_port}/", compression="deflate")
    commit = committer(process.database_url)
    figures: dict[str, list[float]] = {"post": [], "commit": [], "peer": [], "requests": []}
    async with httpx.AsyncClient(
        base_url=f"{process.base_url}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as http:

        async def post() -> float:
            before = time.perf_counter()
            response = await http.post("/patients", json=patient_body())
            response.raise_for_status()
            figures["requests"].append((time.perf_counter() - before) * 1000)
            return before

        async def broadcast() -> float:
            before = time.perf_counter()
            await publisher.send(ours.sample)
            return before

        async def feed_commit() -> float:
            return await asyncio.to_thread(commit)

        sides = [(ours, post, "post"), (ours, feed_commit, "commit"), (peer, broadcast, "peer")]
        for n in range(WARM_UP + changes):
            for shift in range(len(sides)):
                audience, send, name = sides[(n + shift) % len(sides)]  # ours by POST first: the sample
                elapsed = await audience.delay(send)
                if n >= WARM_UP:
                    figures[name].append(elapsed)
                await asyncio.sleep(PAUSE_S)
    await publisher.close()
    await ours.leave()
    await peer.leave()
    figures["requests"] = figures["requests"][WARM_UP:]
    return figures


def start_peer(port: int) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.peers.broadcast_server", str(port)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    if process.stdout.readline().strip() != "ready":
        process.kill()
        raise RuntimeError("the broadcast server did not start")
    return process


def run(quick: bool, workdir: Path) -> list[Row]:
    clients, changes = (200, 20) if quick else (1_000, 50)
    raise_open_files(2 * clients + 100)
    port = free_port()
    peer = start_peer(port)
    try:
        with feed_server("postgresql") as (process, token, after):
            figures = asyncio.run(compare(process, token, after, port, clients, changes))
    finally:
        peer.terminate()
        peer.wait(timeout=10)
    what = f"the last of {clients:,} WebSocket clients, PostgreSQL"
    request = statistics.median(figures["requests"])
    return [
        *median_and_p95(
            "fanout",
            f"change committed → {what}",
            "ms",
            figures["commit"],
            peer_name="websockets broadcast",
            peer=figures["peer"],
            note=f"{changes} changes each; ours: a feed event committed by another process",
        ),
        *median_and_p95(
            "fanout",
            f"change sent → {what}",
            "ms",
            figures["post"],
            peer_name="websockets broadcast",
            peer=figures["peer"],
            note=f"ours: POST /patients (alone: median {request:.1f} ms)",
        ),
    ]


if __name__ == "__main__":
    standalone.main(run, __doc__.splitlines()[0])
