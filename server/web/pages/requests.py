"""« Mes Déclenchements »: a professional's own requests (seeds 000) — a new one for a patient of
theirs or a new patient (the same identity rules as the hotline's: shared/validation through
the schemas), one or several prescriptions (« + Plus »), the answer « N intervenant(s)
déclenché(s) »; a request's page with its state, « Annuler » while nobody began, and « Renouveler
le Déclenchement » once it expired or was cancelled. The use cases (server/services/cases.py,
patient_files.py, prescription_actions.py) check and audit."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import Response

from server.errors import Conflict, DomainError
from server.services import cases, my_cases, patient_files, prescription_actions
from server.services.acting import Acting
from server.web.communes import of_address
from server.web.context import PREFIX
from server.web.errors import first_error
from server.web.guard import Current, Post, Posted
from server.web.pages.common import acting, done, page
from server.web.sessions import Visitor
from shared.domain import PROFESSIONS, CareMode
from shared.schemas.dispatch import MAX_PRESCRIPTIONS_PER_CASE, CancelBody, CaseCreate, RenewBody
from shared.schemas.patients import PatientCreate

router = APIRouter()

RESPONSE_DELAYS = ((30, "30 min"), (60, "1 h"), (120, "2 h"), (240, "4 h"), (720, "12 h"), (1440, "24 h"))
INTERVENTION_DELAYS = (
    (0, "Dès que possible"),
    (60, "Dans 1 h"),
    (120, "Dans 2 h"),
    (240, "Dans 4 h"),
    (1440, "Demain"),
)
CHOICES: dict[str, Any] = {
    "professions": sorted(PROFESSIONS.items(), key=lambda item: item[1]),
    "modes": [(m.value, m.label) for m in CareMode],
    "response_delays": RESPONSE_DELAYS,
    "intervention_delays": INTERVENTION_DELAYS,
}


def my_patients(who: Acting, chosen: str = "") -> list[tuple[int, str]]:
    """The patients a professional may send a request for: those of their lists, and `chosen`
    (the patient page's « Demander un déclenchement ») if they may read that patient's file."""
    seen: dict[int, str] = {}
    if chosen.isdigit():
        patient = patient_files.read(who, int(chosen))
        seen[patient.id] = f"{patient.last_name.upper()} {patient.first_name}"
    for section in ("care", "coordination", "requests", "archive"):
        for p in my_cases.my_cases(who, section).items:
            if p.patient is not None:
                seen.setdefault(p.patient.id, f"{p.patient.last_name.upper()} {p.patient.first_name}")
    return sorted(seen.items(), key=lambda item: item[1])


def _form(
    request: Request,
    visitor: Visitor,
    values: dict[str, str],
    blocks: int,
    *,
    status: int = 200,
    error: str = "",
    duplicates: list[Any] | None = None,
) -> Response:
    return page(
        request,
        visitor,
        "request_new.html",
        status=status,
        title="Nouveau déclenchement",
        v=values,
        blocks=blocks,
        patients=my_patients(acting(request, visitor), values.get("patient", "")),
        error=error,
        duplicates=duplicates or [],
        **CHOICES,
    )


@router.get("/declenchements/nouveau")
def new_request(request: Request, visitor: Current, patient: int | None = None) -> Response:
    values = {"cle": str(uuid.uuid4()), "patient": str(patient or ""), "p0_delai_reponse": "60"}
    return _form(request, visitor, values, 1)


def _values(post: Posted) -> dict[str, str]:
    return {key: value for key, value in post.form.items() if isinstance(value, str) and key != "csrf"}


def _patient_body(v: dict[str, str]) -> PatientCreate:
    return PatientCreate.model_validate(
        {
            "last_name": v.get("nom", ""),
            "first_name": v.get("prenom", ""),
            "sex": v.get("sexe") or None,
            "birth_date": v.get("naissance") or None,
            "phone": v.get("telephone", ""),
            "address_line": v.get("adresse", ""),
            "postal_code": v.get("code_postal", ""),
            "city": v.get("ville", ""),
            "commune_insee": of_address(v.get("code_postal", ""), v.get("ville", "")),
            "nir": v.get("nir") or None,
            "acknowledge_duplicates": bool(v.get("confirme_doublon")),
        }
    )


def _prescription(v: dict[str, str], n: int) -> dict[str, Any]:
    def field(name: str) -> str:
        return v.get(f"p{n}_{name}", "").strip()

    at = field("date")
    item: dict[str, Any] = {
        "profession_code": field("profession"),
        "care_type": field("soins"),
        "care_mode": field("mode"),
        "days": field("jours") or 1,
        "visits_per_day": field("passages") or 1,
        "response_delay_minutes": field("delai_reponse") or 60,
        "comment": field("commentaire"),
    }
    if at:
        item.update(intervention_at=at, intervention_tz="Europe/Paris")
    else:
        item["intervention_delay_minutes"] = field("delai_intervention") or 0
    return item


@router.post("/declenchements/nouveau")
def send_request(request: Request, post: Post) -> Response:
    v = _values(post)
    blocks = max(1, min(int(v.get("blocs") or 1), MAX_PRESCRIPTIONS_PER_CASE))
    if v.get("action") == "ajouter":  # « + Plus »: one more prescription, the values kept
        return _form(request, post.visitor, v, min(blocks + 1, MAX_PRESCRIPTIONS_PER_CASE))
    who = acting(request, post.visitor)
    try:
        patient_id = int(v["patient"]) if v.get("patient", "nouveau") not in ("", "nouveau") else None
        if patient_id is None:
            patient_id = patient_files.create(who, _patient_body(v)).id
            v["patient"] = str(patient_id)  # a second try sends for the patient just created
        body = CaseCreate.model_validate(
            {
                "caller": {"name": post.principal.display_name},
                "requester": {"user_id": post.principal.id},
                "patient_id": patient_id,
                "prescriptions": [_prescription(v, n) for n in range(blocks)],
            }
        )
        created, _replayed = cases.send(who, body, v.get("cle") or None)
    except ValidationError as failure:
        return _form(request, post.visitor, v, blocks, status=422, error=first_error(failure.errors()))
    except Conflict as conflict:
        duplicates = conflict.extra.get("duplicates") or []
        return _form(
            request, post.visitor, v, blocks, status=409, error=conflict.message, duplicates=duplicates
        )
    except DomainError as refusal:
        if refusal.code.startswith("forbidden") or refusal.code == "not_found":
            raise
        return _form(request, post.visitor, v, blocks, status=422, error=refusal.message)
    return page(request, post.visitor, "request_sent.html", title="Déclenchement envoyé", created=created)


@router.get("/declenchements/{prescription_id}")
def request_page(prescription_id: int, request: Request, visitor: Current) -> Response:
    p = prescription_actions.read(acting(request, visitor), prescription_id)
    return page(
        request,
        visitor,
        "request.html",
        title="Mon déclenchement",
        p=p,
        **CHOICES,
    )


@router.post("/declenchements/{prescription_id}/renouveler")
def renew(prescription_id: int, request: Request, post: Post) -> Response:
    body = RenewBody.model_validate(
        {
            "response_delay_minutes": post.text("delai_reponse") or 60,
            "comment": post.text("texte") or None,
            "intervention_delay_minutes": post.text("delai_intervention") or None,
        }
    )
    prescription_actions.renew(acting(request, post.visitor), prescription_id, body)
    return done(f"{PREFIX}/declenchements/{prescription_id}", "renewed")


@router.post("/declenchements/{prescription_id}/annuler")
def cancel(prescription_id: int, request: Request, post: Post) -> Response:
    body = CancelBody(reason=post.text("motif"))
    prescription_actions.cancel(acting(request, post.visitor), prescription_id, body.reason)
    return done(f"{PREFIX}/declenchements/{prescription_id}", "cancelled")
