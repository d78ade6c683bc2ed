"""« Déclencher » without Qt: the case sender queues the submission, wakes the pusher and waits for
the answer; a step in error is a ``WizardIncomplete``, a schema's refusal a ``SubmissionMismatch``
(French, logged) — never a silent no-op."""

from __future__ import annotations

import asyncio
import logging

import pytest

from desktop.services.case_sender import CaseSender, SubmissionMismatch
from desktop.state.wizard.patient_step import PatientStep
from desktop.state.wizard.wizard import Step, WizardIncomplete
from desktop.store import LocalStore, OutboxState
from shared.schemas.patients import PatientCreate
from tests.support.desktop_server import case_answer
from tests.unit.desktop.conftest import ready_wizard

pytestmark = pytest.mark.anyio


def sender_with(store: LocalStore, answer: dict[str, object] | None, **options: object) -> CaseSender:
    """A sender whose ``wake`` stands for the pusher: it settles the item with ``answer`` (None:
    the server never answers)."""
    sender: CaseSender

    def wake() -> None:
        if answer is None:
            return
        [item] = store.outbox.pending()
        loop = asyncio.get_running_loop()
        loop.call_soon(lambda: sender.outbox_changed(store.outbox.mark_sent(item.id, answer)))

    sender = CaseSender(store.outbox, wake, **options)  # type: ignore[arg-type]
    return sender


async def test_a_step_in_error_is_wizard_incomplete_and_nothing_is_queued() -> None:
    store = LocalStore(None)
    wizard = ready_wizard()
    wizard.patient.sex = ""
    wizard.add_listener(lambda w: None)
    with pytest.raises(WizardIncomplete) as raised:
        await sender_with(store, case_answer()).send(wizard)
    assert (raised.value.step, raised.value.field) == (Step.PATIENT, "sex")
    assert raised.value.message == "Ce champ est obligatoire"
    assert raised.value.errors == {"sex": "Ce champ est obligatoire"}
    assert str(raised.value) == "Patient › sex : Ce champ est obligatoire"
    assert wizard.step is Step.PATIENT
    assert store.outbox.items() == []
    assert wizard.listeners  # the draft is still saved on each edit


async def test_a_schema_mismatch_is_a_french_error_and_a_log_line(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store = LocalStore(None)
    wizard = ready_wizard()
    wizard.add_listener(lambda w: None)

    # the step's own rules pass, but the body it makes is not what the API's schema takes
    def create_body(step: PatientStep) -> PatientCreate:
        return PatientCreate.model_validate({**step.create_values(), "sex": "X"})

    monkeypatch.setattr(PatientStep, "create_body", create_body)
    logs = caplog.at_level(logging.ERROR, logger="desktop.services.case_sender")
    with logs, pytest.raises(SubmissionMismatch) as raised:
        await sender_with(store, case_answer()).send(wizard)
    text = str(raised.value)
    assert text.startswith("Déclenchement impossible : les données de l'assistant ne correspondent pas")
    assert "PatientCreate : sex — Valeur non proposée" in text
    assert "Rien n'a été envoyé" in text
    [record] = caplog.records
    assert "does not fit the API schema" in record.getMessage()
    assert wizard.draft_id in record.getMessage()
    assert store.outbox.items() == []
    assert wizard.listeners


async def test_a_sent_case_comes_back_with_the_answer_and_links_its_call() -> None:
    store = LocalStore(None)
    wizard = ready_wizard()
    wizard.call_record_id = "7f0c2f7e-0000-4000-8000-000000000001"
    linked: list[tuple[str, str]] = []
    queued: list[OutboxState] = []
    sender = sender_with(
        store,
        case_answer("30000042"),
        on_queued=lambda item: queued.append(item.state),
        link_call=lambda record, number: linked.append((record, number)),
    )
    outcome = await sender.send(wizard)
    assert queued == [OutboxState.PENDING]
    assert outcome.item.state is OutboxState.SENT
    assert outcome.created is not None
    assert outcome.created.number == "30000042"
    assert outcome.failure is None
    assert linked == [(wizard.call_record_id, "30000042")]
    assert wizard.listeners == []  # the draft went with the queuing


async def test_no_answer_within_the_wait_leaves_the_case_waiting() -> None:
    store = LocalStore(None)
    sender = sender_with(store, None, wait_seconds=0.05)
    outcome = await sender.send(ready_wizard())
    assert (outcome.item.state, outcome.created, outcome.failure) == (OutboxState.PENDING, None, None)
    [item] = store.outbox.pending()
    assert item.id == outcome.item.id


async def test_a_refused_case_comes_back_with_the_reason() -> None:
    store = LocalStore(None)
    sender: CaseSender

    def wake() -> None:
        [item] = store.outbox.pending()
        refused = store.outbox.mark_failed(item.id, "Réseau inconnu : 9")
        asyncio.get_running_loop().call_soon(lambda: sender.outbox_changed(refused))

    sender = CaseSender(store.outbox, wake)
    outcome = await sender.send(ready_wizard())
    assert (outcome.item.state, outcome.created, outcome.failure) == (
        OutboxState.FAILED,
        None,
        "Réseau inconnu : 9",
    )
