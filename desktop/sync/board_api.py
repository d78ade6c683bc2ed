"""Reading the board through `GET /prescriptions`: every page of a scope since a moment.

The server answers at most `PAGE_SIZE` rows a call (latest first); `offset` reads the next page.
A case created meanwhile shifts the pages by one: a row may come twice (the board keeps one per
id), never be skipped. The server applies the scope (a supervisor: their networks). The board's
rows and sections are made of these views by `desktop.services.board_feed.BoardReader`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

from pydantic import TypeAdapter

from desktop.sync.client import ApiClient
from shared.schemas.dispatch import PrescriptionView

PAGE_SIZE = 500  # server/services/board.py BOARD_LIMIT
_VIEWS = TypeAdapter(list[PrescriptionView])


class BoardApi:
    def __init__(self, client: ApiClient) -> None:
        self.client = client

    async def page(self, scope: str, since: datetime, offset: int = 0) -> list[PrescriptionView]:
        params: dict[str, str | int] = {"scope": scope, "since": since.isoformat(), "offset": offset}
        if scope != "mine":
            params["exclude_mine"] = "true"  # « Mes fiches » has them: not read twice
        response = await self.client.request("GET", "/prescriptions", params=params)
        return _VIEWS.validate_json(response.content)

    async def views(self, scope: str, since: datetime) -> AsyncIterator[list[PrescriptionView]]:
        """Every prescription of `scope` sent since `since`, a page at a time (latest first); at
        least one page, maybe empty."""
        offset = 0
        while True:
            views = await self.page(scope, since, offset)
            yield views
            if len(views) < PAGE_SIZE:
                break
            offset += len(views)
