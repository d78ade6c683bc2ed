"""Builds the notification channels once from the settings, and starts and stops their worker.

`Notifier.build` picks each channel's sender (Brevo or the demo log for SMS, SMTP or the demo log
for e-mail and MSSanté, Web Push with the VAPID key), registers the planner and the senders as
due-work jobs, and hooks the worker to the database's commits. `Notifier.start(wakeups)` also
follows the live hub (server/live/hub.py, handed in by server/app.py): on PostgreSQL the hub hears
every process's commits (`LISTEN`), so a case committed by another server process — or by one
started with `CENTRALE_NOTIFY_WORKER=0`, which plans and sends nothing itself — is planned here
at once, not at the next scheduler tick.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Protocol

from server.clock import Clock, DueWork
from server.db import Database
from server.notify.channels import ChannelSender, DemoLog
from server.notify.config import NotifySettings
from server.notify.deliveries import Senders, deliver_due, send_claimed
from server.notify.email_smtp import SmtpEmail
from server.notify.planner import plan_due
from server.notify.push import VapidKey, WebPush, load_vapid_key
from server.notify.sms import BrevoSms
from server.notify.worker import NotifyWorker


class WakeUp(Protocol):
    closed: bool

    async def wait(self) -> int: ...


class FeedWakeups(Protocol):
    """What the notifier needs of the live hub: a subscription woken after commits (any process's
    on PostgreSQL) and on the hub's periodic tick."""

    def subscribe(self, position: int) -> AbstractContextManager[WakeUp]: ...


@dataclass
class Notifier:
    settings: NotifySettings
    senders: Senders
    worker: NotifyWorker
    db: Database
    clock: Clock
    vapid: VapidKey | None = None  # loaded at start (the database is migrated by then)
    follower: asyncio.Task[None] | None = None

    @classmethod
    def build(
        cls, db: Database, clock: Clock, due_work: DueWork, settings: NotifySettings, interval: float
    ) -> Notifier:
        by_channel: dict[str, ChannelSender] = {}
        if settings.sms_provider == "brevo" and settings.sms_api_key:
            by_channel["sms"] = BrevoSms(settings.sms_api_url, settings.sms_api_key, settings.sms_sender)
        else:
            by_channel["sms"] = DemoLog()
        by_channel["email"] = SmtpEmail(settings.smtp) if settings.smtp else DemoLog()
        by_channel["mssante"] = SmtpEmail(settings.mssante) if settings.mssante else DemoLog()
        senders = Senders(by_channel, ThreadPoolExecutor(settings.push_threads, "centrale-send"))
        deliver = partial(deliver_due, db, senders)

        def plan(now: datetime) -> int:
            """Plan, and send what was planned right after its commit (claimed when written)."""
            return plan_due(
                db, now, settings.public_url, send=lambda claimed: send_claimed(db, senders, claimed, now)
            )

        worker = NotifyWorker(clock.now, [plan, deliver], interval)
        if settings.worker:
            due_work.register("notify_plan", plan)
            due_work.register("notify_send", deliver)
            db.on_events_committed(worker.wake)
            db.on_deliveries_queued(worker.wake)
        return cls(settings, senders, worker, db, clock)

    def start(self, wakeups: FeedWakeups | None = None) -> None:
        """Start the worker (unless `CENTRALE_NOTIFY_WORKER=0`); on the event loop's thread when
        `wakeups` is given (the follower is a task of that loop)."""
        self.public_key()
        if not self.settings.worker:
            return
        self.worker.start()
        self.worker.wake()  # what was queued while the server was down
        if wakeups is not None:
            self.follower = asyncio.get_running_loop().create_task(
                self._follow(wakeups), name="centrale-notify-follower"
            )

    async def _follow(self, wakeups: FeedWakeups) -> None:
        with wakeups.subscribe(0) as subscription:
            while not subscription.closed:
                await subscription.wait()
                self.worker.wake()

    def public_key(self) -> str:
        """The VAPID public key (the browsers' `applicationServerKey`); loads the pair once."""
        if self.vapid is None:
            settings = self.settings
            self.vapid = load_vapid_key(
                self.db, settings.vapid_private_key, settings.vapid_subject, self.clock.now()
            )
            self.senders.by_channel["push"] = WebPush(self.vapid, max_connections=settings.push_threads)
        return self.vapid.public_key

    def stop(self) -> None:
        if self.follower is not None:
            self.follower.cancel()
            self.follower = None
        self.worker.stop()
        self.senders.pool.shutdown(wait=False, cancel_futures=True)
