"""Identity vigilance (RNIV) on the server: the evidence behind a patient's identity status.

The rules are shared/validation/identity_vigilance.py's (with their sources); here they are enforced
on every create and update of a patient, with the evidence stored on the patient
(`patients.identity_evidence`: the document checked, by whom and when; the INSi answer cited) and
the INSi answers the server received kept in `insi_answers` (server/insi/api.py says why the server
is the one to call the teleservice).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import Invalid, Unavailable
from server.insi import InsiTeleservice, InsiUnavailable
from server.models import InsiAnswer
from server.security.principal import Principal
from shared.domain import IdentityStatus, Sex
from shared.schemas.identity_evidence import (
    CheckedDocument,
    IdentityDocumentIn,
    IdentityEvidenceOut,
    InsiIdentityOut,
    InsiQuery,
    RecoveredIns,
)
from shared.schemas.labels import FIELD_LABELS
from shared.validation import ValidationFailure
from shared.validation.identity_vigilance import (
    INSI_UNAVAILABLE,
    NEEDS_INSI,
    IdentityDocument,
    check_document,
    check_status_evidence,
)

PARIS: Final = ZoneInfo("Europe/Paris")
# A change to one of these drops the document checked: the new value was not seen on it (RNIV).
DOCUMENT_TRAITS: Final = ("birth_last_name", "birth_first_names", "birth_date", "sex", "birth_place_insee")
# What the cited INSi answer must agree with, field by field.
INSI_TRAITS: Final = ("nir", "ins_oid", *DOCUMENT_TRAITS)
NO_TELESERVICE: Final = f"{INSI_UNAVAILABLE} : ce serveur n'a pas de connexion au téléservice INSi"


def _first_name(names: str | None) -> str:
    return (names or "").split(" ")[0].casefold()


def _agrees(name: str, answer: InsiAnswer, values: dict[str, Any]) -> bool:
    ours, theirs = values.get(name), getattr(answer, name)
    if name == "birth_first_names":  # the first birth first name is the strict trait
        return _first_name(ours) == _first_name(theirs)
    if name == "birth_last_name":
        return str(ours or "").casefold() == str(theirs).casefold()
    return bool(str(ours or "") == str(theirs))


def _answer(session: Session, reference: str) -> InsiAnswer:
    answer = session.scalar(select(InsiAnswer).where(InsiAnswer.reference == reference))
    if answer is None:
        raise Invalid("insi_unknown", "Réponse INSi inconnue de ce serveur : récupérez l'INS à nouveau")
    return answer


def _document_entry(document: IdentityDocumentIn, by: Principal, now: datetime) -> dict[str, Any]:
    parent = document.parent.model_dump(mode="json") if document.parent else None
    return {
        "type": document.type.value,
        "parent": parent,
        "checked_by": by.id,
        "checked_by_name": by.display_name,
        "checked_at": now.isoformat(),
    }


def settle_evidence(
    session: Session,
    values: dict[str, Any],
    stored: dict[str, Any],
    changed: set[str],
    document: IdentityDocumentIn | None,
    insi_reference: str | None,
    by: Principal,
    now: datetime,
) -> dict[str, Any]:
    """The evidence after this create or update (`values`: the whole patient as it will be), or a 422
    naming what is missing when the status asks for more than the evidence supports."""
    evidence = dict(stored)
    if document is not None:
        try:
            birth_date = values.get("birth_date")
            parent = document.parent
            check_document(
                document.type,
                parent.document if parent else None,
                f"{parent.last_name} {parent.first_name}" if parent else None,
                birth_date,
                now.astimezone(PARIS).date(),
            )
        except ValidationFailure as failure:
            raise Invalid.of(failure) from failure
        evidence["document"] = _document_entry(document, by, now)
    elif changed & set(DOCUMENT_TRAITS):
        evidence.pop("document", None)
    if insi_reference is not None:
        _answer(session, insi_reference)
        evidence["insi"] = {
            "reference": insi_reference,
            "recovered_by": by.id,
            "recovered_by_name": by.display_name,
            "recovered_at": now.isoformat(),
        }
    status = IdentityStatus(values.get("identity_status") or IdentityStatus.PROVISIONAL)
    try:
        check_status_evidence(
            status, document_checked="document" in evidence, insi_recovered="insi" in evidence
        )
    except ValidationFailure as failure:
        raise Invalid.of(failure) from failure
    if status in NEEDS_INSI:
        answer = _answer(session, evidence["insi"]["reference"])
        differing = [FIELD_LABELS.get(n, n) for n in INSI_TRAITS if not _agrees(n, answer, values)]
        if differing:
            raise Invalid(
                "insi_mismatch",
                f"{status.label} : ne correspond pas à l'identité renvoyée par le téléservice INSi "
                f"({', '.join(differing)})",
            )
    return evidence


def evidence_detail(evidence: dict[str, Any]) -> dict[str, Any]:
    """What the audit entry says of the evidence (types and references, no identity)."""
    document = evidence.get("document") or {}
    parent = document.get("parent") or {}
    return {
        "document": document.get("type"),
        "parent_document": parent.get("document"),
        "insi_reference": (evidence.get("insi") or {}).get("reference"),
    }


def evidence_out(evidence: dict[str, Any] | None) -> IdentityEvidenceOut:
    evidence = evidence or {}
    document, insi = evidence.get("document"), evidence.get("insi")
    return IdentityEvidenceOut(
        document=CheckedDocument(
            type=IdentityDocument(document["type"]),
            label=IdentityDocument(document["type"]).label,
            parent=document.get("parent"),
            checked_by=document["checked_by_name"],
            checked_at=datetime.fromisoformat(document["checked_at"]),
        )
        if document
        else None,
        insi=RecoveredIns(
            reference=insi["reference"],
            recovered_by=insi["recovered_by_name"],
            recovered_at=datetime.fromisoformat(insi["recovered_at"]),
        )
        if insi
        else None,
    )


def search_insi(
    session: Session, teleservice: InsiTeleservice | None, query: InsiQuery, by: Principal, now: datetime
) -> InsiIdentityOut | None:
    """Ask the teleservice; the identity found is kept (`insi_answers`) and returned with its reference."""
    if teleservice is None:
        raise Unavailable("insi_unavailable", NO_TELESERVICE)
    try:
        found = teleservice.search(query)
    except InsiUnavailable as exc:
        raise Unavailable("insi_unavailable", f"Le téléservice INSi ne répond pas : {exc}") from exc
    if found is None:
        return None
    reference = found.reference or f"INSI-{uuid.uuid4().hex}"
    row = InsiAnswer(
        reference=reference,
        nir=found.nir,
        ins_oid=found.ins_oid,
        birth_last_name=found.birth_last_name,
        birth_first_names=found.birth_first_names,
        sex=found.sex,
        birth_date=found.birth_date,
        birth_place_insee=found.birth_place_insee,
        asked_by=by.id,
        asked_at=now,
    )
    session.add(row)
    session.flush()
    return InsiIdentityOut(
        reference=reference,
        nir=found.nir,
        ins_oid=found.ins_oid,
        birth_last_name=found.birth_last_name,
        birth_first_names=found.birth_first_names,
        sex=Sex(found.sex),
        birth_date=found.birth_date,
        birth_place_insee=found.birth_place_insee,
    )
