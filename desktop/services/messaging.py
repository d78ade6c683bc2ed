"""« Messagerie » (issue 20) without Qt: the caller's threads and the open one, kept live from the
session's change feed, and the acts (write, start a thread, add people, leave, mark read).

Live: the feed's messaging events name a thread and its participants; an event whose
``participant_ids`` hold the user makes this service read that one thread again (``GET
/threads/{id}``, audited by the server for a patient thread) and, when it is the open one, the
messages after the newest held (``after=``: keyset, no gap, no duplicate). Another participant's
read mark is applied without any read (« vu par »). A new message from someone else gives a
notice (who and which thread, never the text nor the patient) unless switched off.

Sending while the server is unreachable: the message stays in the compose box with the French
error and is sent again by the operator — not through the outbox, which is for what must leave even
if the desktop closes (a case, a call record); a message is a conversation's turn, stale minutes
later. Each send carries an ``Idempotency-Key``; a retry of the same text and files in the same
thread after an unanswered try carries the same key, so the server answers with the message the
first try wrote (if it did) instead of writing it twice. « Rédiger » does the same for a new thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import uuid4

from desktop.state.messaging import ThreadList, is_news_for, others_read, thread_of
from desktop.state.messaging_compose import NewThread
from desktop.state.messaging_thread import OpenThread
from desktop.state.tray_notices import FRESH_FOR, Notice, NoticeKind, NoticeSwitches, message_notice
from desktop.sync.errors import ApiProblem, ServerUnavailable
from desktop.sync.messaging_api import MessagingApi
from desktop.sync.uploads import Upload
from shared.schemas.feed import FeedEvent, MessagePosted
from shared.schemas.messaging import (
    MESSAGES_PAGE_MAX,
    THREAD_NOT_FOUND,
    THREADS_PAGE_MAX,
    MessageOut,
    ThreadOut,
)

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class _Attempt:
    """A send whose outcome is unknown (the server did not answer): what it carried and its key."""

    what: object  # (thread id, text, file names) of a message; the JSON body of a new thread
    key: str


def _key_for(earlier: _Attempt | None, what: object) -> str:
    """The earlier try's key when this is its retry (the same content), a new one otherwise."""
    return earlier.key if earlier is not None and earlier.what == what else uuid4().hex


class MessagingService:
    def __init__(
        self,
        api: MessagingApi,
        user_id: int,
        *,
        switches: Callable[[], NoticeSwitches] = NoticeSwitches,
        clock: Clock = _now,
    ) -> None:
        self.api = api
        self.user_id = user_id
        self.switches = switches
        self.clock = clock
        self.threads = ThreadList(user_id)
        self.open_thread: OpenThread | None = None
        self.on_list: list[Callable[[], None]] = []  # the list or its badge changed
        self.on_thread: list[Callable[[OpenThread], None]] = []  # the open thread changed
        self.on_notice: list[Callable[[Notice], None]] = []
        self._uncertain_send: _Attempt | None = None
        self._uncertain_start: _Attempt | None = None

    # ---- reads ------------------------------------------------------------------------------------
    async def refresh(self) -> None:
        """The list (the most recent first: the first page holds every thread shown)."""
        self.threads.load(await self.api.threads(limit=THREADS_PAGE_MAX))
        self._list_changed()

    async def open(self, thread_id: int) -> OpenThread:
        """The thread's header and its newest messages; the caller marks them read when shown."""
        thread = await self.api.thread(thread_id)
        opened = OpenThread(thread, self.user_id)
        opened.first_page(await self.api.messages(thread_id))
        self.open_thread = opened
        self.threads.put(thread)
        self._list_changed()
        self._thread_changed()
        return opened

    def close_thread(self) -> None:
        self.open_thread = None

    async def older(self) -> list[MessageOut]:
        """« Messages précédents »: the page before the oldest held."""
        opened = self.open_thread
        if opened is None or opened.oldest_id is None or not opened.has_older:
            return []
        page = await self.api.messages(opened.thread.id, before=opened.oldest_id)
        if self.open_thread is not opened:
            return []
        opened.older_page(page)
        self._thread_changed()
        return page.items

    async def mark_read(self) -> int | None:
        """« Lu jusqu'ici » for the open thread, when there is something new to mark."""
        opened = self.open_thread
        mark = opened.mark_to_send() if opened is not None else None
        if opened is None or mark is None:
            return None
        await self.api.mark_read(opened.thread.id, mark)
        opened.marked(mark)
        self.threads.read_up_to(opened.thread.id, mark)
        self._list_changed()
        self._thread_changed()
        return mark

    # ---- the change feed --------------------------------------------------------------------------
    async def on_event(self, event: FeedEvent) -> None:
        thread_id = thread_of(event, self.user_id)
        if thread_id is None:
            return
        read = others_read(event, self.user_id)
        if read is not None:  # « vu par »: nothing to read
            if self.open_thread is not None and self.open_thread.thread.id == thread_id:
                self.open_thread.read_mark(read.user_id, read.up_to_message_id)
                self._thread_changed()
            return
        thread = await self._reread(thread_id)
        if thread is not None and is_news_for(event, self.user_id):
            self._maybe_notice(event, thread)

    async def _reread(self, thread_id: int) -> ThreadOut | None:
        try:
            thread = await self.api.thread(thread_id)
        except ApiProblem as problem:
            if problem.code == THREAD_NOT_FOUND:
                self.threads.drop(thread_id)
                self._list_changed()
                return None
            raise
        self.threads.put(thread)
        opened = self.open_thread
        if opened is not None and opened.thread.id == thread_id:
            opened.set_thread(thread)
            await self._newer(opened)
            self._thread_changed()
        self._list_changed()
        return thread

    async def _newer(self, opened: OpenThread) -> None:
        """The messages after the newest held, page by page (keyset: none missed, none twice)."""
        while True:
            page = await self.api.messages(opened.thread.id, after=opened.newest_id, limit=MESSAGES_PAGE_MAX)
            opened.add(page.items)
            if not page.has_more or not page.items:
                return

    def _maybe_notice(self, event: FeedEvent, thread: ThreadOut) -> None:
        payload = event.payload
        if not isinstance(payload, MessagePosted) or not self.switches().enabled(NoticeKind.MESSAGE):
            return
        if event.at < self.clock() - FRESH_FOR:
            return  # a replayed backlog is no news
        names = {p.user_id: p.name for p in thread.participants}
        author = names.get(payload.author_id) or "un participant"
        notice = message_notice(thread.id, author, thread.subject)
        for listener in list(self.on_notice):
            listener(notice)

    # ---- acts -------------------------------------------------------------------------------------
    async def send(self, text: str, files: Sequence[Upload] = ()) -> MessageOut:
        """Posts to the open thread. A failure raises ``ApiProblem`` (the compose box keeps what was
        typed); a retry after an unanswered try carries that try's key (never written twice)."""
        opened = self.open_thread
        if opened is None:
            raise ValueError("no open thread")
        what = (opened.thread.id, text, tuple(f.filename for f in files))
        attempt = _Attempt(what, _key_for(self._uncertain_send, what))
        self._uncertain_send = None
        try:
            message = await self.api.post(opened.thread.id, text, files, key=attempt.key)
        except ServerUnavailable:
            self._uncertain_send = attempt
            raise
        self._posted(opened, message)
        return message

    def _posted(self, opened: OpenThread, message: MessageOut) -> None:
        if self.open_thread is opened:
            opened.add([message])
            opened.marked(message.id)  # one's own message is read
            self._thread_changed()

    async def start(self, new: NewThread) -> ThreadOut:
        """« Rédiger »: the thread with its first message (``ComposeRefused`` before any request)."""
        body = new.body()
        attempt = _Attempt(body, _key_for(self._uncertain_start, body))
        self._uncertain_start = None
        try:
            thread = await self.api.start_thread(body, key=attempt.key)
        except ServerUnavailable:
            self._uncertain_start = attempt
            raise
        self.threads.put(thread)
        self._list_changed()
        return thread

    async def add_participants(self, user_ids: Sequence[int]) -> ThreadOut:
        opened = self._opened()
        thread = await self.api.add_participants(opened.thread.id, user_ids)
        self._replace(opened, thread)
        return thread

    async def leave(self) -> ThreadOut:
        """« Quitter la conversation »: kept in the list, read-only up to now."""
        opened = self._opened()
        thread = await self.api.leave(opened.thread.id)
        self._replace(opened, thread)
        return thread

    def _opened(self) -> OpenThread:
        if self.open_thread is None:
            raise ValueError("no open thread")
        return self.open_thread

    def _replace(self, opened: OpenThread, thread: ThreadOut) -> None:
        opened.set_thread(thread)
        self.threads.put(thread)
        self._list_changed()
        self._thread_changed()

    # ---- listeners --------------------------------------------------------------------------------
    def _list_changed(self) -> None:
        for listener in list(self.on_list):
            listener()

    def _thread_changed(self) -> None:
        if self.open_thread is None:
            return
        for listener in list(self.on_thread):
            listener(self.open_thread)
