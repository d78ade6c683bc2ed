"""The entry of one comparison run alone: `.venv/bin/python -m bench.peers.<name> [--quick]`."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from bench.peers import table
from bench.peers.table import Row

DEFAULT_WORKDIR = Path("/tmp/centrale-peers")


def main(run: Callable[[bool, Path], list[Row]], description: str) -> None:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="small data (the whole suite in < 5 min)")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR, help="where prepared data is kept")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(table.load_average(), flush=True)
    rows = run(args.quick, args.workdir)
    print(table.load_average())
    print(table.markdown(rows))
