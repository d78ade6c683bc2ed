"""The INSi teleservice behind an adapter: what the server asks, what it gets back.

Why the server calls INSi, not the desktop: the teleservice authenticates the caller with the
establishment's certificate (or a CPS) through a CNDA-approved connection; that secret belongs in the
server's secret store, not on every workstation. And the server must be able to trust the answer:
a status « récupérée » or « qualifiée » cites an answer the server itself received and stored
(`insi_answers`), which no workstation can forge. The desktop asks the server (`POST /api/v1/insi/search`)
and learns from `GET /api/v1/insi` whether this deployment has a connection at all.

A deployment plugs its approved connection in with `CENTRALE_INSI=package.module:factory` (a callable
returning an `InsiTeleservice`); `CENTRALE_INSI=fake` selects the fake of server/insi/fake.py for the
tests and the demo, never by default; unset, there is none and nothing can be « récupérée ».
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from shared.schemas.identity_evidence import InsiQuery


class InsiUnavailable(RuntimeError):
    """The teleservice did not answer (network, certificate, service down): say so, keep nothing."""


@dataclass(frozen=True)
class InsiIdentity:
    """The INS and the strict traits as the teleservice returned them."""

    reference: str  # the teleservice's own reference of the answer (traceability)
    nir: str
    ins_oid: str
    birth_last_name: str
    birth_first_names: str
    sex: str
    birth_date: date
    birth_place_insee: str


class InsiTeleservice(Protocol):
    name: str

    def search(self, query: InsiQuery) -> InsiIdentity | None:
        """The one identity the traits designate; None when there is none or more than one."""
        ...
