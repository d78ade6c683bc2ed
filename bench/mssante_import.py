"""The MSSanté extraction at its 2026 size (535,928 lines), imported and looked up.

For SQLite and PostgreSQL: a generated file (bench/make_mssante.py, kept in the temporary folder
between runs) is imported by `centrale-server import-mssante` into a fresh database — wall time
and the importer's peak RSS (``wait4``) —, imported a second time (the generation switch and the
comparison with the previous import), then 1,000 médecin-traitant lookups
(`doctor_informed.mssante_address`, the query an acceptance runs) are timed, 10 % of unknown RPPS.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.import_runs import timed_import
from bench.make_mssante import rpps_for, write_file
from server.db import Database
from server.services.doctor_informed import mssante_address
from tests.support import postgres

LINES = 535_928
TARGETS = {"import_s": 60.0, "rss_mb": 300.0, "lookup_p95_ms": 10.0}


def extraction(rows: int) -> Path:
    path = Path(tempfile.gettempdir()) / f"centrale-bench-mssante-{rows}.txt"
    if not path.exists():
        partial = path.with_suffix(".partial")
        write_file(partial, rows, seed=2026)
        partial.rename(path)
    return path


def run_import(url: str, directory: Path, path: Path) -> tuple[float, float]:
    seconds, rss_mb, _ = timed_import("import-mssante", url, directory, path)
    return seconds, rss_mb


def measure(kind: str, path: Path) -> None:
    with tempfile.TemporaryDirectory() as directory:
        try:
            url = (
                f"sqlite:///{Path(directory) / 'c.sqlite3'}"
                if kind == "sqlite"
                else postgres.create_database()
            )
        except postgres.PostgresUnavailable as exc:
            print(f"{kind:<10} skipped: {exc}")
            return
        try:
            first_s, rss_mb = run_import(url, Path(directory), path)
            again_s, again_mb = run_import(url, Path(directory), path)
            engine = create_engine(url)
            with engine.connect() as conn:
                known = [r[0] for r in conn.execute(text("SELECT rpps FROM mssante_addresses LIMIT 5000"))]
            engine.dispose()
            rng = random.Random(5)
            asked = [
                rng.choice(known) if rng.random() < 0.9 else rpps_for(rng.randrange(10**9))
                for _ in range(1000)
            ]
            db = Database(url)
            timings = []
            with db.session() as session:
                for rpps in asked:
                    started = time.perf_counter()
                    mssante_address(session, rpps)
                    timings.append((time.perf_counter() - started) * 1000)
            db.dispose()
            p95 = statistics.quantiles(timings, n=20)[18]
            print(
                f"{kind:<10} import {first_s:.1f} s, peak RSS {rss_mb:.0f} MB; again {again_s:.1f} s "
                f"({again_mb:.0f} MB); lookup p50 {statistics.median(timings):.2f} ms, p95 {p95:.2f} ms "
                f"(targets ≤ {TARGETS['import_s']:.0f} s, ≤ {TARGETS['rss_mb']:.0f} MB, "
                f"p95 ≤ {TARGETS['lookup_p95_ms']:.0f} ms)"
            )
        finally:
            if kind == "postgresql":
                postgres.drop_database(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=LINES - 1)
    parser.add_argument("--kinds", nargs="*", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    path = extraction(args.rows)
    print(f"MSSanté extraction: {args.rows + 1:,} lines, {path.stat().st_size / 1e6:.0f} MB")
    for kind in args.kinds:
        measure(kind, path)


if __name__ == "__main__":
    main()
