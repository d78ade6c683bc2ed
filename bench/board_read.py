"""The board's full read through the API: what a desktop does when it opens « Tableau de bord ».

ROWS prescriptions (cases of 10) are sent by the operator through the API on a server holding a
few hundred professionals; then the operator reads the whole board as the desktop does, pages of
500 (`GET /prescriptions?scope=all&offset=…`) until a short page, REPEAT times. Printed: the time
of one page (p50 / p95) and of the whole board, on SQLite and PostgreSQL. Every row read is
audited (one audit entry per row, as for any read of patient data).

    .venv/bin/python -m bench.board_read [--rows 5000] [--repeat 5] [--kind sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from bench import support

PAGE = 500  # server.services.board.BOARD_LIMIT


def send_cases(data: support.Dataset, server: support.BenchServer, token: str, rows: int) -> None:
    rng = random.Random(3)
    with server.client(token) as client:
        for _ in range(0, rows, 10):
            response = client.post("/cases", json=support.case_body(data, rng, prescriptions=10))
            response.raise_for_status()


def read_board(server: support.BenchServer, token: str) -> tuple[int, list[float], float]:
    """Every page until a short one: (rows, page times in ms, whole read in ms)."""
    pages: list[float] = []
    rows = 0
    started = time.perf_counter()
    with server.client(token) as client:
        while True:
            before = time.perf_counter()
            response = client.get("/prescriptions", params={"scope": "all", "offset": rows})
            response.raise_for_status()
            pages.append((time.perf_counter() - before) * 1000)
            count = len(response.json())
            rows += count
            if count < PAGE:
                break
    return rows, pages, (time.perf_counter() - started) * 1000


def measure(kind: str, args: argparse.Namespace) -> None:
    with support.served_dataset(kind, args.professionals, args.patients) as served:
        if served is None:
            return
        data, server, token = served
        started = time.monotonic()
        send_cases(data, server, token, args.rows)
        print(f"{kind:<10} {args.rows:,} prescriptions sent in {time.monotonic() - started:.1f} s")
        pages: list[float] = []
        wholes: list[float] = []
        for _ in range(args.repeat):
            rows, times, whole = read_board(server, token)
            pages += times
            wholes.append(whole)
        print(
            f"{kind:<10} board of {rows:,} rows: page of {PAGE} "
            f"p50 {statistics.median(pages):.0f} ms, p95 {support.percentile(pages, 0.95):.0f} ms; "
            f"whole board p50 {statistics.median(wholes):.0f} ms, max {max(wholes):.0f} ms "
            f"({args.repeat} reads)",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--professionals", type=int, default=500)
    parser.add_argument("--patients", type=int, default=100)
    parser.add_argument("--kind", choices=["sqlite", "postgresql"], action="append")
    args, _ = parser.parse_known_args()  # bench/run.sh passes its arguments to every benchmark
    for kind in args.kind or ["sqlite", "postgresql"]:
        measure(kind, args)


if __name__ == "__main__":
    main()
