"""The audit trail's hash chain: each entry carries the SHA-256 of its canonical form and of the
entry before it, so that a row changed, removed or slipped in by hand breaks the chain where it
happened (`centrale-server audit verify` walks it: server/security/audit_verify.py).

The chain must be linear although many transactions write entries at once. A transaction's entries
are therefore held back (`pending_rows`) and written at commit time only (`write_pending`, from
the session's `before_commit`): on PostgreSQL under a transaction-scoped advisory lock taken just
before the INSERT and released by the COMMIT, so the lock covers the insert and the commit alone,
never the work of the request; on SQLite every transaction already holds the database's single
write lock (BEGIN IMMEDIATE). Under the lock the head of the chain is read, the ids are drawn in
order and the hashes computed, so ids follow the chain and the chain follows commit order.

The first link of the chain is GENESIS_HASH, or the anchor left by the latest archive
(`audit_anchors`: the last archived entry's id and hash).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from server.models import AuditEntry

GENESIS_HASH = "0" * 64
# pg_advisory_xact_lock key: "AUDT" in ASCII.
CHAIN_LOCK_KEY = 0x41554454
PENDING_KEY = "centrale_audit_pending"
# The columns an entry's hash covers, the id first (prev_hash is chained in separately).
CHAINED_COLUMNS = (
    "id",
    "at",
    "user_id",
    "username",
    "role",
    "action",
    "patient_id",
    "method",
    "path",
    "status",
    "client_ip",
    "client_agent",
    "detail",
)


@dataclass(frozen=True)
class ChainLink:
    """Where the chain stands: the id and hash of its last entry (or of the archive's anchor)."""

    id: int
    hash: str


def canonical_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def normalised_detail(detail: dict[str, Any] | None) -> dict[str, Any]:
    """The detail as it reads back from the database (a JSON round trip), which is what is hashed."""
    loaded = json.loads(json.dumps(detail or {}))
    assert isinstance(loaded, dict)
    return loaded


def canonical_entry(row: dict[str, Any]) -> bytes:
    """The bytes hashed for one entry but its id: its other chained columns as a compact,
    key-sorted JSON array."""
    values = [canonical_time(row["at"]) if name == "at" else row.get(name) for name in CHAINED_COLUMNS[1:]]
    values[CHAINED_COLUMNS.index("detail") - 1] = normalised_detail(row.get("detail"))
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def chain_digest(prev_hash: str, entry_id: int, canonical: bytes) -> str:
    """SHA-256 of the previous link, the entry's id and its canonical form."""
    head = f"{prev_hash}\n{int(entry_id)}\n".encode("ascii")
    return hashlib.sha256(head + canonical).hexdigest()


def link_hash(prev_hash: str, row: dict[str, Any]) -> str:
    return chain_digest(prev_hash, int(row["id"]), canonical_entry(row))


def chain_head(session: Session) -> ChainLink:
    """The last entry of the chain, else the latest archive's anchor, else the genesis."""
    last = session.execute(text("SELECT id, entry_hash FROM audit_entries ORDER BY id DESC LIMIT 1")).first()
    if last is not None:
        return ChainLink(int(last[0]), str(last[1] or ""))
    return anchor_head(session)


def anchor_head(session: Session) -> ChainLink:
    anchor = session.execute(
        text("SELECT through_id, last_hash FROM audit_anchors ORDER BY through_id DESC LIMIT 1")
    ).first()
    if anchor is not None:
        return ChainLink(int(anchor[0]), str(anchor[1]))
    return ChainLink(0, GENESIS_HASH)


def pending_rows(session: Session) -> list[dict[str, Any]]:
    """The entries this transaction will write at commit (record_audits appends to it)."""
    rows: list[dict[str, Any]] = session.info.setdefault(PENDING_KEY, [])
    return rows


def write_pending(session: Session) -> None:
    """Chain and insert the transaction's held-back entries (the session's before_commit)."""
    rows: list[dict[str, Any]] | None = session.info.pop(PENDING_KEY, None)
    if not rows:
        return
    session.flush()  # the transaction's other writes, before the lock
    for row in rows:  # the costly part, before the lock too
        row["detail"] = normalised_detail(row.get("detail"))
    bodies = [canonical_entry(row) for row in rows]
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
    head = chain_head(session)
    if postgres:
        drawn = session.execute(
            text("SELECT nextval('audit_entries_id_seq') FROM generate_series(1, :n)"),
            {"n": len(rows)},
        ).scalars()
        ids = sorted(int(i) for i in drawn)
    else:
        ids = list(range(head.id + 1, head.id + 1 + len(rows)))
    prev = head.hash
    for row, body, entry_id in zip(rows, bodies, ids, strict=True):
        row["id"] = entry_id
        row["prev_hash"] = prev
        row["entry_hash"] = prev = chain_digest(prev, entry_id, body)
    session.execute(insert(AuditEntry), rows)


def forget_pending(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)
