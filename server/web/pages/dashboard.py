"""« Tableau de bord » and the lists behind it (seeds 000): the offers waiting, « Patients en
Soins », « Patients en Coordination », « Mes Déclenchements », and « Mes archives ».

Each list is also a fragment (`/pro/live/<kind>`) that the page re-reads when the live feed says
it changed (server/web/live.py); lists come from server/services/my_cases.py, which audits them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import Response

from server.services import my_cases
from server.services.acting import Acting
from server.web.guard import Current
from server.web.pages.common import acting, page
from server.web.render import html
from server.web.sessions import Visitor
from shared.schemas.dispatch import PrescriptionView
from shared.schemas.professional import Section

router = APIRouter()


@dataclass(frozen=True)
class Kind:
    kind: str  # the fragment's name: /pro/live/<kind>
    wake: str  # the live wake-up that refreshes it
    section: Section | None  # None: the offers
    label: str
    empty: str
    page: str  # the list's own page


KINDS = {
    k.kind: k
    for k in (
        Kind("offres", "offers", None, "Demandes en attente", "Aucune demande en attente.", "/demandes"),
        Kind("soins", "care", "care", "Patients en Soins", "Aucun patient en soins.", "/soins"),
        Kind(
            "coordination",
            "coordination",
            "coordination",
            "Patients en Coordination",
            "Aucun patient en coordination.",
            "/coordination",
        ),
        Kind(
            "declenchements",
            "requests",
            "requests",
            "Mes Déclenchements",
            "Aucun déclenchement.",
            "/declenchements",
        ),
        Kind("archives", "care", "archive", "Mes archives", "Aucun dossier archivé.", "/archives"),
    )
}
DASHBOARD_KINDS = ("offres", "soins", "coordination", "declenchements")
INTROS = {
    "coordination": "Les patients chez lesquels vous êtes intervenu et qui, pour le même évènement médical, "
    "sont encore pris en charge par d'autres professionnels, et ceux dont vous êtes le médecin traitant.",
    "declenchements": "Les demandes que vous avez vous-même initiées.",
    "archives": "Les séries de soins que vous avez terminées (« Fin série de soins »).",
}


def items(who: Acting, kind: Kind) -> list[PrescriptionView]:
    if kind.section is None:
        return my_cases.offers(who)
    return my_cases.my_cases(who, kind.section).items


def _section(who: Acting, kind: Kind, *, with_link: bool) -> dict[str, Any]:
    return {
        "kind": kind.kind,
        "wake": kind.wake,
        "label": kind.label,
        "empty": kind.empty,
        "items": items(who, kind),
        "more": kind.page if with_link else None,
    }


@router.get("/tableau-de-bord")
def dashboard(request: Request, visitor: Current) -> Response:
    who = acting(request, visitor)
    sections = [_section(who, KINDS[k], with_link=k != "soins") for k in DASHBOARD_KINDS]
    return page(request, visitor, "dashboard.html", title="Tableau de bord", sections=sections)


def _lister(kind: Kind) -> Callable[[Request, Visitor], Response]:
    def list_page(request: Request, visitor: Current) -> Response:
        section = _section(acting(request, visitor), kind, with_link=False)
        intro = INTROS.get(kind.kind)
        return page(request, visitor, "list.html", title=kind.label, section=section, intro=intro)

    return list_page


# /demandes, /soins, /coordination, /declenchements, /archives: one list each.
for _kind in KINDS.values():
    router.add_api_route(_kind.page, _lister(_kind), methods=["GET"], name=f"list_{_kind.kind}")


@router.get("/live/{name}")
def fragment(name: str, request: Request, visitor: Current) -> Response:
    kind = KINDS.get(name)
    if kind is None:
        raise HTTPException(404)
    section = _section(acting(request, visitor), kind, with_link=False)
    return html("_list_items.html", visitor=visitor, **section)
