"""The care record of a patient in care, changed by the professional who began the care (seeds
000: « Le médecin traitant (modifiable si l'intervention est débutée) »): directives anticipées,
personnes de confiance, and the médecin traitant, chosen in the RPPS directory. The use cases
(server/services/patient_files.py) check that the caller may (server/services/ties.py: in care)
and audit the change."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from server.directory import search
from server.errors import Forbidden
from server.services import patient_files, prescription_actions
from server.web.context import PREFIX, web_of
from server.web.guard import Current, Post
from server.web.pages.common import acting, done, page
from server.web.sessions import Visitor
from shared.schemas.directory import DirectoryProfessional
from shared.schemas.patients import PatientOut, PatientPatch, TrustedPerson, UsualProfessionalIn

router = APIRouter()

TRUSTED_ROWS = 3
DOCTOR = "10"  # TRE_G15 Médecin


def _patient(request: Request, visitor: Visitor, prescription_id: int) -> PatientOut:
    who = acting(request, visitor)
    p = prescription_actions.read(who, prescription_id)
    if p.patient is None:
        raise Forbidden("forbidden", patient_files.NOT_YOURS)
    return patient_files.read(who, p.patient.id)


def _page(
    request: Request, visitor: Visitor, prescription_id: int, template: str, title: str, **context: Any
) -> Response:
    return page(request, visitor, template, title=title, back=f"{PREFIX}/soins/{prescription_id}", **context)


@router.get("/soins/{prescription_id}/dossier")
def record_form(prescription_id: int, request: Request, visitor: Current) -> Response:
    patient = _patient(request, visitor, prescription_id)
    rows = [*patient.trusted_persons, *([None] * TRUSTED_ROWS)][:TRUSTED_ROWS]
    return _page(
        request, visitor, prescription_id, "record.html", "Dossier de soins", patient=patient, rows=rows
    )


@router.post("/soins/{prescription_id}/dossier")
def record_save(prescription_id: int, request: Request, post: Post) -> Response:
    patient = _patient(request, post.visitor, prescription_id)
    trusted = []
    for i in range(TRUSTED_ROWS):
        name, relation, phone = (post.text(f"{field}_{i}") for field in ("nom", "lien", "telephone"))
        if name or relation or phone:
            trusted.append(TrustedPerson(name=name, relation=relation, phone=phone))
    body = PatientPatch(
        version=patient.version,
        advance_directives=post.text("directives") or None,
        trusted_persons=trusted,
    )
    patient_files.patch(acting(request, post.visitor), patient.id, body)
    return done(f"{PREFIX}/soins/{prescription_id}", "record")


@router.get("/soins/{prescription_id}/medecin")
def doctor_form(prescription_id: int, request: Request, visitor: Current, nom: str = "") -> Response:
    patient = _patient(request, visitor, prescription_id)
    found: list[DirectoryProfessional] = []
    message = ""
    if nom:
        try:
            query = search.Query.of(nom, None, DOCTOR, 20)
        except search.TooShort:
            message = "Saisissez au moins 3 lettres du nom."
        else:
            with web_of(request).db.session() as session:
                found, _more = search.search(session, query)
            message = "" if found else "Aucun médecin trouvé dans l'annuaire."
    context = {"patient": patient, "found": found, "nom": nom, "message": message}
    return _page(request, visitor, prescription_id, "doctor.html", "Médecin traitant", **context)


@router.post("/soins/{prescription_id}/medecin")
def doctor_save(prescription_id: int, request: Request, post: Post) -> Response:
    patient = _patient(request, post.visitor, prescription_id)
    others = [
        UsualProfessionalIn(profession_code=u.profession_code, rpps=u.rpps)
        for u in patient.usual_professionals
        if u.profession_code != DOCTOR
    ]
    chosen = UsualProfessionalIn(profession_code=DOCTOR, rpps=post.text("rpps"))
    patient_files.set_usual(acting(request, post.visitor), patient.id, [chosen, *others])
    return done(f"{PREFIX}/soins/{prescription_id}", "usual")
