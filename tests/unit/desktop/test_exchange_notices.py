"""Tray notices of a comment or a CR on one of my requests (issue 18, « also seen »), and the CR
of a finished request in « Horodatage »."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from desktop.state import tray_notices
from desktop.state.prescription_timeline import prescription_timeline
from desktop.state.tray_notices import KnownRequest, NoticeKind, NoticeSwitches
from shared.domain import PrescriptionState, Role
from shared.schemas.auth import UserOut
from shared.schemas.common import PersonRef
from shared.schemas.feed import FeedEvent
from tests.support.feed_events import feed_event
from tests.support.prescription_views import at, view

NOW = datetime(2026, 11, 27, 13, 30, tzinfo=UTC)
ME = UserOut(id=3, username="op", role=Role.OPERATOR, display_name="Opératrice", network_ids=[])
ON = NoticeSwitches()


def _event(type_: str, **data: Any) -> FeedEvent:
    return feed_event(type_, 5, at=NOW, case_id=4, prescription_id=11, **data)


def test_a_comment_or_a_cr_by_someone_else_is_a_notice_and_mine_is_not() -> None:
    assert tray_notices.candidate(_event("prescription_commented", user_id=9), ME, ON) is NoticeKind.COMMENTED
    assert tray_notices.candidate(_event("prescription_reported", user_id=9), ME, ON) is NoticeKind.REPORTED
    assert tray_notices.candidate(_event("prescription_commented", user_id=ME.id), ME, ON) is None
    off = NoticeSwitches.from_setting("commented,reported")
    assert tray_notices.candidate(_event("prescription_commented", user_id=9), ME, off) is None
    assert tray_notices.candidate(_event("prescription_reported", user_id=9), ME, off) is None
    assert NoticeKind.REPORTED.label == "Compte rendu sur ma demande"


def test_the_notice_names_the_case_and_the_request() -> None:
    request = KnownRequest(11, 4, "22421371", "Infirmier", "Pansement", True)
    notice = tray_notices.prescription_notice(NoticeKind.REPORTED, request)
    assert notice.title == "Fiche #22421371 : compte rendu"
    assert notice.message == "Infirmier — Pansement : l'intervenant a rédigé un compte rendu (CR)"
    assert notice.prescription_id == 11


def test_the_closing_cr_is_a_line_of_horodatage() -> None:
    nurse = PersonRef(id=5, name="MARTIN Léa")
    finished = view(
        state=PrescriptionState.FINISHED,
        accepted_by=nurse,
        accepted_at=at(5),
        started_at=at(10),
        finished_at=at(60),
        report="Plaie propre, revoir J+2",
        notified_count=1,
    )
    labels = [line.label for line in prescription_timeline(finished, [], [], [], [])]
    assert labels[:2] == ["CR de MARTIN Léa : Plaie propre, revoir J+2", "intervention terminée"]
