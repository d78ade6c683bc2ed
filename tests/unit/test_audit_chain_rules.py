"""The audit chain's canonical form and walk, and the bounded 401/429 counters, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from server.security import refusal_counts
from server.security.audit_chain import GENESIS_HASH, ChainLink, canonical_entry, link_hash
from server.security.audit_verify import walk

AT = datetime(2025, 3, 30, 1, 30, tzinfo=UTC)


def _entry(entry_id: int, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": entry_id,
        "at": AT + timedelta(seconds=entry_id),
        "user_id": 7,
        "username": "opé.rateur",
        "role": "operator",
        "action": "patient_read",
        "patient_id": 42,
        "method": "GET",
        "path": "/api/v1/patients/42",
        "status": 200,
        "client_ip": "192.0.2.1",
        "client_agent": "centrale/1.0",
        "detail": {"b": 1, "a": [1, 2], (3): "int key"},
    }
    row.update(changes)
    return row


def _chain(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    prev = GENESIS_HASH
    for row in rows:
        row["prev_hash"] = prev
        row["entry_hash"] = prev = link_hash(prev, row)
    return rows


def test_the_canonical_form_is_what_the_database_gives_back() -> None:
    """Key order, a JSON round trip (int keys become text) and the time zone do not change it."""
    written = _entry(1)
    read_back = _entry(1, detail={"3": "int key", "a": [1, 2], "b": 1})
    read_back["at"] = read_back["at"].astimezone(datetime.now().astimezone().tzinfo)
    assert canonical_entry(written) == canonical_entry(read_back)
    assert canonical_entry(written) != canonical_entry(_entry(1, username="mallory"))


def test_walk_names_the_first_broken_link() -> None:
    rows = _chain([_entry(n) for n in range(1, 6)])
    assert walk(rows, ChainLink(0, GENESIS_HASH)).broken is None
    swapped = [rows[0], rows[2], rows[1], rows[3], rows[4]]
    broken = walk(swapped, ChainLink(0, GENESIS_HASH)).broken
    assert broken is not None
    assert broken.entry_id == 3  # right after 1, it does not follow it
    assert broken.reason.startswith("le lien avec l'entrée n° 1 est rompu")
    edited = [dict(r) for r in rows]
    edited[3]["status"] = 403
    broken = walk(edited, ChainLink(0, GENESIS_HASH)).broken
    assert broken is not None
    assert broken.entry_id == 4
    assert broken.reason == "son contenu a été modifié (son empreinte ne correspond plus)"


def test_counters_stay_bounded_under_a_flood_of_sources(monkeypatch: Any) -> None:
    monkeypatch.setattr(refusal_counts, "MAX_KEYS", 100)
    counts = refusal_counts.RefusalCounts()
    for n in range(1_000):
        counts.note(401, f"10.0.{n // 256}.{n % 256}", "/api/v1/patients", AT)
    counts.note(200, "10.9.9.9", "/api/v1/health", AT)  # not a refusal: not counted
    held = counts._counters
    assert len(held) == 101
    assert held[(401, refusal_counts.OVERFLOW_SOURCE)].count == 900
    assert sum(c.count for c in held.values()) == 1_000
