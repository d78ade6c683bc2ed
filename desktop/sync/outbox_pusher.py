"""Sends the outbox to the server — cases and call records — in order, retried with back-off, never
twice.

- Server unreachable (or failing, 5xx): the item stays « En attente d'envoi »; its next try is
  scheduled with a doubling delay (``backoff_start`` … ``backoff_max``); later items wait too,
  so cases leave in the order they were made. ``wake()`` tries at once (the server is back).
- 401: the pusher pauses and calls ``on_login_required``; ``resume(token)`` after the new login
  sends everything, nothing was lost or marked failed.
- Another 4xx: the item is marked failed with the server's French message (and its field
  messages); the next items go on.
- The case goes with the item's ``Idempotency-Key``: resent after an uncertain first try, the
  server replays its first answer instead of creating a second case. A call record is upserted by
  its id on the server: sent again, it updates the same call.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from desktop.store.outbox import ItemKind, Outbox, OutboxItem, OutboxState
from desktop.sync.client import ApiClient
from desktop.sync.errors import RequestRefused, ServerUnavailable, SessionExpired

log = logging.getLogger(__name__)
LOGIN_REQUIRED = "Session expirée : reconnectez-vous pour envoyer les déclenchements en attente"
MAYBE_CREATED = (
    "Un envoi précédent a été interrompu : le patient a peut-être déjà été créé. Choisissez le "
    "patient existant, ou confirmez qu'il s'agit d'un autre patient"
)


@dataclass(slots=True)
class PushReport:
    sent: list[OutboxItem] = field(default_factory=list)
    failed: list[OutboxItem] = field(default_factory=list)
    waiting: list[OutboxItem] = field(default_factory=list)
    paused: bool = False


class OutboxPusher:
    def __init__(
        self,
        client: ApiClient,
        outbox: Outbox,
        *,
        on_change: Callable[[OutboxItem], None] | None = None,
        on_login_required: Callable[[str], None] | None = None,
        backoff_start: float = 1.0,
        backoff_max: float = 60.0,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.client = client
        self.outbox = outbox
        self.on_change = on_change
        self.on_login_required = on_login_required
        self.backoff_start = backoff_start
        self.backoff_max = backoff_max
        self._now = now
        self.paused = False
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()

    # ---- control ----------------------------------------------------------------------------------
    def wake(self) -> None:
        """Something changed (an item queued, the server answered again): try now."""
        self._wake.set()

    def resume(self, token: str) -> None:
        """After the new login: unpause and send."""
        self.client.token = token
        self.paused = False
        self.wake()

    def delay_for(self, attempts: int) -> float:
        return float(min(self.backoff_max, self.backoff_start * 2 ** max(0, attempts)))

    # ---- one pass ---------------------------------------------------------------------------------
    async def push(self, *, force: bool = False) -> PushReport:
        """Sends the pending items whose retry time has come (all of them with ``force``)."""
        report = PushReport(paused=self.paused)
        if self.paused:
            report.waiting = self.outbox.pending()
            return report
        async with self._lock:
            pending = self.outbox.pending()
            for position, item in enumerate(pending):
                if not force and item.next_attempt_at is not None and item.next_attempt_at > self._now():
                    report.waiting.extend(pending[position:])
                    break
                outcome = await self._send(item)
                if outcome is None:  # unreachable or paused: keep the order, stop here
                    report.waiting.extend(self.outbox.get(i.id) for i in pending[position:])
                    break
                if outcome.state is OutboxState.SENT:
                    report.sent.append(outcome)
                elif outcome.state is OutboxState.FAILED:
                    report.failed.append(outcome)
                else:  # a newer call record queued while this one went: sent on the next pass
                    report.waiting.append(outcome)
        report.paused = self.paused
        return report

    def _changed(self, item: OutboxItem) -> OutboxItem:
        if self.on_change is not None:
            self.on_change(item)
        return item

    async def _send(self, item: OutboxItem) -> OutboxItem | None:
        try:
            return self._changed(await self._send_parts(item))
        except ServerUnavailable as problem:
            latest = self.outbox.get(item.id)
            at = self._now() + timedelta(seconds=self.delay_for(latest.attempts))
            self._changed(self.outbox.retry_later(item.id, problem.message, at))
            return None
        except SessionExpired:
            self.paused = True
            self._changed(self.outbox.note(item.id, LOGIN_REQUIRED))  # refused unread: not a try
            if self.on_login_required is not None:
                self.on_login_required(LOGIN_REQUIRED)
            return None
        except RequestRefused as refused:
            log.info("outbox item %s refused: %s", item.id, refused.code)
            reason = refused.full_message()
            if refused.code == "possible_duplicates":
                reason = f"{reason}\n{MAYBE_CREATED}" if item.attempts > 0 else reason
            return self._changed(self.outbox.mark_failed(item.id, reason))

    @staticmethod
    def _create_body(item: OutboxItem) -> dict[str, Any]:
        """After a failed try the patient may exist already (the answer was lost): the server's
        look-alike check is then kept on, so that a retry cannot create the patient twice; the
        operator settles it from the outbox (``acknowledge_duplicates`` / ``use_existing_patient``)."""
        assert item.patient_create is not None
        if item.attempts > 0 and not item.acknowledged:
            return {**item.patient_create, "acknowledge_duplicates": False}
        return item.patient_create

    async def _send_parts(self, item: OutboxItem) -> OutboxItem:
        """Each part is recorded as done before the next one starts."""
        if item.kind is ItemKind.CALL_RECORD:
            answer = await self.client.send_call_record(item.case_body)
            return self.outbox.call_record_sent(item.id, item.case_body, answer.model_dump(mode="json"))
        if item.patient_id is None:
            assert item.patient_create is not None
            patient = await self.client.create_patient(self._create_body(item))
            item = self.outbox.patient_created(item.id, patient.id)
        patient_id = item.patient_id
        assert patient_id is not None
        if not item.patient_patch_done and item.patient_patch is not None:
            await self.client.patch_patient(patient_id, item.patient_patch)
            item = self.outbox.patient_patched(item.id)
        if not item.usual_done and item.usual_professionals is not None:
            await self.client.put_usual_professionals(patient_id, item.usual_professionals)
            item = self.outbox.usual_professionals_sent(item.id)
        created, replayed = await self.client.create_case(item.ready_body(), item.idempotency_key)
        if replayed:
            log.info("case of outbox item %s was already created: %s", item.id, created.number)
        return self.outbox.mark_sent(item.id, created.model_dump(mode="json"))

    # ---- running ----------------------------------------------------------------------------------
    def _next_wait(self) -> float | None:
        """Seconds until the first pending item is due; None when there is nothing to wait for."""
        pending = self.outbox.pending()
        if not pending or self.paused:
            return None
        due = pending[0].next_attempt_at
        if due is None:
            return 0.0
        return max(0.0, (due - self._now()).total_seconds())

    async def run(self) -> None:
        """Forever: send what is due, then sleep until the next retry or a ``wake()``.

        A wake-up that arrives while a pass is running is kept for the next pass (forced).
        """
        while True:
            forced = self._wake.is_set()
            self._wake.clear()
            try:
                await self.push(force=forced)
            except Exception:  # a bug or a malformed answer must not stop the outbox for good
                log.exception("outbox pass failed; next pass in %s s", self.backoff_max)
                await asyncio.sleep(self.backoff_max)
                continue
            wait = self._next_wait()
            if wait == 0.0:
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=wait)
            except TimeoutError:
                continue
