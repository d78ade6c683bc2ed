"""Item 4 — case creation: our `POST /cases` against the floor, on PostgreSQL.

Ours: one operator sends cases of one prescription to a real server process, one at a time, with
an `Idempotency-Key`, as bench/dispatch_latency.py does, on bench/support.py's registry kept in
PostgreSQL (100,000 professionals, quick: 10,000; bench/peers/datasets.py); the figure is the
HTTP round trip (validation, requester, matching, notifications, feed events, audit, commit).

The floor: the same rows written by one SQL statement in its own transaction, no Python in the
loop and no HTTP — a copy of the case just sent (the case, its prescription, its notifications, its
feed events numbered by the same commit trigger, the patient's timeline line, the audit entry, the
idempotency record), each `INSERT … SELECT` of a CTE chain with the new ids carried along. The rows
each side wrote are counted table by table once and must agree. The two alternate: case n sent
then copied, case n + 1 copied (the previous one) then sent.
"""

from __future__ import annotations

import random
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bench import support
from bench.peers import datasets, standalone
from bench.peers.figures import median_and_p95
from bench.peers.table import Row
from server.models.base import Base

WARM_UP = 10
# Rows the request added, found by key range: (table, key); feed events by number (their order).
RANGES = (("audit_entries", "id"), ("patient_events", "id"), ("events", "seq"))
# Written after the commit by the server's notifier (server/notify/planner.py), for ours and the
# floor alike (the floor's feed events wake it too): not part of the request's transaction.
AFTER_COMMIT = ("deliveries", "notify_cursor")
UNIQUE_NUMBER = "'F' || substr(md5(random()::text), 1, 11)"


def _columns(table: str, *skip: str) -> list[str]:
    return [c.name for c in Base.metadata.tables[table].columns if c.name not in skip and c.computed is None]


def _copy(table: str, alias: str, replaced: dict[str, str], source: str, where: str) -> str:
    """`alias AS (INSERT INTO table (columns) SELECT … FROM source WHERE where RETURNING …)`."""
    columns = _columns(table, "id")
    values = [replaced.get(c, f"s.{c}") for c in columns]
    returning = "id" if "id" in Base.metadata.tables[table].columns else "1"
    return (
        f"{alias} AS (INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)}"
        f" FROM {source} WHERE {where} RETURNING {returning})"
    )


def floor_statement() -> str:
    parts = [
        _copy("cases", "c", {"number": UNIQUE_NUMBER}, "cases s", "s.id = %(case)s"),
        _copy("prescriptions", "p", {"case_id": "c.id"}, "prescriptions s, c", "s.case_id = %(case)s"),
        _copy(
            "notifications",
            "n",
            {"prescription_id": "p.id"},
            "notifications s CROSS JOIN p",
            "s.prescription_id = %(prescription)s",
        ),
        _copy(
            "events",
            "e",
            {
                "seq": "-nextval('events_placeholder_seq')",  # numbered at commit, as ours
                "case_id": "CASE WHEN s.case_id IS NULL THEN NULL ELSE c.id END",
                "prescription_id": "CASE WHEN s.prescription_id IS NULL THEN NULL ELSE p.id END",
            },
            "events s, c, p",
            "s.seq > %(events_after)s AND s.seq <= %(events_last)s",
        ),
        *(
            _copy(table, f"t{n}", {}, f"{table} s", f"s.id > %({table}_after)s AND s.id <= %({table}_last)s")
            for n, (table, _key) in enumerate(RANGES[:2])
        ),
        _copy("idempotency_records", "k", {"key": "%(new_key)s"}, "idempotency_records s", "s.key = %(key)s"),
    ]
    counts = ", ".join(f"(SELECT count(*) FROM {a})" for a in ("c", "p", "n", "e", "t0", "t1", "k"))
    return f"WITH {', '.join(parts)} SELECT {counts}"


def _last_keys(conn: psycopg.Connection[Any]) -> dict[str, int]:
    row = conn.execute(
        "SELECT " + ", ".join(f"(SELECT coalesce(max({key}), 0) FROM {t})" for t, key in RANGES)
    ).fetchone()
    assert row is not None
    return dict(zip((t for t, _ in RANGES), (int(v) for v in row), strict=True))


def _counts(conn: psycopg.Connection[Any]) -> dict[str, int]:
    tables = sorted(Base.metadata.tables)
    row = conn.execute("SELECT " + ", ".join(f"(SELECT count(*) FROM {t})" for t in tables)).fetchone()
    assert row is not None
    return {t: int(v) for t, v in zip(tables, row, strict=True) if t not in AFTER_COMMIT}


def _delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {t: after[t] - before[t] for t in after if after[t] != before[t]}


class Sender:
    """Ours: `POST /cases` over HTTP, remembering what the floor needs to copy the case."""

    def __init__(self, data: support.Dataset, client: httpx.Client, conn: psycopg.Connection[Any]) -> None:
        self.data, self.client, self.conn = data, client, conn
        self.rng = random.Random(5)
        self.source: dict[str, Any] = {}
        self.notified: list[int] = []

    def send(self) -> float:
        before = _last_keys(self.conn)
        key = str(uuid.uuid4())
        body = support.case_body(self.data, self.rng)
        started = time.perf_counter()
        response = self.client.post("/cases", json=body, headers={"Idempotency-Key": key})
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 201:
            raise RuntimeError(f"{response.status_code}: {response.text}")
        answer = response.json()
        self.notified.append(int(answer["prescriptions"][0]["notified_count"]))
        last = _last_keys(self.conn)
        self.source = {"case": answer["case_id"], "prescription": answer["prescriptions"][0]["id"]}
        self.source |= {f"{t}_after": before[t] for t, _ in RANGES} | {"key": key}
        self.source |= {f"{t}_last": last[t] for t, _ in RANGES}
        return elapsed


def write_floor(conn: psycopg.Connection[Any], statement: str, source: dict[str, Any]) -> float:
    started = time.perf_counter()
    conn.execute(statement, source | {"new_key": f"floor-{uuid.uuid4()}"})
    conn.commit()
    return (time.perf_counter() - started) * 1000


def run(quick: bool, workdir: Path) -> list[Row]:
    professionals = 10_000 if quick else 100_000
    cases = 50 if quick else 300
    data = datasets.population(workdir, professionals)
    statement = floor_statement()
    ours_ms: list[float] = []
    floor_ms: list[float] = []
    url = data.url.replace("postgresql+psycopg://", "postgresql://", 1)
    with (
        support.running(data) as server,
        server.client(server.login()) as client,
        psycopg.connect(url, autocommit=True) as probe,
        psycopg.connect(url) as conn,
    ):
        sender = Sender(data, client, probe)
        for _ in range(WARM_UP):
            sender.send()
            write_floor(conn, statement, sender.source)
        before = _counts(probe)
        sender.send()
        ours_rows = _delta(before, _counts(probe))
        write_floor(conn, statement, sender.source)
        floor_rows = _delta(before, _counts(probe))
        floor_rows = {t: floor_rows.get(t, 0) - ours_rows.get(t, 0) for t in floor_rows}
        print(f"rows written by one POST /cases: {ours_rows}; by the floor: {floor_rows}")
        if {t: n for t, n in floor_rows.items() if n} != ours_rows:
            raise RuntimeError("the floor does not write the same rows as POST /cases")
        for n in range(cases):
            if n % 2 == 0:
                ours_ms.append(sender.send())
                floor_ms.append(write_floor(conn, statement, sender.source))
            else:
                floor_ms.append(write_floor(conn, statement, sender.source))
                ours_ms.append(sender.send())
    rows_note = ", ".join(f"{n} {t}" for t, n in sorted(ours_rows.items()))
    mean_notified = sum(sender.notified[-cases:]) / cases
    return median_and_p95(
        "case_creation",
        f"one case of one prescription, {professionals:,} professionals, PostgreSQL",
        "ms",
        ours_ms,
        floor_name="one INSERT … SELECT chain",
        floor=floor_ms,
        note=f"{cases} cases, {mean_notified:.0f} notified on average; rows of the case checked: {rows_note}",
    )


if __name__ == "__main__":
    standalone.main(run, __doc__.splitlines()[0])
