"""What each notification says, per channel: never more patient detail than the channel allows.

An offer says the commune, the profession, the care and the time left; the patient's name only on
Web Push (end-to-end encrypted to the browser) and only to a usual professional of the patient.
SMS and e-mail (not secure health channels) never name a patient. Times are in the professional's
own zone (Europe/Paris by default), never the machine's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.domain import PROFESSIONS

APP = "Centrale"


@dataclass(frozen=True)
class Content:
    """One notification's text for every channel: `push_*` may say more (see the module)."""

    title: str
    text: str  # SMS and e-mail body, and the push body when `push_text` is None
    url: str  # the page it opens (relative to the web app)
    subject: str
    push_text: str | None = None

    def push_payload(self, public_url: str) -> dict[str, str]:
        """`tag`: the page it is about — the service worker shows one notification per tag, so
        « déjà prise » replaces the offer's, and a push sent again replaces itself (push.py)."""
        return {
            "title": self.title,
            "body": self.push_text or self.text,
            "url": public_url + self.url,
            "tag": self.url,
        }

    def email_text(self, public_url: str) -> str:
        link = f"\n\n{public_url}{self.url}" if public_url else ""
        return f"{self.text}{link}\n\n— {APP} (message automatique, ne pas répondre)\n"


def local_time(at: datetime, tz_name: str | None) -> str:
    try:
        zone = ZoneInfo(tz_name or "Europe/Paris")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("Europe/Paris")
    return at.astimezone(zone).strftime("%H:%M")


def offer(
    *,
    prescription_id: int,
    profession_code: str,
    care_type: str,
    commune: str,
    deadline_at: datetime,
    now: datetime,
    tz_name: str | None,
    patient_name: str | None,
) -> Content:
    minutes = max(0, int((deadline_at - now).total_seconds() // 60))
    profession = PROFESSIONS.get(profession_code, profession_code)
    text = (
        f"Nouvelle demande : {profession}, {care_type} à {commune}. "
        f"Réponse avant {local_time(deadline_at, tz_name)} ({minutes} min)."
    )
    push_text = f"{text} Patient : {patient_name}." if patient_name else None
    return Content(
        title="Nouvelle demande de prise en charge",
        text=text,
        url=f"/pro/demandes/{prescription_id}",
        subject=f"{APP} : nouvelle demande ({profession}, {commune})",
        push_text=push_text,
    )


def offer_taken(*, prescription_id: int, care_type: str, commune: str) -> Content:
    text = f"La demande {care_type} à {commune} est déjà prise par un confrère."
    return Content(
        "Demande déjà prise", text, f"/pro/demandes/{prescription_id}", f"{APP} : demande déjà prise"
    )


def request_accepted(*, prescription_id: int, care_type: str, acceptor: str) -> Content:
    text = f"Votre demande {care_type} a été acceptée par {acceptor}."
    return Content(
        "Demande acceptée",
        text,
        f"/pro/declenchements/{prescription_id}",
        f"{APP} : votre demande est acceptée",
    )


def request_expired(*, prescription_id: int, care_type: str) -> Content:
    text = (
        f"Votre demande {care_type} n'a été acceptée par aucun intervenant dans le délai. "
        "Vous pouvez la renouveler."
    )
    return Content(
        "Demande expirée", text, f"/pro/declenchements/{prescription_id}", f"{APP} : votre demande a expiré"
    )


def patient_comment(*, prescription_id: int, care_type: str) -> Content:
    text = f"Nouveau commentaire sur votre prise en charge {care_type}."
    return Content(
        "Nouveau commentaire", text, f"/pro/soins/{prescription_id}", f"{APP} : nouveau commentaire"
    )
