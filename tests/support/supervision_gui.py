"""Helpers of the calls and supervision GUI tests: call records, logged-in API clients, pixels."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QTableWidget, QWidget

from desktop.sync.client import ApiClient
from tests.support.live import PASSWORD, unique_phone


def call_body(**overrides: Any) -> dict[str, Any]:
    """A call record as the softphone's call log sends it (`POST /calls`): a missed incoming call."""
    started = overrides.pop("started_at", datetime.now(UTC) - timedelta(minutes=3))
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "direction": "incoming",
        "remote_number": "+33" + unique_phone().replace(" ", "")[1:],
        "remote_display_name": "",
        "local_number": "centrale",
        "identification": "unknown",
        "started_at": started.isoformat(),
        "ended_at": (started + timedelta(seconds=25)).isoformat(),
        "outcome": "missed",
        "end_code": 487,
        "duration_seconds": 0,
        "case_numbers": [],
    }
    body.update(overrides)
    return body


def post_call(client: httpx.Client, **overrides: Any) -> dict[str, Any]:
    response = client.post("/calls", json=call_body(**overrides))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def api_client(base_url: str, username: str, password: str = PASSWORD) -> ApiClient:
    client = ApiClient(base_url)
    await client.login(username, password)
    return client


def cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    assert item is not None, f"no cell ({row}, {column}) in {table.objectName()}"
    return item.text()


def column_texts(table: QTableWidget, column: int) -> list[str]:
    return [cell(table, row, column) for row in range(table.rowCount())]


def grab(widget: QWidget) -> QImage:
    """The widget as drawn now (offscreen Qt paints it into the image)."""
    return widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)


def _pixels(image: QImage) -> memoryview:
    rgb = image.convertToFormat(QImage.Format.Format_RGB32)
    return memoryview(bytes(rgb.constBits())).cast("I")  # 0xffRRGGBB per pixel, no padding


def count_colour(image: QImage, colour: str) -> int:
    """How many pixels are exactly `colour`: the inside of one series' bars."""
    wanted = QColor(colour).rgb()  # 0xffRRGGBB
    return sum(1 for pixel in _pixels(image) if pixel == wanted)


def count_not_background(image: QImage) -> int:
    """Pixels that differ from the top-left one (the chart's background)."""
    pixels = _pixels(image)
    background = pixels[0]
    return sum(1 for pixel in pixels if pixel != background)
