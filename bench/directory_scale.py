"""The national directory at the size of the November 2022 extraction (1,858,028 lines).

For SQLite and PostgreSQL: a generated file (bench/make_rpps.py, header + 1,858,027 activity
lines, kept in the temporary folder between runs) is imported by `centrale-server import-rpps`
into a fresh database — wall time and the importer's peak RSS (``wait4``) —; then a server
answers, one request at a time, 1,000 searches with random 3-to-5-letter prefixes of names drawn
from the directory (half last name alone, a third last and first name, the rest with a profession
filter) and 1,000 caller lookups (numbers of the directory in various notations, 10 % unknown).
Figures are HTTP round trips seen by the client. 1,000 registered professionals exist besides.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from bench import support
from bench.import_runs import timed_import
from bench.make_rpps import write_file
from tests.support import postgres

LINES = 1_858_028
TARGETS = {"import_s": 90.0, "rss_mb": 500.0, "search_p95_ms": 20.0, "lookup_p95_ms": 10.0}
SAMPLE_SQL = (
    "SELECT last_name_key, first_name_key, profession_code FROM directory_persons "
    "ORDER BY random() LIMIT 1000"
)
PHONES_SQL = "SELECT phone FROM directory_activities WHERE phone IS NOT NULL ORDER BY random() LIMIT 1000"


def extraction(rows: int) -> Path:
    path = Path(tempfile.gettempdir()) / f"centrale-bench-rpps-{rows}.txt"
    if not path.exists():
        started = time.monotonic()
        partial = path.with_suffix(".partial")
        write_file(partial, rows, seed=2022)
        partial.rename(path)
        print(f"generated {path} ({path.stat().st_size / 1e6:.0f} MB) in {time.monotonic() - started:.0f} s")
    return path


def run_import(data: support.Dataset, path: Path) -> tuple[float, float, str]:
    return timed_import("import-rpps", data.url, data.directory, path)


def notations(rng: random.Random, e164: str) -> str:
    national = "0" + e164[3:] if e164.startswith("+33") else e164
    if not national.startswith("0"):
        return e164
    pairs = [national[i : i + 2] for i in range(0, 10, 2)]
    return rng.choice([national, " ".join(pairs), ".".join(pairs), e164, "+33 " + national[1:]])


def timed(client: httpx.Client, path: str, params: dict[str, str]) -> float:
    started = time.perf_counter()
    response = client.get(path, params=params)
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return elapsed


def search_params(rng: random.Random, sample: Sequence[Sequence[str]]) -> dict[str, str]:
    """One search of the mix: a 3-to-5-letter prefix of a sampled person's last name alone
    (half), with one of the first name (a third), or with the profession too (the rest)."""
    last, first, profession = rng.choice(sample)
    params = {"last_name": last[: rng.randint(3, 5)].lower()}
    roll = rng.random()
    if roll > 0.5 and first:
        params["first_name"] = first[: rng.randint(3, 5)].lower()
    if roll > 0.85:
        params["profession"] = profession
    return params


def measure(kind: str, path: Path, rows: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        try:
            data = support.create_dataset(kind, Path(directory), 1_000)
        except postgres.PostgresUnavailable as exc:
            print(f"{kind:<10} skipped: {exc}")
            return
        try:
            seconds, rss_mb, output = run_import(data, path)
            engine = create_engine(data.url)
            with engine.connect() as conn:
                sample = conn.execute(text(SAMPLE_SQL)).all()
                phones = [r[0] for r in conn.execute(text(PHONES_SQL))]
            engine.dispose()
            rng = random.Random(7)
            with support.running(data) as server, server.client(server.login()) as client:
                searches, lookups = [], []
                for n in range(1_010):
                    params = search_params(rng, sample)
                    elapsed = timed(client, "/directory/professionals", params)
                    if n >= 10:  # warm-up
                        searches.append(elapsed)
                for n in range(1_010):
                    if rng.random() < 0.1:
                        phone = f"03{rng.randrange(10**8):08d}"
                    else:
                        phone = notations(rng, rng.choice(phones))
                    elapsed = timed(client, "/directory/lookup-phone", {"phone": phone})
                    if n >= 10:
                        lookups.append(elapsed)
        finally:
            support.drop(data)
    summary = [line.strip() for line in output.splitlines()[1:3]]
    print(f"{kind:<10} import of {rows + 1:,} lines: {seconds:.1f} s, peak RSS {rss_mb:.0f} MB")
    print(f"{kind:<10} {' / '.join(summary)}")
    for name, values, target in (
        ("search", searches, TARGETS["search_p95_ms"]),
        ("lookup-phone", lookups, TARGETS["lookup_p95_ms"]),
    ):
        p95 = support.percentile(values, 0.95)
        print(
            f"{kind:<10} {name}: {len(values)} requests, p50 {statistics.median(values):.1f} ms, "
            f"p95 {p95:.1f} ms, max {max(values):.1f} ms (target p95 ≤ {target:.0f} ms: "
            f"{'met' if p95 <= target else 'MISSED'})"
        )
    print(
        f"{kind:<10} targets: import ≤ {TARGETS['import_s']:.0f} s "
        f"({'met' if seconds <= TARGETS['import_s'] else 'MISSED'}), RSS ≤ {TARGETS['rss_mb']:.0f} MB "
        f"({'met' if rss_mb <= TARGETS['rss_mb'] else 'MISSED'})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=LINES - 1, help="activity lines (header excluded)")
    parser.add_argument("--kinds", nargs="*", default=["sqlite", "postgresql"])
    args, _ = parser.parse_known_args()  # bench/run.sh passes its arguments to every benchmark
    path = extraction(args.rows)
    for kind in args.kinds:
        measure(kind, path, args.rows)


if __name__ == "__main__":
    main()
