"""« Déclencher », without Qt: the wizard's submission queued in the outbox (its draft deleted in the
same transaction), the pusher woken, then the answer awaited — sent or refused — for at most
``wait_seconds``; after that the outbox goes on alone and the case shows « En attente d'envoi ».
And the way back: a refused item reopened in its wizard (``reopen``).

A step in error raises ``WizardIncomplete`` (the wizard stands on that step, its messages under
the fields). Steps that are valid but make something the API's schema refuses — a desktop and a
schema out of step — raise ``SubmissionMismatch``: a French message for the operator and an error
in the log, never a « Déclencher » that does nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import ValidationError

from desktop.state.form_errors import message_of
from desktop.state.wizard.wizard import Step, Submission, Wizard
from desktop.store.outbox import Outbox, OutboxItem, OutboxState
from desktop.sync.client import ApiClient
from shared.schemas.dispatch import CaseCreated

log = logging.getLogger(__name__)
SEND_WAIT_SECONDS = 8.0
MISMATCH = (
    "Déclenchement impossible : les données de l'assistant ne correspondent pas à ce qu'attend le "
    "serveur ({details}). Rien n'a été envoyé ; signalez-le à l'assistance."
)


class SubmissionMismatch(Exception):
    """The wizard's steps were valid, yet the API's schema refuses what they make."""

    def __init__(self, details: str) -> None:
        self.details = details
        super().__init__(MISMATCH.format(details=details))


def mismatch_details(error: ValidationError) -> str:
    """« PatientCreate : sex — Valeur non proposée » (the first three fields)."""
    fields = [
        f"{'.'.join(str(part) for part in item['loc']) or 'ensemble'} — {message_of(dict(item))}"
        for item in error.errors()[:3]
    ]
    return f"{error.title} : {' ; '.join(fields)}"


def submission_of(wizard: Wizard) -> Submission:
    """``wizard.submission()``; ``WizardIncomplete`` as it is, a schema's refusal as
    ``SubmissionMismatch`` (logged)."""
    try:
        return wizard.submission()
    except ValidationError as error:
        log.error(
            "« Déclencher » impossible: draft %s (step %s) does not fit the API schema: %s",
            wizard.draft_id,
            wizard.step.name,
            error,
        )
        raise SubmissionMismatch(mismatch_details(error)) from error


@dataclass(frozen=True, slots=True)
class SendOutcome:
    """Where the case is once the wait is over: sent (the server's answer), refused (the reason),
    or still waiting (both None)."""

    item: OutboxItem
    created: CaseCreated | None
    failure: str | None


class CaseSender:
    def __init__(
        self,
        outbox: Outbox,
        wake: Callable[[], None],
        *,
        on_queued: Callable[[OutboxItem], None] | None = None,
        link_call: Callable[[str, str], None] | None = None,
        wait_seconds: float = SEND_WAIT_SECONDS,
    ) -> None:
        """``wake`` starts the pusher; ``on_queued`` is told of the new item; ``link_call(record id,
        case number)`` links a case sent from a call to that call's record."""
        self.outbox = outbox
        self.wake = wake
        self.on_queued = on_queued
        self.link_call = link_call
        self.wait_seconds = wait_seconds  # then « En attente d'envoi »; the outbox goes on alone
        self._waiting: dict[int, asyncio.Future[OutboxItem]] = {}

    def outbox_changed(self, item: OutboxItem) -> None:
        """An item the pusher moved (``OutboxPusher.on_change``): a sender waiting for it goes on."""
        future = self._waiting.get(item.id)
        if future is not None and not future.done() and item.state is not OutboxState.PENDING:
            future.set_result(item)

    async def send(self, wizard: Wizard) -> SendOutcome:
        """« Déclencher »: to the outbox (one transaction, the draft goes), then wait for the answer."""
        submission = submission_of(wizard)
        wizard.listeners.clear()  # the draft is deleted with the queuing: never saved again
        item = self.outbox.submit(  # a reopened refused item is revised, not doubled
            submission.case,
            patient_id=submission.patient_id,
            patient_create=submission.patient_create,
            patient_patch=submission.patient_patch,
            usual_professionals=submission.usual_professionals,
            call_record_id=submission.call_record_id,
            draft_id=wizard.draft_id,
            wizard=wizard.to_json(),
        )
        future: asyncio.Future[OutboxItem] = asyncio.get_running_loop().create_future()
        self._waiting[item.id] = future
        if self.on_queued is not None:
            self.on_queued(item)
        self.wake()
        try:
            item = await asyncio.wait_for(future, self.wait_seconds)
        except TimeoutError:
            item = self.outbox.get(item.id)
        finally:
            self._waiting.pop(item.id, None)
        return self.outcome(item)

    def outcome(self, item: OutboxItem) -> SendOutcome:
        created = CaseCreated.model_validate(item.result) if item.state is OutboxState.SENT else None
        if created is not None and item.call_record_id and self.link_call is not None:
            self.link_call(item.call_record_id, created.number)
        failure = (item.reason or OutboxState.FAILED.label) if item.state is OutboxState.FAILED else None
        return SendOutcome(item, created, failure)


async def reopen(client: ApiClient, item: OutboxItem) -> Wizard:
    """The wizard of a refused item, with every field, standing where the refusal is settled:

    - the patient creation was refused (look-alikes, a field): « Recherche patient » with the
      server's look-alikes listed, to pick the existing patient or confirm a new one;
    - the patient exists (this item created it, or it was chosen): the wizard holds that patient
      (never created twice) and stands on « Qualification »;
    the server's message goes in ``errors`` under ``server`` (shown under the page). Raises
    ``ValueError`` for an item queued without its wizard, ``ApiProblem`` when the server cannot
    be read."""
    if item.state is not OutboxState.FAILED or item.wizard is None:
        raise ValueError("only a refused item queued with its wizard is reopened")
    wizard = Wizard.from_json(item.wizard)
    reason = item.reason or OutboxState.FAILED.label
    search = wizard.search
    if item.patient_create is not None:
        search.set_results(await client.search_patients(**search.query()))
        search.selected_patient_id, search.new_patient = None, False  # the operator chooses again
        wizard.step, wizard.errors = Step.SEARCH, {"server": reason}
        return wizard
    if item.patient_id is not None and wizard.patient.patient_id != item.patient_id:
        patient = await client.get_patient(item.patient_id)
        search.set_results(await client.search_patients(**search.query()))
        wizard.use_patient(patient, typed_phone=False)  # the item's own patient, not a search
    wizard.step, wizard.errors = Step.QUALIFICATION, {"server": reason}
    return wizard
