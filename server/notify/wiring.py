"""Builds the notification channels once from the settings, and starts and stops their worker.

`Notifier.build` picks each channel's sender (Brevo or the demo log for SMS, SMTP or the demo log
for e-mail and MSSanté, Web Push with the VAPID key), registers the planner and the senders as
due-work jobs, and hooks the worker to the database's commits.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

from server.clock import Clock, DueWork
from server.db import Database
from server.notify.channels import ChannelSender, DemoLog
from server.notify.config import NotifySettings
from server.notify.deliveries import Senders, deliver_due
from server.notify.email_smtp import SmtpEmail
from server.notify.planner import plan_due
from server.notify.push import VapidKey, WebPush, load_vapid_key
from server.notify.sms import BrevoSms
from server.notify.worker import NotifyWorker


@dataclass
class Notifier:
    settings: NotifySettings
    senders: Senders
    worker: NotifyWorker
    db: Database
    clock: Clock
    vapid: VapidKey | None = None  # loaded at start (the database is migrated by then)

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
        plan = partial(plan_due, db, public_url=settings.public_url)
        deliver = partial(deliver_due, db, senders)
        due_work.register("notify_plan", plan)
        due_work.register("notify_send", deliver)
        worker = NotifyWorker(clock.now, [plan, deliver], interval)
        db.on_events_committed(worker.wake)
        db.on_deliveries_queued(worker.wake)
        return cls(settings, senders, worker, db, clock)

    def start(self) -> None:
        self.public_key()
        self.worker.start()
        self.worker.wake()  # what was queued while the server was down

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
        self.worker.stop()
        self.senders.pool.shutdown(wait=False, cancel_futures=True)
