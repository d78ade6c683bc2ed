"""One row per figure of the side-by-side table, and the table as printed.

Every figure is a **cost** (a time, a CPU share, a size): lower is better, so a ratio above 1 says
by how much we are slower or heavier than the peer or the floor. A throughput is written as the
time per item for that reason (« ms per case », not « cases per second »).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Row:
    comparison: str  # the item: "softphone", "directory", "matching", …
    figure: str  # what is measured, e.g. "INVITE → 180 Ringing, p95"
    unit: str  # "ms", "s", "% CPU", "MB"
    ours: float
    peer_name: str | None = None
    peer: float | None = None
    floor_name: str | None = None
    floor: float | None = None
    note: str = ""

    @property
    def vs_peer(self) -> float | None:
        return _ratio(self.ours, self.peer)

    @property
    def vs_floor(self) -> float | None:
        return _ratio(self.ours, self.floor)


def _ratio(ours: float, other: float | None) -> float | None:
    if other is None or other <= 0:
        return None
    return ours / other


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _ratio_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


def markdown(rows: Sequence[Row]) -> str:
    """The table as the README shows it."""
    lines = [
        "| comparison | figure | ours | peer | peer value | floor | floor value"
        " | ours ÷ peer | ours ÷ floor |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        figure = f"{row.figure} ({row.unit})" + (f" — {row.note}" if row.note else "")
        lines.append(
            f"| {row.comparison} | {figure} | {_number(row.ours)} | {row.peer_name or '—'}"
            f" | {_number(row.peer)} | {row.floor_name or '—'} | {_number(row.floor)}"
            f" | {_ratio_text(row.vs_peer)} | {_ratio_text(row.vs_floor)} |"
        )
    return "\n".join(lines)


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min, {os.cpu_count()} cores)"


def save(rows: Sequence[Row], path: Path) -> None:
    path.write_text(json.dumps([asdict(row) for row in rows], indent=1), encoding="utf-8")
