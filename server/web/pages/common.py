"""What every page shares: the cookies, the way back after a login, the page chrome (the header's
count of offers waiting, the feed position the live connection starts from) and the French
notices shown after an action (post/redirect/get: ``?ok=<key>``)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.responses import RedirectResponse, Response

from server.services import messaging_actions
from server.services.acting import Acting
from server.services.feed import last_seq
from server.services.my_cases import offers_count
from server.web.context import PREFIX, WebState, is_secure, origin_of, web_of
from server.web.render import html
from server.web.sessions import Visitor

HOME = f"{PREFIX}/"
DASHBOARD = f"{PREFIX}/tableau-de-bord"
NOTICES = {
    "accepted": "Demande acceptée : le patient est dans vos Patients en Soins.",
    "declined": "Demande déclinée.",
    "started": "Prise en charge débutée.",
    "visit": "Passage enregistré.",
    "report": "Compte rendu ajouté.",
    "comment": "Note ajoutée.",
    "document": "Document ajouté.",
    "incident": "Incident signalé au superviseur de votre réseau.",
    "ended": "Série de soins terminée : le dossier est dans Mes archives.",
    "profile": "Profil Activité enregistré.",
    "pin": "Schéma enregistré : il vous sera demandé à la prochaine connexion sur cet appareil.",
    "usual": "Médecin traitant modifié.",
    "record": "Dossier de soins enregistré.",
    "renewed": "Déclenchement renouvelé.",
    "cancelled": "Déclenchement annulé.",
    "thread": "Conversation créée : les participants sont prévenus.",
    "message": "Message envoyé.",
    "participants": "Participants ajoutés à la conversation.",
    "left": "Vous avez quitté la conversation.",
}


def set_cookie(response: Response, request: Request, name: str, value: str, max_age: int | None) -> None:
    """HttpOnly, SameSite=Lax (a link from an SMS or an e-mail opens the page logged in), Secure
    over TLS, limited to the web app's path."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=f"{PREFIX}/",
        httponly=True,
        samesite="lax",
        secure=is_secure(request),
    )


def drop_cookie(response: Response, request: Request, name: str) -> None:
    response.delete_cookie(name, path=f"{PREFIX}/", httponly=True, samesite="lax", secure=is_secure(request))


def safe_next(value: str | None) -> str:
    """A page of this app to go back to after the login (never another site)."""
    if value and value.startswith(f"{PREFIX}/") and "//" not in value and "\\" not in value:
        return value
    return DASHBOARD


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def done(url: str, notice: str) -> RedirectResponse:
    """After an action: back to a page with its notice (post/redirect/get)."""
    assert notice in NOTICES
    return see_other(f"{url}{'&' if '?' in url else '?'}ok={notice}")


def acting(request: Request, visitor: Visitor) -> Acting:
    web = web_of(request)
    return Acting(web.db, visitor.principal, origin_of(request), web.now())


def chrome(web: WebState, visitor: Visitor) -> dict[str, Any]:
    """The header's figures, read together."""
    with web.db.session() as session:
        return {
            "offers_count": offers_count(session, visitor.principal.id),
            "feed_position": last_seq(session),
        }


def page(request: Request, visitor: Visitor, template: str, *, status: int = 200, **context: Any) -> Response:
    web = web_of(request)
    notice = NOTICES.get(request.query_params.get("ok", ""))
    return html(
        template,
        status=status,
        visitor=visitor,
        notice=notice,
        path=request.url.path,
        **chrome(web, visitor),
        messages_unread=messaging_actions.unread(acting(request, visitor)).unread_threads,
        **context,
    )
