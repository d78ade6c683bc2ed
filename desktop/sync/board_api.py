"""Reading the board through `GET /prescriptions`: every page of the period, by section.

The server answers at most `PAGE_SIZE` rows a call (latest first); `offset` reads the next page.
A case created meanwhile shifts the pages by one: a row may come twice (the board keeps one per
id), never be skipped. The server applies the scope (a supervisor: their networks).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

from pydantic import TypeAdapter

from desktop.sync.client import ApiClient
from desktop.workflows.board import BoardRow, Section
from shared.domain import Role
from shared.schemas.dispatch import PrescriptionView

PAGE_SIZE = 500  # server/services/board.py BOARD_LIMIT
_VIEWS = TypeAdapter(list[PrescriptionView])


def sections_of(role: Role) -> list[tuple[str, Section]]:
    """The board's sections for a role, as (API scope, section): « Mes fiches » first."""
    if role is Role.SECRETARY:
        return [("mine", Section.MINE)]
    other = "supervised" if role is Role.SUPERVISOR else "all"
    return [("mine", Section.MINE), (other, Section.SUPERVISED)]


class BoardApi:
    def __init__(self, client: ApiClient, role: Role) -> None:
        self.client = client
        self.sections = sections_of(role)

    async def page(self, scope: str, since: datetime, offset: int = 0) -> list[PrescriptionView]:
        params: dict[str, str | int] = {"scope": scope, "since": since.isoformat(), "offset": offset}
        if scope != "mine":
            params["exclude_mine"] = "true"  # « Mes fiches » has them: not read twice
        response = await self.client.request("GET", "/prescriptions", params=params)
        return _VIEWS.validate_json(response.content)

    async def pages(self, since: datetime) -> AsyncIterator[list[BoardRow]]:
        """Every prescription sent since `since`, a page at a time (latest first), « Mes fiches »
        first; at least one page, maybe empty."""
        for scope, section in self.sections:
            offset = 0
            while True:
                views = await self.page(scope, since, offset)
                yield [BoardRow.from_view(view, section) for view in views]
                if len(views) < PAGE_SIZE:
                    break
                offset += len(views)

    async def rows(self, since: datetime) -> list[BoardRow]:
        """Every prescription sent since `since`, « Mes fiches » first."""
        return [row async for page in self.pages(since) for row in page]
