"""« Renouveler » of a request that reached nobody (issue 18, item 3): the body the server takes
for a pending request, `network_id: null` to lift the restriction, and the `no_recipient` rule."""

from __future__ import annotations

import pytest

from desktop.state import reached_nobody
from desktop.state.prescription_actions import NOT_RENEWABLE, FormRefused, RenewForm
from shared.domain import PrescriptionState
from shared.schemas.dispatch import RenewBody
from tests.support.prescription_views import view

PENDING = PrescriptionState.PENDING


def test_a_pending_request_that_reached_nobody_is_renewed_as_it_is() -> None:
    assert RenewForm("120").body(PENDING, no_recipient=True) == {"response_delay_minutes": 120}


def test_without_network_sends_an_explicit_null_the_server_reads_as_lifting() -> None:
    body = RenewForm("30", without_network=True).body(PENDING, no_recipient=True)
    assert body == {"response_delay_minutes": 30, "network_id": None}
    parsed = RenewBody.model_validate(body)
    assert parsed.changes_network
    assert parsed.network_id is None
    assert not RenewBody.model_validate({"response_delay_minutes": 30}).changes_network


def test_a_pending_request_with_recipients_is_not_renewed() -> None:
    with pytest.raises(FormRefused) as refused:
        RenewForm("30").body(PENDING, no_recipient=False)
    assert refused.value.errors == {"": NOT_RENEWABLE}


def test_no_recipient_is_read_from_the_server_or_from_the_count() -> None:
    assert reached_nobody.of_view(view(no_recipient=True, notified_count=0))
    assert reached_nobody.of_view(view(notified_count=0))  # a view from an older server
    assert not reached_nobody.of_view(view(notified_count=2))
    assert not reached_nobody.of_view(view(state=PrescriptionState.EXPIRED, notified_count=0))
