"""The bookkeeping columns every directory import table has (``directory_imports``,
``mssante_imports``): one row per run, whose id is the generation its rows carry."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import UtcDateTime

# Column order as in the migrations: these first, the table's own counts, then ``rejected``.
_FIRST, _LAST = -1, 1


class ImportRunColumns:
    id: Mapped[int] = mapped_column(primary_key=True, sort_order=_FIRST)  # the generation
    source: Mapped[str] = mapped_column(String(300), sort_order=_FIRST)
    status: Mapped[str] = mapped_column(String(12), index=True, sort_order=_FIRST)  # running, done, abandoned
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), sort_order=_FIRST)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), sort_order=_FIRST)
    lines: Mapped[int] = mapped_column(Integer, default=0, sort_order=_FIRST)
    rejected: Mapped[int] = mapped_column(Integer, default=0, sort_order=_LAST)
