"""QtCharts builders of the statistics tab: bar charts and one pie, without animation (drawn at
once: the screenshots and the GUI tests grab them as they are)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QPieSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QPainter

# One colour per series, the first of each chart the test's « drawn » colour.
PALETTE = ("#1565c0", "#c62828", "#2e7d32", "#f9a825", "#6a1b9a", "#00838f")
MIN_HEIGHT = 230


def whole_ticks(top: int, most: int = 5) -> tuple[int, int]:
    """(step, tick count) of a count axis from 0 whose ticks are whole numbers, at most `most`
    steps, the top at or above `top`."""
    step = max(1, -(-top // most))
    return step, max(1, -(-top // step)) + 1


def chart_view(name: str) -> QChartView:
    view = QChartView()
    view.setObjectName(name)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(MIN_HEIGHT)
    return view


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    return chart


def bar_chart(
    title: str,
    categories: Sequence[str],
    sets: Sequence[tuple[str, Sequence[int]]],
    *,
    horizontal: bool = False,
) -> QChart:
    """Bars per category; one set per (name, values), coloured from `PALETTE` in order."""
    chart = _chart(title)
    series = QHorizontalBarSeries() if horizontal else QBarSeries()
    top = 0
    for index, (name, values) in enumerate(sets):
        bar_set = QBarSet(name)
        bar_set.setColor(QColor(PALETTE[index % len(PALETTE)]))
        bar_set.setBorderColor(QColor(PALETTE[index % len(PALETTE)]))
        bar_set.append([float(v) for v in values])
        series.append(bar_set)
        top = max(top, *values, 0)
    chart.addSeries(series)
    labels = QBarCategoryAxis()
    labels.append(list(categories))
    step, ticks = whole_ticks(top)
    counts = QValueAxis()
    counts.setRange(0, step * (ticks - 1))
    counts.setLabelFormat("%d")
    counts.setTickCount(ticks)
    category_side, value_side = (
        (Qt.AlignmentFlag.AlignLeft, Qt.AlignmentFlag.AlignBottom)
        if horizontal
        else (Qt.AlignmentFlag.AlignBottom, Qt.AlignmentFlag.AlignLeft)
    )
    chart.addAxis(labels, category_side)
    chart.addAxis(counts, value_side)
    series.attachAxis(labels)
    series.attachAxis(counts)
    chart.legend().setVisible(len(sets) > 1)
    return chart


def pie_chart(title: str, slices: Sequence[tuple[str, int]]) -> QChart:
    chart = _chart(title)
    series = QPieSeries()
    for index, (label, value) in enumerate(slices):
        if value <= 0:
            continue
        piece = series.append(f"{label} ({value})", float(value))
        piece.setColor(QColor(PALETTE[index % len(PALETTE)]))
    chart.addSeries(series)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
    return chart


def replace_chart(view: QChartView, chart: QChart) -> None:
    """Shows `chart` in `view`; the previous chart is deleted (the view owns what it shows)."""
    previous = view.chart()
    view.setChart(chart)
    if previous is not None and previous is not chart:
        previous.deleteLater()
