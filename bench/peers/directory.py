"""Item 2 — directory search: our name-prefix search against PostgreSQL pg_trgm and SQLite FTS5.

The same generated RPPS extraction (bench/make_rpps.py; 1,858,028 lines, quick: 100,001) is
imported once by `centrale-server import-rpps` into PostgreSQL and into SQLite (bench/peers/
datasets.py); each peer's table is built from the persons our search reads (the current generation):
- pg_trgm, in the same PostgreSQL database: `lower(unaccent(name))` columns with a GIN trigram
  index each, `ILIKE 'abc%'`;
- FTS5, in its own SQLite file: `unicode61 remove_diacritics 2` with prefix indexes of 3, 4 and 5
  letters (what SQLite's documentation advises for prefix queries), `MATCH 'last_name:abc*'`.
The same searches (bench/directory_scale.py's mix: last-name prefix alone, with a first-name prefix,
with the profession too; 1,000, quick: 200) are answered one at a time by ours and the peer of the
same engine, alternately. Every side answers what the API's page shows: the first 20 in name order
(plus one, to know if more matched), with the columns shown. No HTTP on any side: ours is
`server.directory.search.search` in a session of the server's own `Database` (a session per search,
as a request has); each peer is one statement on an open driver connection (psycopg, sqlite3).

Not quite the same question: our keys drop hyphens, apostrophes and spaces (« dalm » finds
« D'ALMEIDA »), a trigram `ILIKE` keeps them, and FTS5 matches the prefix of any word of the name
(« alm » finds it too, so the peer's query anchors it to the name's first word, `^`). Every side
orders by names then profession and RPPS (FTS5 ignoring ASCII case); the share of searches whose
first page holds the same people as ours is noted (ties between equal names and our keys' dropped
punctuation make the rest).
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import text

from bench.directory_scale import LINES, search_params
from bench.peers import datasets, standalone
from bench.peers.figures import median_and_p95
from bench.peers.table import Row
from server.db import Database
from server.directory import search
from server.directory.importer import current_generation
from shared.validation import name_compact_key

QUICK_ROWS = 100_000
LIMIT = 20  # GET /directory/professionals' default page
WARM_UP = 10
SHOWN = "rpps, last_name, first_name, profession_code, profession, specialty, commune, postal_code, phone"
TRGM_BUILD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    f"CREATE TABLE peer_trgm AS SELECT {SHOWN}, lower(unaccent(last_name)) AS last_u,"
    " lower(unaccent(coalesce(first_name, ''))) AS first_u FROM directory_persons WHERE generation = %s",
    "CREATE INDEX peer_trgm_last ON peer_trgm USING gin (last_u gin_trgm_ops)",
    "CREATE INDEX peer_trgm_first ON peer_trgm USING gin (first_u gin_trgm_ops)",
    "VACUUM ANALYZE peer_trgm",
]
FTS_COLUMNS = "rpps, profession_code, profession, specialty, commune, postal_code, phone"
FTS_BUILD = [
    "CREATE VIRTUAL TABLE peer_fts USING fts5(last_name, first_name,"
    + ", ".join(f" {c.strip()} UNINDEXED" for c in FTS_COLUMNS.split(","))
    + ", tokenize = 'unicode61 remove_diacritics 2', prefix = '3 4 5')",
    f"INSERT INTO peer_fts (last_name, first_name, {FTS_COLUMNS}) SELECT last_name, coalesce(first_name, ''),"
    f" {FTS_COLUMNS} FROM ours.directory_persons WHERE generation = ?",
    "INSERT INTO peer_fts (peer_fts) VALUES ('optimize')",
]

Search = dict[str, str]


def _generation(url: str) -> int:
    db = Database(url)
    try:
        with db.session() as session:
            generation = current_generation(session)
    finally:
        db.dispose()
    assert generation is not None, "no finished import"
    return generation


def searches(url: str, count: int) -> list[Search]:
    """`count` searches drawn from the persons of the database at `url` (the same on both engines:
    persons in RPPS order, a fixed seed)."""
    engine = Database(url)
    try:
        with engine.session() as session:
            persons = session.execute(
                text(
                    "SELECT last_name_key, first_name_key, profession_code FROM directory_persons"
                    " WHERE generation = :g ORDER BY rpps"
                ),
                {"g": _generation(url)},
            ).all()
    finally:
        engine.dispose()
    rng = random.Random(7)
    sample = [tuple(p) for p in rng.sample(persons, min(1_000, len(persons)))]
    return [search_params(rng, sample) for _ in range(WARM_UP + count)]


def _psycopg_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def trgm_peer(url: str) -> tuple[Callable[[Search], list[str]], Callable[[], None]]:
    """(search, close) of the pg_trgm peer; builds its table once in the kept database."""
    conn = psycopg.connect(_psycopg_url(url), autocommit=True)
    if conn.execute("SELECT to_regclass('peer_trgm')").fetchone() == (None,):
        print("building the pg_trgm table and its GIN indexes…", flush=True)
        started = time.monotonic()
        generation = _generation(url)
        for statement in TRGM_BUILD:
            conn.execute(statement, (generation,) if "%s" in statement else None)
        print(f"pg_trgm built in {time.monotonic() - started:.0f} s", flush=True)

    def run(params: Search) -> list[str]:
        where, values = ["last_u ILIKE %s"], [params["last_name"] + "%"]
        if "first_name" in params:
            where.append("first_u ILIKE %s")
            values.append(params["first_name"] + "%")
        if "profession" in params:
            where.append("profession_code = %s")
            values.append(params["profession"])
        sql = (
            f"SELECT {SHOWN} FROM peer_trgm WHERE {' AND '.join(where)}"
            f" ORDER BY last_u, first_u, profession_code, rpps LIMIT {LIMIT + 1}"
        )
        return [str(row[0]) for row in conn.execute(sql, values).fetchall()]

    return run, conn.close


def fts_peer(url: str) -> tuple[Callable[[Search], list[str]], Callable[[], None]]:
    """(search, close) of the FTS5 peer; its file is built once beside the kept SQLite database."""
    ours = url.removeprefix("sqlite:///")
    path = Path(ours).with_name("peer-fts5.sqlite3")
    if not path.exists():
        print("building the FTS5 table…", flush=True)
        started = time.monotonic()
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        build = sqlite3.connect(partial)
        build.execute("ATTACH DATABASE ? AS ours", (ours,))
        for statement in FTS_BUILD:
            build.execute(statement, (_generation(url),) if "?" in statement else ())
        build.commit()
        build.close()
        partial.rename(path)
        print(f"FTS5 built in {time.monotonic() - started:.0f} s", flush=True)
    conn = sqlite3.connect(path)

    def run(params: Search) -> list[str]:
        # ^: the name's first word (the prefix of the name, not of any of its words)
        match = f"last_name : ^{params['last_name']}*"
        if "first_name" in params:
            match += f" AND first_name : ^{params['first_name']}*"
        sql = f"SELECT {SHOWN} FROM peer_fts WHERE peer_fts MATCH ?"
        values: list[Any] = [match]
        if "profession" in params:
            sql += " AND profession_code = ?"
            values.append(params["profession"])
        order = "last_name COLLATE NOCASE, first_name COLLATE NOCASE, profession_code, rpps"
        sql += f" ORDER BY {order} LIMIT {LIMIT + 1}"
        return [str(row[0]) for row in conn.execute(sql, values).fetchall()]

    return run, conn.close


def ours_search(db: Database) -> Callable[[Search], list[str]]:
    def run(params: Search) -> list[str]:
        first, profession = params.get("first_name"), params.get("profession")
        query = search.Query.of(params["last_name"], first, profession, LIMIT)
        with db.session() as session:
            items, _more = search.search(session, query)
        return [item.rpps for item in items]

    return run


def ours_statement(url: str) -> tuple[Callable[[Search], list[str]], Callable[[], None]]:
    """Our directory statement alone on the raw driver (no session, no ORM, no registered
    professionals first): the key ranges read in the name index's order, as search.py builds them."""
    generation = _generation(url)
    postgresql = url.startswith("postgresql")
    conn: Any = (
        psycopg.connect(_psycopg_url(url), autocommit=True)
        if postgresql
        else sqlite3.connect(url.removeprefix("sqlite:///"))
    )
    mark = "%s" if postgresql else "?"

    def run(params: Search) -> list[str]:
        where, values = [f"generation = {mark}"], list[object]([generation])
        for column, name in (("last_name_key", "last_name"), ("first_name_key", "first_name")):
            key = name_compact_key(params.get(name, ""))
            if key:
                where.append(f"{column} >= {mark} AND {column} < {mark}")
                values += [key, key[:-1] + chr(ord(key[-1]) + 1)]
        ties = "rpps"
        if "profession" in params:
            where.append(f"profession_code = {mark}")
            values.append(params["profession"])
        else:
            ties = "profession_code, rpps"
        sql = (
            f"SELECT {SHOWN} FROM directory_persons WHERE {' AND '.join(where)}"
            f" ORDER BY last_name_key, first_name_key, {ties} LIMIT {LIMIT + 1}"
        )
        return [str(row[0]) for row in conn.execute(sql, values).fetchall()]

    return run, conn.close


def alternate(
    queries: Sequence[Search], sides: Sequence[Callable[[Search], list[str]]]
) -> tuple[list[list[float]], int]:
    """Every side on each query, the order rotating from one query to the next; ms of each side
    (after the warm-up), and how many first pages of the last side agree with the first's."""
    times: list[list[float]] = [[] for _ in sides]
    agree = 0
    for n, params in enumerate(queries):
        answers: dict[int, list[str]] = {}
        for shift in range(len(sides)):
            index = (n + shift) % len(sides)
            started = time.perf_counter()
            answers[index] = sides[index](params)
            elapsed = (time.perf_counter() - started) * 1000
            if n >= WARM_UP:
                times[index].append(elapsed)
        if n >= WARM_UP and set(answers[0][:LIMIT]) == set(answers[len(sides) - 1][:LIMIT]):
            agree += 1
    return times, agree


def run(quick: bool, workdir: Path) -> list[Row]:
    rows = QUICK_ROWS if quick else LINES - 1
    count = 200 if quick else 1_000
    rows_out: list[Row] = []
    postgresql = datasets.directory(workdir, "postgresql", rows)
    sqlite = datasets.directory(workdir, "sqlite", rows)
    queries = searches(postgresql.url, count)
    for data, peer_name in ((postgresql, "pg_trgm"), (sqlite, "FTS5")):
        peer, close_peer = trgm_peer(data.url) if data.kind == "postgresql" else fts_peer(data.url)
        statement, close_statement = ours_statement(data.url)
        db = Database(data.url)
        try:
            (ours_ms, statement_ms, peer_ms), agree = alternate(queries, [ours_search(db), statement, peer])
        finally:
            db.dispose()
            close_peer()
            close_statement()
        print(f"{data.kind}: same first page as {peer_name} for {agree} of {len(ours_ms)} searches")
        what = f"{len(ours_ms):,} prefix searches, {rows + 1:,} lines, {data.kind}"
        note = f"same first page {100 * agree / len(ours_ms):.0f} %"
        rows_out += median_and_p95(
            "directory", f"{what}, in process", "ms", ours_ms, peer_name=peer_name, peer=peer_ms, note=note
        )
        rows_out += median_and_p95(
            "directory",
            f"{what}, our statement alone (raw driver)",
            "ms",
            statement_ms,
            peer_name=peer_name,
            peer=peer_ms,
        )
    return rows_out


if __name__ == "__main__":
    standalone.main(run, __doc__.splitlines()[0])
