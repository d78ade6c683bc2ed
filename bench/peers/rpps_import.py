"""Item 5 — RPPS import: `centrale-server import-rpps` against the floor of loading the same file.

The same generated extraction (bench/make_rpps.py through bench/directory_scale.py's cached file:
1,858,028 lines, quick: 100,001; one line in 997 malformed on purpose, as real extractions have a
few) is loaded, alternately, by:
- ours: `centrale-server import-rpps` (a child process, as bench/directory_scale.py times it) into
  a new, migrated database: parsing, checks (Luhn, columns), name and phone keys, persons and
  activities, their indexes, the new generation made current;
- the floor on PostgreSQL: `COPY … FROM STDIN` of the file's bytes (psycopg, as `psql \\copy`
  would) into an unindexed table of one text column per line — a per-column COPY refuses the whole
  file at its first malformed line, which is why the lines stay whole;
- the floor on SQLite: the sqlite3 shell's `.import` into an unindexed table of one text column per
  field (the shell fills a short line with NULLs), in a new file.
Wall time of each, seconds; runs: 3 (quick) or 2 (full size), each into a new database.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from functools import partial
from pathlib import Path

import psycopg

from bench import support
from bench.directory_scale import LINES, extraction, run_import
from bench.peers import standalone
from bench.peers.figures import median_and_p95
from bench.peers.table import Row
from tests.support import postgres

QUICK_ROWS = 100_000
COPY_CHUNK = 1 << 20


def copy_floor(path: Path) -> float:
    """COPY of the file into a new database's unindexed one-column table; seconds."""
    url = postgres.create_database("centrale_peers_copy").replace("postgresql+psycopg://", "postgresql://", 1)
    try:
        with psycopg.connect(url) as conn:
            conn.execute("CREATE TABLE rpps_lines (line text)")
            conn.commit()
            started = time.monotonic()
            with (
                conn.cursor() as cursor,
                cursor.copy(
                    "COPY rpps_lines FROM STDIN (FORMAT csv, HEADER true, DELIMITER E'\\x01', QUOTE E'\\x02')"
                ) as copy,
                path.open("rb") as source,
            ):
                while chunk := source.read(COPY_CHUNK):
                    copy.write(chunk)
            conn.commit()
            seconds = time.monotonic() - started
            row = conn.execute("SELECT count(*) FROM rpps_lines").fetchone()
            assert row is not None
            assert row[0] > 0
    finally:
        postgres.drop_database(url)
    return seconds


def sqlite_floor(path: Path, directory: Path) -> float:
    """The sqlite3 shell's `.import` into a new file's unindexed table; seconds."""
    with path.open(encoding="utf-8", newline="") as source:
        fields = source.readline().count("|") + 1
    database = directory / "floor.sqlite3"
    database.unlink(missing_ok=True)
    columns = ", ".join(f"c{n} TEXT" for n in range(fields))
    script = f'CREATE TABLE rpps({columns});\n.separator "|" "\\n"\n.import --skip 1 {path} rpps\n'
    started = time.monotonic()
    subprocess.run(
        ["sqlite3", str(database)], input=script, text=True, check=True, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    seconds = time.monotonic() - started
    count = subprocess.run(
        ["sqlite3", str(database), "SELECT count(*) FROM rpps"], capture_output=True, text=True, check=True
    )
    assert int(count.stdout) > 0, count.stdout
    database.unlink()
    return seconds


def ours(kind: str, path: Path, directory: Path) -> float:
    """`centrale-server import-rpps` into a new migrated database; seconds."""
    data = support.create_dataset(kind, directory, 0)
    try:
        seconds, _rss, _output = run_import(data, path)
    finally:
        support.drop(data)
        (directory / "centrale.sqlite3").unlink(missing_ok=True)
    return seconds


def floor(kind: str, path: Path, directory: Path) -> float:
    return copy_floor(path) if kind == "postgresql" else sqlite_floor(path, directory)


def run(quick: bool, workdir: Path) -> list[Row]:
    rows = QUICK_ROWS if quick else LINES - 1
    path = extraction(rows)
    runs = 3 if quick else 2
    out: list[Row] = []
    for kind, floor_name in (("postgresql", "COPY (whole lines)"), ("sqlite", "sqlite3 .import")):
        ours_s: list[float] = []
        floor_s: list[float] = []
        for n in range(runs):
            with tempfile.TemporaryDirectory(dir=workdir) as directory:
                sides = [
                    (ours_s, partial(ours, kind, path, Path(directory))),
                    (floor_s, partial(floor, kind, path, Path(directory))),
                ]
                for sink, side in sides if n % 2 == 0 else sides[::-1]:
                    sink.append(side())
        print(
            f"{kind}: ours {[round(s, 1) for s in ours_s]} s, {floor_name} {[round(s, 1) for s in floor_s]} s"
        )
        out += median_and_p95(
            "rpps_import",
            f"{rows + 1:,} lines, {kind}",
            "s",
            ours_s,
            floor_name=floor_name,
            floor=floor_s,
            note=f"{runs} runs each (p95: the slowest)",
        )
    return out


if __name__ == "__main__":
    standalone.main(run, __doc__.splitlines()[0])
