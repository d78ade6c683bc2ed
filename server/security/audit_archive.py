"""Archiving the audit trail's oldest entries (CNIL: access logs kept 6 to 12 months, then archived).

`archive` writes the entries before a date — always a prefix of the chain, so the rest still
verifies from the archive's last hash — to a gzip'd JSON-lines file, checks their chain while it
writes, makes the file durable, and only then, in one transaction, records the anchor and deletes
the entries (the database's triggers allow a DELETE of anchored rows only; on PostgreSQL only the
owner role holds DELETE). The file's first line is its header; `verify_archive` re-walks it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from server.db import Database
from server.models.audit import AuditAnchor, AuditEntry
from server.security.audit import Origin, record_audit
from server.security.audit_chain import ChainLink, anchor_head, canonical_time
from server.security.audit_verify import ChainBreak, ChainReport, entry_rows, walk

FORMAT = "centrale-audit-archive/1"
SYSTEM = "centrale"


class ArchiveRefused(Exception):
    """The archive was not made (French message); nothing was deleted."""


@dataclass(frozen=True)
class ArchiveResult:
    entries: int
    after_id: int
    through_id: int
    last_hash: str
    file_sha256: str


def archive(db: Database, before: datetime, path: Path, now: datetime) -> ArchiveResult | None:
    """Archive the entries dated before `before` into `path`; None when there are none."""
    if path.exists():
        raise ArchiveRefused(f"Le fichier {path} existe déjà : choisissez un autre nom")
    with db.session() as session:
        _require_owner(session)
        start = anchor_head(session)
        through = _last_id_before(session, start, before)
        if through is None:
            return None
        report = _write_file(session, path, start, through, before, now)
    digest = _sha256(path)
    with db.session() as session:
        session.execute(
            insert(AuditAnchor).values(
                after_id=start.id,
                start_hash=start.hash,
                through_id=through,
                last_hash=report.last.hash,
                entries=report.entries,
                before=before,
                archived_at=now,
                file_name=path.name[:300],
                file_sha256=digest,
            )
        )
        session.execute(delete(AuditEntry).where(AuditEntry.id <= through))
        origin = Origin("CLI", "centrale-server audit archive", None, None)
        record_audit(
            session, now, origin, None, "audit_archive", username=SYSTEM, after_id=start.id,
            through_id=through, entries=report.entries, file=path.name, file_sha256=digest,
        )  # fmt: skip
    return ArchiveResult(report.entries, start.id, through, report.last.hash, digest)


def _require_owner(session: Session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    allowed = session.scalar(
        text(
            "SELECT has_table_privilege('audit_entries', 'DELETE') "
            "AND has_table_privilege('audit_anchors', 'INSERT')"
        )
    )
    if not allowed:
        raise ArchiveRefused(
            "Ce rôle de base de données ne peut pas archiver le journal d'audit : lancez la "
            "commande avec le rôle propriétaire (celui de « centrale-server migrate »)"
        )


def _last_id_before(session: Session, start: ChainLink, before: datetime) -> int | None:
    """The last id of the chain's prefix dated before `before` (ids follow the chain)."""
    first_after = session.scalar(
        select(func.min(AuditEntry.id)).where(AuditEntry.id > start.id, AuditEntry.at >= before)
    )
    if first_after is None:
        through = session.scalar(select(func.max(AuditEntry.id)).where(AuditEntry.id > start.id))
    else:
        through = int(first_after) - 1
    return int(through) if through is not None and through > start.id else None


def _write_file(
    session: Session, path: Path, start: ChainLink, through: int, before: datetime, now: datetime
) -> ChainReport:
    partial = path.with_name(path.name + ".partiel")
    header = {
        "format": FORMAT,
        "after_id": start.id,
        "start_hash": start.hash,
        "through_id": through,
        "before": canonical_time(before),
        "created_at": canonical_time(now),
    }
    try:
        with partial.open("wb") as raw:
            with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
                out.write(_line(header))

                def written() -> Iterator[dict[str, Any]]:
                    for row in entry_rows(session, start.id, through):
                        out.write(_line(row))
                        yield row

                report = walk(written(), start)
                if report.broken is not None:
                    raise ArchiveRefused(f"Chaîne rompue, archivage refusé : {report.broken.message()}")
                out.write(_line({"end": True, "entries": report.entries, "last_hash": report.last.hash}))
            raw.flush()
            os.fsync(raw.fileno())
        partial.rename(path)
        _fsync_directory(path.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return report


def _line(values: dict[str, Any]) -> bytes:
    shown = {k: canonical_time(v) if isinstance(v, datetime) else v for k, v in values.items()}
    return json.dumps(shown, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode() + b"\n"


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_archive(path: Path) -> tuple[dict[str, Any], ChainReport]:
    """The archive's header and the walk of its entries; a missing end line is a break."""
    with gzip.open(path, "rb") as f:
        header = json.loads(f.readline())
        if header.get("format") != FORMAT:
            raise ArchiveRefused(f"{path} n'est pas une archive du journal d'audit")
        trailer: dict[str, Any] = {}

        def entries() -> Iterator[dict[str, Any]]:
            for line in f:
                row = json.loads(line)
                if row.get("end"):
                    trailer.update(row)
                    return
                row["at"] = datetime.fromisoformat(row["at"])
                yield row

        start = ChainLink(int(header["after_id"]), str(header["start_hash"]))
        report = walk(entries(), start)
    if report.broken is None:
        if not trailer or trailer.get("last_hash") != report.last.hash:
            broken = ChainBreak(report.last.id, "l'archive est tronquée après cette entrée")
            return header, ChainReport(report.entries, report.first_id, report.last, broken)
        if report.last.id != header["through_id"] or trailer.get("entries") != report.entries:
            broken = ChainBreak(report.last.id, "l'archive ne contient pas ce que son en-tête annonce")
            return header, ChainReport(report.entries, report.first_id, report.last, broken)
    return header, report
