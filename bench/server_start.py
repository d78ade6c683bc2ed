"""Cold start of the central server: process launch → first 200 on /api/v1/health.

Each run uses an empty data directory (SQLite) or a freshly created PostgreSQL database, so the
figure includes interpreter start, imports, the Alembic migrations and uvicorn's start.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from tests.support import postgres
from tests.support.server_process import ServerProcess


def measure(kind: str, runs: int) -> list[float]:
    figures = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as directory:
            url = (
                f"sqlite:///{Path(directory) / 'centrale.sqlite3'}"
                if kind == "sqlite"
                else postgres.create_database()
            )
            process = ServerProcess(url, Path(directory), test_clock=False)
            try:
                figures.append(process.start())
            finally:
                process.stop()
                if kind == "postgresql":
                    postgres.drop_database(url)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for kind in ("sqlite", "postgresql"):
        try:
            figures = measure(kind, args.runs)
        except postgres.PostgresUnavailable as exc:
            print(f"{kind:<10} skipped: {exc}")
            continue
        print(
            f"{kind:<10} start→health over {len(figures)} cold starts: "
            f"median {statistics.median(figures):.2f} s, min {min(figures):.2f} s, max {max(figures):.2f} s "
            f"(target ≤ 5 s)"
        )


if __name__ == "__main__":
    main()
