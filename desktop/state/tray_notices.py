"""Desktop notifications: which change-feed events become a notice, for whom (no Qt).

The feed's events carry ids only (shared/schemas/feed.py), so a notice is decided in two steps:
- from the event alone (`candidate`): a recent one (not the backlog a new desktop replays), its
  payload's class gives the kind — `PrescriptionAccepted` « demande acceptée »,
  `PrescriptionExpired` « expirée sans intervenant » (the server expires a request only when its
  delay passed with nobody accepting), `PrescriptionSent` / `PrescriptionRenewed` notified to
  nobody « aucun professionnel joint », `PrescriptionCommented` « nouveau commentaire » and
  `PrescriptionReported` « compte rendu » (written by someone else than the user),
  `IncidentReported` « incident sur mon réseau » —, the operator's switch for that kind must be
  on, and an incident must name one of a supervisor's networks (only the supervisors of those
  networks and its author may read it);
- then from the board's row when the desktop shows the request, else through the API
  (`NoticeDecider.decide`): a request is notified only when it is in the user's own scope —
  « Mes fiches » (cases they created), and for a supervisor also their networks' requests
  (« Fiches supervisées ») — and the notice names the case, the profession and the acceptor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from desktop.state.board import BoardState, Section
from desktop.state.reached_nobody import NEXT_STEP
from shared.domain import Role
from shared.schemas.auth import UserOut
from shared.schemas.dispatch import PrescriptionView
from shared.schemas.exchanges import IncidentOut
from shared.schemas.feed import (
    EventPayload,
    FeedEvent,
    IncidentReported,
    PrescriptionAccepted,
    PrescriptionCommented,
    PrescriptionExpired,
    PrescriptionRenewed,
    PrescriptionReported,
    PrescriptionSent,
)


class NoticeKind(StrEnum):
    ACCEPTED = "accepted"
    EXPIRED = "expired"
    NO_RECIPIENT = "no_recipient"
    COMMENTED = "commented"
    REPORTED = "reported"
    INCIDENT = "incident"
    MESSAGE = "message"  # « Messagerie »: made by desktop/services/messaging.py, not by the decider

    @property
    def label(self) -> str:
        """The switch's text."""
        return _SWITCH_LABELS[self]


_SWITCH_LABELS = {
    NoticeKind.ACCEPTED: "Demande acceptée",
    NoticeKind.EXPIRED: "Demande expirée sans intervenant",
    NoticeKind.NO_RECIPIENT: "Demande sans aucun professionnel joint",
    NoticeKind.COMMENTED: "Commentaire sur ma demande",
    NoticeKind.REPORTED: "Compte rendu sur ma demande",
    NoticeKind.INCIDENT: "Incident sur mon réseau",
    NoticeKind.MESSAGE: "Nouveau message dans la messagerie",
}
EVENT_KINDS: dict[type[EventPayload], NoticeKind] = {
    PrescriptionAccepted: NoticeKind.ACCEPTED,
    PrescriptionExpired: NoticeKind.EXPIRED,
    PrescriptionSent: NoticeKind.NO_RECIPIENT,  # only when notified to nobody
    PrescriptionRenewed: NoticeKind.NO_RECIPIENT,
    PrescriptionCommented: NoticeKind.COMMENTED,
    PrescriptionReported: NoticeKind.REPORTED,
    IncidentReported: NoticeKind.INCIDENT,
}
INCIDENT_TEXT_MAX = 140
# A desktop starting on an empty store reads the feed from its beginning: old news is no notice.
FRESH_FOR = timedelta(minutes=10)


@dataclass(frozen=True)
class NoticeSwitches:
    """Which kinds are switched off; kept in `Settings.notifications_off` as « expired,incident »."""

    off: frozenset[NoticeKind] = frozenset()

    @classmethod
    def from_setting(cls, text: str) -> NoticeSwitches:
        known = {k.value: k for k in NoticeKind}
        return cls(frozenset(known[part.strip()] for part in text.split(",") if part.strip() in known))

    def to_setting(self) -> str:
        return ",".join(k.value for k in NoticeKind if k in self.off)

    def enabled(self, kind: NoticeKind) -> bool:
        return kind not in self.off

    def switched(self, kind: NoticeKind, on: bool) -> NoticeSwitches:
        return NoticeSwitches(self.off - {kind} if on else self.off | {kind})


def candidate(
    event: FeedEvent, user: UserOut, switches: NoticeSwitches, now: datetime | None = None
) -> NoticeKind | None:
    """The kind of notice this event may give this user, from the event alone (no network);
    with `now`, an event older than `FRESH_FOR` (a replayed backlog) gives none."""
    kind = EVENT_KINDS.get(type(event.payload))
    if kind is None or not switches.enabled(kind):
        return None
    if now is not None and event.at < now - FRESH_FOR:
        return None
    if isinstance(event.payload, PrescriptionSent | PrescriptionRenewed) and event.payload.notified_count:
        return None  # it reached someone: no notice (accepted or expired will follow)
    if (
        isinstance(event.payload, PrescriptionCommented | PrescriptionReported)
        and event.payload.user_id == user.id
    ):
        return None  # what the user wrote themselves is no news to them
    if isinstance(event.payload, IncidentReported):
        if user.role is not Role.SUPERVISOR or not set(event.payload.network_ids) & set(user.network_ids):
            return None
        return kind
    if event.prescription_id is None or user.role not in (Role.OPERATOR, Role.SECRETARY, Role.SUPERVISOR):
        return None
    return kind


def scopes_of(role: Role) -> tuple[str, ...]:
    """The board scopes whose requests are « mine » for notices."""
    return ("mine", "supervised") if role is Role.SUPERVISOR else ("mine",)


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    title: str
    message: str
    prescription_id: int | None = None
    incident_id: int | None = None
    thread_id: int | None = None  # a message's notice opens its thread


@dataclass(frozen=True)
class KnownRequest:
    """A request the desktop already shows (a row of the board): its notice needs no read."""

    prescription_id: int
    case_id: int
    case_number: str
    profession: str
    care_type: str
    mine: bool  # in « Mes fiches »; else (for now) in another section of the user's own board

    @classmethod
    def of(cls, view: PrescriptionView) -> KnownRequest:
        return cls(view.id, view.case_id, view.case_number, view.profession, view.care_type, False)


def board_known(board: BoardState | None) -> Callable[[int], KnownRequest | None]:
    """What a board shows of a request (None: not on it, or no board)."""

    def known(prescription_id: int) -> KnownRequest | None:
        row = board.row(prescription_id) if board is not None else None
        if row is None:
            return None
        mine = row.section is Section.MINE
        return KnownRequest(row.id, row.case_id, row.case_number, row.profession, row.care_type, mine)

    return known


def prescription_notice(kind: NoticeKind, request: KnownRequest, accepted_by: str | None = None) -> Notice:
    what = f"{request.profession} — {request.care_type}"
    number = request.case_number.lstrip("#")
    if kind is NoticeKind.ACCEPTED:
        who = accepted_by or "un intervenant"
        return Notice(
            kind,
            f"Fiche #{number} : demande acceptée",
            f"{what}, acceptée par {who}",
            request.prescription_id,
        )
    if kind in _EXCHANGE_TITLES:
        return Notice(
            kind,
            f"Fiche #{number} : {_EXCHANGE_TITLES[kind]}",
            f"{what} : {_EXCHANGE_TEXTS[kind]}",
            request.prescription_id,
        )
    if kind is NoticeKind.NO_RECIPIENT:
        return Notice(
            kind,
            f"Fiche #{number} : aucun professionnel joint",
            f"{what} : personne n'a reçu la demande. {NEXT_STEP}",
            request.prescription_id,
        )
    return Notice(
        kind,
        f"Fiche #{number} : demande expirée",
        f"{what} : aucun intervenant n'a accepté dans le délai",
        request.prescription_id,
    )


_EXCHANGE_TITLES = {NoticeKind.COMMENTED: "nouveau commentaire", NoticeKind.REPORTED: "compte rendu"}
_EXCHANGE_TEXTS = {
    NoticeKind.COMMENTED: "un commentaire a été ajouté à la demande",
    NoticeKind.REPORTED: "l'intervenant a rédigé un compte rendu (CR)",
}


def incident_notice(incident_id: int, incident: IncidentOut | None) -> Notice:
    if incident is None:
        return Notice(
            NoticeKind.INCIDENT, "Incident sur votre réseau", "Un incident a été signalé", None, incident_id
        )
    text = (
        incident.text
        if len(incident.text) <= INCIDENT_TEXT_MAX
        else incident.text[: INCIDENT_TEXT_MAX - 1] + "…"
    )
    where = " (au sujet d'une fiche)" if incident.case_id else ""
    return Notice(
        NoticeKind.INCIDENT,
        f"Incident signalé par {incident.author.name}{where}",
        text,
        incident.prescription_id,
        incident_id,
    )


def message_notice(thread_id: int, author: str, subject: str | None) -> Notice:
    """A new message from someone else: who wrote and in which thread — never the text nor the
    patient (a notice shows on a screen anyone may see, as the web's push does)."""
    where = f"« {subject} »" if subject else "une conversation sans objet"
    return Notice(
        NoticeKind.MESSAGE, f"Nouveau message de {author}", f"Messagerie : {where}", thread_id=thread_id
    )


class NoticeSource(Protocol):
    """What the decider reads through the API (desktop/sync/supervision_api.py)."""

    async def prescription(self, prescription_id: int) -> PrescriptionView: ...

    async def in_scope(self, case_id: int, case_number: str, scope: str) -> bool: ...

    async def incident(self, incident_id: int) -> IncidentOut | None: ...


class NoticeDecider:
    """`known` gives what the desktop already shows of a request (the board's row, in the user's
    own scope: « Mes fiches » or, for a supervisor, their networks'); only a request it does not
    know is read through the API (a read the server audits)."""

    def __init__(
        self,
        source: NoticeSource,
        user: UserOut,
        switches: NoticeSwitches,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        known: Callable[[int], KnownRequest | None] = lambda _id: None,
    ) -> None:
        self.source = source
        self.user = user
        self.switches = switches
        self.clock = clock
        self.known = known

    async def decide(self, event: FeedEvent) -> Notice | None:
        kind = candidate(event, self.user, self.switches, self.clock())
        if kind is None:
            return None
        payload = event.payload
        if isinstance(payload, IncidentReported):
            return incident_notice(payload.incident_id, await self.source.incident(payload.incident_id))
        assert event.prescription_id is not None  # candidate() checked it
        accepted_by = (payload.accepted_by_name if isinstance(payload, PrescriptionAccepted) else "") or None
        request = self.known(event.prescription_id)
        if request is not None and (request.mine or self.user.role is Role.SUPERVISOR):
            # « Mes fiches », or a supervisor's board (it holds their scope only): no read at all.
            return prescription_notice(kind, request, accepted_by)
        if request is None:  # not on the board: read it (the server audits the read)
            view = await self.source.prescription(event.prescription_id)
            request = KnownRequest.of(view)
            accepted_by = accepted_by or (view.accepted_by.name if view.accepted_by else None)
        # A row outside « Mes fiches » may only be waiting for the board's own read of it: the
        # scope is asked by case number (a case outside the scope lists nothing, audits nothing).
        for scope in scopes_of(self.user.role):
            if await self.source.in_scope(request.case_id, request.case_number, scope):
                return prescription_notice(kind, request, accepted_by)
        return None
