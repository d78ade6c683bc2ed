"""Walking the audit trail's hash chain (`centrale-server audit verify`): in the database, from the
latest archive's anchor, and in archive files. The first broken link is named with its entry."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.models.audit import AuditAnchor, AuditEntry
from server.security.audit_chain import GENESIS_HASH, ChainLink, link_hash

BATCH = 5000


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    reason: str  # French, for the operator reading the command's output

    def message(self) -> str:
        return f"Entrée n° {self.entry_id} : {self.reason}"


@dataclass(frozen=True)
class ChainReport:
    entries: int
    first_id: int | None
    last: ChainLink
    broken: ChainBreak | None


def walk(rows: Iterable[dict[str, Any]], start: ChainLink) -> ChainReport:
    """Check each entry's link to the one before and its own hash, stopping at the first break."""
    last, count, first_id = start, 0, None
    for row in rows:
        entry_id = int(row["id"])
        first_id = entry_id if first_id is None else first_id
        if entry_id <= last.id:
            reason = f"hors d'ordre ou déjà archivée (la chaîne en est à l'entrée n° {last.id})"
            return ChainReport(count, first_id, last, ChainBreak(entry_id, reason))
        if row.get("prev_hash") != last.hash:
            after = f"l'entrée n° {last.id}" if last.id else "le début du journal"
            reason = (
                f"le lien avec {after} est rompu : une entrée a été supprimée, insérée ou "
                "modifiée entre les deux"
            )
            return ChainReport(count, first_id, last, ChainBreak(entry_id, reason))
        if row.get("entry_hash") != link_hash(last.hash, row):
            reason = "son contenu a été modifié (son empreinte ne correspond plus)"
            return ChainReport(count, first_id, last, ChainBreak(entry_id, reason))
        last, count = ChainLink(entry_id, str(row["entry_hash"])), count + 1
    return ChainReport(count, first_id, last, None)


def anchors_start(session: Session) -> tuple[ChainLink, ChainBreak | None]:
    """Where the chain in the table starts: the archives' anchors, checked to follow each other."""
    link = ChainLink(0, GENESIS_HASH)
    for anchor in session.scalars(select(AuditAnchor).order_by(AuditAnchor.through_id)):
        if anchor.after_id != link.id or anchor.start_hash != link.hash:
            reason = f"l'archive jusqu'à l'entrée n° {anchor.through_id} ne suit pas la précédente"
            return link, ChainBreak(anchor.through_id, reason)
        link = ChainLink(anchor.through_id, anchor.last_hash)
    return link, None


def entry_rows(session: Session, after_id: int, through_id: int | None = None) -> Iterator[dict[str, Any]]:
    """The entries after `after_id` (through `through_id`), in chain order, streamed."""
    table = AuditEntry.__table__
    query = select(table).where(table.c.id > after_id).order_by(table.c.id)
    if through_id is not None:
        query = query.where(table.c.id <= through_id)
    for row in session.execute(query.execution_options(yield_per=BATCH)).mappings():
        yield dict(row)


def verify_database(session: Session) -> ChainReport:
    start, broken = anchors_start(session)
    if broken is not None:
        return ChainReport(0, None, start, broken)
    # Entries at or below the anchor should be gone: walk them all so that one left is reported.
    return walk(entry_rows(session, -1), start)
