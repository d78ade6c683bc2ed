"""Issue 18, item 7: the board's « ÉTAT » cell shows the current round's refusals (« 1 refus »,
« 2 refus »), live on a `PrescriptionDeclined` event (its row signalled alone), back to the state
alone on a renewal; the details' header says them too. Offscreen Qt, the real model and proxy."""

from __future__ import annotations

from datetime import timedelta

from desktop.state.board import BoardRow, Section, ServerClock
from desktop.ui.board.model import BoardModel, Column
from desktop.ui.board.proxy import BoardProxy
from desktop.ui.prescription.details_dialog import PrescriptionDialog
from tests.support.board_views import T0, event, view


def test_the_state_cell_counts_refusals_live_and_forgets_them_on_renewal(qapp) -> None:
    model = BoardModel()
    model.state.clock = ServerClock(local=lambda: T0 + timedelta(minutes=5))
    model.replace(
        [
            BoardRow.from_view(view(1, declined_count=1, declined_user_ids=[7]), Section.MINE),
            BoardRow.from_view(view(2), Section.MINE),
        ]
    )
    proxy = BoardProxy(model, Section.MINE)
    changed: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda a, b, _roles=(): changed.append((a.row(), b.row())))

    def state_cell(pid: int) -> str:
        row = next(
            r for r in range(proxy.rowCount()) if proxy.index(r, Column.NUMBER).data().endswith(str(pid))
        )
        text: str = proxy.index(row, Column.STATE).data()
        return text

    assert state_cell(1) == "En cours\n1 refus"
    assert state_cell(2) == "En cours"
    assert model.apply(event(10, "declined", 2, user_id=8)) == 1
    assert changed == [(1, 1)]
    assert state_cell(2) == "En cours\n1 refus"
    model.apply(event(11, "declined", 2, user_id=9))
    assert state_cell(2) == "En cours\n2 refus"
    assert model.apply(event(11, "declined", 2, user_id=9)) is None  # replayed: counted once
    assert state_cell(2) == "En cours\n2 refus"
    model.apply(event(12, "expired", 2))
    assert state_cell(2).endswith("\n2 refus")  # why it expired stays on the row
    deadline = (T0 + timedelta(hours=2)).isoformat()
    model.apply(event(13, "renewed", 2, round=2, notified_count=4, deadline_at=deadline))
    assert state_cell(2) == "En cours"


def test_the_details_header_names_the_refusals() -> None:
    header = PrescriptionDialog._header(view(1, declined_count=2, declined_user_ids=[7, 8]))
    assert "En cours</b></span> — 2 refus" in header
    assert "refus" not in PrescriptionDialog._header(view(1))
