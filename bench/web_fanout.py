"""1,000 open pages on one server process: the live fan-out's delay, and what it holds in memory.

A real server (SQLite by default), 1,000 nurses at one place, each with a web session and an open
`/pro/events` stream (Server-Sent Events, read by one asyncio process). The hotline then sends
cases there, one at a time: every nurse is offered each case, so each of the 1,000 streams should
say `offers`. The delay of a stream is from the operator's `POST /cases` being sent to the
wake-up read on that stream; RSS is the server process's resident memory (VmRSS) before the
streams, with them open, and after the cases. Target: fan-out p95 ≤ 500 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import time
from datetime import UTC, datetime

import httpx

from bench.web_support import live_server, summary
from server.db import Database
from server.models import User
from server.web.sessions import SESSION_COOKIE, open_session
from server.web.settings import WebSettings
from tests.support.dispatch import Desk, place


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def sessions(url: str, user_ids: list[int]) -> list[str]:
    db = Database(url)
    settings = WebSettings(idle_minutes=600)
    now = datetime.now(UTC)
    with db.session() as session:
        tokens = []
        for user_id in user_ids:
            user = session.get(User, user_id)
            assert user is not None
            tokens.append(open_session(session, user, now, settings, method="password", client="bench"))
    db.dispose()
    return tokens


async def follow(
    client: httpx.AsyncClient,
    token: str,
    arrivals: list[float],
    ready: asyncio.Event,
    opened: list[int],
    total: int,
) -> None:
    cookies = {SESSION_COOKIE: token}
    async with client.stream(
        "GET", "/pro/events", cookies=cookies, headers={"Accept": "text/event-stream"}
    ) as stream:
        assert stream.status_code == 200, stream.status_code
        opened.append(1)
        if len(opened) == total:
            ready.set()
        async for line in stream.aiter_lines():
            if line == "event: offers":
                arrivals.append(time.monotonic())


async def run(base_url: str, tokens: list[str], desk: Desk, patient_id: int, cases: int, pid: int) -> None:
    limits = httpx.Limits(max_connections=len(tokens) + 10, max_keepalive_connections=len(tokens) + 10)
    before = rss_mb(pid)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=None) as client:
        arrivals: list[float] = []
        ready, opened = asyncio.Event(), list[int]()
        tasks = [asyncio.create_task(follow(client, t, arrivals, ready, opened, len(tokens))) for t in tokens]
        started = time.monotonic()
        await asyncio.wait_for(ready.wait(), 300)
        print(f"{len(tokens)} streams open in {time.monotonic() - started:.1f} s")
        await asyncio.sleep(2)
        holding = rss_mb(pid)
        delays: list[float] = []
        for n in range(cases):
            arrivals.clear()
            sent = time.monotonic()
            await asyncio.to_thread(desk.send_one, patient_id, care_type=f"Soin {n}")
            deadline = time.monotonic() + 30
            while len(arrivals) < len(tokens) and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            delays += [(at - sent) * 1000 for at in arrivals]
            missing = len(tokens) - len(arrivals)
            if missing:
                print(f"case {n}: {missing} streams told nothing within 30 s")
            await asyncio.sleep(0.5)
        after = rss_mb(pid)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    print(
        f"fan-out, {len(tokens)} SSE streams, {cases} cases, one server process: case sent → `offers` read "
        f"on each stream: {summary(delays)} — target p95 ≤ 500 ms"
    )
    print(
        f"server RSS: {before:.0f} MB before the streams, {holding:.0f} MB holding them, "
        f"{after:.0f} MB after the cases"
    )


def raise_open_files(connections: int) -> None:
    """Enough file descriptors for `connections` sockets at both ends (a server started
    afterwards inherits the limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, max(soft, 4 * connections + 256))
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--cases", type=int, default=10)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    raise_open_files(args.connections)
    with live_server(args.database) as server:
        desk = Desk.open(server)
        lat, lon = place()
        nurses = desk.responders(args.connections, lat, lon)
        patient = desk.patient(lat, lon)
        tokens = sessions(server.database_url, [n.id for n in nurses])
        assert server.process.process is not None
        asyncio.run(
            run(server.process.base_url, tokens, desk, patient["id"], args.cases, server.process.process.pid)
        )
        desk.close()


if __name__ == "__main__":
    main()
