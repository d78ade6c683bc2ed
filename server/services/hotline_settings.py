"""The hotline's settings (one row): read by everyone on staff, written by the admin.

The row is also the hotline's lock: every decision of the distribution (a state change, whom to
ring, an event of a call, the next queue offer) starts with `locked`, so two of them never
interleave — on PostgreSQL by `SELECT … FOR UPDATE` of the row, on SQLite by the single writer
every transaction already is (BEGIN IMMEDIATE). A decision takes a few milliseconds; a hotline
makes a few per second at most.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import Invalid
from server.models import HotlineSettingsRow
from server.models.hotline import HOTLINE_SETTINGS_ID
from server.security.principal import Principal
from shared.schemas.hotline import UNANSWERED_PAUSE, Code, HotlineSettings

UNANSWERED_LABEL = "Appels non répondus"
DEFAULTS = HotlineSettings(
    pause_reasons=[
        Code(code="repas", label="Repas"),
        Code(code="formation", label="Formation"),
        Code(code="administratif", label="Administratif"),
        Code(code="autre", label="Autre"),
        Code(code=UNANSWERED_PAUSE, label=UNANSWERED_LABEL),
    ],
    qualifications=[
        Code(code="declenchement_cree", label="Déclenchement créé"),
        Code(code="renseignement", label="Renseignement"),
        Code(code="erreur_numero", label="Erreur de numéro"),
        Code(code="rappel_prevu", label="Rappel prévu"),
        Code(code="autre", label="Autre"),
    ],
    wrap_up_seconds=30,
    unanswered_limit=3,
    strategy="longest_idle",
    ring_seconds=15,
    service_level_seconds=20,
    service_level_target_percent=80,
)


def _row(session: Session, *, lock: bool) -> HotlineSettingsRow:
    query = select(HotlineSettingsRow).where(HotlineSettingsRow.id == HOTLINE_SETTINGS_ID)
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None:  # migration 0017 inserts it; a database made otherwise gets the defaults here
        row = HotlineSettingsRow(id=HOTLINE_SETTINGS_ID)
        _store(row, DEFAULTS)
        session.add(row)
        session.flush()
    return row


def _store(row: HotlineSettingsRow, settings: HotlineSettings) -> None:
    for name, value in settings.model_dump(mode="json").items():
        setattr(row, name, value)


def view(row: HotlineSettingsRow) -> HotlineSettings:
    return HotlineSettings(
        pause_reasons=[Code.model_validate(c) for c in row.pause_reasons],
        qualifications=[Code.model_validate(c) for c in row.qualifications],
        wrap_up_seconds=row.wrap_up_seconds,
        unanswered_limit=row.unanswered_limit,
        strategy=row.strategy,  # written from the Literal only
        ring_seconds=row.ring_seconds,
        service_level_seconds=row.service_level_seconds,
        service_level_target_percent=row.service_level_target_percent,
    )


def current(session: Session) -> HotlineSettings:
    return view(_row(session, lock=False))


def locked(session: Session) -> HotlineSettings:
    """The settings, with the hotline's lock held until the transaction ends."""
    return view(_row(session, lock=True))


def _unique(codes: list[Code], what: str) -> None:
    seen: set[str] = set()
    for code in codes:
        if code.code in seen:
            raise Invalid("code_duplicate", f"{what} : le code « {code.code} » figure deux fois")
        seen.add(code.code)


def replace(session: Session, body: HotlineSettings, by: Principal, now: datetime) -> HotlineSettings:
    """The admin's new settings. « unanswered » (the server's own pause) is always kept: added back
    with its label when the list leaves it out."""
    _unique(body.pause_reasons, "Motifs de pause")
    _unique(body.qualifications, "Qualifications d'appel")
    reasons = list(body.pause_reasons)
    if UNANSWERED_PAUSE not in {c.code for c in reasons}:
        if len(reasons) >= 30:
            raise Invalid(
                "pause_reasons_full", "Trente motifs de pause au plus, « Appels non répondus » compris"
            )
        reasons.append(Code(code=UNANSWERED_PAUSE, label=UNANSWERED_LABEL))
    settings = body.model_copy(update={"pause_reasons": reasons})
    row = _row(session, lock=True)
    _store(row, settings)
    row.updated_at, row.updated_by = now, by.id
    return view(row)


def label_of(codes: list[Code], code: str | None) -> str | None:
    if code is None:
        return None
    return next((c.label for c in codes if c.code == code), code)
