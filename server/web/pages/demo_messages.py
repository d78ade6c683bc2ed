"""« Messages envoyés » (`/pro/demo/messages`): in the demo, the SMS and e-mails the server would
have sent, so a demo user can read their SMS code or follow their e-mailed link.

Only when the server runs the demo log backend (server/notify/config.py: no SMS provider, or no
SMTP relay), and only the channels that go to that log: a message really sent to a phone or a
mailbox is never shown here. Anywhere else the page does not exist (404). No session is needed (a
registrant has no account yet); the read is audited. MSSanté mails (to médecins traitants) are not
listed: they are about patients.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, HTTPException, Request
from markupsafe import Markup, escape
from starlette.responses import Response

from server.notify.config import NotifySettings
from server.services import delivery_log
from server.services.visit import Visit
from server.settings import Settings
from server.web.context import PREFIX, origin_of, web_of
from server.web.render import html
from server.web.times import when

router = APIRouter()

DEMO_MESSAGES_PATH = f"{PREFIX}/demo/messages"
CHANNEL_LABELS = {"sms": "SMS", "email": "E-mail"}
PURPOSE_LABELS = {
    "offer": "Nouvelle demande",
    "offer_taken": "Demande déjà prise",
    "request_accepted": "Demande acceptée",
    "request_expired": "Demande expirée",
    "patient_comment": "Nouveau commentaire",
    "message": "Message",
    "registration_phone_code": "Code de vérification du téléphone",
    "registration_email_link": "Lien de vérification de l'e-mail",
    "registration_approved": "Inscription validée",
    "registration_rejected": "Inscription refusée",
    "password_reset": "Mot de passe oublié",
}
LINK = re.compile(r"https?://[^\s<>\"']+")


def demo_channels(settings: Settings) -> tuple[str, ...]:
    """The channels whose messages go to the demo log rather than to the world, listed on a demo or
    test server only (`Settings.demo_messages`): a production server left without an SMTP relay
    must not publish the verification links it could not send."""
    if not settings.demo_messages:
        return ()
    return _logged_channels(settings.notify)


def _logged_channels(settings: NotifySettings) -> tuple[str, ...]:
    found = []
    if settings.sms_provider == "demo":
        found.append("sms")
    if settings.smtp is None:
        found.append("email")
    return tuple(found)


def demo_messages_shown(request: Request) -> bool:
    """Whether the login page (and the enrolment pages) should link to « Messages envoyés »."""
    return bool(demo_channels(web_of(request).core.settings))


def with_links(text: str) -> Markup:
    """The message's text, escaped, its web addresses made links (the e-mailed verification link)."""
    parts: list[str] = []
    position = 0
    for found in LINK.finditer(text):
        url = found.group(0).rstrip(".,;)")
        parts.append(str(escape(text[position : found.start()])))
        parts.append(f'<a href="{escape(url)}">{escape(url)}</a>')
        position = found.start() + len(url)
    parts.append(str(escape(text[position:])))
    return Markup("".join(parts))  # noqa: S704 (every part above is escaped)


@router.get("/demo/messages")
def demo_messages(request: Request) -> Response:
    web = web_of(request)
    channels = demo_channels(web.core.settings)
    if not channels:
        raise HTTPException(404)
    visit = Visit(web.db, origin_of(request), web.now(), "")
    rows = delivery_log.demo_messages(visit, channels=channels)
    messages = [
        {
            "at": when(row.created_at),
            "iso": row.created_at.isoformat(),
            "channel": CHANNEL_LABELS.get(row.channel, row.channel),
            "recipient": row.recipient,
            "purpose": PURPOSE_LABELS.get(row.purpose, row.purpose),
            "subject": row.subject,
            "text": with_links(row.text),
        }
        for row in rows
    ]
    return html("demo_messages.html", title="Messages envoyés", messages=messages)
