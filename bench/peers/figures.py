"""Turning measured samples into the table's rows: the median and the p95 of each side."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from bench.peers.table import Row
from bench.support import percentile


def p95(values: Sequence[float]) -> float:
    return percentile(list(values), 0.95)


def median_and_p95(
    comparison: str,
    figure: str,
    unit: str,
    ours: Sequence[float],
    *,
    peer_name: str | None = None,
    peer: Sequence[float] | None = None,
    floor_name: str | None = None,
    floor: Sequence[float] | None = None,
    note: str = "",
) -> list[Row]:
    """Two rows (« figure, p50 » and « figure, p95 ») from samples of the same work on each side."""
    rows = []
    for label, summary in (("p50", statistics.median), ("p95", p95)):
        rows.append(
            Row(
                comparison,
                f"{figure}, {label}",
                unit,
                summary(ours),
                peer_name,
                summary(peer) if peer else None,
                floor_name,
                summary(floor) if floor else None,
                note,
            )
        )
    return rows
