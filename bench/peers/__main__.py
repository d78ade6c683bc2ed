"""Every side-by-side comparison in one run, one table: `python -m bench.peers [--quick] [--only a,b]`.

Each comparison is a module of this package with `run(quick, workdir) -> list[Row]`; one that is
absent is skipped with a line saying so, one that fails is reported and the others still run. The
load average is printed before and after, the rows saved as JSON in the work directory.
"""

from __future__ import annotations

import argparse
import importlib
import time
import traceback
from datetime import datetime
from pathlib import Path

from bench.peers import table
from bench.peers.standalone import DEFAULT_WORKDIR
from bench.peers.table import Row

# The order (items 1 to 8).
COMPARISONS = (
    "softphone", "directory", "matching", "case_creation", "rpps_import", "fanout",
    "card_read", "desktop_start",
)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small data (the whole suite in < 5 min)")
    parser.add_argument("--only", default="", help=f"comma-separated among: {', '.join(COMPARISONS)}")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR, help="where prepared data is kept")
    args = parser.parse_args()
    wanted = [name.strip() for name in args.only.split(",") if name.strip()] or list(COMPARISONS)
    unknown = sorted(set(wanted) - set(COMPARISONS))
    if unknown:
        parser.error(f"unknown comparison(s): {', '.join(unknown)}")
    args.workdir.mkdir(parents=True, exist_ok=True)
    before = table.load_average()
    print(f"before: {before}", flush=True)
    rows: list[Row] = []
    failed: list[str] = []
    started = time.monotonic()
    for name in wanted:
        try:
            module = importlib.import_module(f"bench.peers.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"bench.peers.{name}":
                raise
            print(f"== {name}: skipped (bench/peers/{name}.py is not there)", flush=True)
            continue
        print(f"== {name}", flush=True)
        begun = time.monotonic()
        try:
            rows += module.run(args.quick, args.workdir)
        except Exception:
            traceback.print_exc()
            failed.append(name)
            print(f"== {name}: FAILED", flush=True)
        print(f"== {name}: {time.monotonic() - begun:.0f} s", flush=True)
    after = table.load_average()
    print(f"\n{'Quick run' if args.quick else 'Full-size run'} in {time.monotonic() - started:.0f} s")
    print(f"before: {before}\nafter:  {after}\n")
    print(table.markdown(rows))
    saved = args.workdir / f"peers-{'quick' if args.quick else 'full'}-{datetime.now():%Y%m%d-%H%M%S}.json"
    table.save(rows, saved)
    print(f"\nrows saved in {saved}")
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
