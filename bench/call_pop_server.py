"""The screen pop's lookup through a real central server: 100,000 directory rows imported.

Used by bench/call_pop.py (`--lookup server`): generates an RPPS extraction of `rows` activity
rows (bench/make_rpps.py), imports it into a fresh central server (`centrale-server import-rpps`,
SQLite or PostgreSQL), starts the server and gives the desktop's own lookup
(`desktop.services.caller_lookup.ServerLookup`: `GET /api/v1/directory/lookup-phone`) with the directory's
phone numbers to call from.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from desktop.services.caller_lookup import ServerLookup
from desktop.sync.client import ApiClient
from shared.validation import ValidationFailure, normalize_phone
from tests.support import postgres
from tests.support.server_process import ServerProcess

OPERATOR, PASSWORD = "operateur", "bench-operateur-0"  # a throw-away benchmark account
PHONE_COLUMN = "Téléphone (coord. structure)"


def directory_numbers(extraction: Path) -> list[str]:
    """The E.164 numbers found in the extraction's phone column."""
    numbers: set[str] = set()
    with extraction.open(encoding="utf-8", errors="replace") as rows:
        column = rows.readline().split("|").index(PHONE_COLUMN)
        for line in rows:
            fields = line.split("|")
            if len(fields) > column and fields[column].strip():
                try:
                    numbers.add(normalize_phone(fields[column]))
                except ValidationFailure:
                    continue  # the generator's malformed rows
    return sorted(numbers)


@asynccontextmanager
async def server_lookup(
    workdir: Path, rows: int, kind: str, rng: random.Random
) -> AsyncIterator[tuple[ServerLookup, list[str]]]:
    extraction = workdir / "PS_LibreAcces_Personne_activite_bench.txt"
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "bench.make_rpps", "--rows", str(rows), str(extraction)],
        check=True, capture_output=True,
    )  # fmt: skip
    url = f"sqlite:///{workdir / 'centrale.sqlite3'}" if kind == "sqlite" else postgres.create_database()
    server = ServerProcess(url, workdir / "server", test_clock=False)
    try:
        for args, stdin in (
            (("create-user", "--username", OPERATOR, "--role", "operator", "--password-stdin"), PASSWORD),
            (("import-rpps", str(extraction)), None),
        ):
            done = server.cli(*args, stdin=None if stdin is None else stdin + "\n")
            if done.returncode != 0:
                raise RuntimeError(done.stderr[-2000:])
        print(f"directory: {rows:,} activity rows imported on {kind} ({time.perf_counter() - started:.1f} s)")
        server.start()
        client = ApiClient(server.base_url)
        try:
            await client.login(OPERATOR, PASSWORD)
            numbers = directory_numbers(extraction)
            rng.shuffle(numbers)
            yield ServerLookup(client), numbers
        finally:
            await client.aclose()
    finally:
        server.stop()
        if kind == "postgresql":
            postgres.drop_database(url)
