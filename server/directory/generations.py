"""What the RPPS and MSSanté imports share: generations, rejected lines, the file's header.

Both imports write a new generation beside the one being read (server/directory/importer.py,
server/directory/mssante_importer.py); the steps below are the same for both, only the tables
and the import model differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from server.directory.reader import Source, detect_encoding
from server.models.import_runs import ImportRunColumns

MAX_LISTED_REJECTIONS = 1_000
# Test hook: the process dies (as if killed) right after committing the batch holding this line.
CRASH_ENV = "CENTRALE_IMPORT_CRASH_AFTER_LINE"


@dataclass(frozen=True)
class Rejection:
    line: int
    reason: str


class ReportsRejections(Protocol):
    rejected: int
    rejections: list[Rejection]


def reject(report: ReportsRejections, line_number: int, reason: str) -> None:
    """Counts a rejected line; the first MAX_LISTED_REJECTIONS are listed with their reason."""
    report.rejected += 1
    if len(report.rejections) < MAX_LISTED_REJECTIONS:
        report.rejections.append(Rejection(line_number, reason))


def latest_finished(session: Session, model: type[ImportRunColumns]) -> int | None:
    """The generation readers use: the latest finished import."""
    return session.scalar(select(func.max(model.id)).where(model.status == "done"))


def delete_other_generations(session: Session, tables: tuple[str, ...], keep: int | None) -> None:
    """Deletes every row of ``tables`` outside generation ``keep`` (all of them when None)."""
    for table in tables:
        if keep is None:
            session.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - constant table names
        else:
            statement = text(f"DELETE FROM {table} WHERE generation <> :keep")  # noqa: S608 - constant
            session.execute(statement, {"keep": keep})


def clear_unfinished(session: Session, model: type[ImportRunColumns], tables: tuple[str, ...]) -> None:
    """Step 1 of an import: the imports left running are abandoned and their rows deleted."""
    current = latest_finished(session, model)
    session.execute(update(model).where(model.status == "running").values(status="abandoned"))
    delete_other_generations(session, tables, current)


def read_header(source: Source) -> tuple[bytes, str]:
    """The header line (without a UTF-8 byte order mark) and the file's encoding."""
    header = source.stream.readline()
    if header.startswith(b"\xef\xbb\xbf"):
        header = header[3:]
    return header, detect_encoding(header)
